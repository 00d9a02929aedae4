import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const composeAvailable =
  spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' }).status === 0;
if (!composeAvailable) {
  console.warn(
    'docker-compose.yml not checked: the `docker compose` client is not installed here.',
  );
}

describe('docker-compose.yml', () => {
  it.skipIf(!composeAvailable)('is valid for docker compose', () => {
    const result = spawnSync('docker', ['compose', 'config', '--quiet'], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('points Tally at the real servers, with MongoDB as a replica set', () => {
    const compose = readFileSync(new URL('../docker-compose.yml', import.meta.url), 'utf8');
    expect(compose).toContain('EVENTSTORE_URL: "esdb://eventstore:2113?tls=false"');
    expect(compose).toContain('MONGODB_URL: "mongodb://mongo:27017/?replicaSet=rs0"');
    expect(compose).toContain('"--replSet", "rs0"');
    expect(compose).toContain('rs.initiate(');
    expect(compose).toContain('EVENTSTORE_INSECURE: "true"');
  });
});
