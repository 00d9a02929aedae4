import {
  type DefinitionNode,
  type FragmentDefinitionNode,
  GraphQLError,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { GraphQLContext } from '../context.js';

export interface MutationRateLimit {
  /** Mutations one principal may send per window, per mutation field. */
  max: number;
  /** A duration such as "1m". */
  window: string;
}

/**
 * Per-principal limits on every mutation field: at most `max` calls in any sliding `window`.
 * Past the limit the request is refused before anything runs, with a retryable RATE_LIMITED
 * error and Retry-After.
 *
 * Why not @envelop/rate-limiter, used before: it copies and filters every timestamp of the
 * window on every call, and copies its whole state object per call, so its cost grows with the
 * rate; under a steady load it was an eighth of Tally's CPU. Here each (principal, field) keeps a
 * queue of the timestamps of its accepted calls (at most `max`): a call drops the expired ones
 * from the front and appends one, amortised O(1). Idle keys are swept once per window.
 */
export function useMutationRateLimit(limit: MutationRateLimit): Plugin<GraphQLContext> {
  const windowMs = seconds(limit.window) * 1000;
  const calls = new Map<string, TimestampQueue>();
  let sweptAt = Date.now();
  const refuse = (field: string) =>
    new GraphQLError(
      `Rate limited: at most ${limit.max} ${field} mutations per ${limit.window}; try again later`,
      {
        extensions: {
          code: 'RATE_LIMITED',
          retryable: true,
          retryAfter: limit.window,
          http: { status: 429, headers: { 'Retry-After': String(seconds(limit.window)) } },
        },
      },
    );
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const operation = args.document.definitions.find(
        (d: DefinitionNode): d is OperationDefinitionNode =>
          d.kind === Kind.OPERATION_DEFINITION &&
          (args.operationName == null || d.name?.value === args.operationName),
      );
      if (operation?.operation !== 'mutation') return;
      const now = Date.now();
      if (now - sweptAt > windowMs) {
        sweptAt = now;
        for (const [key, queue] of calls) if (queue.newest() <= now - windowMs) calls.delete(key);
      }
      const sub = args.contextValue.principal.sub;
      const fields = topLevelFields(operation.selectionSet, args.document.definitions);
      // Checked all before any is counted: a refused request counts for nothing.
      const queues = fields.map((field) => {
        const key = `${sub}\u0000${field}`;
        let queue = calls.get(key);
        if (!queue) {
          queue = new TimestampQueue();
          calls.set(key, queue);
        }
        queue.dropUntil(now - windowMs);
        return { field, queue };
      });
      const over = queues.find(({ queue }) => queue.size >= limit.max);
      if (over) {
        setResultAndStopExecution({ errors: [refuse(over.field)] });
        return;
      }
      for (const { queue } of queues) queue.push(now);
    },
  };
}

/** The mutation fields a request calls, through fragments at the top level. */
function topLevelFields(
  selectionSet: SelectionSetNode,
  definitions: readonly DefinitionNode[],
): string[] {
  const fields: string[] = [];
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      if (!selection.name.value.startsWith('__')) fields.push(selection.name.value);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      fields.push(...topLevelFields(selection.selectionSet, definitions));
    } else {
      const fragment = definitions.find(
        (d): d is FragmentDefinitionNode =>
          d.kind === Kind.FRAGMENT_DEFINITION && d.name.value === selection.name.value,
      );
      if (fragment) fields.push(...topLevelFields(fragment.selectionSet, definitions));
    }
  }
  return fields;
}

/** Timestamps in arrival order, dropped from the front as they expire. */
class TimestampQueue {
  #items: number[] = [];
  #head = 0;

  get size(): number {
    return this.#items.length - this.#head;
  }

  newest(): number {
    return this.#items[this.#items.length - 1] ?? 0;
  }

  push(timestamp: number): void {
    this.#items.push(timestamp);
  }

  dropUntil(oldestAllowed: number): void {
    while (this.#head < this.#items.length && this.#items[this.#head]! <= oldestAllowed) {
      this.#head++;
    }
    // Compact once the dropped prefix is at least half, so the array never grows without bound.
    if (this.#head > 1024 && this.#head * 2 >= this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
  }
}

function seconds(window: string): number {
  const match = /^(\d+)\s*(ms|s|m|h)?$/.exec(window.trim());
  if (!match) return 60;
  const unit = { ms: 0.001, s: 1, m: 60, h: 3600 }[match[2] ?? 'ms'] ?? 1;
  return Math.max(1, Math.ceil(Number(match[1]) * unit));
}
