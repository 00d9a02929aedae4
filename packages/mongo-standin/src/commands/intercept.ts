import type { Document } from '../data/bson-values.js';
import type { CommandRequest, ServerState } from './context.js';
import { noteSession } from './sessions.js';
import { interceptViews } from './views.js';

/**
 * What every command passes through after the refusals and before its handler: its session is
 * recorded for $listLocalSessions, and a command about a view is answered here (views.ts).
 * Returns a reply to send instead of running the handler, or undefined.
 */
export function interceptCommand(
  state: ServerState,
  request: CommandRequest,
): Document | undefined {
  noteSession(state, request.name, request.body);
  return interceptViews(state, request);
}
