/// <reference lib="dom" />

/** What the read model reported with a response: the position applied and how far behind. */
export interface ReadModelFreshness {
  position?: string;
  lagMs?: number;
}

/** A GraphQL error as the page shows it: the message, and the code it decides on. */
export class GraphQLRequestError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

interface Response<T> {
  data?: T;
  errors?: Array<{ message: string; extensions?: { code?: string } }>;
  extensions?: { readModel?: ReadModelFreshness };
}

/**
 * Queries over HTTP POST with the session's token. Every response's extensions.readModel (when
 * the server reports one) goes to `onFreshness`, which drives the freshness indicator.
 */
export class Api {
  constructor(
    private readonly authorization: string,
    private readonly onFreshness: (freshness: ReadModelFreshness) => void = () => {},
  ) {}

  async query<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const response = await fetch('/graphql', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        authorization: this.authorization,
      },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as Response<T>;
    if (body.extensions?.readModel) this.onFreshness(body.extensions.readModel);
    const [error] = body.errors ?? [];
    if (error) throw new GraphQLRequestError(error.message, error.extensions?.code);
    if (!body.data) throw new GraphQLRequestError(`HTTP ${response.status}`, undefined);
    return body.data;
  }

  /** A plain GET of another endpoint of the server (/metrics), or undefined if it has none. */
  async text(path: string): Promise<string | undefined> {
    const response = await fetch(path, { headers: { authorization: this.authorization } });
    return response.ok ? response.text() : undefined;
  }
}

/** A field the server does not have yet (a newer schema adds it): the query is retried without. */
export function isUnknownField(error: unknown, field: string): boolean {
  return (
    error instanceof GraphQLRequestError && error.message.includes(`Cannot query field "${field}"`)
  );
}
