import type { Server, ServiceDefinition, UntypedHandleCall } from '@grpc/grpc-js';
import { loadServiceModule } from '../protocol.js';
import { rpcError, Status } from './errors.js';

/** Services of EventStoreDB that are out of scope here, answered with UNIMPLEMENTED. */
const OUT_OF_SCOPE: Array<{ module: string; what: string }> = [
  { module: 'persistent', what: 'Persistent subscriptions' },
  { module: 'users', what: 'User management' },
  { module: 'operations', what: 'Operations (scavenge, shutdown, ...)' },
  { module: 'gossip', what: 'Cluster gossip' },
  { module: 'monitoring', what: 'Monitoring' },
];

export function addUnimplementedServices(server: Server): void {
  for (const { module, what } of OUT_OF_SCOPE) {
    for (const [name, definition] of Object.entries(loadServiceModule(module))) {
      if (!name.endsWith('Service')) continue;
      server.addService(definition as ServiceDefinition, handlersFor(definition, what));
    }
  }
}

function handlersFor(
  definition: ServiceDefinition,
  what: string,
): Record<string, UntypedHandleCall> {
  const handlers: Record<string, UntypedHandleCall> = {};
  for (const [method, spec] of Object.entries(definition)) {
    handlers[method] = unimplementedHandler(
      spec,
      `${what} are not supported by the embedded EventStoreDB stand-in (${spec.path}). Use a real EventStoreDB for this feature.`,
    );
  }
  return handlers;
}

/** A handler answering every call of one method with UNIMPLEMENTED and `message`. */
export function unimplementedHandler(
  spec: { responseStream: boolean },
  message: string,
): UntypedHandleCall {
  const error = () => rpcError(Status.UNIMPLEMENTED, message);
  if (!spec.responseStream) {
    return ((_call: unknown, callback: (e: unknown) => void) => {
      // Client-streaming calls: answer at once; the client stops sending on the status.
      callback(error());
    }) as UntypedHandleCall;
  }
  return ((call: { emit(event: string, e: unknown): void }) => {
    call.emit('error', error());
  }) as UntypedHandleCall;
}
