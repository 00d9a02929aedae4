/// <reference lib="dom" />
import { TRANSACTION_EVENT } from './account-card.js';
import type { TransactionView } from './account-fields.js';
import type { PageContext } from './context.js';
import { h } from './dom.js';
import { formatMoney } from './money.js';

interface TransferView {
  id: string;
  status: string;
  fromAccountId: string;
  toAccountId: string;
  amount: { amount: string; currency: string };
}

const RECHECK_MS = 2000;

/**
 * Transfers sent from the accounts on the page and not yet settled. A transfer is PENDING
 * between the debit of its source and the credit (or refund) the process manager makes; the
 * page learns of each from the source card's TRANSFER_OUT and asks for its status until it is
 * COMPLETED or REFUNDED.
 */
export class TransfersInFlight extends HTMLElement {
  private context!: PageContext;
  private readonly pending = new Map<string, TransferView>();
  private readonly checked = new Set<string>();
  private timer: ReturnType<typeof setInterval> | undefined;
  private readonly onTransaction = (event: Event) => {
    const transaction = (event as CustomEvent<TransactionView>).detail;
    if (transaction.kind === 'TRANSFER_OUT' && transaction.transferId) {
      void this.check(transaction.transferId);
    }
  };

  static create(context: PageContext): TransfersInFlight {
    const panel = document.createElement('tally-transfers-in-flight') as TransfersInFlight;
    panel.context = context;
    return panel;
  }

  connectedCallback(): void {
    document.addEventListener(TRANSACTION_EVENT, this.onTransaction);
    this.timer = setInterval(() => {
      for (const id of this.pending.keys()) void this.check(id, true);
    }, RECHECK_MS);
    this.render();
  }

  disconnectedCallback(): void {
    document.removeEventListener(TRANSACTION_EVENT, this.onTransaction);
    clearInterval(this.timer);
  }

  private async check(id: string, again = false): Promise<void> {
    if (!again && this.checked.has(id)) return;
    this.checked.add(id);
    const { transfer } = await this.context.api
      .query<{ transfer: TransferView | null }>(
        'query InFlight($id: ID!) { transfer(id: $id) { id status fromAccountId toAccountId amount { amount currency } } }',
        { id },
      )
      .catch(() => ({ transfer: null }));
    if (transfer?.status === 'PENDING') this.pending.set(id, transfer);
    else this.pending.delete(id);
    this.render();
  }

  private render(): void {
    const rows = [...this.pending.values()].map((t) =>
      h(
        'li',
        { 'data-transfer-id': t.id },
        `${formatMoney(t.amount)} from `,
        h('code', {}, t.fromAccountId),
        ' to ',
        h('code', {}, t.toAccountId),
      ),
    );
    this.replaceChildren(
      h(
        'section',
        { 'aria-labelledby': 'in-flight-title' },
        h('h2', { id: 'in-flight-title' }, 'Transfers in flight from these accounts'),
        rows.length > 0
          ? h('ul', { 'aria-live': 'polite' }, ...rows)
          : h('p', {}, 'None from the accounts shown.'),
      ),
    );
  }
}

customElements.define('tally-transfers-in-flight', TransfersInFlight);
