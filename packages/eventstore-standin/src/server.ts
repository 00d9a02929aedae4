import type { Server, ServiceDefinition, UntypedServiceImplementation } from '@grpc/grpc-js';
import { appendHandler } from './grpc/append.js';
import { batchAppendHandler, DEFAULT_WRITE_TIMEOUT_MS } from './grpc/batch-append.js';
import { deleteHandler } from './grpc/delete.js';
import type { OpenCalls } from './grpc/open-calls.js';
import { projectionsService } from './grpc/projections.js';
import { readHandler } from './grpc/read.js';
import { getSupportedMethods } from './grpc/server-features.js';
import { addUnimplementedServices } from './grpc/unimplemented.js';
import type { RunProjections } from './index.js';
import type { ProjectionRegistry } from './projections/projection-registry.js';
import { grpc, loadServiceModule } from './protocol.js';
import type { EventStore } from './store/event-store.js';

/**
 * The largest gRPC message accepted: EventStoreDB's for the Streams service
 * (`TFConsts.EffectiveMaxLogRecordSize`, 16 MiB - 10,000 bytes). The client's default BatchAppend
 * chunk is 3 MiB plus one event, so a well-behaved client never comes near it. grpc-js checks the
 * 5-byte length prefix against it and answers RESOURCE_EXHAUSTED before buffering the body.
 */
export const MAX_RECEIVE_MESSAGE_BYTES = 16 * 1024 * 1024 - 10_000;

/** EventStoreDB's default `KeepAliveInterval` and `KeepAliveTimeout` (ClusterVNodeOptions). */
export const DEFAULT_KEEP_ALIVE_MS = 10_000;

/** A grpc-js server speaking EventStoreDB's client protocol over the given store. */
export function createGrpcServer(
  store: EventStore,
  /** Undefined when no projection runs (runProjections 'none'). */
  projectionRegistry: ProjectionRegistry | undefined,
  openReads: OpenCalls,
  options: {
    runProjections?: RunProjections;
    writeTimeoutMs?: number | undefined;
    keepAliveIntervalMs?: number | undefined;
    keepAliveTimeoutMs?: number | undefined;
  } = {},
): Server {
  const server = new grpc.Server({
    'grpc.max_receive_message_length': MAX_RECEIVE_MESSAGE_BYTES,
    // The client pings every 10 s; do not answer that with GOAWAY "too many pings".
    'grpc.keepalive_permit_without_calls': 1,
    'grpc.http2.min_ping_interval_without_data_ms': 1000,
    // EventStoreDB pings its clients too (Kestrel's KeepAlivePingDelay/Timeout, from its
    // KeepAliveInterval/KeepAliveTimeout options): a connection whose client vanished without a
    // FIN or RST is dropped, and with it the reads and subscriptions it held.
    'grpc.keepalive_time_ms': options.keepAliveIntervalMs ?? DEFAULT_KEEP_ALIVE_MS,
    'grpc.keepalive_timeout_ms': options.keepAliveTimeoutMs ?? DEFAULT_KEEP_ALIVE_MS,
  });
  const streams = withPreEncodedReads(
    loadServiceModule('streams').StreamsService as ServiceDefinition,
  );
  server.addService(streams, {
    read: readHandler(store, openReads),
    append: appendHandler(store),
    batchAppend: batchAppendHandler(store, options.writeTimeoutMs ?? DEFAULT_WRITE_TIMEOUT_MS),
    delete: deleteHandler(store, false),
    tombstone: deleteHandler(store, true),
  } as UntypedServiceImplementation);
  const features = loadServiceModule('serverfeatures').ServerFeaturesService as ServiceDefinition;
  server.addService(features, { getSupportedMethods } as UntypedServiceImplementation);
  const projections = projectionsService(projectionRegistry, options.runProjections ?? 'all');
  server.addService(projections.definition, projections.handlers as UntypedServiceImplementation);
  addUnimplementedServices(server);
  return server;
}

/** Lets Read handlers write responses they encoded themselves (hot path) as raw bytes. */
function withPreEncodedReads(definition: ServiceDefinition): ServiceDefinition {
  const read = definition.read;
  if (!read) throw new Error('Streams service definition without Read');
  const serialize = read.responseSerialize;
  return {
    ...definition,
    read: {
      ...read,
      responseSerialize: (value: unknown) =>
        Buffer.isBuffer(value) ? value : serialize(value as never),
    },
  };
}
