import { z } from 'zod';

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const flag = () =>
  z.enum(['true', 'false'], { error: 'must be true or false' }).transform((v) => v === 'true');

const ConfigSchema = z
  .object({
    PORT: z.coerce
      .number({ error: 'must be a number' })
      .int('must be a whole number')
      .min(1, 'must be between 1 and 65535')
      .max(65535, 'must be between 1 and 65535')
      .default(4000),
    HOST: z
      .string()
      .regex(/^[0-9A-Za-z.:-]+$/, 'must be a host name or an IP address, such as 0.0.0.0')
      .default('127.0.0.1'),
    EVENTSTORE_URL: z
      .string()
      .regex(/^esdb(\+discover)?:\/\//, 'must be an esdb:// or esdb+discover:// connection string')
      .optional(),
    MONGODB_URL: z
      .string()
      .regex(/^mongodb(\+srv)?:\/\//, 'must be a mongodb:// or mongodb+srv:// connection string')
      .optional(),
    MONGODB_DB: z
      .string()
      .regex(
        /^[^/\\. "$*<>:|?]{1,63}$/,
        'must be a MongoDB database name (no spaces or /\\. "$*<>:|?)',
      )
      .default('tally'),
    DATA_DIR: z.string().min(1, 'must not be empty').default('.data'),
    LOG_LEVEL: z.enum(logLevels, { error: `must be one of ${logLevels.join(', ')}` }).optional(),
    NODE_ENV: z.string().optional(),
    AUTH_JWT_SECRET: z
      .string()
      .refine((s) => Buffer.byteLength(s) >= 32, 'must be at least 32 bytes (HS256)')
      .optional(),
    AUTH_JWKS_URL: z
      .url({ protocol: /^https?$/, error: 'must be an http(s) URL of a JWKS document' })
      .optional(),
    AUTH_ISSUER: z.string().optional(),
    AUTH_AUDIENCE: z.string().optional(),
    CORS_ORIGINS: z
      .string()
      .transform((s) =>
        s
          .split(',')
          .map((o) => o.trim())
          .filter(Boolean),
      )
      .pipe(
        z.array(
          z
            .string()
            .regex(
              /^https?:\/\/[^/\s*]+$/,
              'must be a comma-separated list of origins such as https://app.example.com',
            ),
        ),
      )
      .default([]),
    GRAPHIQL: flag().optional(),
    /** false: an API-only instance; other instances run the projector and the processes. */
    RUN_CONSUMERS: flag().default(true),
    /** false: the read-model projector runs on Tally's main thread instead of its own. */
    PROJECTOR_THREAD: flag().default(true),
    /** false: the embedded stand-ins run on Tally's own thread (debugging; start-up bench). */
    STANDINS_THREADS: flag().default(true),
    RATE_LIMIT_MUTATIONS: z.coerce
      .number({ error: 'must be a number' })
      .int('must be a whole number')
      .min(1, 'must be at least 1')
      .default(600),
    LIVE_MAX_PENDING: z.coerce
      .number({ error: 'must be a number' })
      .int('must be a whole number')
      .min(1, 'must be at least 1')
      .default(1000),
    READY_MAX_LAG_MS: z.coerce
      .number({ error: 'must be a number' })
      .int('must be a whole number')
      .min(0, 'must be at least 0')
      .default(5000),
    WS_MAX_CONNECTIONS: z.coerce
      .number({ error: 'must be a number' })
      .int('must be a whole number')
      .min(1, 'must be at least 1')
      .default(10),
    SNAPSHOT_EVERY: z.coerce
      .number({ error: 'must be a number' })
      .int('must be a whole number')
      .min(0, 'must be 0 (no snapshots) or more')
      .default(100),
    FOLD_CACHE_STREAMS: z.coerce
      .number({ error: 'must be a number' })
      .int('must be a whole number')
      .min(1, 'must be at least 1')
      .default(1000),
    FOLD_CACHE_COMMANDS_PER_STREAM: z.coerce
      .number({ error: 'must be a number' })
      .int('must be a whole number')
      .min(1, 'must be at least 1')
      .default(256),
    STANDIN_CHANGE_HISTORY: z.coerce
      .number({ error: 'must be a number' })
      .int('must be a whole number')
      .min(1, 'must be at least 1')
      .default(100_000),
    IDEMPOTENCY_CLAIMS_CACHED: z.coerce
      .number({ error: 'must be a number' })
      .int('must be a whole number')
      .min(1, 'must be at least 1')
      .default(10_000),
    WS_MAX_SUBSCRIPTIONS: z.coerce
      .number({ error: 'must be a number' })
      .int('must be a whole number')
      .min(1, 'must be at least 1')
      // A dashboard holds two per account on one connection: 128 lets one page watch 64.
      .default(128),
  })
  .refine((c) => !(c.AUTH_JWT_SECRET && c.AUTH_JWKS_URL), {
    path: ['AUTH_JWKS_URL'],
    message: 'set either AUTH_JWT_SECRET or AUTH_JWKS_URL, not both',
  });

export type Config = z.infer<typeof ConfigSchema>;

export class ConfigError extends Error {}

/** Variables whose values are secrets: a bad one is reported without echoing it. */
const SECRET = new Set(['AUTH_JWT_SECRET']);

/** Reads the environment; every bad value is reported, each with its variable and rule. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const parsed = ConfigSchema.safeParse(present);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const name = String(issue.path[0]);
    const shown = SECRET.has(name) ? '(hidden)' : JSON.stringify(env[name]);
    return `  ${name}=${shown}: ${issue.message}`;
  });
  throw new ConfigError(`Invalid configuration:\n${problems.join('\n')}`);
}

/** Production hides the schema unless GRAPHIQL=true says otherwise. */
export function exposesSchema(config: Pick<Config, 'NODE_ENV' | 'GRAPHIQL'>): boolean {
  return config.GRAPHIQL ?? config.NODE_ENV !== 'production';
}
