/// <reference lib="dom" />
import { AccountCard } from './account-card.js';
import { Api } from './api.js';
import type { PageContext } from './context.js';
import { customerView } from './customer-view.js';
import { h } from './dom.js';
import type { FreshnessIndicator } from './freshness.js';
import './freshness.js';
import { LiveConnection } from './live.js';
import { OperatorPanel } from './operator-panel.js';
import { isOperator, isStaff, restoreSession, type Session, saveSession } from './session.js';
import './sign-in.js';
import { staffView } from './staff-view.js';

const FRESHNESS_POLL_MS = 2000;

const main = document.querySelector('main')!;
const who = document.querySelector<HTMLElement>('#who')!;
const signOut = document.querySelector<HTMLButtonElement>('#sign-out')!;
const freshness = document.querySelector<FreshnessIndicator>('tally-freshness')!;
let stopPage: (() => void) | undefined;

/** Shows the sign-in form, or the views the session's roles call for. */
function show(session: Session | undefined): void {
  stopPage?.();
  stopPage = undefined;
  saveSession(session);
  signOut.hidden = !session;
  who.textContent = session ? `${session.roles.join(', ') || 'no role'} · ${session.sub}` : '';
  if (!session) {
    freshness.hidden = true;
    main.replaceChildren(document.createElement('tally-sign-in'));
    main.querySelector<HTMLElement>('textarea')?.focus();
    return;
  }
  freshness.hidden = false;
  const live = new LiveConnection(session.authorization);
  const api = new Api(session.authorization, (f) => freshness.readModel(f));
  const context: PageContext = { session, api, live };
  const unlisten = live.onState((state) => freshness.connection(state));
  const poll = setInterval(
    () => void api.query('query Freshness { __typename }').catch(() => {}),
    FRESHNESS_POLL_MS,
  );
  stopPage = () => {
    clearInterval(poll);
    unlisten();
    main.replaceChildren();
    live.close();
  };
  main.replaceChildren();
  void render(context);
}

async function render(context: PageContext): Promise<void> {
  const linked = new URLSearchParams(location.hash.slice(1)).get('account');
  if (linked) {
    main.append(
      h(
        'section',
        { 'aria-labelledby': 'linked-title' },
        h('h2', { id: 'linked-title' }, 'Linked account'),
        h('div', { class: 'cards' }, AccountCard.create(context, linked)),
      ),
    );
  }
  const { session } = context;
  if (isOperator(session)) main.append(OperatorPanel.create(context));
  if (isStaff(session)) main.append(staffView(context));
  else {
    try {
      main.append(await customerView(context));
    } catch (error) {
      main.append(h('p', { class: 'error', role: 'alert' }, (error as Error).message));
    }
  }
}

document.addEventListener('tally-sign-in', (event) => {
  show((event as CustomEvent<Session>).detail);
});
signOut.addEventListener('click', () => show(undefined));
window.addEventListener('hashchange', () => show(restoreSession()));
show(restoreSession());
