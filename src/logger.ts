import { pino } from 'pino';

const KNOWN_LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

/**
 * The level from LOG_LEVEL when it is one pino knows. An unknown one is left to the
 * configuration check, which names the variable, instead of pino throwing at import.
 */
function initialLevel(): string {
  const requested = process.env.LOG_LEVEL;
  if (requested && KNOWN_LEVELS.has(requested)) return requested;
  return process.env.VITEST ? 'silent' : 'info';
}

/**
 * Pretty, coloured lines for a person at a terminal; JSON lines (one object each) everywhere
 * else, and always in production, for log collectors. pino-pretty runs in-process (sync), so a
 * line is written before the process exits.
 */
const interactive =
  process.stdout.isTTY === true && process.env.NODE_ENV !== 'production' && !process.env.VITEST;

// Loaded only when used: a large module that `npm start` in production need not load.
const pretty = interactive ? (await import('pino-pretty')).default : undefined;

/** One root logger for the process; modules take a child named after themselves. */
export const rootLogger = pretty
  ? pino(
      { level: initialLevel() },
      pretty({
        sync: true,
        colorize: true,
        translateTime: 'SYS:HH:MM:ss.l',
        ignore: 'pid,hostname',
      }),
    )
  : pino({ level: initialLevel() });

export function createLogger(name: string) {
  return rootLogger.child({ module: name });
}

export type Logger = ReturnType<typeof createLogger>;
