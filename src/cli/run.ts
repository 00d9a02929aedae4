/** Dispatches `tally <command> [options]`: the overview, each command's --help, exit codes. */
import {
  type CliCommand,
  type CommandOutput,
  ConnectionError,
  EXIT,
  UsageError,
} from './command.js';
import { parkedCommand } from './parked.js';
import { rebuildCommand } from './rebuild.js';
import { seedCommand } from './seed.js';
import { verifyCommand } from './verify.js';

const COMMANDS: readonly CliCommand[] = [verifyCommand, rebuildCommand, parkedCommand, seedCommand];

function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'Usage: npm run tally -- <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    "Run `npm run tally -- <command> --help` for a command's options.",
    'Exit status: 0 ok, 1 findings (such as differences), 2 could not run.',
  ].join('\n');
}

export async function runCli(argv: readonly string[], output: CommandOutput): Promise<number> {
  const [name, ...args] = argv;
  const wantsHelp = (list: readonly string[]) => list.includes('--help') || list.includes('-h');
  if (name === undefined || name === 'help' || wantsHelp([name])) {
    (name === undefined ? output.err : output.out)(overview());
    return name === undefined ? EXIT.cannotRun : EXIT.ok;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    output.err(`Unknown command "${name}".\n\n${overview()}`);
    return EXIT.cannotRun;
  }
  if (wantsHelp(args)) {
    output.out(command.help);
    return EXIT.ok;
  }
  try {
    return await command.run(args, output);
  } catch (error) {
    if (error instanceof UsageError) {
      output.err(`${error.message}\n\nRun \`npm run tally -- ${name} --help\` for usage.`);
    } else if (error instanceof ConnectionError) {
      output.err(error.message);
    } else {
      output.err(
        `tally ${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
    }
    return EXIT.cannotRun;
  }
}
