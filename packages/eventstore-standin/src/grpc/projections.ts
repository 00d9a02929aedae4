import type * as ProjectionsPb from '@eventstore/db-client/generated/projections_pb.js';
import type {
  ServerUnaryCall,
  ServerWritableStream,
  ServiceDefinition,
  sendUnaryData,
  UntypedHandleCall,
} from '@grpc/grpc-js';
import type { RunProjections } from '../index.js';
import { BY_CATEGORY, type ProjectionStatistics } from '../projections/by-category-projection.js';
import {
  OTHER_SYSTEM_PROJECTIONS,
  type ProjectionRegistry,
} from '../projections/projection-registry.js';
import type { UserProjection } from '../projections/user-projection.js';
import { loadServiceModule, projectionsPb, ValuePb } from '../protocol.js';
import { type RpcError, rpcError, Status } from './errors.js';
import { unimplementedHandler } from './unimplemented.js';

/**
 * The Projections service: Create (continuous JavaScript projections), Enable, Disable (and
 * abort), Delete, Statistics, State and Result for user projections; Enable, Disable and Statistics for
 * the `$by_category` system projection. Update, Reset and RestartSubsystem answer
 * UNIMPLEMENTED.
 */
export function projectionsService(
  registry: ProjectionRegistry | undefined,
  run: RunProjections,
): {
  definition: ServiceDefinition;
  handlers: Record<string, UntypedHandleCall>;
} {
  const definition = loadServiceModule('projections').ProjectionsService as ServiceDefinition;
  const handlers: Record<string, UntypedHandleCall> = {};
  for (const [method, spec] of Object.entries(definition)) {
    handlers[method] = unimplementedHandler(
      spec,
      registry
        ? `${spec.path} is not supported by the embedded EventStoreDB stand-in: it runs ${BY_CATEGORY} (Enable, Disable, Statistics) and continuous JavaScript projections (Create, Enable, Disable, Delete, Statistics, State, Result). Use a real EventStoreDB for this feature.`
        : `${spec.path}: projections are not running on this EventStoreDB stand-in (runProjections 'none', EventStoreDB's default); start it with --run-projections=all (or 'system' for ${BY_CATEGORY} only).`,
    );
  }
  if (!registry) return { definition, handlers };
  const target = (name: string, expectedReply: string) => {
    if (name === BY_CATEGORY) return { projection: registry.byCategory };
    const user = registry.user(name);
    return user ? { projection: user } : { refused: refusal(name, expectedReply) };
  };

  handlers.create = ((
    call: ServerUnaryCall<ProjectionsPb.CreateReq, unknown>,
    callback: sendUnaryData<unknown>,
  ) => {
    const options = call.request.getOptions();
    const continuous = options?.getContinuous();
    if (!options || !continuous) {
      return callback(
        rpcError(
          Status.UNIMPLEMENTED,
          'One-time and transient projections are not supported by the embedded EventStoreDB stand-in; only continuous ones are. Use a real EventStoreDB for this feature.',
        ),
      );
    }
    const name = continuous.getName();
    if (name === '') return callback(rpcError(Status.UNKNOWN, 'Projection name is required'));
    if (run !== 'all') {
      return callback(
        rpcError(
          Status.UNIMPLEMENTED,
          `User projections are not running on this EventStoreDB stand-in (runProjections '${run}'); start it with --run-projections=all.`,
        ),
      );
    }
    registry.create(name, options.getQuery(), continuous.getEmitEnabled()).then(
      (outcome) => {
        if (outcome.kind === 'created') return callback(null, new projectionsPb.CreateResp());
        if (outcome.kind === 'conflict') {
          return callback(
            rpcError(
              Status.UNKNOWN,
              'Envelope callback expected Updated, received Conflict instead',
            ),
          );
        }
        callback(
          rpcError(
            Status.UNIMPLEMENTED,
            `The projection uses ${outcome.feature}, which the embedded EventStoreDB stand-in does not run. Use a real EventStoreDB for this feature.`,
          ),
        );
      },
      (error: Error) => callback(rpcError(Status.UNKNOWN, error.message)),
    );
  }) as UntypedHandleCall;

  handlers.delete = ((
    call: ServerUnaryCall<ProjectionsPb.DeleteReq, unknown>,
    callback: sendUnaryData<unknown>,
  ) => {
    const options = call.request.getOptions();
    const name = options?.getName() ?? '';
    if (!registry.user(name)) {
      return callback(
        name === BY_CATEGORY
          ? rpcError(
              Status.UNIMPLEMENTED,
              `The system projection ${BY_CATEGORY} cannot be deleted on the embedded EventStoreDB stand-in.`,
            )
          : refusal(name, 'Updated'),
      );
    }
    if (options?.getDeleteEmittedStreams()) {
      return callback(
        rpcError(
          Status.UNIMPLEMENTED,
          'Deleting emitted streams is not supported by the embedded EventStoreDB stand-in (it does not track emitted streams). Use a real EventStoreDB for this feature.',
        ),
      );
    }
    registry.delete(name, options?.getDeleteCheckpointStream() ?? false).then(
      (outcome) =>
        outcome === 'deleted'
          ? callback(null, new projectionsPb.DeleteResp())
          : callback(refusal(name, 'Updated')),
      (error: Error) => callback(rpcError(Status.UNKNOWN, error.message)),
    );
  }) as UntypedHandleCall;

  handlers.enable = ((
    call: ServerUnaryCall<ProjectionsPb.EnableReq, unknown>,
    callback: sendUnaryData<unknown>,
  ) => {
    const found = target(call.request.getOptions()?.getName() ?? '', 'Updated');
    if (!found.projection) return callback(found.refused);
    found.projection.enable().then(
      () => callback(null, new projectionsPb.EnableResp()),
      (error: Error) => callback(rpcError(Status.UNKNOWN, error.message)),
    );
  }) as UntypedHandleCall;

  handlers.disable = ((
    call: ServerUnaryCall<ProjectionsPb.DisableReq, unknown>,
    callback: sendUnaryData<unknown>,
  ) => {
    const options = call.request.getOptions();
    const found = target(options?.getName() ?? '', 'Updated');
    if (!found.projection) return callback(found.refused);
    // write_checkpoint false is the client's abortProjection.
    found.projection.disable(!options?.getWriteCheckpoint()).then(
      () => callback(null, new projectionsPb.DisableResp()),
      (error: Error) => callback(rpcError(Status.UNKNOWN, error.message)),
    );
  }) as UntypedHandleCall;

  handlers.statistics = ((call: ServerWritableStream<ProjectionsPb.StatisticsReq, unknown>) => {
    const options = call.request.getOptions();
    const Mode = projectionsPb.StatisticsReq.Options.ModeCase;
    const mode = options?.getModeCase() ?? Mode.MODE_NOT_SET;
    if (mode === Mode.NAME) {
      const found = target(options?.getName() ?? '', 'Statistics');
      if (!found.projection) return call.emit('error', found.refused);
      call.write(statisticsResponse(found.projection.statistics()));
    } else if (mode === Mode.ALL || mode === Mode.CONTINUOUS) {
      // Every projection the stand-in runs is continuous; there are no one-time or transient ones.
      call.write(statisticsResponse(registry.byCategory.statistics()));
      for (const user of registry.users()) call.write(statisticsResponse(user.statistics()));
    }
    call.end();
  }) as UntypedHandleCall;

  handlers.state = ((
    call: ServerUnaryCall<ProjectionsPb.StateReq, unknown>,
    callback: sendUnaryData<unknown>,
  ) => {
    const found = userTarget(
      registry,
      call.request.getOptions()?.getName() ?? '',
      'ProjectionState',
    );
    if (!found.projection) return callback(found.refused);
    const response = new projectionsPb.StateResp();
    response.setState(toValue(found.projection.state()) as never);
    callback(null, response);
  }) as UntypedHandleCall;

  handlers.result = ((
    call: ServerUnaryCall<ProjectionsPb.ResultReq, unknown>,
    callback: sendUnaryData<unknown>,
  ) => {
    const name = call.request.getOptions()?.getName() ?? '';
    const found = userTarget(registry, name, 'ProjectionResult');
    if (!found.projection) return callback(found.refused);
    const response = new projectionsPb.ResultResp();
    response.setResult(toValue(found.projection.result()) as never);
    callback(null, response);
  }) as UntypedHandleCall;
  return { definition, handlers };
}

