/** The account aggregate's API: its types, queries, subscriptions and mutations. */
import './account-mutations.js';
import './account-queries.js';
import './account-subscriptions.js';
import './banking-fields.js';
import './banking-mutations.js';
