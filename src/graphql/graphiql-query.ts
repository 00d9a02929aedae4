/** What GraphiQL opens with: a first session to paste into, one operation at a time. */
export const GRAPHIQL_DEFAULT_QUERY = `# Welcome to Tally. Every request needs a token: \`npm start\` prints one per role.
# Open the Headers tab below and paste {"Authorization": "Bearer <the customer token>"}.
# Run these one by one (pick the operation with the ▶ menu).

# 1. As the customer: open an account owned by yourself (ownerId = the customer's printed sub).
mutation Open {
  openAccount(input: { ownerId: "PASTE-CUSTOMER-SUB", currency: "USD", initialDeposit: "100.00" }) {
    __typename
    ... on AccountCommandSuccess { account { id balance { amount currency } revision } position }
    ... on Error { message }
  }
}

# 2. Deposits are a teller's: switch the header to the teller token, paste the account id.
mutation Deposit {
  depositMoney(input: { accountId: "PASTE-ACCOUNT-ID", amount: "25.50", description: "lunch money" }) {
    __typename
    ... on AccountCommandSuccess { account { balance { amount } revision } position }
    ... on ForbiddenError { message requiredRole }
    ... on Error { message }
  }
}

# 3. Read it back (customer, teller, auditor or admin); consistentWith waits for the deposit.
query Account {
  account(id: "PASTE-ACCOUNT-ID", consistentWith: "PASTE-POSITION") {
    balance { amount currency } status revision
    transactions(first: 10) { edges { node { kind amount { amount } balanceAfter { amount } occurredAt actor } } }
  }
}

# 4. Watch the balance live, then deposit again from another tab.
subscription Watch {
  balanceChanged(accountId: "PASTE-ACCOUNT-ID") { balance { amount currency } revision updatedAt }
}
`;
