/**
 * `faasbench trace plot --mapping mapping.json --out <dir>`: how well the proxies stand in for the
 * trace functions, drawn as vSwarm's mapper draws it (trace vs proxy histograms of p75 duration
 * and memory) plus a memory-duration scatter, each as SVG and PNG.
 */
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { TopLevelSpec } from 'vega-lite';
import { FaasbenchError } from '../core/errors.ts';
import { readMapping } from '../trace/mapping-file.ts';

interface PlotOptions {
  mapping: string;
  out: string;
  json?: boolean;
}

export function registerTracePlot(trace: Command): void {
  trace
    .command('plot')
    .description('draw trace vs proxy histograms of p75 duration and memory and a memory-duration scatter from a mapping, as SVG and PNG')
    .requiredOption('--mapping <file>', 'mapping.json from trace map')
    .requiredOption('--out <dir>', 'folder to write the charts to (created if absent; charts already there are replaced)')
    .option('--json', 'print the written files as JSON')
    .action(async (opts: PlotOptions) => {
      // Vega and resvg take ~0.4 s to load: only this command pays for them, not every faasbench run.
      const { memoryDurationScatter, renderChart, traceVsProxyHistogram } = await import('../report/index.ts');
      const mapping = readMapping(opts.mapping);
      if (mapping.entries.length === 0) throw new FaasbenchError('InvalidParameterValue', `${opts.mapping}: field entries: is empty; there is nothing to plot`);
      const charts: ReadonlyArray<readonly [string, TopLevelSpec]> = [
        ['duration-histogram', traceVsProxyHistogram(mapping.entries, 'duration')],
        ['memory-histogram', traceVsProxyHistogram(mapping.entries, 'memory')],
        ['memory-duration-scatter', memoryDurationScatter(mapping.entries)],
      ];
      await makeFolder(opts.out);
      const files: string[] = [];
      for (const [name, spec] of charts) {
        const chart = await renderChart(spec);
        // The specs are tested to render cleanly; a warning here is a bug to hear about, not to hide.
        for (const warning of chart.warnings) console.error(`warning: ${name}: ${warning}`);
        const [svg, png] = [join(opts.out, `${name}.svg`), join(opts.out, `${name}.png`)];
        await writeFile(svg, chart.svg);
        await writeFile(png, chart.png);
        files.push(svg, png);
      }
      if (opts.json) console.log(JSON.stringify({ mapping: opts.mapping, entries: mapping.entries.length, out: opts.out, files }, null, 2));
      else for (const file of files) console.log(file);
    });
}

async function makeFolder(dir: string): Promise<void> {
  const existing = await stat(dir).catch(() => null);
  if (existing && !existing.isDirectory()) throw new FaasbenchError('InvalidParameterValue', `--out ${dir}: is a file, not a folder`);
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    throw new FaasbenchError('InvalidParameterValue', `--out ${dir}: cannot create the folder (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}