/** State and Result: user projections only (the stand-in keeps no state for `$by_category`). */
function userTarget(
  registry: ProjectionRegistry,
  name: string,
  expectedReply: string,
):
  | { projection: UserProjection; refused?: undefined }
  | { projection?: undefined; refused: RpcError } {
  const user = registry.user(name);
  if (user) return { projection: user };
  if (name === BY_CATEGORY) {
    return {
      refused: rpcError(
        Status.UNIMPLEMENTED,
        `The state of ${BY_CATEGORY} is not kept by the embedded EventStoreDB stand-in. Use a real EventStoreDB for this feature.`,
      ),
    };
  }
  return { refused: refusal(name, expectedReply) };
}

/** A JSON text as google.protobuf.Value; empty or unparsable text is null. */
function toValue(json: string): unknown {
  let value: unknown = null;
  if (json.trim() !== '') {
    try {
      value = JSON.parse(json);
    } catch {
      value = json;
    }
  }
  return ValuePb.fromJavaScript(value);
}

/**
 * Why a call naming a projection that is not there is refused. A name EventStoreDB does not know
 * is answered as EventStoreDB 23.10 answers it: UNKNOWN, "expected <reply>, received NotFound"
 * (the client's UnknownError). A standard projection the stand-in does not run is UNIMPLEMENTED.
 */
function refusal(name: string, expectedReply: string): RpcError {
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
  details.setLastcheckpoint(statistics.lastCheckpoint ?? statistics.position);
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
