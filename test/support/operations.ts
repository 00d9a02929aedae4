/** GraphQL documents the tests send, written as a client would write them. */
const ACCOUNT_RESULT = `
  __typename
  ... on AccountCommandSuccess { account { id ownerId currency balance { amount currency } status revision } position }
  ... on Error { message }
  ... on ValidationError { field }
  ... on AccountNotFoundError { accountId }
  ... on AccountNotOpenError { accountId status }
  ... on InsufficientFundsError { accountId available { amount currency } requested { amount currency } }
  ... on ConcurrencyConflictError { expectedRevision actualRevision }
  ... on ForbiddenError { requiredRole }
`;

export const OPEN_ACCOUNT = `mutation ($input: OpenAccountInput!) { openAccount(input: $input) { ${ACCOUNT_RESULT} } }`;
export const DEPOSIT = `mutation ($input: DepositMoneyInput!) { depositMoney(input: $input) { ${ACCOUNT_RESULT} } }`;
export const WITHDRAW = `mutation ($input: WithdrawMoneyInput!) { withdrawMoney(input: $input) { ${ACCOUNT_RESULT} } }`;
export const FREEZE = `mutation ($input: AccountStatusInput!) { freezeAccount(input: $input) { ${ACCOUNT_RESULT} } }`;
export const UNFREEZE = `mutation ($input: AccountStatusInput!) { unfreezeAccount(input: $input) { ${ACCOUNT_RESULT} } }`;
export const CLOSE = `mutation ($input: AccountStatusInput!) { closeAccount(input: $input) { ${ACCOUNT_RESULT} } }`;

export const TRANSFER = `mutation ($input: TransferMoneyInput!) {
  transferMoney(input: $input) {
    __typename
    ... on TransferSuccess { transfer { id fromAccountId toAccountId amount { amount currency } status } position }
    ... on Error { message }
    ... on ValidationError { field }
    ... on AccountNotFoundError { accountId }
    ... on AccountNotOpenError { accountId status }
    ... on InsufficientFundsError { available { amount } requested { amount } }
    ... on ForbiddenError { requiredRole }
  }
}`;

export const ACCOUNT = `query ($id: ID!, $consistentWith: Position) {
  account(id: $id, consistentWith: $consistentWith) {
    id ownerId currency balance { amount currency } status revision openedAt updatedAt
  }
}`;

export const TRANSFER_QUERY = `query ($id: ID!, $consistentWith: Position) {
  transfer(id: $id, consistentWith: $consistentWith) { id fromAccountId toAccountId amount { amount currency } status reason }
}`;
