/** History: the audit trail, correlated stories and accounts as of any moment (issue 11). */
import './json-scalar.js';
import './account-history.js';
import './account-at.js';
import './correlated.js';
