import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const composeAvailable =
  spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' }).status === 0;
if (!composeAvailable) {
  console.warn(
    'docker compose is not installed here: the file is checked with a YAML parser only.',
  );
}

const read = (path: string) => readFileSync(new URL(path, import.meta.url), 'utf8');
// biome-ignore lint/suspicious/noExplicitAny: parsed YAML, checked field by field below.
const compose: any = parse(read('../docker-compose.yml'), { merge: true });
const dockerfile = read('../Dockerfile');
const readme = read('../README.md');

/** A healthcheck's command as one string, whichever form (CMD list or CMD-SHELL) it takes. */
const healthTest = (service: string): string =>
  [compose.services[service].healthcheck.test].flat().join(' ');

describe('docker-compose.yml', () => {
  it.skipIf(!composeAvailable)('is valid for docker compose', () => {
    const result = spawnSync('docker', ['compose', 'config', '--quiet'], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('points Tally at the real servers, with MongoDB as a replica set', () => {
    const env = compose.services.tally.environment;
    expect(env.EVENTSTORE_URL).toBe('esdb://eventstore:2113?tls=false');
    expect(env.MONGODB_URL).toBe('mongodb://mongo:27017/?replicaSet=rs0');
    expect(compose.services.mongo.command).toEqual(['--replSet', 'rs0', '--bind_ip_all']);
    expect(compose.services.eventstore.environment.EVENTSTORE_INSECURE).toBe('true');
  });

  it('reports MongoDB healthy only once the replica set has a writable primary, not when initiate answers', () => {
    const test = healthTest('mongo');
    expect(test).toContain('rs.initiate(');
    expect(test).toContain('db.hello().isWritablePrimary');
    expect(test).toMatch(/quit\(1\)/);
  });

  it('gives the README a MongoDB URL that works from the host: the advertised member name only resolves inside', () => {
    const advertised = /host: '([^']+)'/.exec(healthTest('mongo'))?.[1];
    expect(advertised).toBe('mongo:27017');
    // From the host, the driver must not follow the advertised name: directConnection.
    expect(readme).toContain('mongodb://localhost:27017/?directConnection=true');
    expect(compose.services.mongo.ports).toContain('27017:27017');
  });

  it('checks Tally by /ready, restarts it, and starts it only after both stores are healthy', () => {
    for (const name of ['tally', 'tally-2']) {
      const service = compose.services[name];
      expect(healthTest(name)).toContain('/ready');
      expect(service.restart).toBe('unless-stopped');
      expect(service.depends_on).toEqual({
        eventstore: { condition: 'service_healthy' },
        mongo: { condition: 'service_healthy' },
      });
    }
  });

  it('has a profile with a second Tally instance on the same stores, on another host port', () => {
    const second = compose.services['tally-2'];
    expect(second.profiles).toEqual(['ha']);
    expect(compose.services.tally.profiles).toBeUndefined();
    expect(second.environment).toEqual(compose.services.tally.environment);
    expect(second.ports).toEqual(['4001:4000']);
  });

  it('pins every image to a version, never latest or a bare major', () => {
    for (const [name, service] of Object.entries<{ image?: string }>(compose.services)) {
      if (!service.image || service.image.startsWith('tally:')) continue;
      expect(service.image, name).toMatch(/:\d+\.\d+\.\d+$/);
    }
    expect(dockerfile).toMatch(/^FROM node:\d+\.\d+\.\d+-[a-z]+-slim$/m);
  });
});

describe('Dockerfile', () => {
  it('runs as the unprivileged node user, with a /ready health check', () => {
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile.indexOf('USER node')).toBeGreaterThan(dockerfile.indexOf('npm ci'));
    expect(dockerfile).toMatch(/^HEALTHCHECK .*\\\n.*\/ready/m);
  });
});
