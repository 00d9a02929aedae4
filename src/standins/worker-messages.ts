import type { StandInKind, StandInOptions } from './stand-ins.js';

/** What the launching thread hands a stand-in's worker. */
export interface StandInWorkerData {
  kind: StandInKind;
  options: StandInOptions;
}

/** Worker → launcher. */
export type FromStandIn = { type: 'ready'; url: string } | { type: 'closed' };

/** Launcher → worker. */
export type ToStandIn = { type: 'close' };
