import { createRequire } from 'node:module';

/**
 * The client's own generated gRPC stubs and messages, for requests its API cannot express
 * (unknown enum values, missing fields, structured UUIDs). Loaded from the client's folder so the
 * message classes are the ones its serializers accept.
 */
const clientRequire = createRequire(
  createRequire(import.meta.url).resolve('@eventstore/db-client'),
);
export const grpc = clientRequire('@grpc/grpc-js');
export const streamsPb = clientRequire('../generated/streams_pb.js');
export const sharedPb = clientRequire('../generated/shared_pb.js');
const emptyPb = clientRequire('google-protobuf/google/protobuf/empty_pb.js');
const { StreamsClient } = clientRequire('../generated/streams_grpc_pb.js');

export interface RawStatus {
  code: number;
  details: string;
}

// biome-ignore lint/suspicious/noExplicitAny: the generated stubs are untyped JavaScript.
export type RawMessage = any;

/** A raw Streams client for an `esdb://host:port?tls=false` connection string or a local port. */
export function rawStreamsClient(target: number | string): RawMessage {
  const address =
    typeof target === 'number' ? `127.0.0.1:${target}` : /^esdb:\/\/([^?/]+)/.exec(target)?.[1];
  return new StreamsClient(address, grpc.credentials.createInsecure());
}

/** Runs a Read and resolves with the responses and the status it ends with. */
export function rawRead(
  client: RawMessage,
  request: RawMessage,
): Promise<{ responses: RawMessage[]; status: RawStatus }> {
  return new Promise((resolve) => {
    const responses: RawMessage[] = [];
    const call = client.read(request);
    call.on('data', (response: RawMessage) => responses.push(response));
    call.on('error', (status: RawStatus) => resolve({ responses, status }));
    call.on('end', () => resolve({ responses, status: { code: 0, details: 'OK' } }));
  });
}

/** A ReadReq for a stream read from the start; `configure` adjusts the options. */
export function streamReadRequest(
  stream: string,
  configure: (options: RawMessage) => void = () => {},
): RawMessage {
  const request = new streamsPb.ReadReq();
  const options = new streamsPb.ReadReq.Options();
  const streamOptions = new streamsPb.ReadReq.Options.StreamOptions();
  const identifier = new sharedPb.StreamIdentifier();
  identifier.setStreamName(Buffer.from(stream));
  streamOptions.setStreamIdentifier(identifier);
  streamOptions.setStart(new sharedPb.Empty());
  options.setStream(streamOptions);
  options.setCount('10');
  options.setNoFilter(new sharedPb.Empty());
  configure(options);
  request.setOptions(options);
  return request;
}

/** One BatchAppend request: an append's first chunk (with options) holding one small event. */
export function batchAppendChunk(stream: string, isFinal: boolean): RawMessage {
  const request = new streamsPb.BatchAppendReq();
  const correlation = new sharedPb.UUID();
  correlation.setString(crypto.randomUUID());
  request.setCorrelationId(correlation);
  const options = new streamsPb.BatchAppendReq.Options();
  const identifier = new sharedPb.StreamIdentifier();
  identifier.setStreamName(Buffer.from(stream));
  options.setStreamIdentifier(identifier);
  options.setAny(new emptyPb.Empty());
  request.setOptions(options);
  const message = new streamsPb.BatchAppendReq.ProposedMessage();
  const id = new sharedPb.UUID();
  id.setString(crypto.randomUUID());
  message.setId(id);
  message.getMetadataMap().set('type', 'Chunked');
  message.getMetadataMap().set('content-type', 'application/json');
  message.setData(Buffer.from('{}'));
  request.addProposedMessages(message);
  request.setIsFinal(isFinal);
  return request;
}
