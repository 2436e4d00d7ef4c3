// `faasbench trace plot` as a user runs it: a mapping.json on disk, six chart files out, and the
// exit code and message a broken mapping gets.
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { traceVsProxyBins } from '../src/report/trace-charts.ts';
import type { Mapping, MappingEntry } from '../src/trace/mapping.ts';
import { REPO, scratchDir } from './support/platform.ts';
import { countPixels, decodePng, notWhite, PNG_SIGNATURE } from './support/png.ts';

const BIN = path.join(REPO, 'bin/faasbench.mjs');
const run = promisify(execFile);

// [trace p75 ms, trace p75 MB, proxy, proxy p75 ms, proxy p75 MB]: a spread like a sampled Azure
// trace's, with the zero durations and the synthetic fallback the real ones have.
const ROWS: ReadonlyArray<readonly [number, number, string, number, number]> = [
  [0, 120, '110.dynamic-html:test', 2.1, 98],
  [0, 160, '110.dynamic-html:test', 2.1, 98],
  [1.4, 110, '110.dynamic-html:test', 2.1, 98],
  [3, 140, '110.dynamic-html:small', 4.8, 101],
  [8, 180, '110.dynamic-html:small', 4.8, 101],
  [15, 230, '120.uploader:small', 22, 180],
  [40, 150, '120.uploader:small', 22, 180],
  [75, 300, '210.thumbnailer:small', 95, 260],
  [120, 260, '210.thumbnailer:small', 95, 260],
  [180, 420, '210.thumbnailer:large', 310, 410],
  [350, 520, '210.thumbnailer:large', 310, 410],
  [600, 640, '311.compression:small', 700, 600],
  [900, 180, '311.compression:small', 700, 600],
  [1500, 800, '501.graph-pagerank:small', 1300, 900],
  [2500, 1100, '501.graph-pagerank:large', 2900, 1250],
  [4000, 1500, '502.graph-mst:large', 3800, 1400],
  [9000, 900, 'synthetic', 9000, 900],
  [30000, 2200, 'synthetic', 30000, 2200],
  [60, 0, '503.graph-bfs:test', 55, 130],
  [5, 95, '110.dynamic-html:small', 4.8, 101],
];

const MAPPING: Mapping = {
  version: 1,
  method: 'nearest',
  maxError: null,
  entries: ROWS.map(([d, m, proxy, pd, pm], i): MappingEntry => ({
    key: { owner: 'owner', app: `app${i % 7}`, fn: `fn${i}` },
    trigger: i % 3 === 0 ? 'timer' : 'http',
    traceDurationP75Ms: d,
    traceMemoryP75Mb: m,
    proxy,
    proxyDurationP75Ms: pd,
    proxyMemoryP75Mb: pm,
    durationError: d === 0 ? null : Math.abs(pd - d) / d,
    memoryError: m === 0 ? null : Math.abs(pm - m) / m,
    distance: Math.hypot(Math.log(Math.max(pd, 1) / Math.max(d, 1)), Math.log(Math.max(pm, 1) / Math.max(m, 1))),
  })),
};

const CHARTS = ['duration-histogram', 'memory-histogram', 'memory-duration-scatter'];

function writeMappingFile(dir: string, content: string): string {
  const file = path.join(dir, 'mapping.json');
  writeFileSync(file, content);
  return file;
}

async function fails(args: string[]): Promise<{ code: number; stderr: string }> {
  try {
    await run(process.execPath, [BIN, ...args]);
  } catch (err) {
    const { code, stderr } = err as { code: number; stderr: string };
    return { code, stderr };
  }
  throw new Error(`faasbench ${args.join(' ')} succeeded; expected a failure`);
}

// By hue, not exact value: the scatter's points are translucent. Trace is #4c78a8, proxy #f58518.
const traceBlue = (r: number, g: number, b: number): boolean => b > r + 40 && b > g + 20;
const proxyOrange = (r: number, g: number, b: number): boolean => r > g + 60 && g > b + 60;

