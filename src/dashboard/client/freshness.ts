/// <reference lib="dom" />
import type { ReadModelFreshness } from './api.js';
import type { ConnectionState } from './live.js';

const LABELS: Record<ConnectionState, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting… (updates resume where they stopped)',
  'signed-out': 'Not connected: the token was refused or has expired. Sign in again.',
};

/** Lag above which the read model is shown as behind, not live. */
const BEHIND_MS = 1000;

/**
 * The page's freshness: whether the live connection is up, and how far the read models are
 * behind the event store, as the server reports with each response (extensions.readModel).
 */
export class FreshnessIndicator extends HTMLElement {
  private state: ConnectionState = 'connecting';
  private lagMs: number | undefined;

  connectedCallback(): void {
    this.setAttribute('role', 'status');
    this.render();
  }

  connection(state: ConnectionState): void {
    this.state = state;
    this.render();
  }

  readModel(freshness: ReadModelFreshness): void {
    if (typeof freshness.lagMs === 'number') this.lagMs = freshness.lagMs;
    this.render();
  }

  private render(): void {
    this.dataset.state = this.state;
    const behind = this.lagMs !== undefined && this.lagMs > BEHIND_MS;
    this.dataset.behind = String(behind);
    const lag =
      this.lagMs === undefined
        ? ''
        : behind
          ? ` · read models ${(this.lagMs / 1000).toFixed(1)} s behind`
          : ` · read models ${Math.round(this.lagMs)} ms behind`;
    this.textContent = LABELS[this.state] + (this.state === 'live' ? lag : '');
  }
}

customElements.define('tally-freshness', FreshnessIndicator);
