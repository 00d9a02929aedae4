/// <reference lib="dom" />
import { AccountCard } from './account-card.js';
import type { PageContext } from './context.js';
import { h } from './dom.js';
import { TransfersInFlight } from './transfers-in-flight.js';

/**
 * A teller's, auditor's or admin's view: find accounts by owner id or account id and watch
 * them live, with the transfers in flight from the accounts on the page.
 */
export function staffView(context: PageContext): HTMLElement {
  const query = h('input', { id: 'search', name: 'search', type: 'search', required: true });
  const by = h(
    'select',
    { id: 'search-by', name: 'by' },
    h('option', { value: 'owner' }, 'Owner id'),
    h('option', { value: 'account' }, 'Account id'),
  );
  const status = h('p', { role: 'status', class: 'search-status' });
  const grid = h('div', { class: 'cards' });
  const transfers = TransfersInFlight.create(context);
  const form = h(
    'form',
    { role: 'search', 'aria-label': 'Find accounts', class: 'search' },
    h('label', { for: 'search-by' }, 'Search by'),
    by,
    h('label', { for: 'search' }, 'Id'),
    query,
    h('button', { type: 'submit' }, 'Find'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void find(context, by.value, query.value.trim(), grid, status);
  });
  return h(
    'div',
    { class: 'staff' },
    h(
      'section',
      { 'aria-labelledby': 'accounts-title' },
      h('h2', { id: 'accounts-title' }, 'Accounts'),
      form,
      status,
      grid,
    ),
    transfers,
  );
}

async function find(
  context: PageContext,
  by: string,
  id: string,
  grid: HTMLElement,
  status: HTMLElement,
): Promise<void> {
  if (!id) return;
  let ids: string[];
  if (by === 'account') {
    ids = [id];
  } else {
    try {
      const { accounts } = await context.api.query<{
        accounts: { edges: Array<{ node: { id: string } }> };
      }>(
        'query Owned($owner: ID!) { accounts(ownerId: $owner, first: 50) { edges { node { id } } } }',
        {
          owner: id,
        },
      );
      ids = accounts.edges.map((edge) => edge.node.id);
    } catch (error) {
      status.textContent = (error as Error).message;
      return;
    }
  }
  grid.replaceChildren(...ids.map((accountId) => AccountCard.create(context, accountId)));
  status.textContent =
    ids.length === 0 ? `No accounts of owner ${id}.` : `${ids.length} account(s), live.`;
}