describe('faasbench trace plot', () => {
  it('writes the two histograms and the scatter as SVG and PNG, with both series drawn', async () => {
    const dir = scratchDir('trace-plot');
    const mapping = writeMappingFile(dir, JSON.stringify(MAPPING, null, 2));
    const out = path.join(dir, 'charts', 'nested');
    const result = JSON.parse((await run(process.execPath, [BIN, 'trace', 'plot', '--mapping', mapping, '--out', out, '--json'])).stdout) as { entries: number; files: string[] };
    expect(result.entries).toBe(20);
    expect(result.files).toEqual(CHARTS.flatMap((name) => [path.join(out, `${name}.svg`), path.join(out, `${name}.png`)]));

    for (const name of CHARTS) {
      const svg = readFileSync(path.join(out, `${name}.svg`), 'utf8');
      const png = readFileSync(path.join(out, `${name}.png`));
      expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
      const [, width, height] = /^<svg [^>]*width="(\d+)" height="(\d+)"/.exec(svg)!;
      const image = decodePng(png);
      expect([image.width, image.height]).toEqual([2 * Number(width), 2 * Number(height)]);
      // Axes, text and marks ink over a twenty-fifth of the picture (6% for the sparsest); a blank render inks none.
      expect(countPixels(image, notWhite)).toBeGreaterThan((image.width * image.height) / 25);
      expect(countPixels(image, traceBlue)).toBeGreaterThan(500);
      expect(countPixels(image, proxyOrange)).toBeGreaterThan(500);
    }

    const bins = (metric: 'duration' | 'memory') => traceVsProxyBins(MAPPING.entries, metric).rows.length;
    expect(readFileSync(path.join(out, 'duration-histogram.svg'), 'utf8').match(/aria-roledescription="bar"/g)).toHaveLength(bins('duration'));
    expect(readFileSync(path.join(out, 'memory-histogram.svg'), 'utf8').match(/aria-roledescription="bar"/g)).toHaveLength(bins('memory'));
    const scatter = readFileSync(path.join(out, 'memory-duration-scatter.svg'), 'utf8');
    expect(scatter.match(/aria-roledescription="point"/g)).toHaveLength(40);
    expect(scatter).toContain('2 duration values of 0 ms drawn at 0.1 ms');
    expect(readFileSync(path.join(out, 'duration-histogram.svg'), 'utf8')).toContain('2 trace and 0 proxy value(s) of 0 ms counted in the lowest bin');

    // Without --json: the written paths, one a line; the charts are the same bytes again.
    const svgBefore = readFileSync(path.join(out, 'memory-duration-scatter.svg'), 'utf8');
    const plain = await run(process.execPath, [BIN, 'trace', 'plot', '--mapping', mapping, '--out', out]);
    expect(plain.stdout).toBe(`${result.files.join('\n')}\n`);
    expect(plain.stderr).toBe('');
    expect(readFileSync(path.join(out, 'memory-duration-scatter.svg'), 'utf8')).toBe(svgBefore);
  }, 60_000);

  it('exits 3 naming the file, and the field, of a missing, broken or empty mapping', async () => {
    const dir = scratchDir('trace-plot-bad');
    const out = path.join(dir, 'charts');
    const missing = path.join(dir, 'absent.json');
    expect(await fails(['trace', 'plot', '--mapping', missing, '--out', out])).toEqual({ code: 3, stderr: `faasbench: ${missing}: cannot read the mapping (ENOENT); write one with faasbench trace map\n` });

    const bad = structuredClone(MAPPING) as unknown as { entries: Array<Record<string, unknown>> };
    bad.entries[4]!.traceMemoryP75Mb = 'lots';
    const broken = writeMappingFile(dir, JSON.stringify(bad));
    expect(await fails(['trace', 'plot', '--mapping', broken, '--out', out])).toEqual({ code: 3, stderr: `faasbench: ${broken}: field entries[4].traceMemoryP75Mb: Invalid input: expected number, received string\n` });

    const empty = writeMappingFile(dir, JSON.stringify({ ...MAPPING, entries: [] }));
    expect(await fails(['trace', 'plot', '--mapping', empty, '--out', out])).toEqual({ code: 3, stderr: `faasbench: ${empty}: field entries: is empty; there is nothing to plot\n` });

    const good = writeMappingFile(dir, JSON.stringify(MAPPING));
    expect(await fails(['trace', 'plot', '--mapping', good, '--out', good])).toEqual({ code: 3, stderr: `faasbench: --out ${good}: is a file, not a folder\n` });
    expect((await fails(['trace', 'plot', '--out', out])).code).toBe(2);
  }, 60_000);
});
