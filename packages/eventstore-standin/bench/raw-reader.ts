import { createRequire } from 'node:module';

// The client's own generated stubs, without its per-event conversion: what the server can push.
const clientRequire = createRequire(
  createRequire(import.meta.url).resolve('@eventstore/db-client'),
);
const grpc = clientRequire('@grpc/grpc-js');
const { StreamsClient } = clientRequire('../generated/streams_grpc_pb.js');
const streamsPb = clientRequire('../generated/streams_pb.js');
const sharedPb = clientRequire('../generated/shared_pb.js');

/** Subscribes to $all from the start and resolves with events/s once `count` events arrived. */
export function rawCatchUpRate(url: string, count: number): Promise<number> {
  const address = /^esdb:\/\/([^?]+)/.exec(url)?.[1];
  const client = new StreamsClient(address, grpc.credentials.createInsecure());
  const request = new streamsPb.ReadReq();
  const options = new streamsPb.ReadReq.Options();
  const all = new streamsPb.ReadReq.Options.AllOptions();
  all.setStart(new sharedPb.Empty());
  options.setAll(all);
  options.setSubscription(new streamsPb.ReadReq.Options.SubscriptionOptions());
  options.setNoFilter(new sharedPb.Empty());
  const uuid = new streamsPb.ReadReq.Options.UUIDOption();
  uuid.setString(new sharedPb.Empty());
  options.setUuidOption(uuid);
  request.setOptions(options);
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let seen = 0;
    const call = client.read(request);
    call.on('data', (response: { hasEvent(): boolean }) => {
      if (!response.hasEvent() || ++seen !== count) return;
      resolve(count / ((performance.now() - started) / 1000));
      call.cancel();
      client.close();
    });
    call.on('error', (error: { code: number }) => {
      if (error.code !== grpc.status.CANCELLED) reject(error);
    });
  });
}
