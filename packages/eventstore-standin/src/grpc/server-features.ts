import type { ServerUnaryCall, sendUnaryData } from '@grpc/grpc-js';
import { serverFeaturesPb } from '../protocol.js';

/** The version we claim: the client switches features on by version and by this list. */
export const SERVER_VERSION = '23.10.0';

const STREAMS = 'event_store.client.streams.streams';
const PROJECTIONS = 'event_store.client.projections.projections';

/** What is really implemented; BatchAppend here makes the client use it for appends. */
const SUPPORTED: Array<{ service: string; method: string; features: string[] }> = [
  { service: STREAMS, method: 'read', features: ['position', 'events'] },
  { service: STREAMS, method: 'append', features: [] },
  { service: STREAMS, method: 'delete', features: [] },
  { service: STREAMS, method: 'tombstone', features: [] },
  { service: STREAMS, method: 'batchappend', features: [] },
  // `$by_category` and continuous JavaScript projections (grpc/projections.ts). `create` lists
  // no `track_emitted_streams`: the stand-in does not track emitted streams.
  { service: PROJECTIONS, method: 'create', features: [] },
  { service: PROJECTIONS, method: 'delete', features: [] },
  { service: PROJECTIONS, method: 'enable', features: [] },
  { service: PROJECTIONS, method: 'disable', features: [] },
  { service: PROJECTIONS, method: 'statistics', features: [] },
  { service: PROJECTIONS, method: 'state', features: [] },
  { service: PROJECTIONS, method: 'result', features: [] },
  {
    service: 'event_store.client.server_features.serverfeatures',
    method: 'getsupportedmethods',
    features: [],
  },
];

export function getSupportedMethods(
  _call: ServerUnaryCall<unknown, unknown>,
  callback: sendUnaryData<unknown>,
): void {
  const response = new serverFeaturesPb.SupportedMethods();
  for (const { service, method, features } of SUPPORTED) {
    const supported = new serverFeaturesPb.SupportedMethod();
    supported.setServiceName(service);
    supported.setMethodName(method);
    supported.setFeaturesList(features);
    response.addMethods(supported);
  }
  response.setEventStoreServerVersion(SERVER_VERSION);
  callback(null, response);
}
