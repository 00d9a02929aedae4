import { types } from 'node:util';
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
    // A global without a prototype: `this.constructor.constructor` does not lead to the server's
    // Function (and its `process`). A hardening of the obvious path only: vm is no boundary.
    const context = vm.createContext(Object.create(null) as object, {
      name: 'projection',
      codeGeneration: { strings: false, wasm: false },
      // Promise jobs a handler queues run inside its timeout, not later on the server's loop.
      microtaskMode: 'afterEvaluate',
    });
    vm.runInContext(PROJECTION_BOOTSTRAP, context);
    run(() => vm.runInContext(query, context, options(COMPILATION_TIMEOUT_MS)), 'compile');
    const definition = JSON.parse(
      text(
        run(
          () => calls.definition.runInContext(context, options(COMPILATION_TIMEOUT_MS)),
          'compile',
        ),
      ),
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
    const emitted = JSON.parse(text(this.#call('handle'))) as unknown;
    if (!Array.isArray(emitted) || !emitted.every(isEmittedEvent)) {
      throw new ProjectionScriptError(
        'The projection script returned a value the server cannot read',
      );
    }
    return emitted;
  }

  /** The state, serialized so that load() restores it exactly. */
  checkpoint(): string {
    return text(this.#call('checkpoint'));
  }

  /** The state as EventStoreDB reports it (JSON text), null when there is none. */
  state(): string | null {
    return textOrNull(this.#call('state'));
  }

  /** The state after `transformBy`/`filterBy`, null when filtered out or empty. */
  result(): string | null {
    return textOrNull(this.#call('result'));
  }

  /** What `log(...)` wrote since the last call. */
  logs(): string[] {
    const logs = JSON.parse(text(this.#call('logs'))) as unknown;
    return Array.isArray(logs) ? logs.map((line) => String(line)) : [];
  }

  #call(name: keyof typeof calls): unknown {
    return run(
      () => calls[name].runInContext(this.#context, options(EXECUTION_TIMEOUT_MS)),
      'execute',
    );
  }
}

/**
 * A string the script returned. Built-ins of the context can be replaced by the query, so what
 * comes back is checked: coercing an object would run its code outside the timeout.
 */
function text(value: unknown): string {
  if (typeof value === 'string') return value;
  throw new ProjectionScriptError('The projection script returned a value the server cannot read');
}

/** The shape js-bootstrap.ts gives emitted events (the query may have replaced JSON.stringify). */
function isEmittedEvent(value: unknown): value is EmittedEvent {
  if (value === null || typeof value !== 'object') return false;
  const out = value as Record<string, unknown>;
  if (typeof out.stream !== 'string' || out.stream === '') return false;
  const metadata = out.metadata;
  if (metadata !== undefined && (metadata === null || typeof metadata !== 'object')) return false;
  if (out.kind === 'link') return typeof out.target === 'string';
  return out.kind === 'event' && typeof out.type === 'string' && typeof out.data === 'string';
}

function textOrNull(value: unknown): string | null {
  return value === null ? null : text(value);
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
  // Node's timeout error (of either realm: a timeout in a promise job comes from the context's).
  if (error === null || typeof error !== 'object' || types.isProxy(error)) return false;
  const code = Object.getOwnPropertyDescriptor(error, 'code');
  return code !== undefined && 'value' in code && code.value === 'ERR_SCRIPT_EXECUTION_TIMEOUT';
}

/**
 * The message of a value the script threw. Read without running any of the script's code
 * outside the timeout: only an own data property `message` that is a string (as an Error of the
 * context has), or a thrown string; no getter, `toString` or proxy trap is invoked.
 */
function messageOf(error: unknown): string {
  if (typeof error === 'string') return error;
  if (error === null || (typeof error !== 'object' && typeof error !== 'function')) {
    return String(error);
  }
  if (types.isProxy(error)) return 'The projection script threw a value that is not an Error';
  const message = Object.getOwnPropertyDescriptor(error, 'message');
  if (message && 'value' in message && typeof message.value === 'string') return message.value;
  return 'The projection script threw a value that is not an Error';
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
