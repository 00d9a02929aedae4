import { pino } from 'pino';

const KNOWN_LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

/**
 * The stand-in's own logger, so the package depends on no application that embeds it. JSON
 * lines (one object each) on stdout; LOG_LEVEL sets the level when it is one pino knows, and
 * tests (VITEST) are silent unless they ask for a level.
 */
function level(): string {
  const requested = process.env.LOG_LEVEL;
  if (requested && KNOWN_LEVELS.has(requested)) return requested;
  return process.env.VITEST ? 'silent' : 'info';
}

const rootLogger = pino({ level: level() });

/** A child logger named after the module that logs. */
export function createLogger(name: string) {
  return rootLogger.child({ module: name });
}

export type Logger = ReturnType<typeof createLogger>;
