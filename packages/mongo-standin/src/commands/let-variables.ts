import { evalExpr } from 'mingo/core';
import type { Document } from '../data/bson-values.js';
import { badValue, fromMingo, MongoCommandError } from '../data/errors.js';
import { isPlainObject } from '../data/paths.js';
import { mingoOptions } from '../data/query.js';

/**
 * `let` on find, aggregate, update, delete and findAndModify: each `$$name` the command's
 * expressions use becomes `{$literal: value}` before anything runs, so every engine underneath
 * (our matcher, mingo's pipelines and updates) sees constants. Only expression contexts are
 * rewritten: `$expr` inside filters, and pipeline stages (a `$match` only inside its `$expr`),
 * since elsewhere in a filter `'$$name'` is a plain string, as in mongod.
 * Each `let` value is itself an expression, evaluated once with no document, as mongod does:
 * `{$literal: '$bar'}` binds the string "$bar", `{$add: [1, 2]}` binds 3, and `$$name.a.b`
 * reads a path of the bound value.
 */
export function bindLetVariables(name: string, body: Document): Document {
  const vars = body.let;
  if (vars === undefined) return body;
  if (!isPlainObject(vars)) throw badValue("BSON field 'let' must be an object");
  const bind = new Binder(evaluateLet(vars));
  const out: Document = { ...body };
  switch (name) {
    case 'find':
      out.filter = bind.filter(body.filter);
      break;
    case 'aggregate':
      out.pipeline = bind.pipeline(body.pipeline);
      break;
    case 'update':
      out.updates = mapStatements(body.updates, (u) => ({
        ...u,
        q: bind.filter(u.q),
        u: Array.isArray(u.u) ? bind.pipeline(u.u) : u.u,
      }));
      break;
    case 'delete':
      out.deletes = mapStatements(body.deletes, (d) => ({ ...d, q: bind.filter(d.q) }));
      break;
    case 'findAndModify':
    case 'findandmodify':
      out.query = bind.filter(body.query);
      if (Array.isArray(body.update)) out.update = bind.pipeline(body.update);
      break;
  }
  return out;
}

function evaluateLet(vars: Document): Document {
  const values: Document = {};
  for (const [name, expr] of Object.entries(vars)) {
    validateVariableName(name);
    try {
      values[name] = evalExpr({}, expr as never, mingoOptions() as never);
    } catch (error) {
      throw fromMingo(error);
    }
  }
  return values;
}

/** mongod's Variables::validateNameForUserWrite: a lowercase letter, then letters, digits, _. */
function validateVariableName(name: string): void {
  const fail = (code: number, message: string) =>
    new MongoCommandError(code, message, `Location${code}`);
  if (name === '') throw fail(16866, 'empty variable names are not allowed');
  const first = name.codePointAt(0) ?? 0;
  if (!(first >= 0x61 && first <= 0x7a) && first < 0x80)
    throw fail(16867, `'${name}' starts with an invalid character for a user variable name`);
  for (const c of name.slice(1)) {
    if (!/[A-Za-z0-9_]/.test(c) && (c.codePointAt(0) ?? 0) < 0x80)
      throw fail(16868, `'${name}' contains an invalid character for a variable name: '${c}'`);
  }
}

function mapStatements(list: unknown, map: (statement: Document) => Document): unknown {
  return Array.isArray(list) ? list.map((s) => (isPlainObject(s) ? map(s) : s)) : list;
}

class Binder {
  constructor(private readonly vars: Document) {}

  filter(filter: unknown): unknown {
    if (Array.isArray(filter)) return filter.map((f) => this.filter(f));
    if (!isPlainObject(filter)) return filter;
    const out: Document = {};
    for (const [key, value] of Object.entries(filter)) {
      out[key] = key === '$expr' ? this.expression(value) : this.filter(value);
    }
    return out;
  }

  pipeline(stages: unknown): unknown {
    if (!Array.isArray(stages)) return stages;
    return stages.map((stage) =>
      isPlainObject(stage) && '$match' in stage
        ? { ...stage, $match: this.filter(stage.$match) }
        : this.expression(stage),
    );
  }

  expression(value: unknown): unknown {
    if (typeof value === 'string' && value.startsWith('$$')) {
      const [name = '', ...path] = value.slice(2).split('.');
      if (!Object.hasOwn(this.vars, name)) return value;
      const bound = this.vars[name];
      if (path.length === 0) return { $literal: bound };
      // A path into the bound value, with field-path semantics (arrays included).
      return {
        $literal: evalExpr({ v: bound }, `$v.${path.join('.')}` as never, mingoOptions() as never),
      };
    }
    if (Array.isArray(value)) return value.map((v) => this.expression(v));
    if (!isPlainObject(value)) return value;
    if ('$literal' in value) return value;
    const out: Document = {};
    for (const [key, v] of Object.entries(value)) out[key] = this.expression(v);
    return out;
  }
}
