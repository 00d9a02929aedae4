/// <reference lib="dom" />
import { h } from './dom.js';
import { type Session, sessionFrom } from './session.js';

interface DevPrincipal {
  role: string;
  sub: string;
  authorization: string;
}

/**
 * Sign-in: paste a token, or in development pick one of the principals `npm start` printed
 * (the server lists them only to a page on loopback; see src/dashboard/dev-principals.ts).
 * Emits `tally-sign-in` with the session.
 */
export class SignIn extends HTMLElement {
  connectedCallback(): void {
    const input = h('textarea', {
      id: 'token',
      name: 'token',
      rows: '3',
      required: true,
      autocomplete: 'off',
      spellcheck: 'false',
      placeholder: 'Bearer eyJhbGciOi…',
    });
    const error = h('p', { class: 'error', role: 'alert', id: 'sign-in-error' });
    const form = h(
      'form',
      { 'aria-labelledby': 'sign-in-title' },
      h('h2', { id: 'sign-in-title' }, 'Sign in'),
      h('label', { for: 'token' }, 'Bearer token'),
      input,
      h('button', { type: 'submit' }, 'Sign in'),
      error,
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      try {
        this.signIn(sessionFrom(input.value));
      } catch (failure) {
        error.textContent = (failure as Error).message;
        input.setAttribute('aria-describedby', 'sign-in-error');
        input.focus();
      }
    });
    this.replaceChildren(form);
    void this.offerDevPrincipals();
  }

  private async offerDevPrincipals(): Promise<void> {
    const response = await fetch('/dashboard/dev-principals').catch(() => undefined);
    if (!response?.ok) return;
    const principals = (await response.json()) as DevPrincipal[];
    if (principals.length === 0) return;
    const list = h('ul', { class: 'dev-principals' });
    for (const principal of principals) {
      const button = h(
        'button',
        { type: 'button', 'data-role': principal.role },
        `Sign in as ${principal.role}`,
      );
      button.addEventListener('click', () => this.signIn(sessionFrom(principal.authorization)));
      list.append(h('li', {}, button, ' ', h('code', {}, principal.sub)));
    }
    this.append(
      h(
        'section',
        { 'aria-labelledby': 'dev-title' },
        h('h2', { id: 'dev-title' }, 'Development principals'),
        h(
          'p',
          {},
          'The tokens `npm start` printed, offered here because this page is on loopback.',
        ),
        list,
      ),
    );
  }

  private signIn(session: Session): void {
    this.dispatchEvent(new CustomEvent('tally-sign-in', { detail: session, bubbles: true }));
  }
}

customElements.define('tally-sign-in', SignIn);
