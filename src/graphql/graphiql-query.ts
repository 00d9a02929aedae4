import type { GraphiQLOptions } from 'graphql-yoga';

/**
 * What GraphiQL opens with: a first session, one operation at a time. The ids travel as
 * variables, so an account id is pasted once into the Variables tab, not into every operation.
 */
export const GRAPHIQL_DEFAULT_QUERY = `# Welcome to Tally. Every request needs a token: \`npm start\` prints one per role.
# 1. Open the Headers tab below and replace the placeholder with a printed token:
#      {"Authorization": "Bearer eyJhbGciOi..."}
# 2. In the Variables tab, set ownerId to the customer's printed sub.
# Run the operations one by one (pick one with the ▶ menu), pasting what each answers
# (the account id, the position) into the Variables tab once.

# As the customer: open an account owned by yourself.
mutation Open($ownerId: ID!) {
  openAccount(input: { ownerId: $ownerId, currency: "USD", initialDeposit: "100.00" }) {
    __typename
    ... on AccountCommandSuccess { account { id balance { amount currency } revision } position }
    ... on Error { message }
  }
}

# Deposits are a teller's: switch the header to the teller's token.
mutation Deposit($accountId: ID!) {
  depositMoney(input: { accountId: $accountId, amount: "25.50", description: "lunch money" }) {
    __typename
    ... on AccountCommandSuccess { account { balance { amount } revision } position }
    ... on ForbiddenError { message requiredRole }
    ... on Error { message }
  }
}

# Read it back (customer, teller, auditor or admin); consistentWith waits for the position.
query Account($accountId: ID!, $position: Position) {
  account(id: $accountId, consistentWith: $position) {
    balance { amount currency } status revision
    transactions(first: 10) { edges { node { kind amount { amount } balanceAfter { amount } occurredAt actor } } }
  }
}

# Watch the balance live, then run Deposit again from another tab.
subscription Watch($accountId: ID!) {
  balanceChanged(accountId: $accountId) { balance { amount currency } revision updatedAt }
}
`;

export const GRAPHIQL_DEFAULT_VARIABLES = `{
  "ownerId": "PASTE-THE-CUSTOMER-SUB",
  "accountId": "PASTE-THE-ACCOUNT-ID",
  "position": null
}`;

export const GRAPHIQL_DEFAULT_HEADERS = `{
  "Authorization": "Bearer PASTE-A-TOKEN-PRINTED-BY-npm-start"
}`;

/** GraphiQL's options: Tally's first session in one tab, with its variables and headers. */
export const GRAPHIQL_OPTIONS: GraphiQLOptions = {
  title: 'Tally',
  defaultQuery: GRAPHIQL_DEFAULT_QUERY,
  defaultTabs: [
    {
      query: GRAPHIQL_DEFAULT_QUERY,
      variables: GRAPHIQL_DEFAULT_VARIABLES,
      headers: GRAPHIQL_DEFAULT_HEADERS,
    },
  ],
  defaultHeaders: GRAPHIQL_DEFAULT_HEADERS,
  defaultEditorToolsVisibility: true,
  // Subscriptions over SSE carry the Headers tab's Authorization like any other request.
  subscriptionsProtocol: 'SSE',
};

let rendered: Promise<string> | undefined;

/**
 * GraphiQL's page with its scripts, styles and editor workers inlined from the installed
 * @graphql-yoga/render-graphiql, so it works with no internet access (yoga's own page loads
 * them from a CDN). The module is about 9 MB, so it loads on the first request, not at start,
 * and the page is rendered once: the options never change while the server runs.
 */
export function renderOfflineGraphiQL(options: GraphiQLOptions): Promise<string> {
  rendered ??= import('@graphql-yoga/render-graphiql').then(({ renderGraphiQL }) =>
    renderGraphiQL(options),
  );
  return rendered;
}
