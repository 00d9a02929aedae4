import { connect } from 'node:http2';
import type { RawMessage } from '../raw-grpc.js';

/**
 * A Read sent over bare HTTP/2, by a client that is no gRPC library: it sends the request with a
 * `grpc-timeout` header, then neither reads the responses nor resets the stream when the deadline
 * passes. Only the server's own deadline can end such a call. `started` resolves when the server
 * has answered with its headers (the read is under way); `close` drops the connection.
 */
export function rawHttp2Read(port: number, request: RawMessage, grpcTimeout: string) {
  const session = connect(`http://127.0.0.1:${port}`);
  session.on('error', () => {}); // closed by the test
  const stream = session.request({
    ':method': 'POST',
    ':path': '/event_store.client.streams.Streams/Read',
    'content-type': 'application/grpc',
    te: 'trailers',
    'grpc-timeout': grpcTimeout,
  });
  stream.on('error', () => {});
  const body = Buffer.from(request.serializeBinary() as Uint8Array);
  const frame = Buffer.alloc(5 + body.length);
  frame.writeUInt8(0, 0); // not compressed
  frame.writeUInt32BE(body.length, 1);
  body.copy(frame, 5);
  stream.end(frame);
  // No 'data' listener: the stream stays paused, so HTTP/2 flow control soon stops the server.
  const started = new Promise<void>((resolve) => stream.once('response', () => resolve()));
  return {
    started,
    close: () => session.destroy(),
  };
}
