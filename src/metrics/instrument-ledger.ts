import { DomainError } from '../domain/errors.js';
import type { Ledger } from '../write/ledger.js';
import type { TallyMetrics } from './metrics.js';

/** Ledger methods that read rather than command; they are not timed. */
const QUERIES = new Set(['accountOwner', 'constructor']);
/** Internal writers name their command in the first argument's `type`. */
const GENERIC = new Set(['onAccount', 'onTransfer']);

/**
 * The Ledger, with every command timed into tally_command_duration_seconds{command,outcome}:
 * outcome `ok`, the domain error's name (InsufficientFundsError, ...) or `error` for anything
 * unexpected. Wrapped from outside, so the write side knows nothing of metrics, and a command
 * added to the Ledger is timed without a change here.
 */
export function instrumentLedger(ledger: Ledger, metrics: TallyMetrics): Ledger {
  return new Proxy(ledger, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || typeof property !== 'string' || QUERIES.has(property)) {
        return typeof value === 'function' ? value.bind(target) : value;
      }
      return (...args: unknown[]) => {
        const command = GENERIC.has(property)
          ? String((args[0] as { type?: unknown } | undefined)?.type ?? property)
          : property;
        const end = metrics.commandDuration.startTimer({ command });
        // Called on the Ledger itself: its private fields are not reachable through a proxy.
        const result = (value as (...a: unknown[]) => unknown).apply(target, args);
        if (!(result instanceof Promise)) {
          end({ outcome: 'ok' });
          return result;
        }
        return result.then(
          (done) => {
            end({ outcome: 'ok' });
            return done;
          },
          (error: unknown) => {
            end({ outcome: error instanceof DomainError ? error.constructor.name : 'error' });
            throw error;
          },
        );
      };
    },
  });
}
