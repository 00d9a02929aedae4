/// <reference lib="dom" />
import {
  type AccountView,
  accountFields,
  queryWithAccountFields,
  TRANSACTION,
  type TransactionView,
} from './account-fields.js';
import { GraphQLRequestError } from './api.js';
import type { PageContext } from './context.js';
import { ago, h } from './dom.js';
import { formatMoney } from './money.js';
import { Sparkline } from './sparkline.js';

const SHOWN_TRANSACTIONS = 8;
const DAY_MS = 86_400_000;

/** Dispatched (bubbling) for each transaction a card shows, so the transfers panel can follow. */
export const TRANSACTION_EVENT = 'tally-transaction';

/**
 * One account, live: balance and available balance from `balanceChanged`, the last
 * transactions from `accountActivity`, a 30-day sparkline and how long ago it last changed.
 * Both subscriptions ride the page's one connection and resume after the last revision applied.
 */
export class AccountCard extends HTMLElement {
  private context!: PageContext;
  private accountId = '';
  private revision = -1;
  private lastTransactionRevision = -1;
  private lastChange = Date.now();
  private readonly stops: Array<() => void> = [];
  private readonly sparkline = new Sparkline();
  private timer: ReturnType<typeof setInterval> | undefined;

  static create(context: PageContext, accountId: string): AccountCard {
    const card = document.createElement('tally-account') as AccountCard;
    card.context = context;
    card.accountId = accountId;
    return card;
  }

  connectedCallback(): void {
    this.dataset.accountId = this.accountId;
    const title = `account-${this.accountId}`;
    this.replaceChildren(
      h(
        'article',
        { 'aria-labelledby': title },
        h('h2', { id: title }, 'Account ', h('code', {}, this.accountId)),
        h('p', { class: 'status', role: 'status' }, 'Loading…'),
      ),
    );
    void this.load();
    this.timer = setInterval(() => this.renderFreshness(), 1000);
  }

  disconnectedCallback(): void {
    for (const stop of this.stops.splice(0)) stop();
    clearInterval(this.timer);
  }

  private async load(): Promise<void> {
    const since = new Date(Date.now() - 30 * DAY_MS).toISOString();
    let account: (AccountView & Record<string, unknown>) | null;
    try {
      ({ account } = await queryWithAccountFields<{ account: typeof account }>(
        this.context.api,
        (fields) =>
          `query Card($id: ID!, $since: DateTime!) { account(id: $id) { ${fields} balanceAt(at: $since) { amount } transactions(first: 50) { pageInfo { hasNextPage } edges { node { ${TRANSACTION} } } } } }`,
        { id: this.accountId, since },
      ));
    } catch (error) {
      return this.fail(error instanceof GraphQLRequestError ? error : String(error));
    }
    if (!account) return this.fail('No account has this id.');
    const history = account as unknown as {
      balanceAt: { amount: string } | null;
      transactions: { pageInfo: { hasNextPage: boolean }; edges: Array<{ node: TransactionView }> };
    };
    const transactions = history.transactions.edges.map((edge) => edge.node);
    this.render(account);
    this.applyAccount(account);
    const points = transactions.map((t) => ({
      at: Date.parse(t.occurredAt),
      amount: t.balanceAfter.amount,
    }));
    if (!history.transactions.pageInfo.hasNextPage || points.at(-1)!.at < Date.parse(since)) {
      points.push({ at: Date.parse(since), amount: history.balanceAt?.amount ?? zero(account) });
    }
    this.sparkline.show(points, Date.parse(since), account.currency);
    for (const transaction of [...transactions].reverse()) this.applyTransaction(transaction);
    this.lastChange = Date.parse(account.updatedAt);
    this.goLive();
  }

  private goLive(): void {
    const { live } = this.context;
    this.stops.push(
      live.subscribe<{ balanceChanged: AccountView }>({
        query: `subscription Balance($id: ID!, $after: Int) { balanceChanged(accountId: $id, afterRevision: $after) { ${accountFields()} } }`,
        variables: () => ({ id: this.accountId, after: this.revision }),
        next: ({ balanceChanged }) => this.applyAccount(balanceChanged),
        error: (message, code) => this.fail(new GraphQLRequestError(message, code)),
      }),
      live.subscribe<{ accountActivity: TransactionView }>({
        query: `subscription Activity($id: ID!, $after: Int) { accountActivity(accountId: $id, afterRevision: $after) { ${TRANSACTION} } }`,
        variables: () => ({ id: this.accountId, after: this.lastTransactionRevision }),
        next: ({ accountActivity }) => {
          if (this.applyTransaction(accountActivity)) {
            this.sparkline.add({
              at: Date.parse(accountActivity.occurredAt),
              amount: accountActivity.balanceAfter.amount,
            });
          }
        },
        error: (message, code) => this.fail(new GraphQLRequestError(message, code)),
      }),
    );
  }

