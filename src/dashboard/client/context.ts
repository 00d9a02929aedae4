import type { Api } from './api.js';
import type { LiveConnection } from './live.js';
import type { Session } from './session.js';

/** What every part of the page shares: who it is, its HTTP API and its one live connection. */
export interface PageContext {
  session: Session;
  api: Api;
  live: LiveConnection;
}
