import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerCommands } from './command-table.ts';
import { traceRegistrar, traceSubcommandOperand } from './trace.ts';

const traceOf = (program: Command): Command => program.commands.find((c) => c.name() === 'trace')!;

describe('trace subcommands', () => {
  it('finds the subcommand the arguments name, after help too, and none otherwise', () => {
    expect(traceSubcommandOperand(['trace', 'plan', 'dir', '--out', 'x'])).toBe('plan');
    expect(traceSubcommandOperand(['trace', '--help'])).toBeUndefined();
    expect(traceSubcommandOperand(['trace', 'help', 'replay'])).toBe('replay');
    expect(traceSubcommandOperand(['help', 'trace', 'map'])).toBe('map');
    expect(traceSubcommandOperand(['runs', 'plan'])).toBeUndefined();
  });

  // The listing is written by hand so that `trace plan` loads no other subcommand: a module whose
  // subcommand changes its arguments or description fails here until trace.ts says the same.
  it('lists every subcommand exactly as its module registers it, in the same order', async () => {
    const real = new Command('faasbench');
    (await traceRegistrar())(real);
    const listed = new Command('faasbench');
    await registerCommands(listed, ['trace', '--help']);
    expect(traceOf(listed).helpInformation()).toBe(traceOf(real).helpInformation());
  }, 120_000);

  it('registers the named subcommand for real and lists the others', async () => {
    const program = new Command('faasbench');
    await registerCommands(program, ['trace', 'plan', 'dir', '--out', 'x']);
    const trace = traceOf(program);
    expect(trace.commands.find((c) => c.name() === 'plan')?.options.map((o) => o.long)).toContain('--mapping');
    expect(trace.commands.find((c) => c.name() === 'replay')?.options).toEqual([]);
    expect(trace.commands.map((c) => c.name())).toEqual(['sample', 'profile', 'map', 'plan', 'replay', 'export', 'import', 'plot']);
  });
});
