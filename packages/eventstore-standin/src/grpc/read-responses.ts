import { randomUUID } from 'node:crypto';
import type { LogEvent } from '../log/record.js';
import { type ReadResp, streamsPb } from '../protocol.js';
import { streamIdentifier } from './convert.js';
import { encodeReadEvent } from './read-event-encoder.js';

/** The type of link events, whose data is `<revision>@<stream>`. */
export const LINK_EVENT_TYPE = '$>';

/** With `resolve_links`, how a `$>` link event finds its target (undefined: it does not). */
export type LinkResolver = (link: LogEvent) => LogEvent | undefined;

/**
 * A ReadResp carrying one recorded event, as EventStoreDB sends it (pre-encoded bytes). With
 * `resolve` set, a `$>` link event is sent as its target with the link alongside.
 */
export function readEventResponse(
  event: LogEvent,
  structuredUuid: boolean,
  resolve?: LinkResolver,
): Buffer {
  if (resolve && event.type === LINK_EVENT_TYPE) {
    return encodeReadEvent(resolve(event), structuredUuid, event);
  }
  return encodeReadEvent(event, structuredUuid);
}

export function checkpointResponse(commit: number, prepare: number): ReadResp {
  const checkpoint = new streamsPb.ReadResp.Checkpoint();
  checkpoint.setCommitPosition(String(commit));
  checkpoint.setPreparePosition(String(prepare));
  const response = new streamsPb.ReadResp();
  response.setCheckpoint(checkpoint);
  return response;
}

/** The first message of every subscription. */
export function confirmationResponse(): ReadResp {
  const confirmation = new streamsPb.ReadResp.SubscriptionConfirmation();
  confirmation.setSubscriptionId(randomUUID());
  const response = new streamsPb.ReadResp();
  response.setConfirmation(confirmation);
  return response;
}

/** Sent once, when a subscription has delivered the back catalogue. */
export function caughtUpResponse(): ReadResp {
  const response = new streamsPb.ReadResp();
  response.setCaughtUp(new streamsPb.ReadResp.CaughtUp());
  return response;
}

/** A read of a stream that does not exist (or is soft-deleted) answers with this, in-band. */
export function streamNotFoundResponse(name: string): ReadResp {
  const notFound = new streamsPb.ReadResp.StreamNotFound();
  notFound.setStreamIdentifier(streamIdentifier(name));
  const response = new streamsPb.ReadResp();
  response.setStreamNotFound(notFound);
  return response;
}
