import type { BatchAppendResp, UUIDMessage } from '../protocol.js';
import { AnyPb, GoogleEmpty, sharedPb, statusPb, streamsPb } from '../protocol.js';
import type { ExpectedRevision, WriteResult } from '../store/types.js';
import { streamIdentifier } from './convert.js';
import { Status } from './errors.js';
import { MAX_APPEND_SIZE } from './validation.js';

/** What every BatchAppend answer echoes back: the append's correlation id, stream and revision. */
export interface AppendIdentity {
  correlationId: UUIDMessage;
  stream: string;
  expected: ExpectedRevision;
}

type AnyMessage = InstanceType<typeof AnyPb>;

/** The answer to an append that reached the store: success, or its in-band failure. */
export function resultResponse(append: AppendIdentity, result: WriteResult): BatchAppendResp {
  if (result.kind === 'stream_deleted') {
    const deleted = new sharedPb.StreamDeleted();
    deleted.setStreamIdentifier(streamIdentifier(append.stream));
    return errorResponse(
      append,
      Status.FAILED_PRECONDITION,
      `Event stream '${append.stream}' is deleted.`,
      pack(deleted.serializeBinary(), 'event_store.client.StreamDeleted'),
    );
  }
  if (result.kind === 'wrong_expected_version') {
    const wrong = new sharedPb.WrongExpectedVersion();
    if (result.currentRevision === undefined) wrong.setCurrentNoStream(new GoogleEmpty() as never);
    else wrong.setCurrentStreamRevision(result.currentRevision.toString());
    const expected = append.expected;
    switch (expected.kind) {
      case 'any':
        wrong.setExpectedAny(new GoogleEmpty() as never);
        break;
      case 'no_stream':
        wrong.setExpectedNoStream(new GoogleEmpty() as never);
        break;
      case 'stream_exists':
        wrong.setExpectedStreamExists(new GoogleEmpty() as never);
        break;
      case 'revision':
        wrong.setExpectedStreamPosition(expected.revision.toString());
        break;
    }
    return errorResponse(
      append,
      Status.FAILED_PRECONDITION,
      'WrongExpectedVersion',
      pack(wrong.serializeBinary(), 'event_store.client.WrongExpectedVersion'),
    );
  }
  const response = baseResponse(append);
  const success = new streamsPb.BatchAppendResp.Success();
  if (result.currentRevision < 0n) success.setNoStream(new GoogleEmpty() as never);
  else success.setCurrentRevision(result.currentRevision.toString());
  const position = new sharedPb.AllStreamPosition();
  position.setCommitPosition(String(result.position.commit));
  position.setPreparePosition(String(result.position.prepare));
  success.setPosition(position);
  response.setSuccess(success);
  return response;
}

/** EventStoreDB's `Status.Timeout`: the append was not fully received in time, nothing written. */
export function timeoutResponse(append: AppendIdentity): BatchAppendResp {
  return errorResponse(
    append,
    Status.DEADLINE_EXCEEDED,
    'Timeout',
    pack(new sharedPb.Timeout().serializeBinary(), 'event_store.client.Timeout'),
  );
}

/** EventStoreDB's `Status.MaximumAppendSizeExceeded`, which the client turns into its error. */
export function maxAppendSizeResponse(append: AppendIdentity): BatchAppendResp {
  const exceeded = new sharedPb.MaximumAppendSizeExceeded();
  exceeded.setMaxappendsize(MAX_APPEND_SIZE);
  return errorResponse(
    append,
    Status.INVALID_ARGUMENT,
    `Maximum Append Size of ${MAX_APPEND_SIZE} Exceeded.`,
    pack(exceeded.serializeBinary(), 'event_store.client.MaximumAppendSizeExceeded'),
  );
}

/** EventStoreDB's `Status.BadRequest(message)`. */
export function badRequestResponse(append: AppendIdentity, message: string): BatchAppendResp {
  const request = new sharedPb.BadRequest();
  request.setMessage(message);
  return errorResponse(
    append,
    Status.INVALID_ARGUMENT,
    message,
    pack(request.serializeBinary(), 'event_store.client.BadRequest'),
  );
}

/** EventStoreDB's `Status.Unknown`, for a write the store could not make. */
export function unknownResponse(append: AppendIdentity, message: string): BatchAppendResp {
  return errorResponse(
    append,
    Status.UNAVAILABLE,
    message,
    pack(new sharedPb.Unknown().serializeBinary(), 'event_store.client.Unknown'),
  );
}

function baseResponse(append: AppendIdentity): BatchAppendResp {
  const response = new streamsPb.BatchAppendResp();
  response.setCorrelationId(append.correlationId);
  response.setStreamIdentifier(streamIdentifier(append.stream));
  const expected = append.expected;
  switch (expected.kind) {
    case 'any':
      response.setAny(new GoogleEmpty() as never);
      break;
    case 'no_stream':
      response.setNoStream(new GoogleEmpty() as never);
      break;
    case 'stream_exists':
      response.setStreamExists(new GoogleEmpty() as never);
      break;
    case 'revision':
      response.setStreamPosition(expected.revision.toString());
      break;
  }
  return response;
}

function pack(bytes: Uint8Array, typeName: string): AnyMessage {
  const any = new AnyPb();
  any.pack(bytes, typeName);
  return any;
}

function errorResponse(
  append: AppendIdentity,
  code: number,
  message: string,
  details: AnyMessage,
): BatchAppendResp {
  const response = baseResponse(append);
  const status = new statusPb.Status();
  status.setCode(code as never);
  status.setMessage(message);
  status.setDetails(details as never);
  response.setError(status);
  return response;
}
