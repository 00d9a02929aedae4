import { pino } from 'pino';

/** One root logger for the process; modules take a child named after themselves. */
export const rootLogger = pino({
  level: process.env.LOG_LEVEL ?? (process.env.VITEST ? 'silent' : 'info'),
});

export function createLogger(name: string) {
  return rootLogger.child({ module: name });
}

export type Logger = ReturnType<typeof createLogger>;
