import { createRequire } from 'node:module';
import type * as ProjectionsPb from '@eventstore/db-client/generated/projections_pb.js';
import type * as ServerFeaturesPb from '@eventstore/db-client/generated/serverfeatures_pb.js';
import type * as SharedPb from '@eventstore/db-client/generated/shared_pb.js';
import type * as StatusPb from '@eventstore/db-client/generated/status_pb.js';
import type * as StreamsPb from '@eventstore/db-client/generated/streams_pb.js';
import type * as GrpcJs from '@grpc/grpc-js';

/**
 * The wire contract is the generated code shipped inside @eventstore/db-client. Its serializers
 * check message classes with `instanceof`, so the server must load the very same module instances
 * (and the same google-protobuf / grpc-js) that the client loads: resolve them from its folder.
 */
const clientRequire = createRequire(
  createRequire(import.meta.url).resolve('@eventstore/db-client'),
);

export const grpc = clientRequire('@grpc/grpc-js') as typeof GrpcJs;
export const streamsPb = clientRequire('../generated/streams_pb.js') as typeof StreamsPb;
export const sharedPb = clientRequire('../generated/shared_pb.js') as typeof SharedPb;
export const statusPb = clientRequire('../generated/status_pb.js') as typeof StatusPb;
export const projectionsPb = clientRequire(
  '../generated/projections_pb.js',
) as typeof ProjectionsPb;
export const serverFeaturesPb = clientRequire(
  '../generated/serverfeatures_pb.js',
) as typeof ServerFeaturesPb;

/** Loads a generated `*_grpc_pb.js` module (service definitions) by its base name. */
export function loadServiceModule(name: string): Record<string, GrpcJs.ServiceDefinition> {
  return clientRequire(`../generated/${name}_grpc_pb.js`) as Record<
    string,
    GrpcJs.ServiceDefinition
  >;
}

interface AnyMessage {
  pack(serialized: Uint8Array, typeName: string, prefix?: string): void;
}
interface AnyConstructor {
  new (): AnyMessage;
}
export const AnyPb = (
  clientRequire('google-protobuf/google/protobuf/any_pb.js') as { Any: AnyConstructor }
).Any;
interface ValueMessage {
  toJavaScript(): unknown;
}
/** google.protobuf.Value: a projection's state and result on the wire. */
export const ValuePb = (
  clientRequire('google-protobuf/google/protobuf/struct_pb.js') as {
    Value: { fromJavaScript(value: unknown): ValueMessage };
  }
).Value;
interface EmptyConstructor {
  new (): object;
}
/** google.protobuf.Empty: BatchAppend uses it where the other calls use event_store.client.Empty. */
export const GoogleEmpty = (
  clientRequire('google-protobuf/google/protobuf/empty_pb.js') as { Empty: EmptyConstructor }
).Empty;

export type ReadReq = StreamsPb.ReadReq;
export type ReadResp = StreamsPb.ReadResp;
/** The options of a Read: a stream or $all, a read or a subscription. */
export type ReadOptions = NonNullable<ReturnType<StreamsPb.ReadReq['getOptions']>>;
export type AppendReq = StreamsPb.AppendReq;
export type AppendResp = StreamsPb.AppendResp;
export type BatchAppendReq = StreamsPb.BatchAppendReq;
export type BatchAppendResp = StreamsPb.BatchAppendResp;
export type DeleteReq = StreamsPb.DeleteReq;
export type DeleteResp = StreamsPb.DeleteResp;
export type TombstoneReq = StreamsPb.TombstoneReq;
export type TombstoneResp = StreamsPb.TombstoneResp;
export type UUIDMessage = SharedPb.UUID;
