import { evalExpr } from 'mingo/core';
import type { RE2JS } from 're2js';
import { bsonTypeOf } from './bson-values.js';
import { MongoCommandError } from './errors.js';
import { linearRegex } from './linear-regex.js';
import { isPlainObject } from './paths.js';

/**
 * The aggregation expressions `$regexMatch`, `$regexFind` and `$regexFindAll` on RE2 (through
 * linear-regex.ts), replacing mingo's, which run JavaScript's backtracking engine: one
 * `^(a+)+$` in a pipeline could block the process for minutes. Arguments, results (`match`,
 * `idx` in code points, `captures` with null for a group that took no part) and errors follow
 * mongod's ExpressionRegex (db/pipeline/expression.cpp, codes 51103–51111, 31022–31024).
 */
type OperatorName = '$regexMatch' | '$regexFind' | '$regexFindAll';
type MingoOptions = Parameters<typeof evalExpr>[2];

interface RegexMatch {
  match: string;
  idx: number;
  captures: Array<string | null>;
}

const fail = (code: number, message: string) =>
  new MongoCommandError(code, message, `Location${code}`);

const isNullish = (value: unknown) => value === null || value === undefined;

/** The pattern and the options a `regex` value carries: a string, or a BSON regex with flags. */
function patternOf(value: unknown): { source: string; flags: string } | undefined {
  if (typeof value === 'string') return { source: value, flags: '' };
  if (value instanceof RegExp) return { source: value.source, flags: value.flags };
  if (bsonTypeOf(value) === 'BSONRegExp') {
    const regex = value as { pattern: string; options: string };
    return { source: regex.pattern, flags: regex.options };
  }
  return undefined;
}

const VALID_FLAGS = new Set(['i', 'm', 's', 'u', 'x']);

/** Evaluates the arguments and compiles the regex; undefined when input or regex is null. */
function prepare(
  op: OperatorName,
  obj: unknown,
  spec: unknown,
  options: MingoOptions,
): { re: RE2JS; input: string } | undefined {
  if (!isPlainObject(spec)) {
    throw fail(
      51103,
      `${op} expects an object of named arguments but found: ${spec === null ? 'null' : Array.isArray(spec) ? 'array' : typeof spec}`,
    );
  }
  for (const key of Object.keys(spec)) {
    if (key !== 'input' && key !== 'regex' && key !== 'options')
      throw fail(31024, `${op} found an unknown argument: ${key}`);
  }
  if (!('input' in spec)) throw fail(31022, `${op} requires 'input' parameter`);
  if (!('regex' in spec)) throw fail(31023, `${op} requires 'regex' parameter`);
  const evaluate = (expr: unknown) => evalExpr(obj as never, expr as never, options);
  const regex = evaluate(spec.regex);
  const flagsArg = 'options' in spec ? evaluate(spec.options) : null;
  const pattern = patternOf(regex);
  if (!isNullish(regex) && !pattern)
    throw fail(51105, `${op} needs 'regex' to be of type string or regex`);
  if (!isNullish(flagsArg) && typeof flagsArg !== 'string')
    throw fail(51106, `${op} needs 'options' to be of type string`);
  if (pattern && typeof regex !== 'string' && pattern.flags && !isNullish(flagsArg)) {
    throw fail(51107, `${op}: found regex option(s) specified in both 'regex' and 'option' fields`);
  }
  const flags = typeof flagsArg === 'string' ? flagsArg : (pattern?.flags ?? '');
  if (pattern?.source.includes('\0'))
    throw fail(51109, `${op}: regular expression cannot contain an embedded null byte`);
  if (flags.includes('\0'))
    throw fail(51110, `${op}: regular expression options cannot contain an embedded null byte`);
  for (const flag of flags) {
    if (!VALID_FLAGS.has(flag)) throw fail(51108, `${op} invalid flag in regex options: ${flag}`);
  }
  const re = pattern
    ? linearRegex(pattern.source, flags, (reason) =>
        fail(51111, `Invalid Regex in ${op}: ${reason}`),
      )
    : undefined;
  const input = evaluate(spec.input);
  if (!isNullish(input) && typeof input !== 'string')
    throw fail(51104, `${op} needs 'input' to be of type string`);
  if (!re || isNullish(input)) return undefined;
  return { re, input: input as string };
}

const codePoints = (text: string) => {
  let n = 0;
  for (const _ of text) n++;
  return n;
};

/** Every non-overlapping match from the start; an empty match moves on by one code point. */
function matches(re: RE2JS, input: string, all: boolean): RegexMatch[] {
  const found: RegexMatch[] = [];
  const matcher = re.matcher(input);
  let position = 0;
  while (matcher.find(position)) {
    const start = matcher.start();
    const end = matcher.end();
    const captures: Array<string | null> = [];
    for (let group = 1; group <= matcher.groupCount(); group++) captures.push(matcher.group(group));
    found.push({
      match: input.slice(start, end),
      idx: codePoints(input.slice(0, start)),
      captures,
    });
    if (!all) break;
    position = end > start ? end : end + ((input.codePointAt(end) ?? 0) > 0xffff ? 2 : 1);
    if (position >= input.length) break;
  }
  return found;
}

export const regexExpressions = {
  $regexMatch: (obj: unknown, spec: unknown, options: MingoOptions): boolean => {
    const prepared = prepare('$regexMatch', obj, spec, options);
    return prepared ? prepared.re.matcher(prepared.input).find() : false;
  },
  $regexFind: (obj: unknown, spec: unknown, options: MingoOptions): RegexMatch | null => {
    const prepared = prepare('$regexFind', obj, spec, options);
    return prepared ? (matches(prepared.re, prepared.input, false)[0] ?? null) : null;
  },
  $regexFindAll: (obj: unknown, spec: unknown, options: MingoOptions): RegexMatch[] => {
    const prepared = prepare('$regexFindAll', obj, spec, options);
    return prepared ? matches(prepared.re, prepared.input, true) : [];
  },
};
