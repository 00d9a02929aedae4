import vm from 'node:vm';
import { PROJECTION_BOOTSTRAP } from './js-bootstrap.js';

/**
 * One user projection's JavaScript runtime: a fresh `node:vm` context per projection, holding
 * only the language's built-ins and the projection API (js-bootstrap.ts): no `process`,
 * `require`, timers or I/O, and no string compilation (`eval`, `new Function`), as EventStoreDB's
 * Jint engine runs with `DisableStringCompilation`.
 *
 * Every call into the script (the query itself, `$init`, each handler) runs with a timeout, so
 * a `while (true)` faults the projection instead of hanging the server: EventStoreDB's
 * `ProjectionCompilationTimeout` (500 ms) and `ProjectionExecutionTimeout` (250 ms) defaults.
 *
 * `node:vm` is NOT a security boundary (Node's own documentation says so): a hostile query can
 * reach the server's realm. The stand-in is for tests and development, where the queries are the
 * developers' own; it must not run projections from untrusted users.
 */

export const COMPILATION_TIMEOUT_MS = 500;
export const EXECUTION_TIMEOUT_MS = 250;

/** Where a projection reads from, as its query selected it. */
export type QuerySource =
  | { kind: 'all' }
  | { kind: 'streams'; names: string[] }
  | { kind: 'category'; names: string[] };

export interface QueryDefinition {
  source: QuerySource | null;
  /** Event types with a handler of their own. */
  eventTypes: string[];
  /** A `$any` handler: every event type is handled. */
  any: boolean;
  outputState: boolean;
  /** The first feature the query uses that the stand-in does not run, if any. */
  unsupported: string | null;
}

/** The event as handed to a handler (before the runtime adds `body`, `data`, `metadata`). */
export interface EventEnvelopeInput {
  streamId: string;
  sequenceNumber: number;
  eventType: string;
  eventId: string;
  isJson: boolean;
  bodyRaw: string;
  metadataRaw: string;
  /** The link's metadata when the event was reached through a `$>` link. */
  linkMetadataRaw?: string;
  category?: string;
}

/** What one handler call asked for, in call order. */
export type EmittedEvent =
  | { kind: 'link'; stream: string; target: string; metadata?: Record<string, unknown> }
  | {
      kind: 'event';
      stream: string;
      type: string;
      data: string;
      metadata?: Record<string, unknown>;
    };

/** A query that failed to compile or run: the projection faults with this message. */
export class ProjectionScriptError extends Error {}

const calls = {
  definition: new vm.Script('__host.definition()'),
  initialize: new vm.Script('__host.initialize()'),
  load: new vm.Script('__host.load(__input)'),
  handle: new vm.Script('__host.handle(__input)'),
  checkpoint: new vm.Script('__host.checkpoint()'),
  state: new vm.Script('__host.state()'),
  result: new vm.Script('__host.result()'),
  logs: new vm.Script('__host.logs()'),
};

export class ProjectionRuntime {
  readonly #context: vm.Context;
  readonly definition: QueryDefinition;

  private constructor(context: vm.Context, definition: QueryDefinition) {
    this.#context = context;
    this.definition = definition;
  }

  /** Runs the query's definition phase. Throws ProjectionScriptError when it fails. */
  static compile(query: string): ProjectionRuntime {
    const context = vm.createContext(
      {},
      {
        name: 'projection',
        codeGeneration: { strings: false, wasm: false },
        // Promise jobs a handler queues run inside its timeout, not later on the server's loop.
        microtaskMode: 'afterEvaluate',
      },
    );
    vm.runInContext(PROJECTION_BOOTSTRAP, context);
    run(() => vm.runInContext(query, context, options(COMPILATION_TIMEOUT_MS)), 'compile');
    const definition = JSON.parse(
      run(
        () => calls.definition.runInContext(context, options(COMPILATION_TIMEOUT_MS)),
        'compile',
      ) as string,
    ) as QueryDefinition;
    return new ProjectionRuntime(context, definition);
  }

  /** The state `$init` returns (`{}` without one). */
  initialize(): void {
    this.#call('initialize');
  }

  /** Restores a state saved by checkpoint(). */
  load(checkpoint: string): void {
    this.#context.__input = checkpoint;
    this.#call('load');
  }

  /** Runs the event's handler; returns what it emitted. Throws ProjectionScriptError. */
  handle(event: EventEnvelopeInput): EmittedEvent[] {
    this.#context.__input = JSON.stringify(event);
    return JSON.parse(this.#call('handle') as string) as EmittedEvent[];
  }

  /** The state, serialized so that load() restores it exactly. */
  checkpoint(): string {
    return this.#call('checkpoint') as string;
  }

  /** The state as EventStoreDB reports it (JSON text), null when there is none. */
  state(): string | null {
    return this.#call('state') as string | null;
  }

  /** The state after `transformBy`/`filterBy`, null when filtered out or empty. */
  result(): string | null {
    return this.#call('result') as string | null;
  }

  /** What `log(...)` wrote since the last call. */
  logs(): string[] {
    return JSON.parse(calls.logs.runInContext(this.#context) as string) as string[];
  }

  #call(name: keyof typeof calls): unknown {
    return run(
      () => calls[name].runInContext(this.#context, options(EXECUTION_TIMEOUT_MS)),
      'execute',
    );
  }
}

function options(timeout: number): vm.RunningScriptOptions {
  return { timeout, displayErrors: false, breakOnSigint: false };
}

/** Runs `body`, turning anything the script throws into a ProjectionScriptError. */
function run(body: () => unknown, action: 'compile' | 'execute'): unknown {
  const started = performance.now();
  try {
    return body();
  } catch (error) {
    if (isTimeout(error)) {
      const allowed = action === 'compile' ? COMPILATION_TIMEOUT_MS : EXECUTION_TIMEOUT_MS;
      // EventStoreDB's TimeConstraint message (TimeSpan "c" format).
      throw new ProjectionScriptError(
        `Projection script took too long to ${action} (took: ${timeSpan(performance.now() - started)}, allowed: ${timeSpan(allowed)}`,
      );
    }
    throw new ProjectionScriptError(messageOf(error));
  }
}

function isTimeout(error: unknown): boolean {
  return (
    error !== null &&
    typeof error === 'object' &&
    (error as { code?: unknown }).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT'
  );
}

/** The message of a value thrown in the context (another realm: `instanceof Error` fails). */
function messageOf(error: unknown): string {
  if (error !== null && typeof error === 'object' && 'message' in error) {
    return String((error as { message: unknown }).message);
  }
  return String(error);
}

/** A duration as .NET's TimeSpan "c" format: hh:mm:ss.fffffff. */
function timeSpan(ms: number): string {
  const ticks = Math.round(ms * 10_000);
  const seconds = Math.floor(ticks / 10_000_000);
  const fraction = String(ticks % 10_000_000).padStart(7, '0');
  const hh = String(Math.floor(seconds / 3600)).padStart(2, '0');
  const mm = String(Math.floor((seconds % 3600) / 60)).padStart(2, '0');
  const ss = String(seconds % 60).padStart(2, '0');
  return `${hh}:${mm}:${ss}.${fraction}`;
}
