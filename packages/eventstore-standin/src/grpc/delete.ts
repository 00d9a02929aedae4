import type { ServerUnaryCall, sendUnaryData } from '@grpc/grpc-js';
import type { DeleteReq, DeleteResp, TombstoneReq, TombstoneResp } from '../protocol.js';
import { streamsPb } from '../protocol.js';
import type { EventStore } from '../store/event-store.js';
import { expectedRevisionOf, streamNameOf } from './convert.js';
import {
  guarded,
  invalidArgument,
  rpcError,
  Status,
  streamDeletedError,
  wrongExpectedVersionError,
} from './errors.js';
import { validateStreamName } from './validation.js';

type DeleteLikeReq = DeleteReq | TombstoneReq;

/** Streams.Delete (soft) and Streams.Tombstone (hard): errors go out as gRPC statuses. */
export function deleteHandler(
  store: EventStore,
  hard: false,
): ReturnType<typeof makeHandler<DeleteReq, DeleteResp>>;
export function deleteHandler(
  store: EventStore,
  hard: true,
): ReturnType<typeof makeHandler<TombstoneReq, TombstoneResp>>;
export function deleteHandler(store: EventStore, hard: boolean) {
  return hard
    ? makeHandler<TombstoneReq, TombstoneResp>(
        store,
        true,
        () => new streamsPb.TombstoneResp(),
        () => new streamsPb.TombstoneResp.Position(),
      )
    : makeHandler<DeleteReq, DeleteResp>(
        store,
        false,
        () => new streamsPb.DeleteResp(),
        () => new streamsPb.DeleteResp.Position(),
      );
}

interface PositionMessage {
  setCommitPosition(value: string): unknown;
  setPreparePosition(value: string): unknown;
}

function makeHandler<Req extends DeleteLikeReq, Resp extends DeleteResp | TombstoneResp>(
  store: EventStore,
  hard: boolean,
  newResponse: () => Resp,
  newPosition: () => PositionMessage,
) {
  return (call: ServerUnaryCall<Req, Resp>, callback: sendUnaryData<Resp>) =>
    guarded(callback, () => {
      const options = call.request.getOptions();
      if (!options) return callback(invalidArgument('Delete options are missing.'));
      const name = streamNameOf(options.getStreamIdentifier());
      const invalid = validateStreamName(name);
      if (invalid) return callback(invalid);
      const expected = expectedRevisionOf(
        options,
        options.hasRevision() ? options.getRevision() : undefined,
      );
      if (!expected)
        return callback(invalidArgument('Expected stream revision is missing or invalid.'));
      const write = hard
        ? store.tombstoneStream(name, expected)
        : store.deleteStream(name, expected);
      write.then(
        (result) => {
          if (result.kind === 'stream_deleted') return callback(streamDeletedError(name));
          if (result.kind === 'wrong_expected_version') {
            return callback(wrongExpectedVersionError(name, expected, result.currentRevision));
          }
          const response = newResponse();
          const position = newPosition();
          position.setCommitPosition(String(result.position.commit));
          position.setPreparePosition(String(result.position.prepare));
          (response as unknown as { setPosition(p: PositionMessage): void }).setPosition(position);
          callback(null, response);
        },
        (error: Error) => callback(rpcError(Status.UNAVAILABLE, error.message)),
      );
    })();
}
