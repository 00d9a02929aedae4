/// <reference lib="dom" />
import { isUnknownField } from './api.js';
import type { PageContext } from './context.js';
import { h } from './dom.js';
import { parsePrometheus, type Sample } from './prometheus.js';

const REFRESH_MS = 1000;

interface Integrity {
  currency: string;
  consistent: boolean;
  balances: string;
  inFlight: string;
  position: string;
}

interface Parked {
  id: string;
  consumer: string;
  streamId: string;
  eventType: string;
  parkedAt: string;
}

/**
 * For auditors and admins: how far behind each projection is, the parked events, the
 * transfers in flight and the integrity check, refreshed every second. Each part comes from
 * what the server offers (/metrics, the `parkedEvents` and `ledgerIntegrity` queries) and says
 * so when the server has no such thing, instead of failing the whole panel.
 */
export class OperatorPanel extends HTMLElement {
  private context!: PageContext;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private hasParkedQuery = true;
  private readonly currencies = h('input', {
    id: 'currencies',
    name: 'currencies',
    value: 'USD EUR',
    autocomplete: 'off',
  });
  private readonly lag = h('div', { 'data-field': 'lag' });
  private readonly parked = h('div', { 'data-field': 'parked' });
  private readonly inFlight = h('div', { 'data-field': 'in-flight' });
  private readonly integrity = h('div', { 'data-field': 'integrity' });

  static create(context: PageContext): OperatorPanel {
    const panel = document.createElement('tally-operator-panel') as OperatorPanel;
    panel.context = context;
    return panel;
  }

  connectedCallback(): void {
    this.replaceChildren(
      h(
        'section',
        { 'aria-labelledby': 'operator-title' },
        h('h2', { id: 'operator-title' }, 'Operations'),
        h('h3', {}, 'Read-model lag'),
        this.lag,
        h('h3', {}, 'Parked events'),
        this.parked,
        h('h3', {}, 'Transfers in flight'),
        this.inFlight,
        h('h3', {}, 'Integrity'),
        h('label', { for: 'currencies' }, 'Currencies (ISO 4217, space-separated)'),
        this.currencies,
        this.integrity,
      ),
    );
    void this.refresh();
  }

  disconnectedCallback(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** One refresh at a time: the next is scheduled when this one is done. */
  private async refresh(): Promise<void> {
    const metrics = await this.context.api
      .text('/metrics')
      .catch(() => undefined)
      .then((text) => (text ? parsePrometheus(text) : undefined));
    await Promise.all([
      this.renderLag(metrics),
      this.renderParked(metrics),
      this.renderIntegrity(metrics),
    ]);
    if (this.isConnected) this.timer = setTimeout(() => void this.refresh(), REFRESH_MS);
  }

  private async renderLag(metrics: Sample[] | undefined): Promise<void> {
    const events = metrics?.filter((s) => s.name === 'tally_projection_lag_events') ?? [];
    if (events.length === 0) {
      this.lag.replaceChildren(h('p', {}, 'This server reports no lag (/metrics has none).'));
      return;
    }
    const seconds = new Map(
      metrics!
        .filter((s) => s.name === 'tally_projection_lag_seconds')
        .map((s) => [s.labels.projection, s.value]),
    );
    this.lag.replaceChildren(
      table(
        ['Projection', 'Events behind', 'Oldest unapplied'],
        events.map((s) => [
          s.labels.projection ?? '',
          String(s.value),
          `${(seconds.get(s.labels.projection) ?? 0).toFixed(1)} s`,
        ]),
        'lag',
      ),
    );
    const total = events.reduce((sum, s) => sum + s.value, 0);
    this.lag.dataset.eventsBehind = String(total);
  }

  private async renderParked(metrics: Sample[] | undefined): Promise<void> {
    const counts = metrics?.filter((s) => s.name === 'tally_parked_events') ?? [];
    const summary =
      counts.length > 0
        ? h(
            'p',
            {},
            counts.map((s) => `${s.labels.consumer}: ${s.value}`).join(' · ') || 'None parked.',
          )
        : undefined;
    let list: HTMLElement | undefined;
    if (this.hasParkedQuery) {
      try {
        const { parkedEvents } = await this.context.api.query<{
          parkedEvents: { edges: Array<{ node: Parked }> };
        }>(
          'query Parked { parkedEvents(first: 10) { edges { node { id consumer streamId eventType parkedAt } } } }',
        );
        list =
          parkedEvents.edges.length === 0
            ? h('p', {}, 'No parked events.')
            : table(
                ['Consumer', 'Stream', 'Event', 'Parked'],
                parkedEvents.edges.map(({ node }) => [
                  node.consumer,
                  node.streamId,
                  node.eventType,
                  node.parkedAt,
                ]),
                'parked',
              );
      } catch (error) {
        if (isUnknownField(error, 'parkedEvents')) this.hasParkedQuery = false;
        else list = h('p', { class: 'error' }, (error as Error).message);
      }
    }
    this.parked.replaceChildren(
      ...[summary, list].filter((e): e is HTMLElement => e !== undefined),
    );
    if (!summary && !list) this.parked.append(h('p', {}, 'This server reports no parked events.'));
  }

  private async renderIntegrity(metrics: Sample[] | undefined): Promise<void> {
    const currencies = this.currencies.value
      .toUpperCase()
      .split(/[\s,]+/)
      .filter(Boolean);
    const results = await Promise.all(
      currencies.map((currency) =>
        this.context.api
          .query<{ ledgerIntegrity: Integrity }>(
            'query Integrity($currency: String!) { ledgerIntegrity(currency: $currency) { currency consistent balances inFlight position } }',
            { currency },
          )
          .then((data) => data.ledgerIntegrity)
          .catch((error: Error) => error),
      ),
    );
    const rows = results.map((r, i) =>
      r instanceof Error
        ? [currencies[i]!, r.message, '', '']
        : [r.currency, r.consistent ? 'consistent' : 'INCONSISTENT', r.balances, r.inFlight],
    );
    this.integrity.replaceChildren(
      table(['Currency', 'Check', 'Balances', 'In flight'], rows, 'integrity'),
    );
    const count = metrics?.find((s) => s.name === 'tally_transfers_in_flight');
    const amounts = results
      .filter((r): r is Integrity => !(r instanceof Error))
      .map((r) => `${r.inFlight} ${r.currency}`)
      .join(' · ');
    this.inFlight.replaceChildren(
      h(
        'p',
        {},
        count ? `${count.value} transfer(s) in flight` : 'Transfers in flight',
        amounts ? `: ${amounts}` : '',
      ),
    );
  }
}

function table(headers: string[], rows: string[][], name: string): HTMLTableElement {
  return h(
    'table',
    { 'data-table': name },
    h('thead', {}, h('tr', {}, ...headers.map((x) => h('th', { scope: 'col' }, x)))),
    h('tbody', {}, ...rows.map((row) => h('tr', {}, ...row.map((cell) => h('td', {}, cell))))),
  );
}

customElements.define('tally-operator-panel', OperatorPanel);
