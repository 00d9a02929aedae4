import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

describe('configuration from the environment', () => {
  it('has the documented defaults', () => {
    expect(loadConfig({})).toEqual({
      PORT: 4000,
      PROJECTOR_THREAD: true,
      HOST: '127.0.0.1',
      MONGODB_DB: 'tally',
      DATA_DIR: '.data',
      CORS_ORIGINS: [],
      RATE_LIMIT_MUTATIONS: 600,
      WS_MAX_CONNECTIONS: 10,
      WS_MAX_SUBSCRIPTIONS: 128,
      READY_MAX_LAG_MS: 5000,
      LIVE_MAX_PENDING: 1000,
      SNAPSHOT_EVERY: 100,
      FOLD_CACHE_STREAMS: 1000,
      FOLD_CACHE_COMMANDS_PER_STREAM: 256,
      IDEMPOTENCY_CLAIMS_CACHED: 10_000,
      STANDIN_CHANGE_HISTORY: 100_000,
      STANDINS_THREADS: true,
      RUN_CONSUMERS: true,
    });
  });

  it('reports every bad value with its variable and rule', () => {
    let error: unknown;
    try {
      loadConfig({
        PORT: 'eighty',
        EVENTSTORE_URL: 'http://x',
        LOG_LEVEL: 'loud',
        MONGODB_DB: 'a b',
      });
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toMatch(/PORT="eighty": must be a number/);
    expect(message).toMatch(/EVENTSTORE_URL="http:\/\/x": must be an esdb:\/\//);
    expect(message).toMatch(/LOG_LEVEL="loud": must be one of/);
    expect(message).toMatch(/MONGODB_DB="a b": must be a MongoDB database name/);
  });

  it('checks the authentication and exposure variables, never echoing a secret', () => {
    let message = '';
    try {
      loadConfig({
        AUTH_JWT_SECRET: 'too-short-secret',
        AUTH_JWKS_URL: 'ftp://idp.example.com/jwks',
        CORS_ORIGINS: 'https://app.example.com, *',
        GRAPHIQL: 'yes',
      });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/AUTH_JWT_SECRET=\(hidden\): must be at least 32 bytes/);
    expect(message).not.toMatch(/too-short-secret/);
    expect(message).toMatch(
      /AUTH_JWKS_URL="ftp:\/\/idp.example.com\/jwks": must be an http\(s\) URL/,
    );
    expect(message).toMatch(/CORS_ORIGINS=".*": must be a comma-separated list of origins/);
    expect(message).toMatch(/GRAPHIQL="yes": must be true or false/);
    expect(() =>
      loadConfig({
        AUTH_JWT_SECRET: 'x'.repeat(32),
        AUTH_JWKS_URL: 'https://idp.example.com/jwks',
      }),
    ).toThrow(/AUTH_JWKS_URL=.*set either AUTH_JWT_SECRET or AUTH_JWKS_URL, not both/);
    expect(
      loadConfig({ CORS_ORIGINS: 'https://a.example.com,http://localhost:3000', GRAPHIQL: 'true' }),
    ).toMatchObject({
      CORS_ORIGINS: ['https://a.example.com', 'http://localhost:3000'],
      GRAPHIQL: true,
    });
  });

  it('uses real servers when both URLs are set', () => {
    const config = loadConfig({
      EVENTSTORE_URL: 'esdb://eventstore:2113?tls=false',
      MONGODB_URL: 'mongodb://mongo:27017/?replicaSet=rs0',
    });
    expect(config.EVENTSTORE_URL).toBe('esdb://eventstore:2113?tls=false');
    expect(config.MONGODB_URL).toBe('mongodb://mongo:27017/?replicaSet=rs0');
  });
});
