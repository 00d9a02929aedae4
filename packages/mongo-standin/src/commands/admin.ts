import { hostname } from 'node:os';
import type { Document } from '../data/bson-values.js';
import { MongoCommandError } from '../data/errors.js';
import type { CommandHandler } from './context.js';

/**
 * Status commands that tools and test suites call to inspect a server. They answer with the
 * fields mongod has that mean something here; the rest of mongod's long reports is left out.
 */
const mebibytes = (bytes: number) => Math.round(bytes / 2 ** 20);

export const serverStatus: CommandHandler = (state) => {
  const memory = process.memoryUsage();
  const uptimeMillis = Date.now() - state.startedAt.getTime();
  return {
    host: state.me,
    version: '7.0.0',
    process: 'mongod',
    pid: process.pid,
    uptime: Math.floor(uptimeMillis / 1000),
    uptimeMillis,
    localTime: new Date(),
    mem: {
      bits: 64,
      resident: mebibytes(memory.rss),
      virtual: mebibytes(memory.rss),
      supported: true,
    },
    opcounters: state.counters.opcounters(),
    metrics: { commands: state.counters.commands() },
    repl: {
      setName: state.setName,
      isWritablePrimary: true,
      secondary: false,
      hosts: [state.me],
      primary: state.me,
      me: state.me,
    },
    ok: 1,
  };
};

export const replSetGetStatus: CommandHandler = (state) => {
  const optime = { ts: state.clock.now(), t: 1 };
  return {
    set: state.setName,
    date: new Date(),
    myState: 1,
    term: 1,
    members: [
      {
        _id: 0,
        name: state.me,
        health: 1,
        state: 1,
        stateStr: 'PRIMARY',
        uptime: Math.floor((Date.now() - state.startedAt.getTime()) / 1000),
        optime,
        self: true,
      },
    ],
    ok: 1,
  };
};

export const dbStats: CommandHandler = (state, request) => {
  const colls = state.store.collections(request.db);
  const objects = colls.reduce((n, c) => n + c.docs.size, 0);
  const indexes = colls.reduce((n, c) => n + c.indexes.size + 1, 0);
  return {
    db: request.db,
    collections: colls.length,
    views: 0,
    objects,
    avgObjSize: 0,
    dataSize: 0,
    storageSize: 0,
    indexes,
    indexSize: 0,
    ok: 1,
  };
};

export const connectionStatus: CommandHandler = () => ({
  authInfo: { authenticatedUsers: [], authenticatedUserRoles: [] },
  ok: 1,
});

export const whatsmyuri: CommandHandler = () => ({ you: 'unknown', ok: 1 });

export const hostInfo: CommandHandler = () => ({
  system: { hostname: hostname() },
  os: { type: process.platform },
  extra: {},
  ok: 1,
});

const PARAMETERS: Document = {
  featureCompatibilityVersion: { version: '7.0' },
  transactionLifetimeLimitSeconds: 60,
};

export const getParameter: CommandHandler = (state, request) => {
  const { body } = request;
  // Test harnesses ask whether fail points are available before they configure one.
  const parameters = { ...PARAMETERS, enableTestCommands: state.failPoints !== undefined };
  if (body.getParameter === '*') return { ...parameters, ok: 1 };
  const wanted = Object.keys(body).filter(
    (k) => k !== 'getParameter' && !k.startsWith('$') && k !== 'lsid',
  );
  const reply: Document = { ok: 1 };
  for (const name of wanted) {
    if (!(name in parameters))
      throw new MongoCommandError(72, `no option found to get: ${name}`, 'InvalidOptions');
    reply[name] = parameters[name as keyof typeof parameters];
  }
  return reply;
};
