import { RE2JS } from 're2js';
import { MongoCommandError } from './errors.js';

/**
 * Query regexes run on RE2JS, a pure-JS port of RE2, whose matching time is linear in the
 * input: `^(a+)+$` against "aaa…ab" takes microseconds instead of growing 2× per character on
 * a backtracking engine, where one query could block the whole process for seconds. The price
 * is RE2's syntax: no backreferences and no lookahead, refused as invalid regexes (mongod's
 * code 51091) rather than run unbounded.
 */
const compiled = new Map<string, RE2JS>();
const MAX_CACHED = 1000;

/** The pattern compiled once per source and options (i, m, s; mongod's x is not supported). */
export function linearRegex(source: string, options: string): RE2JS {
  const key = `${options}/${source}`;
  let re = compiled.get(key);
  if (re) return re;
  let flags = 0;
  if (options.includes('i')) flags |= RE2JS.CASE_INSENSITIVE;
  if (options.includes('m')) flags |= RE2JS.MULTILINE;
  if (options.includes('s')) flags |= RE2JS.DOTALL;
  try {
    re = RE2JS.compile(RE2JS.translateRegExp(source), flags);
  } catch (error) {
    throw new MongoCommandError(
      51091,
      `Regular expression is invalid: ${(error as Error).message} (the Tally embedded MongoDB stand-in matches in linear time, without backreferences or lookaround)`,
      'Location51091',
    );
  }
  if (compiled.size >= MAX_CACHED) compiled.clear();
  compiled.set(key, re);
  return re;
}

/** Whether `value` is a string that `pattern` (a JS RegExp or a `$regex` string) matches. */
export function regexMatches(pattern: RegExp | string, options: string, value: unknown): boolean {
  if (typeof value !== 'string') return false;
  const re =
    pattern instanceof RegExp
      ? linearRegex(pattern.source, pattern.flags + options)
      : linearRegex(pattern, options);
  return re.test(value);
}
