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

/** One root logger for the process; modules take a child named after themselves. */
export const rootLogger = pino({ level: initialLevel() });

export function createLogger(name: string) {
  return rootLogger.child({ module: name });
}

export type Logger = ReturnType<typeof createLogger>;
