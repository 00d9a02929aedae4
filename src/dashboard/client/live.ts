/// <reference lib="dom" />
import { type Client, createClient } from 'graphql-ws';

export type ConnectionState = 'connecting' | 'live' | 'reconnecting' | 'signed-out';

/** One open subscription: its document, its variables as of now, and where results go. */
export interface LiveOperation<T> {
  query: string;
  /** Read each time the operation is (re)sent, so a resubscription carries afterRevision. */
  variables: () => Record<string, unknown>;
  next: (data: T) => void;
  error: (message: string, code: string | undefined) => void;
}

/**
 * The page's one graphql-ws connection: every subscription of every card shares it, so fifty
 * accounts cost one socket, not fifty (browsers allow six HTTP/1.1 connections per host, so
 * one SSE stream per account stalls at six).
 *
 * After a server restart the client reconnects on its own (backing off, at most 3 s apart) and
 * sends every open subscription again. Its payload's `variables` is a getter, read when the
 * message is serialised, so each resubscription asks for what came after the last revision
 * the card has applied: the server replays what was missed, and the card drops anything at or
 * below that revision, so nothing is missed and nothing is applied twice.
 */
export class LiveConnection {
  private readonly client: Client;
  private readonly listeners = new Set<(state: ConnectionState) => void>();
  state: ConnectionState = 'connecting';

  constructor(authorization: string) {
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`;
    this.client = createClient({
      url,
      connectionParams: { authorization },
      lazy: false,
      keepAlive: 10_000,
      retryAttempts: Number.POSITIVE_INFINITY,
      retryWait: (retries) =>
        new Promise((resolve) =>
          setTimeout(resolve, Math.min(250 * 2 ** retries, 3000) + Math.random() * 250),
        ),
      // A restart closes the socket abnormally (1001, 1006): always worth another try.
      shouldRetry: () => true,
      on: {
        connecting: (isRetry) => this.set(isRetry ? 'reconnecting' : 'connecting'),
        connected: () => this.set('live'),
        closed: (event) => {
          const code = (event as { code?: number }).code;
          // 4401: the token is missing, invalid or expired; the client does not retry it.
          this.set(code === 4401 ? 'signed-out' : 'reconnecting');
        },
      },
      onNonLazyError: () => this.set('signed-out'),
    });
  }

  onState(listener: (state: ConnectionState) => void): () => void {
    this.listeners.add(listener);
    listener(this.state);
    return () => this.listeners.delete(listener);
  }

  /** Starts an operation on the shared socket; the returned function ends it. */
  subscribe<T>(operation: LiveOperation<T>): () => void {
    const payload = {
      query: operation.query,
      get variables() {
        return operation.variables();
      },
    };
    return this.client.subscribe<T>(payload, {
      next: (result) => {
        const [error] = result.errors ?? [];
        if (error) {
          const code = (error.extensions as { code?: string } | undefined)?.code;
          operation.error(error.message, code);
        } else if (result.data) operation.next(result.data);
      },
      error: (error) => {
        const [first] = Array.isArray(error) ? error : [error];
        const message =
          first && typeof first === 'object' && 'message' in first
            ? String(first.message)
            : first && typeof first === 'object' && 'reason' in first
              ? String(first.reason) || 'The connection was closed.'
              : 'The subscription failed.';
        const code = (first as { extensions?: { code?: string } } | undefined)?.extensions?.code;
        operation.error(message, code);
      },
      complete: () => {},
    });
  }

  close(): void {
    void this.client.dispose();
  }

  private set(state: ConnectionState): void {
    if (this.state === 'signed-out') return;
    this.state = state;
    for (const listener of this.listeners) listener(state);
  }
}
