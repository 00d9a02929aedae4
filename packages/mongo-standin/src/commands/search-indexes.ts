import { MongoCommandError } from '../data/errors.js';
import type { CommandHandler } from './context.js';

/**
 * Atlas Search is not part of a self-hosted mongod 7.0, and neither is it of the stand-in. The
 * answers are mongod's own without a search index management host
 * (commands/search_index_commands.cpp) and without mongot
 * (jstests/aggregation/sources/search_stage_error.js): the driver's search index helpers fail
 * exactly as they do against a non-Atlas server.
 */
export const searchIndexCommand: CommandHandler = () => {
  throw new MongoCommandError(
    115,
    'Search index commands are only supported with Atlas.',
    'CommandNotSupported',
  );
};

/** Pipeline stages that need Atlas Search: code 6047401 at parse time, before anything runs. */
export const ATLAS_SEARCH_STAGES = new Set([
  '$search',
  '$searchMeta',
  '$vectorSearch',
  '$listSearchIndexes',
]);

export function atlasOnlyStage(stageName: string): MongoCommandError {
  return new MongoCommandError(
    6047401,
    `${stageName} stage is only allowed on MongoDB Atlas`,
    'Location6047401',
  );
}