  /** Applies a state newer than the one shown; a replayed or repeated one is dropped. */
  private applyAccount(account: AccountView): void {
    if (account.revision <= this.revision) return;
    this.revision = account.revision;
    this.dataset.revision = String(account.revision);
    this.lastChange = Date.now();
    this.field('balance').textContent = formatMoney(account.balance);
    const available = this.querySelector<HTMLElement>('[data-field="available"]');
    if (available && account.availableBalance) {
      available.textContent = formatMoney(account.availableBalance);
    }
    this.field('state').textContent = account.status;
    this.renderFreshness();
  }

  /** Shows a transaction above the last one shown; returns whether it was new. */
  private applyTransaction(transaction: TransactionView): boolean {
    if (transaction.revision <= this.lastTransactionRevision) return false;
    this.lastTransactionRevision = transaction.revision;
    this.lastChange = Date.now();
    const list = this.querySelector('ol')!;
    const sign = /WITHDRAWAL|TRANSFER_OUT/.test(transaction.kind) ? '−' : '+';
    list.prepend(
      h(
        'li',
        { 'data-revision': String(transaction.revision) },
        h('span', { class: 'kind' }, transaction.kind.replaceAll('_', ' ').toLowerCase()),
        h('span', { class: 'amount' }, `${sign}${formatMoney(transaction.amount)}`),
        h(
          'time',
          { datetime: transaction.occurredAt },
          new Date(transaction.occurredAt).toLocaleString(),
        ),
        transaction.description && h('span', { class: 'description' }, transaction.description),
      ),
    );
    while (list.children.length > SHOWN_TRANSACTIONS) list.lastElementChild!.remove();
    this.dispatchEvent(new CustomEvent(TRANSACTION_EVENT, { detail: transaction, bubbles: true }));
    return true;
  }

  private render(account: AccountView): void {
    const title = `account-${this.accountId}`;
    const hasAvailable = account.availableBalance !== undefined;
    this.replaceChildren(
      h(
        'article',
        { 'aria-labelledby': title },
        h('h2', { id: title }, 'Account ', h('code', {}, account.id)),
        h(
          'p',
          { class: 'owner' },
          `Owner ${account.ownerId} · ${account.currency} · `,
          h('span', { 'data-field': 'state' }, account.status),
        ),
        h(
          'dl',
          {},
          h('dt', {}, 'Balance'),
          h('dd', { 'data-field': 'balance', 'aria-live': 'polite' }, ''),
          hasAvailable && h('dt', {}, 'Available'),
          hasAvailable && h('dd', { 'data-field': 'available', 'aria-live': 'polite' }, ''),
        ),
        this.sparkline,
        h('h3', {}, 'Last transactions'),
        h('ol', { class: 'transactions', 'aria-label': `Last transactions of ${account.id}` }),
        h('p', { class: 'freshness', 'data-field': 'freshness' }, ''),
      ),
    );
  }

  private renderFreshness(): void {
    const freshness = this.querySelector<HTMLElement>('[data-field="freshness"]');
    if (freshness) freshness.textContent = `Last change ${ago(Date.now() - this.lastChange)}`;
  }

  private field(name: string): HTMLElement {
    return this.querySelector<HTMLElement>(`[data-field="${name}"]`) ?? h('span');
  }

  private fail(error: GraphQLRequestError | string): void {
    for (const stop of this.stops.splice(0)) stop();
    const message =
      error instanceof GraphQLRequestError
        ? error.code === 'FORBIDDEN'
          ? 'You may not see this account.'
          : error.code === 'RATE_LIMITED'
            ? `Not live: ${error.message} (the server's WS_MAX_SUBSCRIPTIONS).`
            : error.message
        : error;
    this.dataset.error = error instanceof GraphQLRequestError ? (error.code ?? 'ERROR') : 'ERROR';
    const title = `account-${this.accountId}`;
    this.replaceChildren(
      h(
        'article',
        { 'aria-labelledby': title, class: 'failed' },
        h('h2', { id: title }, 'Account ', h('code', {}, this.accountId)),
        h('p', { class: 'error', role: 'alert' }, message),
      ),
    );
  }
}

function zero(account: AccountView): string {
  return account.balance.amount.replace(/\d/g, '0');
}

customElements.define('tally-account', AccountCard);
