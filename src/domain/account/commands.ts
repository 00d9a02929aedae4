/**
 * Commands on one account. Amounts arrive as the client's Decimal strings, because only the
 * account's state knows its currency, and so how many minor digits are allowed.
 */
/** Every command names the account it targets, so decide can report a missing one. */
export type AccountCommand = { accountId: string } & AccountCommandBody;

type AccountCommandBody =
  | {
      type: 'OpenAccount';
      data: { ownerId: string; currency: string; initialDeposit?: string };
    }
  | { type: 'DepositMoney'; data: { amount: string; description?: string } }
  | { type: 'WithdrawMoney'; data: { amount: string; description?: string } }
  | {
      type: 'SendTransfer';
      data: { transferId: string; toAccountId: string; amount: string; description?: string };
    }
  | {
      type: 'ReceiveTransfer';
      data: {
        transferId: string;
        fromAccountId: string;
        amount: number;
        currency: string;
        description?: string;
      };
    }
  | {
      type: 'RefundTransfer';
      data: {
        transferId: string;
        toAccountId: string;
        amount: number;
        currency: string;
        reason: string;
      };
    }
  | { type: 'ConfirmTransferDelivered'; data: { transferId: string; toAccountId: string } }
  | { type: 'FreezeAccount'; data: { reason: string } }
  | { type: 'UnfreezeAccount'; data: { reason: string } }
  | { type: 'CloseAccount'; data: { reason: string } };
