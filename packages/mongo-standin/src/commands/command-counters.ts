import { Long } from 'bson';
import type { Document } from '../data/bson-values.js';

/** serverStatus.opcounters, as mongod counts them (64-bit counters). */
interface OpCounters {
  insert: number;
  query: number;
  update: number;
  delete: number;
  getmore: number;
  command: number;
}

const statementsOf = (body: Document, field: string): number => {
  const list = body[field];
  return Array.isArray(list) ? list.length : 0;
};

/**
 * What serverStatus reports of the commands run since start: `opcounters` and
 * `metrics.commands.<name>.{total,failed}`. mongod counts inserts per document, updates and
 * deletes per statement, a find as one query, a getMore as one getmore, and every other command
 * (aggregate included) as one command; monitoring tools and benchmarks read these.
 */
export class CommandCounters {
  readonly #ops: OpCounters = { insert: 0, query: 0, update: 0, delete: 0, getmore: 0, command: 0 };
  readonly #commands = new Map<string, { total: number; failed: number }>();

  count(name: string, body: Document, failed: boolean): void {
    let counted = this.#commands.get(name);
    if (!counted) {
      counted = { total: 0, failed: 0 };
      this.#commands.set(name, counted);
    }
    counted.total++;
    if (failed) counted.failed++;
    switch (name) {
      case 'insert':
        this.#ops.insert += statementsOf(body, 'documents');
        break;
      case 'update':
        this.#ops.update += statementsOf(body, 'updates');
        break;
      case 'delete':
        this.#ops.delete += statementsOf(body, 'deletes');
        break;
      case 'find':
        this.#ops.query++;
        break;
      case 'getMore':
        this.#ops.getmore++;
        break;
      default:
        this.#ops.command++;
    }
  }

  opcounters(): Document {
    return Object.fromEntries(
      Object.entries(this.#ops).map(([name, value]) => [name, Long.fromNumber(value)]),
    );
  }

  /** `metrics.commands`: per command name run at least once, in name order as mongod lists them. */
  commands(): Document {
    return Object.fromEntries(
      [...this.#commands]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([name, { total, failed }]) => [
          name,
          { failed: Long.fromNumber(failed), total: Long.fromNumber(total) },
        ]),
    );
  }
}
