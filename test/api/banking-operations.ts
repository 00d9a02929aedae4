/** GraphQL documents of holds, reversals, fees and interest, as a client would write them. */
const ACCOUNT_STATE =
  'account { id balance { amount currency } availableBalance { amount } status revision }';
const ERRORS = `
  ... on Error { message }
  ... on ValidationError { field }
  ... on AccountNotFoundError { accountId }
  ... on AccountNotOpenError { accountId status }
  ... on InsufficientFundsError { available { amount } requested { amount } }
  ... on ForbiddenError { requiredRole }
`;
const HOLD_FIELDS =
  'id accountId amount { amount currency } capturedAmount { amount } status reason placedAt expiresAt settledAt';

const HOLD_RESULT = `
  __typename
  ... on HoldSuccess { hold { ${HOLD_FIELDS} } ${ACCOUNT_STATE} position correlationId }
  ${ERRORS}
  ... on HoldNotFoundError { holdId }
  ... on HoldNotActiveError { holdId holdStatus: status }
`;

export const PLACE_HOLD = `mutation ($input: PlaceHoldInput!) { placeHold(input: $input) { ${HOLD_RESULT} } }`;
export const CAPTURE_HOLD = `mutation ($input: CaptureHoldInput!) { captureHold(input: $input) { ${HOLD_RESULT} } }`;
export const RELEASE_HOLD = `mutation ($input: ReleaseHoldInput!) { releaseHold(input: $input) { ${HOLD_RESULT} } }`;

const ACCOUNT_RESULT = `
  __typename
  ... on AccountCommandSuccess { ${ACCOUNT_STATE} position }
  ${ERRORS}
`;
export const CHARGE_FEE = `mutation ($input: ChargeFeeInput!) { chargeFee(input: $input) { ${ACCOUNT_RESULT} } }`;
export const SET_INTEREST_RATE = `mutation ($input: SetInterestRateInput!) { setInterestRate(input: $input) { ${ACCOUNT_RESULT} } }`;

const TRANSACTION_FIELDS =
  'id kind amount { amount currency } balanceAfter { amount } occurredAt description actor holdId';

export const REVERSE_TRANSACTION = `mutation ($input: ReverseTransactionInput!) {
  reverseTransaction(input: $input) {
    __typename
    ... on ReversalSuccess { reversal { ${TRANSACTION_FIELDS} reverses { id kind } } ${ACCOUNT_STATE} position }
    ... on Error { message }
    ... on ValidationError { field }
    ... on AccountNotOpenError { accountId status }
    ... on InsufficientFundsError { available { amount } requested { amount } }
    ... on ForbiddenError { requiredRole }
    ... on TransactionNotFoundError { transactionId }
    ... on ReversalWindowClosedError { transactionId originalOccurredAt windowDays }
    ... on AlreadyReversedError { transactionId reversalId }
  }
}`;

export const HOLD = `query ($id: ID!, $consistentWith: Position) {
  hold(id: $id, consistentWith: $consistentWith) { ${HOLD_FIELDS} }
}`;

export const ACCOUNT_WITH_HOLDS = `query ($id: ID!, $consistentWith: Position, $status: HoldStatus) {
  account(id: $id, consistentWith: $consistentWith) {
    balance { amount } availableBalance { amount } interestRate revision
    holds(status: $status, first: 10) { edges { node { ${HOLD_FIELDS} } } }
    transactions(first: 20) {
      edges { node { ${TRANSACTION_FIELDS} reverses { id } reversedBy { id kind } } }
    }
  }
}`;

/** A clock the test moves by hand; processes and the API both read it. */
export function movableClock(start: string) {
  let now = new Date(start);
  return {
    clock: () => now,
    set(at: string) {
      now = new Date(at);
    },
    advance(ms: number) {
      now = new Date(now.getTime() + ms);
    },
    get now() {
      return now;
    },
  };
}
