/// <reference lib="dom" />
import { AccountCard } from './account-card.js';
import type { PageContext } from './context.js';
import { h } from './dom.js';

/** A customer's own accounts, each live. The server lists only the principal's own. */
export async function customerView(context: PageContext): Promise<HTMLElement> {
  const section = h(
    'section',
    { 'aria-labelledby': 'mine-title' },
    h('h2', { id: 'mine-title' }, 'Your accounts'),
  );
  const grid = h('div', { class: 'cards' });
  section.append(grid);
  const { accounts } = await context.api.query<{
    accounts: { edges: Array<{ node: { id: string } }> };
  }>(
    'query Mine($owner: ID!) { accounts(ownerId: $owner, first: 100) { edges { node { id } } } }',
    {
      owner: context.session.sub,
    },
  );
  if (accounts.edges.length === 0) section.append(h('p', {}, 'You have no accounts yet.'));
  for (const { node } of accounts.edges) grid.append(AccountCard.create(context, node.id));
  return section;
}
