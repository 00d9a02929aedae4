import type { Document } from '../data/bson-values.js';
import { MongoCommandError } from '../data/errors.js';
import { isPlainObject } from '../data/paths.js';

/**
 * `create` options the stand-in does not honour. Each is refused before anything is created,
 * naming the option, with 72 InvalidOptions (mongod's code for an option it cannot apply):
 * a collection created "ok" without its cap, time-series layout, clustered key, validator or
 * encryption would behave differently from the one the client asked for, silently.
 * Accepted because they are exactly honoured: the values that mean "the default" (`capped:
 * false`, an empty `validator`, `autoIndexId: true`, the `_id` index as `idIndex`, ...);
 * `viewOn`/`pipeline` (views, see views.ts), `collation` (unsupported.ts), and
 * `changeStreamPreAndPostImages` (ddl.ts).
 */
const isEmpty = (value: unknown) =>
  value === undefined || (isPlainObject(value) && Object.keys(value).length === 0);
const isFalse = (value: unknown) => value === undefined || value === false || value === 0;

const REFUSED: Array<[string, (value: unknown, body: Document) => boolean, string]> = [
  ['timeseries', (v) => v === undefined, 'time-series collections'],
  ['expireAfterSeconds', (v) => v === undefined, 'expiring documents (TTL) of a collection'],
  ['clusteredIndex', (v) => v === undefined || v === false, 'clustered collections'],
  ['capped', isFalse, 'capped collections'],
  ['size', (v, body) => v === undefined || isFalse(body.capped), 'capped collections'],
  ['max', (v, body) => v === undefined || isFalse(body.capped), 'capped collections'],
  ['validator', isEmpty, 'document validation'],
  ['validationLevel', (v) => v === undefined || v === 'off', 'document validation'],
  [
    'validationAction',
    (v, body) => v === undefined || isEmpty(body.validator),
    'document validation',
  ],
  ['storageEngine', isEmpty, 'storage engine options'],
  ['indexOptionDefaults', isEmpty, 'index option defaults'],
  ['encryptedFields', (v) => v === undefined, 'Queryable Encryption (encryptedFields)'],
  ['autoIndexId', (v) => v === undefined || v === true, 'collections without an _id index'],
  [
    'idIndex',
    (v) => v === undefined || (isPlainObject(v) && isIdKey(v.key)),
    'an idIndex other than {_id: 1}',
  ],
];

function isIdKey(key: unknown): boolean {
  return isPlainObject(key) && Object.keys(key).length === 1 && Number(String(key._id)) === 1;
}

export function refuseCreateOptions(body: Document): void {
  for (const [option, honoured, feature] of REFUSED) {
    const value = body[option];
    if (honoured(value, body)) continue;
    throw new MongoCommandError(
      72,
      `the Tally embedded MongoDB stand-in does not support ${feature} (create option '${option}')`,
      'InvalidOptions',
    );
  }
}
