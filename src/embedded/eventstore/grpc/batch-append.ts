import type { ServerDuplexStream } from '@grpc/grpc-js';
import { createLogger } from '../../../logger.js';
import type { BatchAppendReq, BatchAppendResp, UUIDMessage } from '../protocol.js';
import { AnyPb, GoogleEmpty, sharedPb, statusPb, streamsPb } from '../protocol.js';
import type { EventStore } from '../store/event-store.js';
import type { ExpectedRevision, WriteResult } from '../store/types.js';
import { expectedRevisionOf, streamIdentifier, streamNameOf } from './convert.js';
import { guarded, type RpcError, rpcError, Status } from './errors.js';
import { AppendAccumulator, MAX_APPEND_SIZE, validateStreamName } from './validation.js';

const log = createLogger('eventstore.batch-append');

/**
 * Appends a call may have open (options sent, final chunk not yet) at once. Each holds at most the
 * 1 MiB append limit, so this bounds what one client can make the server hold.
 */
const MAX_OPEN_APPENDS = 1024;

interface PendingBatch {
  correlationId: UUIDMessage;
  stream: string;
  expected: ExpectedRevision;
  deadline: number | undefined;
  accumulator: AppendAccumulator;
  failed: boolean;
}

/**
 * Streams.BatchAppend: one long-lived duplex call per client; appends are matched by
 * correlation id, may span several messages, and fail in-band with a google.rpc.Status.
 */
export function batchAppendHandler(store: EventStore) {
  return (call: ServerDuplexStream<BatchAppendReq, BatchAppendResp>) => {
    const pending = new Map<string, PendingBatch>();
    const reply = (response: BatchAppendResp) => {
      if (!call.cancelled && call.writable) call.write(response);
    };
    call.on('error', () => pending.clear());
    call.on('cancelled', () => pending.clear());
    call.on('end', () => call.end());
    const fail = (error: RpcError) => {
      log.error({ err: error }, 'batch append handler failed');
      call.emit('error', error);
    };
    call.on(
      'data',
      guarded(fail, (request: BatchAppendReq) => {
        const correlationId = request.getCorrelationId();
        if (!correlationId) return;
        const key = correlationId.serializeBinary().toString();
        let batch = pending.get(key);
        if (!batch) {
          const options = request.getOptions();
          const stream = streamNameOf(options?.getStreamIdentifier());
          const expected = options
            ? expectedRevisionOf(
                options,
                options.hasStreamPosition() ? options.getStreamPosition() : undefined,
              )
            : undefined;
          const deadline = options?.getDeadline();
          batch = {
            correlationId,
            stream,
            expected: expected ?? { kind: 'any' },
            deadline: deadline ? deadline.toDate().getTime() : undefined,
            accumulator: new AppendAccumulator(),
            failed: false,
          };
          pending.set(key, batch);
          const invalid =
            (pending.size > MAX_OPEN_APPENDS
              ? `More than ${MAX_OPEN_APPENDS} unfinished appends on one call.`
              : undefined) ??
            (options ? undefined : 'The first message of an append must carry its options.') ??
            validateStreamName(stream)?.details ??
            (expected ? undefined : 'Expected stream position is missing or invalid.');
          if (invalid) {
            batch.failed = true;
            reply(errorResponse(batch, Status.INVALID_ARGUMENT, invalid, badRequest(invalid)));
          }
        }
        if (!batch.failed && batch.deadline !== undefined && batch.deadline <= Date.now()) {
          // Past its deadline before it is even complete: Timeout, as EventStoreDB answers it
          // (before the size check, so a huge append that is also late reports the deadline).
          batch.failed = true;
          reply(timeoutResponse(batch));
        }
        if (!batch.failed) {
          for (const message of request.getProposedMessagesList()) {
            const invalid = batch.accumulator.add(message);
            if (invalid) {
              batch.failed = true;
              const details =
                invalid.metadata?.get('exception')[0] === 'maximum-append-size-exceeded'
                  ? maxAppendSize()
                  : badRequest(invalid.details ?? 'invalid request');
              reply(
                errorResponse(
                  batch,
                  invalid.code ?? Status.INVALID_ARGUMENT,
                  invalid.details ?? '',
                  details,
                ),
              );
              break;
            }
          }
        }
        if (request.getIsFinal()) {
          pending.delete(key);
          if (!batch.failed) {
            complete(store, batch)
              .then(reply)
              .catch((error: Error) => fail(rpcError(Status.INTERNAL, error.message)));
          }
        }
      }),
    );
  };
}

