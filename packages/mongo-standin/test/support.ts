import { randomUUID } from 'node:crypto';
import { MongoClient, type MongoClientOptions } from 'mongodb';
import { afterAll, beforeAll } from 'vitest';
import { type EmbeddedMongo, type EmbeddedMongoOptions, startEmbeddedMongo } from '../src/index.js';

/**
 * Each test file starts its own stand-in (the unit under test) and one official driver client.
 * Names are fresh per test so tests never see each other's data.
 */
export function useEmbeddedMongo(
  options: MongoClientOptions = {},
  serverOptions: EmbeddedMongoOptions = {},
) {
  const ctx = {} as { server: EmbeddedMongo; client: MongoClient };
  beforeAll(async () => {
    ctx.server = await startEmbeddedMongo({ host: '127.0.0.1', port: 0, ...serverOptions });
    ctx.client = new MongoClient(ctx.server.url, { serverSelectionTimeoutMS: 5000, ...options });
    await ctx.client.connect();
  });
  afterAll(async () => {
    await ctx.client?.close();
    await ctx.server?.close();
  });
  return ctx;
}

export function freshName(prefix = 'c'): string {
  return `${prefix}_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
}
