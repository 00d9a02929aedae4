import { connect, createServer, type Socket } from 'node:net';

/**
 * A TCP relay between a client and the store, so a test can take the network away from a client
 * that is in the middle of a call: `cut()` closes both sides (the client went away: the server
 * sees its socket close), `blackHole()` stops relaying without closing anything (the client
 * vanished: nothing tells the server, only its keepalive can notice).
 */
export async function startTcpProxy(targetPort: number) {
  const sockets = new Set<Socket>();
  const pairs: Array<[Socket, Socket]> = [];
  const server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {}); // a cut connection resets; nothing to report
    }
    client.pipe(upstream);
    upstream.pipe(client);
    pairs.push([client, upstream]);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('proxy has no port');
  return {
    url: `esdb://127.0.0.1:${address.port}?tls=false`,
    /** Closes every relayed connection at once, both ways. */
    cut(): void {
      for (const socket of sockets) socket.destroy();
    },
    /** Relays nothing more, either way, and keeps every socket open. */
    blackHole(): void {
      for (const [client, upstream] of pairs) {
        client.unpipe(upstream);
        upstream.unpipe(client);
        client.pause();
        upstream.pause();
      }
    },
    close(): Promise<void> {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
