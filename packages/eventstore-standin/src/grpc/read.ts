import type { ServerWritableStream } from '@grpc/grpc-js';
import { createLogger } from '../logger.js';
import type { ReadReq, ReadResp } from '../protocol.js';
import type { EventStore } from '../store/event-store.js';
import { invalidArgument, rpcError, Status } from './errors.js';
import type { OpenCalls } from './open-calls.js';
import { readAll } from './read-all.js';
import {
  type AllTarget,
  parseReadRequest,
  type ReadRequest,
  type StreamTarget,
} from './read-request.js';
import { readStream } from './read-stream.js';
import { ResponseSink } from './response-sink.js';
import { subscribeToAll } from './subscribe-all.js';
import { subscribeToStream } from './subscribe-stream.js';

const log = createLogger('eventstore.read');

/** Streams.Read: stream reads, $all reads and catch-up subscriptions all arrive here. */
export function readHandler(store: EventStore, openCalls: OpenCalls) {
  return (call: ServerWritableStream<ReadReq, ReadResp>) => {
    const release = openCalls.open();
    const sink = new ResponseSink(call);
    const run = async () => {
      const options = call.request.getOptions();
      if (!options) return sink.fail(invalidArgument('Read options are missing.'));
      const request = parseReadRequest(store, options);
      if (request instanceof Error) return sink.fail(request);
      const { limit } = request;
      if (isStream(request)) {
        return limit === undefined
          ? subscribeToStream(store, sink, request)
          : readStream(store, sink, request, limit);
      }
      return limit === undefined
        ? subscribeToAll(store, sink, request as ReadRequest<AllTarget>)
        : readAll(store, sink, request as ReadRequest<AllTarget>, limit);
    };
    const produced = run().catch((error: Error) => {
      log.error({ err: error }, 'read failed');
      sink.fail(rpcError(Status.INTERNAL, error.message));
    });
    // Held until the producer has stopped and the call is over, however it ends.
    void Promise.all([produced, sink.ended]).then(release);
  };
}

function isStream(request: ReadRequest): request is ReadRequest<StreamTarget> {
  return request.target.kind === 'stream';
}
