import type { ServerDuplexStream } from '@grpc/grpc-js';
import { createLogger } from '../logger.js';
import type { BatchAppendReq, BatchAppendResp, UUIDMessage } from '../protocol.js';
import type { EventStore } from '../store/event-store.js';
import {
  type AppendIdentity,
  badRequestResponse,
  maxAppendSizeResponse,
  resultResponse,
  timeoutResponse,
  unknownResponse,
} from './batch-append-responses.js';
import { expectedRevisionOf, streamNameOf } from './convert.js';
import { guarded, type RpcError, rpcError, Status } from './errors.js';
import { AppendAccumulator, validateStreamName } from './validation.js';

const log = createLogger('eventstore.batch-append');

/**
 * Appends a call may have open (options sent, final chunk not yet) at once. Each holds at most the
 * 1 MiB append limit and for at most the write timeout, so this bounds what one client can make the
 * server hold.
 */
const MAX_OPEN_APPENDS = 1024;

/**
 * EventStoreDB's default WriteTimeoutMs. BatchAppend gives an append min(client deadline, the
 * write timeout) to arrive in full; an append still arriving then is answered Timeout and forgotten.
 */
export const DEFAULT_WRITE_TIMEOUT_MS = 2000;

type BatchOptions = NonNullable<ReturnType<BatchAppendReq['getOptions']>>;

/** An append whose options arrived and whose final chunk has not. */
interface ArrivingAppend extends AppendIdentity {
  accumulator: AppendAccumulator;
  /** Answers Timeout if the append is still arriving when its receive window closes. */
  timer: NodeJS.Timeout | undefined;
}

/**
 * Streams.BatchAppend: one long-lived duplex call per client. Appends are matched by correlation
 * id, may span several messages, and fail in-band with a google.rpc.Status.
 *
 * Deadlines work as on EventStoreDB: the client's deadline (capped at the write timeout) applies
 * only while the append is arriving. Once its final chunk is in, it is written and answered with
 * the outcome of the write, however long that takes, so a Timeout always means "not written".
 * Every answer is sent once; chunks of an append already answered (refused, timed out) are
 * ignored, as the real server ignores them (the client's handler would throw on a second answer).
 */
export function batchAppendHandler(store: EventStore, writeTimeoutMs = DEFAULT_WRITE_TIMEOUT_MS) {
  return (call: ServerDuplexStream<BatchAppendReq, BatchAppendResp>) => {
    const arriving = new Map<string, ArrivingAppend>();
    let writing = 0;
    let halfClosed = false;
    const reply = (response: BatchAppendResp) => {
      if (!call.cancelled && call.writable) call.write(response);
    };
    const forget = (key: string) => {
      const append = arriving.get(key);
      if (append?.timer) clearTimeout(append.timer);
      arriving.delete(key);
    };
    const forgetAll = () => {
      for (const key of [...arriving.keys()]) forget(key);
    };
    const endIfDone = () => {
      if (halfClosed && writing === 0 && call.writable) call.end();
    };
    call.on('error', forgetAll);
    call.on('cancelled', forgetAll);
    call.on('close', forgetAll);
    // The client is done sending: appends still arriving never will; answer those being written.
    call.on('end', () => {
      halfClosed = true;
      forgetAll();
      endIfDone();
    });
    const fail = (error: RpcError) => {
      log.error({ err: error }, 'batch append handler failed');
      forgetAll();
      call.emit('error', error);
    };

    /**
     * A new append from its options, with how long it may take to arrive; or undefined after
     * answering it at once (invalid, or already past its deadline).
     */
    const start = (
      correlationId: UUIDMessage,
      options: BatchOptions,
      isFinal: boolean,
    ): { append: ArrivingAppend; window: number } | undefined => {
      const stream = streamNameOf(options.getStreamIdentifier());
      const expected = expectedRevisionOf(
        options,
        options.hasStreamPosition() ? options.getStreamPosition() : undefined,
      );
      const identity = { correlationId, stream, expected: expected ?? { kind: 'any' as const } };
      const invalid =
        (!isFinal && arriving.size >= MAX_OPEN_APPENDS
          ? `More than ${MAX_OPEN_APPENDS} unfinished appends on one call.`
          : undefined) ??
        validateStreamName(stream)?.details ??
        (expected ? undefined : 'Expected stream position is missing or invalid.');
      if (invalid) {
        reply(badRequestResponse(identity, invalid));
        return undefined;
      }
      const window = receiveWindow(options, writeTimeoutMs);
      if (window <= 0) {
        // Past its deadline before it even arrived (checked before the size, as EventStoreDB does).
        reply(timeoutResponse(identity));
        return undefined;
      }
      return {
        append: { ...identity, accumulator: new AppendAccumulator(), timer: undefined },
        window,
      };
    };

    /** Keeps an append that is still arriving, and answers Timeout if it has not when `window` closes. */
    const keep = (key: string, append: ArrivingAppend, window: number) => {
      append.timer = setTimeout(() => {
        if (arriving.get(key) !== append) return;
        arriving.delete(key);
        reply(timeoutResponse(append));
      }, window);
      arriving.set(key, append);
    };

    const write = (append: ArrivingAppend) => {
      writing++;
      store
        .append(append.stream, append.expected, append.accumulator.events)
        .then(
          (result) => resultResponse(append, result),
          (error: Error) => {
            log.error({ err: error }, 'batch append failed');
            return unknownResponse(append, error.message);
          },
        )
        .then((response) => {
          writing--;
          reply(response);
          endIfDone();
        })
        .catch((error: Error) => fail(rpcError(Status.INTERNAL, error.message)));
    };

    call.on(
      'data',
      guarded(fail, (request: BatchAppendReq) => {
        const correlationId = request.getCorrelationId();
        if (!correlationId) return;
        const key = Buffer.from(correlationId.serializeBinary()).toString('base64');
        const isFinal = request.getIsFinal();
        let append = arriving.get(key);
        let window: number | undefined;
        if (!append) {
          const options = request.getOptions();
          // No options and not arriving: a chunk of an append already answered. Ignored.
          if (!options) return;
          const started = start(correlationId, options, isFinal);
          if (!started) return;
          ({ append, window } = started);
        }
        for (const message of request.getProposedMessagesList()) {
          const invalid = append.accumulator.add(message);
          if (invalid) {
            // Refused as soon as it breaks a rule, without waiting for (or keeping) the rest.
            forget(key);
            reply(
              isMaxAppendSize(invalid)
                ? maxAppendSizeResponse(append)
                : badRequestResponse(append, invalid.details ?? 'Invalid request.'),
            );
            return;
          }
        }
        if (isFinal) {
          forget(key);
          write(append);
        } else if (window !== undefined) {
          keep(key, append, window);
        }
      }),
    );
  };
}

/**
 * How long the append may take to arrive in full: until the client's deadline, at most the
 * write timeout (EventStoreDB: `Min(GetRequestedTimeout(options), _writeTimeout)`). This
 * client's contract carries the deadline as a timestamp (`deadline_21_10_0` on the server).
 */
function receiveWindow(options: BatchOptions, writeTimeoutMs: number): number {
  const deadline = options.getDeadline();
  if (!deadline) return writeTimeoutMs;
  return Math.min(deadline.toDate().getTime() - Date.now(), writeTimeoutMs);
}

function isMaxAppendSize(error: RpcError): boolean {
  return error.metadata?.get('exception')[0] === 'maximum-append-size-exceeded';
}
