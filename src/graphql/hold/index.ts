/** Holds: their type, errors, the query and the three mutations. */
import './hold-errors.js';
import './hold-mutations.js';
import './hold-queries.js';
