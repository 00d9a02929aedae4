import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

/** A function giving a fresh data directory per call; all of them are removed after the file. */
export function useDataDirs(prefix: string): () => string {
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
  return () => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    dirs.push(dir);
    return dir;
  };
}
