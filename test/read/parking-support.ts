import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { Logger } from '../../src/logger.js';
import { exponentialBackoff } from '../../src/read/parking/index.js';

/** Three attempts a millisecond apart: the retry path runs in full, and the test stays fast. */
export const FAST_RETRY = exponentialBackoff({ attempts: 3, firstDelayMs: 1, maxDelayMs: 1 });

export interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

/** A logger whose lines (warn and above) the test can read, as an operator would. */
export function capturingLogger(): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: pino({ level: 'warn' }, sink) as unknown as Logger, lines };
}

export const ERROR_LEVEL = 50;
export const WARN_LEVEL = 40;
