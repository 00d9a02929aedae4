import { builder } from './builder.js';
import './shared/errors.js';
import './account/index.js';
import './transfer/index.js';
import './hold/index.js';
import './integrity/index.js';
import './owner/index.js';
import './history/index.js';
import './operations/parked-events.js';

export const schema = builder.toSchema({ sortSchema: false });
