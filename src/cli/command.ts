/** Exit codes a script can rely on, the same for every command. */
export const EXIT = {
  /** Done, and nothing is wrong. */
  ok: 0,
  /** Done, and something is wrong (verify: a difference). */
  findings: 1,
  /** Could not run: bad arguments or configuration, or a store that cannot be reached. */
  cannotRun: 2,
} as const;

/** Where a command writes: stdout for its results, stderr for why it could not run. */
export interface CommandOutput {
  out(line: string): void;
  err(line: string): void;
}

export interface CliCommand {
  name: string;
  /** One line, for `tally --help`. */
  summary: string;
  /** The whole of `tally <name> --help`. */
  help: string;
  run(args: string[], output: CommandOutput): Promise<number>;
}

/** Bad arguments or configuration: reported with the command's help, exit 2. */
export class UsageError extends Error {}

/** A store that is not configured or does not answer: exit 2. */
export class ConnectionError extends Error {}
