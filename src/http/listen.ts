import type { Server } from 'node:http';
import { createServer } from 'node:net';

/** The server could not take its address; the message is one line naming host and port. */
export class ListenError extends Error {}

function explain(error: NodeJS.ErrnoException, host: string, port: number): ListenError {
  const where = `${host}:${port}`;
  const why =
    error.code === 'EADDRINUSE'
      ? `port ${port} is already in use (another Tally? set PORT to another port)`
      : error.code === 'EACCES'
        ? `permission denied for port ${port}`
        : error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND'
          ? `HOST ${host} is not an address of this machine`
          : `${error.code ?? 'error'}: ${error.message}`;
  return new ListenError(`Tally cannot listen on ${where}: ${why}`);
}

/** Listens, or rejects with a ListenError saying why, instead of an 'error' event nobody handles. */
export function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      reject(explain(error, host, port));
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

/**
 * Fails fast, before the stores start, when the address is taken: a second `npm start` says so
 * in a second instead of starting stand-ins it would have to stop again.
 */
export async function assertCanListen(port: number, host: string): Promise<void> {
  const probe = createServer();
  await listen(probe as unknown as Server, port, host);
  await new Promise<void>((resolve) => probe.close(() => resolve()));
}

/** Runs the closers in order, but gives up after `ms`: a failed start must exit at once. */
export async function closeWithin(closers: Array<() => Promise<void>>, ms: number): Promise<void> {
  const all = (async () => {
    for (const close of closers) await close().catch(() => undefined);
  })();
  await Promise.race([all, new Promise((resolve) => setTimeout(resolve, ms).unref())]);
}
