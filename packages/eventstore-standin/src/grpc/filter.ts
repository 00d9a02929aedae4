import type { LogEvent } from '../log/record.js';
import type { ReadOptions } from '../protocol.js';
import { invalidArgument, type RpcError } from './errors.js';

/** EventStoreDB's default search window (ReadBatchSize); the checkpoint interval is a multiple. */
const DEFAULT_MAX_SEARCH_WINDOW = 32;

export interface EventFilter {
  matches(event: LogEvent): boolean;
  /** Events considered (matched or not) between two checkpoint messages. */
  checkpointInterval: number;
}

/** The server-side filter of a $all read or subscription; undefined when there is none. */
export function parseFilter(options: ReadOptions): EventFilter | undefined | RpcError {
  if (!options.hasFilter()) return undefined;
  const filter = options.getFilter()!;
  const onStream = filter.hasStreamIdentifier();
  const expression = onStream ? filter.getStreamIdentifier() : filter.getEventType();
  if (!expression) return invalidArgument('A filter needs a stream name or event type expression.');
  const prefixes = expression.getPrefixList();
  const regexSource = expression.getRegex();
  let test: (value: string) => boolean;
  if (prefixes.length > 0) {
    test = (value) => prefixes.some((prefix) => value.startsWith(prefix));
  } else if (regexSource.length > 0) {
    let regex: RegExp;
    try {
      regex = new RegExp(regexSource);
    } catch {
      return invalidArgument(`Invalid filter regex: ${regexSource}`);
    }
    test = (value) => regex.test(value);
  } else {
    return invalidArgument('A filter needs a regex or at least one prefix.');
  }
  const window =
    filter.hasMax() && filter.getMax() > 0 ? filter.getMax() : DEFAULT_MAX_SEARCH_WINDOW;
  const multiplier = Math.max(1, filter.getCheckpointintervalmultiplier());
  return {
    matches: onStream ? (event) => test(event.streamName) : (event) => test(event.type),
    checkpointInterval: window * multiplier,
  };
}
