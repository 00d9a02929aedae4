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

const invalidQueryRegex = (reason: string) =>
  new MongoCommandError(
    51091,
    `Regular expression is invalid: ${reason} (the Tally embedded MongoDB stand-in matches in linear time, without backreferences or lookaround)`,
    'Location51091',
  );

/**
 * The pattern compiled once per source and options: i, m, s, and x (PCRE's extended syntax,
 * which RE2 lacks, applied here by dropping the pattern's free whitespace and # comments);
 * u is how RE2 always matches. `invalid` makes the error for a pattern RE2 cannot compile
 * (the query's 51091 unless the caller, an aggregation expression, has its own).
 */
export function linearRegex(
  source: string,
  options: string,
  invalid: (reason: string) => MongoCommandError = invalidQueryRegex,
): RE2JS {
  const key = `${options}/${source}`;
  let re = compiled.get(key);
  if (re) return re;
  let flags = 0;
  if (options.includes('i')) flags |= RE2JS.CASE_INSENSITIVE;
  if (options.includes('m')) flags |= RE2JS.MULTILINE;
  if (options.includes('s')) flags |= RE2JS.DOTALL;
  const pattern = options.includes('x') ? withoutExtendedWhitespace(source) : source;
  try {
    re = RE2JS.compile(RE2JS.translateRegExp(pattern), flags);
  } catch (error) {
    throw invalid(
      `${(error as Error).message}${invalid === invalidQueryRegex ? '' : ' (the Tally embedded MongoDB stand-in matches in linear time, without backreferences or lookaround)'}`,
    );
  }
  if (compiled.size >= MAX_CACHED) compiled.clear();
  compiled.set(key, re);
  return re;
}

/**
 * PCRE's x option: whitespace and `#` comments (to the end of the line) are not part of the
 * pattern, except escaped or inside a character class.
 */
export function withoutExtendedWhitespace(source: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === '\\') {
      out += c + (source[i + 1] ?? '');
      i++;
    } else if (inClass) {
      out += c;
      if (c === ']') inClass = false;
    } else if (c === '[') {
      inClass = true;
      out += c;
      // A ']' first in the class (after an optional '^') is a literal.
      if (source[i + 1] === '^') out += source[++i];
      if (source[i + 1] === ']') out += source[++i];
    } else if (c === '#') {
      while (i + 1 < source.length && source[i + 1] !== '\n') i++;
    } else if (!/\s/.test(c)) out += c;
  }
  return out;
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
