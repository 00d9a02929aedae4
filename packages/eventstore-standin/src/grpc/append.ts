import type { ServerReadableStream, sendUnaryData } from '@grpc/grpc-js';
import { createLogger } from '../logger.js';
import type { AppendReq, AppendResp } from '../protocol.js';
import { sharedPb, streamsPb } from '../protocol.js';
import type { EventStore } from '../store/event-store.js';
import type { ExpectedRevision, WriteResult } from '../store/types.js';
import { expectedRevisionOf, streamNameOf } from './convert.js';
import {
  guarded,
  invalidArgument,
  type RpcError,
  rpcError,
  Status,
  streamDeletedError,
} from './errors.js';
import { AppendAccumulator, validateStreamName } from './validation.js';

const log = createLogger('eventstore.append');

/** Streams.Append: options first, then one event per message; one reply. */
export function appendHandler(store: EventStore) {
  return (
    call: ServerReadableStream<AppendReq, AppendResp>,
    callback: sendUnaryData<AppendResp>,
  ) => {
    let stream: string | undefined;
    let expected: ExpectedRevision | undefined;
    const accumulator = new AppendAccumulator();
    let done = false;
    const finish = (error: RpcError | null, reply?: AppendResp) => {
      if (done) return;
      done = true;
      callback(error, reply);
    };
    call.on(
      'data',
      guarded(finish, (request: AppendReq) => {
        if (done) return;
        if (request.hasOptions()) {
          const options = request.getOptions()!;
          stream = streamNameOf(options.getStreamIdentifier());
          expected = expectedRevisionOf(
            options,
            options.hasRevision() ? options.getRevision() : undefined,
          );
          const invalid =
            validateStreamName(stream) ??
            (expected
              ? undefined
              : invalidArgument('Expected stream revision is missing or invalid.'));
          if (invalid) finish(invalid);
          return;
        }
        if (!request.hasProposedMessage() || stream === undefined) {
          finish(invalidArgument('An append must start with its options.'));
          return;
        }
        const invalid = accumulator.add(request.getProposedMessage()!);
        if (invalid) finish(invalid);
      }),
    );
    call.on('error', () => {
      done = true;
    });
    call.on(
      'end',
      guarded(finish, () => {
        if (done) return;
        if (stream === undefined || expected === undefined) {
          finish(invalidArgument('An append must start with its options.'));
          return;
        }
        const name = stream;
        const wanted = expected;
        store.append(name, wanted, accumulator.events).then(
          (result) => {
            if (result.kind === 'stream_deleted') finish(streamDeletedError(name));
            else finish(null, appendResponse(result, wanted));
          },
          (error: Error) => {
            log.error({ err: error }, 'append failed');
            finish(rpcError(Status.UNAVAILABLE, error.message));
          },
        );
      }),
    );
  };
}

function appendResponse(
  result: Exclude<WriteResult, { kind: 'stream_deleted' }>,
  expected: ExpectedRevision,
): AppendResp {
  const response = new streamsPb.AppendResp();
  if (result.kind === 'success') {
    const success = new streamsPb.AppendResp.Success();
    // An empty append to a stream that does not exist has no revision to report.
    if (result.currentRevision < 0n) success.setNoStream(new sharedPb.Empty());
    else success.setCurrentRevision(result.currentRevision.toString());
    const position = new streamsPb.AppendResp.Position();
    position.setCommitPosition(String(result.position.commit));
    position.setPreparePosition(String(result.position.prepare));
    success.setPosition(position);
    response.setSuccess(success);
    return response;
  }
  const wrong = new streamsPb.AppendResp.WrongExpectedVersion();
  if (result.currentRevision === undefined) wrong.setCurrentNoStream(new sharedPb.Empty());
  else wrong.setCurrentRevision(result.currentRevision.toString());
  switch (expected.kind) {
    case 'any':
      wrong.setExpectedAny(new sharedPb.Empty());
      break;
    case 'no_stream':
      wrong.setExpectedNoStream(new sharedPb.Empty());
      break;
    case 'stream_exists':
      wrong.setExpectedStreamExists(new sharedPb.Empty());
      break;
    case 'revision':
      wrong.setExpectedRevision(expected.revision.toString());
      break;
  }
  response.setWrongExpectedVersion(wrong);
  return response;
}
