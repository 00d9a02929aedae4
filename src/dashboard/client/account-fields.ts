import { type Api, isUnknownField } from './api.js';

/** The fields of an account the page shows, as the read model has them. */
export interface AccountView {
  id: string;
  ownerId: string;
  currency: string;
  status: string;
  revision: number;
  updatedAt: string;
  balance: { amount: string; currency: string };
  availableBalance?: { amount: string; currency: string } | null;
}

export interface TransactionView {
  id: string;
  kind: string;
  amount: { amount: string; currency: string };
  balanceAfter: { amount: string };
  occurredAt: string;
  revision: number;
  transferId: string | null;
  counterpartyAccountId: string | null;
  description: string | null;
}

const ACCOUNT = 'id ownerId currency status revision updatedAt balance { amount currency }';
const AVAILABLE = ' availableBalance { amount currency }';
export const TRANSACTION =
  'id kind amount { amount currency } balanceAfter { amount } occurredAt revision transferId counterpartyAccountId description';

/**
 * The account's selection, with `availableBalance` while the server has it. A server without
 * the field (an older schema) answers "Cannot query field": the page then asks without it, from
 * then on, and shows no available balance.
 */
let withAvailable = true;
export const accountFields = () => (withAvailable ? ACCOUNT + AVAILABLE : ACCOUNT);

export async function queryWithAccountFields<T>(
  api: Api,
  build: (fields: string) => string,
  variables: Record<string, unknown>,
): Promise<T> {
  const asked = withAvailable;
  try {
    return await api.query<T>(build(accountFields()), variables);
  } catch (error) {
    if (!asked || !isUnknownField(error, 'availableBalance')) throw error;
    withAvailable = false;
    return api.query<T>(build(accountFields()), variables);
  }
}
