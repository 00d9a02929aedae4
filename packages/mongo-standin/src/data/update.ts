import { Timestamp } from 'bson';
import { Aggregator } from 'mingo/aggregator';
import { update as mingoUpdate } from 'mingo/updater';
import { arithmetic } from './arithmetic.js';
import { cloneValue, type Document, isNumeric } from './bson-values.js';
import { compareValues } from './compare.js';
import { fromMingo, MongoCommandError } from './errors.js';
import { getPath, isPlainObject, PathConflict, setPath, unsetPath } from './paths.js';
import { mingoOptions } from './query.js';

/**
 * Applies an update (operators, replacement or pipeline) to a copy of a document.
 * Scalar operators are hand-written to keep BSON number types (see arithmetic.ts) and to add
 * what mingo lacks ($setOnInsert, _id immutability, MongoDB's error codes). Array operators,
 * positional paths and arrayFilters go to mingo, which implements them fully.
 */
export type UpdateSpec = Document | Document[];

const OWN_OPERATORS = new Set([
  '$set',
  '$unset',
  '$inc',
  '$mul',
  '$max',
  '$min',
  '$setOnInsert',
  '$currentDate',
  '$rename',
]);
const MINGO_OPERATORS = new Set(['$push', '$addToSet', '$pull', '$pullAll', '$pop', '$bit']);

export function isOperatorUpdate(spec: UpdateSpec): spec is Document {
  if (Array.isArray(spec)) return false;
  const keys = Object.keys(spec);
  return keys.length > 0 && keys[0]!.startsWith('$');
}

export function validateUpdate(spec: unknown): UpdateSpec {
  if (Array.isArray(spec)) return spec as Document[];
  if (!isPlainObject(spec)) {
    throw new MongoCommandError(
      9,
      'Update argument must be either an object or an array',
      'FailedToParse',
    );
  }
  const keys = Object.keys(spec);
  const ops = keys.filter((k) => k.startsWith('$'));
  if (ops.length === 0) {
    validateStorableFields(spec, true);
    return spec;
  }
  if (ops.length !== keys.length) {
    throw new MongoCommandError(
      9,
      `Unknown modifier: ${keys.find((k) => !k.startsWith('$'))}. Expected a valid update modifier or pipeline-style update specified as an array`,
      'FailedToParse',
    );
  }
  const seen: string[] = [];
  for (const op of ops) {
    if (!OWN_OPERATORS.has(op) && !MINGO_OPERATORS.has(op)) {
      throw new MongoCommandError(
        9,
        `Unknown modifier: ${op}. Expected a valid update modifier or pipeline-style update specified as an array`,
        'FailedToParse',
      );
    }
    const args = spec[op];
    if (!isPlainObject(args)) {
      throw new MongoCommandError(
        9,
        `Modifiers operate on fields but we found type ${typeof args} instead. For example: {$mod: {<field>: ...}} not {${op}: ${String(args)}}`,
        'FailedToParse',
      );
    }
    if (Object.keys(args).length === 0) {
      throw new MongoCommandError(
        9,
        `'${op}' is empty. You must specify a field like so: {${op}: {<field>: ...}}`,
        'FailedToParse',
      );
    }
    for (const path of Object.keys(args)) {
      const conflict = seen.find(
        (p) => p === path || p.startsWith(`${path}.`) || path.startsWith(`${p}.`),
      );
      if (conflict !== undefined) {
        throw new MongoCommandError(
          40,
          `Updating the path '${path}' would create a conflict at '${conflict}'`,
          'ConflictingUpdateOperators',
        );
      }
      seen.push(path);
      if (op === '$rename') seen.push(String(args[path]));
      if ((op === '$inc' || op === '$mul') && !isNumeric(args[path])) {
        throw new MongoCommandError(
          14,
          `Cannot ${op === '$inc' ? 'increment' : 'multiply'} with non-numeric argument: {${path}: ${JSON.stringify(args[path])}}`,
          'TypeMismatch',
        );
      }
    }
  }
  return spec;
}

/** Field names MongoDB refuses to store (top level `$`-prefixed names, empty names). */
export function validateStorableFields(doc: Document, topLevel: boolean): void {
  for (const [key, value] of Object.entries(doc)) {
    if (key.startsWith('$') && topLevel) {
      throw new MongoCommandError(
        52,
        `The dollar ($) prefixed field '${key}' in '${key}' is not allowed in the context of an update's replacement document. Consider using an aggregation pipeline with $replaceWith.`,
        'DollarPrefixedFieldName',
      );
    }
    if (isPlainObject(value)) validateStorableFields(value, false);
  }
}

export interface ApplyOptions {
  isInsert: boolean;
  arrayFilters?: Document[];
  filter?: Document;
}

