import type * as ProjectionsPb from '@eventstore/db-client/generated/projections_pb.js';
import type {
  ServerUnaryCall,
  ServerWritableStream,
  ServiceDefinition,
  sendUnaryData,
  UntypedHandleCall,
} from '@grpc/grpc-js';
import {
  BY_CATEGORY,
  type ByCategoryProjection,
  type ProjectionStatistics,
} from '../projections/by-category-projection.js';
import { loadServiceModule, projectionsPb } from '../protocol.js';
import { type RpcError, rpcError, Status } from './errors.js';
import { unimplementedHandler } from './unimplemented.js';

/** The other standard projections of EventStoreDB, which the stand-in does not run. */
const OTHER_SYSTEM_PROJECTIONS = new Set([
  '$streams',
  '$stream_by_category',
  '$by_event_type',
  '$by_correlation_id',
]);

/**
 * The Projections service, for the `$by_category` system projection only: Enable, Disable (and
 * abort) and Statistics. Every other call (Create, Update, Delete, State, Result, Reset,
 * RestartSubsystem) answers UNIMPLEMENTED: user-defined projections need a JavaScript runtime.
 */
export function projectionsService(projection: ByCategoryProjection): {
  definition: ServiceDefinition;
  handlers: Record<string, UntypedHandleCall>;
} {
  const definition = loadServiceModule('projections').ProjectionsService as ServiceDefinition;
  const handlers: Record<string, UntypedHandleCall> = {};
  for (const [method, spec] of Object.entries(definition)) {
    handlers[method] = unimplementedHandler(
      spec,
      `${spec.path}: user-defined projections are not supported by the embedded EventStoreDB stand-in, nor is this call; it runs only the ${BY_CATEGORY} system projection (Enable, Disable, Statistics). Use a real EventStoreDB for this feature.`,
    );
  }
  handlers.enable = ((
    call: ServerUnaryCall<ProjectionsPb.EnableReq, unknown>,
    callback: sendUnaryData<unknown>,
  ) => {
    const name = call.request.getOptions()?.getName() ?? '';
    const refused = refusal(name, 'Updated');
    if (refused) return callback(refused);
    projection.enable().then(
      () => callback(null, new projectionsPb.EnableResp()),
      (error: Error) => callback(rpcError(Status.UNKNOWN, error.message)),
    );
  }) as UntypedHandleCall;
  handlers.disable = ((
    call: ServerUnaryCall<ProjectionsPb.DisableReq, unknown>,
    callback: sendUnaryData<unknown>,
  ) => {
    const options = call.request.getOptions();
    const refused = refusal(options?.getName() ?? '', 'Updated');
    if (refused) return callback(refused);
    // write_checkpoint false is the client's abortProjection.
    projection.disable(!options?.getWriteCheckpoint()).then(
      () => callback(null, new projectionsPb.DisableResp()),
      (error: Error) => callback(rpcError(Status.UNKNOWN, error.message)),
    );
  }) as UntypedHandleCall;
  handlers.statistics = ((call: ServerWritableStream<ProjectionsPb.StatisticsReq, unknown>) => {
    const options = call.request.getOptions();
    const Mode = projectionsPb.StatisticsReq.Options.ModeCase;
    const mode = options?.getModeCase() ?? Mode.MODE_NOT_SET;
    if (mode === Mode.NAME) {
      const refused = refusal(options?.getName() ?? '', 'Statistics');
      if (refused) return call.emit('error', refused);
    }
    // By name, all, or continuous: `$by_category` is a continuous projection. One-time and
    // transient projections: there are none.
    if (mode === Mode.NAME || mode === Mode.ALL || mode === Mode.CONTINUOUS) {
      call.write(statisticsResponse(projection.statistics()));
    }
    call.end();
  }) as UntypedHandleCall;
  return { definition, handlers };
}

/**
 * Why a call naming `name` is refused, if it is. A name EventStoreDB does not know is answered as
 * EventStoreDB 23.10 answers it: UNKNOWN, "expected <reply>, received NotFound" (the client's
 * UnknownError). A standard projection the stand-in does not run is UNIMPLEMENTED.
 */
function refusal(name: string, expectedReply: string): RpcError | undefined {
  if (name === BY_CATEGORY) return undefined;
  if (OTHER_SYSTEM_PROJECTIONS.has(name)) {
    return rpcError(
      Status.UNIMPLEMENTED,
      `The system projection ${name} is not supported by the embedded EventStoreDB stand-in; only ${BY_CATEGORY} is. Use a real EventStoreDB for this feature.`,
    );
  }
  return rpcError(
    Status.UNKNOWN,
    `Envelope callback expected ${expectedReply}, received NotFound instead`,
  );
}

function statisticsResponse(statistics: ProjectionStatistics): ProjectionsPb.StatisticsResp {
  const details = new projectionsPb.StatisticsResp.Details();
  details.setName(statistics.name);
  details.setEffectivename(statistics.name);
  details.setMode('Continuous');
  details.setStatus(statistics.status);
  details.setStatereason(statistics.stateReason);
  details.setEpoch(String(statistics.epoch));
  details.setVersion(String(statistics.version));
  details.setPosition(statistics.position);
  details.setLastcheckpoint(statistics.position);
  details.setProgress(statistics.progress);
  details.setEventsprocessedafterrestart(String(statistics.eventsProcessedAfterRestart));
  details.setWritesinprogress(statistics.writesInProgress);
  details.setReadsinprogress(0);
  details.setPartitionscached(1);
  details.setBufferedevents('0');
  details.setCoreprocessingtime('0');
  details.setCheckpointstatus('');
  details.setWritependingeventsbeforecheckpoint(0);
  details.setWritependingeventsaftercheckpoint(0);
  const response = new projectionsPb.StatisticsResp();
  response.setDetails(details);
  return response;
}
