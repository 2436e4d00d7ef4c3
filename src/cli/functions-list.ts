/** `faasbench functions list`: the deployable function packages in a folder. */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import Table from 'cli-table3';
import type { Command } from 'commander';
import { FaasbenchError } from '../core/errors.ts';
import { loadFunctionPackage, type FunctionPackage } from '../core/function-package.ts';
import { inputNames } from '../workload/function-inputs.ts';
import { installPath } from '../core/install-path.ts';

export const FUNCTIONS_DIR = installPath('../../functions', import.meta.url);

/** Every subfolder holding a function.json, in name order; a bad manifest fails loudly. */
export function functionPackages(dir: string): FunctionPackage[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(path.join(dir, d.name, 'function.json')))
    .map((d) => loadFunctionPackage(path.join(dir, d.name)))
    .sort((a, b) => a.manifest.name.localeCompare(b.manifest.name));
}

/** A name from `functions list`, or a path to a function folder. */
export function findPackage(nameOrDir: string, dir: string): FunctionPackage {
  if (existsSync(path.join(nameOrDir, 'function.json'))) return loadFunctionPackage(nameOrDir);
  const byFolder = path.join(dir, nameOrDir);
  if (existsSync(path.join(byFolder, 'function.json'))) return loadFunctionPackage(byFolder);
  const match = functionPackages(dir).find((p) => p.manifest.name === nameOrDir);
  if (match) return match;
  throw new FaasbenchError('ResourceNotFound', `no function "${nameOrDir}" in ${dir} (see faasbench functions list)`);
}

export function registerFunctionsList(program: Command): void {
  program
    .command('functions')
    .description('the workload functions')
    .command('list')
    .description('list function packages: name, runtime, memory, timeout, inputs')
    .option('--dir <dir>', 'folder of function folders', FUNCTIONS_DIR)
    .option('--json', 'print as JSON')
    .action((opts: { dir: string; json?: boolean }) => {
      const rows = functionPackages(opts.dir).map(({ dir, manifest: m }) => ({
        name: m.name,
        runtime: m.runtime,
        memoryMb: m.memoryMb,
        timeoutS: m.timeoutS,
        inputs: inputNames({ dir, manifest: m }),
        generated: m.inputGenerator !== undefined,
        description: m.description,
        dir,
      }));
      if (opts.json) {
        console.log(JSON.stringify(rows, null, 2));
        return;
      }
      const table = new Table({ head: ['name', 'runtime', 'memory MB', 'timeout s', 'inputs', 'description'], style: { head: [], border: [] }, wordWrap: true, colWidths: [22, 10, 11, 11, 22, 50] });
      for (const r of rows) table.push([r.name, r.runtime, r.memoryMb, r.timeoutS, r.inputs.join(', ') + (r.generated ? ' (generated)' : ''), r.description]);
      console.log(table.toString());
    });
}