export function applyUpdate(original: Document, spec: UpdateSpec, options: ApplyOptions): Document {
  let result: Document;
  if (Array.isArray(spec)) {
    const [out] = new Aggregator(spec, mingoOptions()).run([cloneValue(original)]) as Document[];
    result = out ?? {};
    // A pipeline that dropped _id (e.g. $replaceRoot, $project without it) keeps the original,
    // as mongod's pipeline updates do; only a different _id is an immutable-field error.
    if (result._id === undefined && original._id !== undefined)
      result = { _id: original._id, ...result };
  } else if (!isOperatorUpdate(spec)) {
    // A replacement keeps the document's _id; its own _id (null included) wins when it has one.
    const replacement = cloneValue(spec as Document);
    result = {
      _id: replacement._id !== undefined ? replacement._id : original._id,
      ...replacement,
    };
    if (result._id === undefined) delete result._id;
  } else {
    result = cloneValue(original);
    applyOperators(result, spec, options);
  }
  if (original._id !== undefined && options.isInsert) {
    // An upsert starts from the filter's _id; the update may not give the new document another.
    if (result._id === undefined || compareValues(result._id, original._id) !== 0) {
      throw new MongoCommandError(
        66,
        `After applying the update, the (immutable) field '_id' was found to have been altered to _id: ${JSON.stringify(result._id)}`,
        'ImmutableField',
      );
    }
  }
  if (original._id !== undefined && !options.isInsert) {
    if (result._id === undefined || compareValues(result._id, original._id) !== 0) {
      throw new MongoCommandError(
        66,
        "Performing an update on the path '_id' would modify the immutable field '_id'",
        'ImmutableField',
      );
    }
    if (Object.keys(result)[0] !== '_id') result = { _id: result._id, ...result };
  }
  return result;
}

function applyOperators(doc: Document, spec: Document, options: ApplyOptions): void {
  const delegated: Document = {};
  for (const [op, args] of Object.entries(spec)) {
    for (const [path, arg] of Object.entries(args as Document)) {
      const parts = path.split('.');
      // MongoDB 5+: a new top-level `$` field is storable only when the update inserts (upsert).
      if (parts[0]!.startsWith('$') && !isPositional(parts[0]!) && !options.isInsert) {
        throw new MongoCommandError(
          52,
          `The dollar ($) prefixed field '${parts[0]}' in '${path}' is not valid for storage.`,
          'DollarPrefixedFieldName',
        );
      }
      if (MINGO_OPERATORS.has(op) || parts.some(isPositional)) {
        // mingo skips $push's $sort/$slice/$position when the array does not exist yet;
        // MongoDB treats a missing field as an empty array.
        if (op === '$push' && !parts.some(isPositional) && getPath(doc, path) === undefined) {
          try {
            setPath(doc, path, []);
          } catch (error) {
            if (error instanceof PathConflict)
              throw new MongoCommandError(28, error.message, 'PathNotViable');
            throw error;
          }
        }
        const forOp = (delegated[op] ?? {}) as Document;
        forOp[path] = arg;
        delegated[op] = forOp;
        continue;
      }
      try {
        applyScalar(doc, op, path, arg, options);
      } catch (error) {
        if (error instanceof PathConflict)
          throw new MongoCommandError(28, error.message, 'PathNotViable');
        throw error;
      }
    }
  }
  if (Object.keys(delegated).length > 0) {
    try {
      mingoUpdate(doc, delegated as never, options.arrayFilters, options.filter, {
        cloneMode: 'none',
        queryOptions: mingoOptions(),
      });
    } catch (error) {
      throw fromMingo(error);
    }
  }
}

/** `$`, `$[]` and `$[name]` address array elements; any other `$` name is a literal field. */
function isPositional(part: string): boolean {
  return part === '$' || /^\$\[\w*\]$/.test(part);
}

function applyScalar(
  doc: Document,
  op: string,
  path: string,
  arg: unknown,
  options: ApplyOptions,
): void {
  const current = getPath(doc, path);
  switch (op) {
    case '$set':
      setPath(doc, path, cloneValue(arg));
      return;
    case '$setOnInsert':
      if (options.isInsert) setPath(doc, path, cloneValue(arg));
      return;
    case '$unset':
      unsetPath(doc, path);
      return;
    case '$inc':
    case '$mul': {
      if (current !== undefined && !isNumeric(current)) {
        throw new MongoCommandError(
          14,
          `Cannot apply ${op} to a value of non-numeric type. {_id: ${JSON.stringify(doc._id)}} has the field '${path.split('.').pop()}' of non-numeric type ${typeof current}`,
          'TypeMismatch',
        );
      }
      const base = current === undefined ? (op === '$inc' ? 0 : 0) : current;
      setPath(
        doc,
        path,
        op === '$inc' ? arithmetic(base, arg, 'add') : arithmetic(base, arg, 'mul'),
      );
      return;
    }
    case '$max':
    case '$min': {
      const cmp = current === undefined ? 0 : compareValues(arg, current);
      if (current === undefined || (op === '$max' ? cmp > 0 : cmp < 0))
        setPath(doc, path, cloneValue(arg));
      return;
    }
    case '$currentDate': {
      const asTimestamp = isPlainObject(arg) && arg.$type === 'timestamp';
      const now = new Date();
      setPath(
        doc,
        path,
        asTimestamp ? new Timestamp({ t: Math.floor(now.getTime() / 1000), i: 1 }) : now,
      );
      return;
    }
    case '$rename': {
      if (current === undefined) return;
      unsetPath(doc, path);
      setPath(doc, String(arg), current);
      return;
    }
  }
}
