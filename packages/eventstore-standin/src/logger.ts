import { pino } from 'pino';

const KNOWN_LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

/**
 * The stand-in's own logger, so the package depends on no application that embeds it.
 * LOG_LEVEL sets the level when it is one pino knows; tests (VITEST) are silent unless they ask.
 */
function level(): string {
  const requested = process.env.LOG_LEVEL;
  if (requested && KNOWN_LEVELS.has(requested)) return requested;
  return process.env.VITEST ? 'silent' : 'info';
}

/**
 * Pretty, coloured lines for a person at a terminal (LOG_FORMAT=pretty forces them); JSON lines
 * everywhere else (LOG_FORMAT=json forces them), for log collectors and for the scripts that
 * read the connection string from the first line of stdout.
 */
function wantsPretty(): boolean {
  if (process.env.LOG_FORMAT === 'pretty') return true;
  if (process.env.LOG_FORMAT === 'json') return false;
  return (
    process.stdout.isTTY === true && process.env.NODE_ENV !== 'production' && !process.env.VITEST
  );
}

// Loaded only when used: it is a large module, and a stand-in's start-up pays for every import.
const pretty = wantsPretty() ? (await import('pino-pretty')).default : undefined;

const rootLogger = pretty
  ? pino(
      { level: level() },
      pretty({
        sync: true,
        colorize: true,
        translateTime: 'SYS:HH:MM:ss.l',
        ignore: 'pid,hostname',
      }),
    )
  : pino({ level: level() });

/** A child logger named after the module that logs. */
export function createLogger(name: string) {
  return rootLogger.child({ module: name });
}

export type Logger = ReturnType<typeof createLogger>;
