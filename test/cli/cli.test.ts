import { describe, expect, inject, it } from 'vitest';
import type { CommandOutput } from '../../src/cli/command.js';
import { runCli } from '../../src/cli/run.js';
import { runTallyCli } from './tally-cli.js';

/** Runs the CLI in this process, for what needs no store. */
async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const output: CommandOutput = { out: (line) => out.push(line), err: (line) => err.push(line) };
  const code = await runCli(argv, output);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('npm run tally', () => {
  it('lists its commands with --help, exit 0; without a command it exits 2', async () => {
    const help = await run('--help');
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/^ {2}verify +fold every stream/m);

    const none = await run();
    expect(none.code).toBe(2);
    expect(none.err).toContain('Usage: npm run tally -- <command>');
  });

  it("explains a command with --help, including its exit codes and the stores' variables", async () => {
    const { code, out } = await run('verify', '--help');
    expect(code).toBe(0);
    expect(out).toContain('Usage: npm run tally -- verify [--wait SECONDS]');
    expect(out).toContain('Exit status: 0 no difference, 1 differences');
    expect(out).toContain('EVENTSTORE_URL');
  });

  it('exits 2 on an unknown command or option, naming it', async () => {
    const command = await run('frobnicate');
    expect(command).toMatchObject({ code: 2 });
    expect(command.err).toContain('Unknown command "frobnicate"');

    const option = await run('verify', '--frobnicate');
    expect(option.code).toBe(2);
    expect(option.err).toContain("Unknown option '--frobnicate'");

    const wait = await run('verify', '--wait', 'soon');
    expect(wait.code).toBe(2);
    expect(wait.err).toContain('--wait must be a number of seconds');
  });

  it("exits 2 without the stores' URLs, saying why the stand-ins' data cannot be opened instead", async () => {
    const { code, stderr } = await runTallyCli(['verify']);
    expect(code).toBe(2);
    expect(stderr).toContain('EVENTSTORE_URL and MONGODB_URL are not set.');
    expect(stderr).toContain('lock it while Tally runs');
  });

  it('exits 2 when the event store does not answer, naming it', async () => {
    const { code, stderr } = await runTallyCli(['verify'], {
      EVENTSTORE_URL: 'esdb://127.0.0.1:1?tls=false',
      MONGODB_URL: inject('mongoUrl'),
    });
    expect(code).toBe(2);
    expect(stderr).toContain('Cannot reach EventStoreDB at esdb://127.0.0.1:1?tls=false');
  });
});
