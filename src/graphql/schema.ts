import { builder } from './builder.js';
import './types/errors.js';
import './fields/account-mutations.js';
import './fields/transfer-mutations.js';
import './fields/queries.js';
import './fields/subscriptions.js';
import './integrity/index.js';

export const schema = builder.toSchema({ sortSchema: false });
