/**
 * `npm run tally -- <command>`: the operator's tools, one entry point. Each command is a file
 * here; each answers --help; exit codes are those of command.ts.
 */
import type { CommandOutput } from './command.js';
import { runCli } from './run.js';

const output: CommandOutput = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};
process.exitCode = await runCli(process.argv.slice(2), output);
