import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { COMMAND_MODULES, commandOperand, moduleOf, registerCommands } from './command-table.ts';

describe('command table', () => {
  it('finds the command the arguments name, after help too, and none for the program options', () => {
    expect(commandOperand(['invoke', 'hello', '--times', '1'])).toBe('invoke');
    expect(commandOperand(['--help', 'runs'])).toBe('runs');
    expect(commandOperand(['help', 'experiment', 'run'])).toBe('experiment');
    expect(commandOperand(['help'])).toBeUndefined();
    expect(commandOperand(['-V'])).toBeUndefined();
    expect(commandOperand([])).toBeUndefined();
    expect(moduleOf('export')).toBe(moduleOf('runs'));
    expect(moduleOf('invok')).toBeUndefined();
  });

  // The listing is written by hand so that `--help` loads no command: a module whose command
  // changes its arguments or description fails here until its entry in command-table.ts says the same.
  it('lists every command exactly as its module registers it, in the same order', async () => {
    const real = new Command('faasbench');
    for (const m of COMMAND_MODULES) (await m.load())(real);
    const listed = new Command('faasbench');
    await registerCommands(listed, ['--help']);
    expect(listed.helpInformation()).toBe(real.helpInformation());
  }, 120_000);

  it('registers the named command for real and lists the others', async () => {
    const program = new Command('faasbench');
    await registerCommands(program, ['runs', '--help']);
    const runs = program.commands.find((c) => c.name() === 'runs');
    expect(runs?.options.map((o) => o.long)).toContain('--store');
    expect(program.commands.find((c) => c.name() === 'invoke')?.options).toEqual([]);
  });
});
