import type {
  ConnectionClosedEvent,
  ConnectionPoolClearedEvent,
  MongoClient,
  ServerDescriptionChangedEvent,
} from 'mongodb';

/**
 * Calls `onRestart` whenever the MongoDB server may have lost writes it had acknowledged:
 *
 * - its `topologyVersion.processId` (from `hello`) changed: another server process answers;
 * - the driver cleared a connection pool: the server became unreachable or stepped down (a
 *   failover);
 * - a connection closed on an error: the first sign, within milliseconds, that the server
 *   process died. Without it, a server that reports no topologyVersion and restarts between
 *   two heartbeats (10 s apart by default) would take the next write on a new connection
 *   with nothing cleared, and the lost writes would never be noticed.
 *
 * A network blip is taken for a restart too: the cost is re-applying events from the last
 * checkpoint, which projections make harmless.
 * Returns the function that stops watching.
 */
export function watchMongoRestarts(
  client: MongoClient,
  onRestart: (reason: string, details: Record<string, unknown>) => void,
): () => void {
  const processIds = new Map<string, string>();
  const described = (event: ServerDescriptionChangedEvent) => {
    const processId = event.newDescription.topologyVersion?.processId?.toHexString();
    if (!processId) return;
    const before = processIds.get(event.address);
    processIds.set(event.address, processId);
    if (before && before !== processId) {
      onRestart('server process changed', { address: event.address, before, after: processId });
    }
  };
  const cleared = (event: ConnectionPoolClearedEvent) => {
    onRestart('connection pool cleared', { address: event.address });
  };
  const closed = (event: ConnectionClosedEvent) => {
    if (event.reason === 'error') {
      onRestart('connection closed on an error', { address: event.address });
    }
  };
  client.on('serverDescriptionChanged', described);
  client.on('connectionPoolCleared', cleared);
  client.on('connectionClosed', closed);
  return () => {
    client.off('serverDescriptionChanged', described);
    client.off('connectionPoolCleared', cleared);
    client.off('connectionClosed', closed);
  };
}
