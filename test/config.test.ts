import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

describe('configuration from the environment', () => {
  it('has the documented defaults', () => {
    expect(loadConfig({})).toEqual({ PORT: 4000, MONGODB_DB: 'tally', DATA_DIR: '.data' });
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

  it('uses real servers when both URLs are set', () => {
    const config = loadConfig({
      EVENTSTORE_URL: 'esdb://eventstore:2113?tls=false',
      MONGODB_URL: 'mongodb://mongo:27017/?replicaSet=rs0',
    });
    expect(config.EVENTSTORE_URL).toBe('esdb://eventstore:2113?tls=false');
    expect(config.MONGODB_URL).toBe('mongodb://mongo:27017/?replicaSet=rs0');
  });
});
