import type { Document } from '../data/bson-values.js';
import { badValue } from '../data/errors.js';
import { isPlainObject } from '../data/paths.js';

/**
 * `let` on find, aggregate, update, delete and findAndModify: each `$$name` the command's
 * expressions use becomes `{$literal: value}` before anything runs, so every engine underneath
 * (our matcher, mingo's pipelines and updates) sees constants. Only expression contexts are
 * rewritten: `$expr` inside filters, and pipeline stages (a `$match` only inside its `$expr`),
 * since elsewhere in a filter `'$$name'` is a plain string, as in mongod.
 */
export function bindLetVariables(name: string, body: Document): Document {
  const vars = body.let;
  if (vars === undefined) return body;
  if (!isPlainObject(vars)) throw badValue("BSON field 'let' must be an object");
  const bind = new Binder(vars);
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
      const name = value.slice(2);
      return Object.hasOwn(this.vars, name) ? { $literal: this.vars[name] } : value;
    }
    if (Array.isArray(value)) return value.map((v) => this.expression(v));
    if (!isPlainObject(value)) return value;
    if ('$literal' in value) return value;
    const out: Document = {};
    for (const [key, v] of Object.entries(value)) out[key] = this.expression(v);
    return out;
  }
}