async function complete(store: EventStore, batch: PendingBatch): Promise<BatchAppendResp> {
  const now = Date.now();
  if (batch.deadline !== undefined && batch.deadline <= now) return timeoutResponse(batch);
  let timer: NodeJS.Timeout | undefined;
  const timedOut =
    batch.deadline === undefined
      ? new Promise<never>(() => {})
      : new Promise<'timeout'>((resolve) => {
          timer = setTimeout(() => resolve('timeout'), (batch.deadline as number) - now);
        });
  try {
    const result = await Promise.race([
      store.append(batch.stream, batch.expected, batch.accumulator.events),
      timedOut,
    ]);
    if (result === 'timeout') return timeoutResponse(batch);
    return batchResponse(batch, result);
  } catch (error) {
    log.error({ err: error }, 'batch append failed');
    return errorResponse(batch, Status.UNAVAILABLE, (error as Error).message, unknownDetails());
  } finally {
    if (timer) clearTimeout(timer);
  }
}

function baseResponse(batch: PendingBatch): BatchAppendResp {
  const response = new streamsPb.BatchAppendResp();
  response.setCorrelationId(batch.correlationId);
  response.setStreamIdentifier(streamIdentifier(batch.stream));
  const expected = batch.expected;
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

function batchResponse(batch: PendingBatch, result: WriteResult): BatchAppendResp {
  if (result.kind === 'stream_deleted') {
    const deleted = new sharedPb.StreamDeleted();
    deleted.setStreamIdentifier(streamIdentifier(batch.stream));
    return errorResponse(
      batch,
      Status.FAILED_PRECONDITION,
      `Event stream '${batch.stream}' is deleted.`,
      pack(deleted.serializeBinary(), 'event_store.client.StreamDeleted'),
    );
  }
  if (result.kind === 'wrong_expected_version') {
    const wrong = new sharedPb.WrongExpectedVersion();
    if (result.currentRevision === undefined) wrong.setCurrentNoStream(new GoogleEmpty() as never);
    else wrong.setCurrentStreamRevision(result.currentRevision.toString());
    const expected = batch.expected;
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
      batch,
      Status.FAILED_PRECONDITION,
      'WrongExpectedVersion',
      pack(wrong.serializeBinary(), 'event_store.client.WrongExpectedVersion'),
    );
  }
  const response = baseResponse(batch);
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

type AnyMessage = InstanceType<typeof AnyPb>;

function pack(bytes: Uint8Array, typeName: string): AnyMessage {
  const any = new AnyPb();
  any.pack(bytes, typeName);
  return any;
}

function badRequest(message: string): AnyMessage {
  const request = new sharedPb.BadRequest();
  request.setMessage(message);
  return pack(request.serializeBinary(), 'event_store.client.BadRequest');
}

function maxAppendSize(): AnyMessage {
  const exceeded = new sharedPb.MaximumAppendSizeExceeded();
  exceeded.setMaxappendsize(MAX_APPEND_SIZE);
  return pack(exceeded.serializeBinary(), 'event_store.client.MaximumAppendSizeExceeded');
}

function unknownDetails(): AnyMessage {
  return pack(new sharedPb.Unknown().serializeBinary(), 'event_store.client.Unknown');
}

function timeoutResponse(batch: PendingBatch): BatchAppendResp {
  return errorResponse(
    batch,
    Status.DEADLINE_EXCEEDED,
    'Timeout',
    pack(new sharedPb.Timeout().serializeBinary(), 'event_store.client.Timeout'),
  );
}

function errorResponse(
  batch: PendingBatch,
  code: number,
  message: string,
  details: AnyMessage,
): BatchAppendResp {
  const response = baseResponse(batch);
  const status = new statusPb.Status();
  status.setCode(code as never);
  status.setMessage(message);
  status.setDetails(details as never);
  response.setError(status);
  return response;
}
