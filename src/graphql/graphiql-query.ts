/** What GraphiQL opens with: a first session to paste into, one operation at a time. */
export const GRAPHIQL_DEFAULT_QUERY = `# Welcome to Tally. Run these one by one (pick the operation with the ▶ menu).
# 1. Open an account; note the account id and the position in the answer.
mutation Open {
  openAccount(input: { ownerId: "6f1c2b7e-3c52-4c55-9a86-3b9fd7c1a001", currency: "USD", initialDeposit: "100.00" }) {
    __typename
    ... on AccountCommandSuccess { account { id balance { amount currency } revision } position }
    ... on Error { message }
  }
}

# 2. Deposit: paste the account id.
mutation Deposit {
  depositMoney(input: { accountId: "PASTE-ACCOUNT-ID", amount: "25.50", description: "lunch money" }) {
    __typename
    ... on AccountCommandSuccess { account { balance { amount } revision } position }
    ... on Error { message }
  }
}

# 3. Read it back from the read model; consistentWith waits for the deposit's position.
query Account {
  account(id: "PASTE-ACCOUNT-ID", consistentWith: "PASTE-POSITION") {
    balance { amount currency } status revision
    transactions(first: 10) { edges { node { kind amount { amount } balanceAfter { amount } occurredAt } } }
  }
}

# 4. Watch the balance live, then deposit again from another tab.
subscription Watch {
  balanceChanged(accountId: "PASTE-ACCOUNT-ID") { balance { amount currency } revision updatedAt }
}
`;
