/** The transfer aggregate's API: its type, query and mutation. */
import './transfer-mutations.js';
import './transfer-queries.js';
