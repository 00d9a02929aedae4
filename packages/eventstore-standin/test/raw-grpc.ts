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

const timestampPb = clientRequire('google-protobuf/google/protobuf/timestamp_pb.js');

/** A fresh correlation id for raw BatchAppend requests. */
export function correlationId(): RawMessage {
  const correlation = new sharedPb.UUID();
  correlation.setString(crypto.randomUUID());
  return correlation;
}

/**
 * One BatchAppend chunk: with `stream` it is the first chunk of an append (it carries the options,
 * and the deadline if given); `events` small events of `dataBytes` bytes each.
 */
export function batchAppendRequest(chunk: {
  correlation: RawMessage;
  stream?: string;
  deadline?: Date;
  events?: number;
  dataBytes?: number;
  isFinal: boolean;
}): RawMessage {
  const request = new streamsPb.BatchAppendReq();
  request.setCorrelationId(chunk.correlation);
  if (chunk.stream !== undefined) {
    const options = new streamsPb.BatchAppendReq.Options();
    const identifier = new sharedPb.StreamIdentifier();
    identifier.setStreamName(Buffer.from(chunk.stream));
    options.setStreamIdentifier(identifier);
    options.setAny(new emptyPb.Empty());
    if (chunk.deadline) options.setDeadline(timestampPb.Timestamp.fromDate(chunk.deadline));
    request.setOptions(options);
  }
  for (let i = 0; i < (chunk.events ?? 1); i++) {
    const message = new streamsPb.BatchAppendReq.ProposedMessage();
    const id = new sharedPb.UUID();
    id.setString(crypto.randomUUID());
    message.setId(id);
    message.getMetadataMap().set('type', 'Raw');
    message.getMetadataMap().set('content-type', 'application/octet-stream');
    message.setData(Buffer.alloc(chunk.dataBytes ?? 2, 0x61));
    request.addProposedMessages(message);
  }
  request.setIsFinal(chunk.isFinal);
  return request;
}

/** A raw BatchAppend call whose answers can be awaited one at a time, in order. */
export function rawBatchAppend(client: RawMessage) {
  const call = client.batchAppend();
  const answers: RawMessage[] = [];
  const waiting: Array<(answer: RawMessage) => void> = [];
  let ended: RawStatus | undefined;
  const endWaiters: Array<(status: RawStatus) => void> = [];
  call.on('data', (answer: RawMessage) => {
    const next = waiting.shift();
    if (next) next(answer);
    else answers.push(answer);
  });
  const end = (status: RawStatus) => {
    ended ??= status;
    for (const waiter of endWaiters.splice(0)) waiter(ended);
  };
  call.on('error', end);
  call.on('end', () => end({ code: 0, details: 'OK' }));
  return {
    write: (request: RawMessage) => call.write(request),
    /** The next answer on the call. */
    next: (): Promise<RawMessage> =>
      new Promise((resolve) => {
        const queued = answers.shift();
        if (queued) resolve(queued);
        else waiting.push(resolve);
      }),
    /** The status the call ends with. */
    ended: (): Promise<RawStatus> =>
      new Promise((resolve) => (ended ? resolve(ended) : endWaiters.push(resolve))),
    /** Half-closes: the client sends nothing more. */
    end: () => call.end(),
    close: () => call.cancel(),
  };
}
