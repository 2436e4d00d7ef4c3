// The CLI as a user runs it: real processes, exit codes, --json output, Ctrl-C (SIGINT); and
// --help of every command, in-process on the program main.ts builds (a process each would take minutes).
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Command, CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { request } from 'undici';
import { COMMAND_MODULES } from '../src/cli/command-table.ts';
import { nodeFunction, REPO, scratchDir } from './support/platform.ts';

describe('faasbench platform start', () => {
  it('deploys the examples, serves them, and stops cleanly on SIGINT with exit code 0', async () => {
    const child = spawn(process.execPath, [path.join(REPO, 'bin/faasbench.mjs'), 'platform', 'start', '--port', '0', '--json', '--deploy', ...['hello', 'hello-py', 'hello-sh'].map((f) => path.join(REPO, 'functions', f)), '--data-dir', scratchDir('cli')], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const firstLine = await new Promise<string>((resolve) => createInterface({ input: child.stdout }).once('line', resolve));
    const info = JSON.parse(firstLine) as { url: string; functions: string[] };
    expect(info.functions).toEqual(['hello', 'hello-py', 'hello-sh']);
    const res = await request(`${info.url}/fn/hello/`, { method: 'POST', body: '{}' });
    expect(res.statusCode).toBe(200);
    expect(await res.body.json()).toMatchObject({ message: 'hello world' });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  });

  it('refuses a non-loopback --host without --token: exit 3, the reason on stderr, no listening address on stdout', async () => {
    const run = faasbench('platform', 'start', '--host', '0.0.0.0', '--port', '0', '--data-dir', scratchDir('cli-exposed'));
    await expect(run).rejects.toMatchObject({
      code: 3,
      stdout: '',
      stderr: 'faasbench: binding to 0.0.0.0 exposes the platform beyond this machine: give a token (--token)\n',
    });
  });
});

describe('--help', () => {
  it('the bin exits 0 with the usage', async () => {
    const { stdout } = await faasbench('--help');
    expect(stdout).toMatch(/^Usage: faasbench \[options\] \[command\]\n/);
  });

  it('every command and subcommand of the program: exits 0 with a Usage line naming it', async () => {
    const program = await cliProgram();
    let out = '';
    const capture = (cmd: Command): void => {
      cmd.configureOutput({ writeOut: (text) => (out += text), writeErr: (text) => (out += text) });
      cmd.commands.forEach(capture);
    };
    capture(program);
    const paths = [[], ...commandPaths(program)];
    // A floor, so that an enumeration which found nothing (or only the top) cannot pass.
    expect(paths).toEqual(expect.arrayContaining([['platform', 'start'], ['functions', 'list'], ['invoke'], ['trace', 'sample'], ['experiment']]));
    for (const words of paths) {
      out = '';
      const outcome = await program.parseAsync([...words, '--help'], { from: 'user' }).then(
        () => 'returned without showing help',
        (err: unknown) => err,
      );
      // main.ts sets exitOverride, so commander throws where it would exit; main.ts exits with this code.
      expect(outcome, words.join(' ')).toBeInstanceOf(CommanderError);
      expect(outcome).toMatchObject({ code: 'commander.helpDisplayed', exitCode: 0 });
      expect(out.split('\n')[0]).toMatch(new RegExp(`^Usage: faasbench${words.map((w) => ` ${w}`).join('')}( |$)`));
    }
  });
});

/**
 * The program src/cli/main.ts builds, with every command registered for real: main.ts loads only
 * the command it runs (src/cli/command-table.ts), so here each module of the table is loaded.
 */
async function cliProgram(): Promise<Command> {
  const program = new Command('faasbench').exitOverride();
  for (const m of COMMAND_MODULES) (await m.load())(program);
  return program;
}

/** The words naming every command under `cmd`, each subcommand after its parent. */
function commandPaths(cmd: Command, prefix: readonly string[] = []): string[][] {
  return cmd.commands.flatMap((sub) => {
    const words = [...prefix, sub.name()];
    return [words, ...commandPaths(sub, words)];
  });
}

const faasbench = (...args: string[]): Promise<{ stdout: string; stderr: string }> =>
  promisify(execFile)(process.execPath, [path.join(REPO, 'bin/faasbench.mjs'), ...args, ...(args[0] === 'invoke' ? ['--store', path.join(scratchDir('cli-store'), 'runs.db')] : [])]);

describe('faasbench functions list and invoke', () => {
  it('lists the example functions with their runtime, memory and inputs', async () => {
    const rows = JSON.parse((await faasbench('functions', 'list', '--json')).stdout) as Array<{ name: string; runtime: string; memoryMb: number; inputs: string[] }>;
    expect(rows.find((r) => r.name === 'hello-py')).toMatchObject({ runtime: 'python', memoryMb: 128, inputs: ['test'] });
    expect(rows.map((r) => r.name)).toEqual([...rows.map((r) => r.name)].sort((a, b) => a.localeCompare(b)));
  });

  it('invokes a function with a named input, cold then warm', async () => {
    const out = JSON.parse((await faasbench('invoke', 'hello', '--input', 'test', '--times', '2', '--json')).stdout) as {
      invocations: Array<{ start: string; status: string; instanceId: string }>;
      response: unknown;
    };
    expect(out.invocations.map((i) => [i.start, i.status])).toEqual([['cold', 'ok'], ['warm', 'ok']]);
    expect(out.invocations[0]?.instanceId).toBe(out.invocations[1]?.instanceId);
    expect(out.response).toEqual({ message: 'hello faasbench', runtime: 'nodejs', event: { name: 'faasbench' } });
  });

  it('invokes measure-node with its small input: the commands that input names, all run', async () => {
    const out = JSON.parse((await faasbench('invoke', 'measure-node', '--input', 'small', '--json')).stdout) as {
      invocations: Array<{ start: string; status: string }>;
      response: Record<string, unknown> & { io: unknown[]; cpuu: number[] };
    };
    expect(out.invocations.map((i) => [i.start, i.status])).toEqual([['cold', 'ok']]);
    // functions/measure-node/function.json: small is stat, one io round, cpu and cpuu.
    expect(Object.keys(out.response)).toEqual(['start_time', 'end_time', 'elapsed_time', 'stat', 'io', 'cpu', 'cpuu']);
    expect(out.response.io).toHaveLength(1);
    expect(out.response.cpu).toBeGreaterThan(0);
    expect(out.response.cpuu.length).toBeGreaterThan(0);
  });

  it('exits 3 naming the missing input, and 1 when the function fails', async () => {
    await expect(faasbench('invoke', 'hello', '--input', 'huge')).rejects.toMatchObject({ code: 3, stderr: expect.stringContaining('function hello has no input "huge" (it has: test)') });
    await expect(faasbench('invoke', 'hello', '--payload', '{nope')).rejects.toMatchObject({ code: 3, stderr: expect.stringContaining('--payload is not valid JSON') });
    const dir = scratchDir('cli-fail');
    const fn = nodeFunction('fails', 'throw new Error("boom");');
    await expect(faasbench('invoke', fn, '--dir', dir)).rejects.toMatchObject({ code: 1 });
  });
});
