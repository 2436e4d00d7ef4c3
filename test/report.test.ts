// `faasbench report` as a user runs it: a real local-platform run in an SQLite store, the report
// written from it (index.html, each chart as SVG and PNG), the PNGs decoded and looked at, the
// page opened in Chromium; and the bad inputs (unknown run, empty run, a store that is not one).
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../src/store/index.ts';
import { RUN } from '../src/store/testing/run-meta.ts';
import { REPO, scratchDir } from './support/platform.ts';
import { countPixels, decodePng, notWhite, PNG_SIGNATURE } from './support/png.ts';

const BIN = path.join(REPO, 'bin/faasbench.mjs');
const exec = promisify(execFile);
const CHARTS = ['latency-cdf', 'latency-over-time', 'instances-over-time', 'lateness'];
/** What CI keeps after a run (.gitignored with the rest of .faasbench/). */
const ARTIFACTS = path.join(REPO, '.faasbench', 'test-artifacts');
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

async function faasbench(args: string[], cwd = REPO): Promise<{ stdout: string; stderr: string }> {
  return exec(process.execPath, [BIN, ...args], { cwd, maxBuffer: 64 * 1024 * 1024 });
}

async function fails(args: string[]): Promise<{ code: number; stderr: string }> {
  try {
    await faasbench(args);
  } catch (err) {
    const { code, stderr } = err as { code: number; stderr: string };
    return { code, stderr };
  }
  throw new Error(`faasbench ${args.join(' ')} succeeded; expected a failure`);
}

// The function's colour in every chart (FUNCTION_COLOURS[0], #4c78a8), by hue: points are translucent.
const functionBlue = (r: number, g: number, b: number): boolean => b > r + 40 && b > g + 20;

let dir: string;
let db: string;
let runId: string;
let out: string;
let written: { run: string; records: number; out: string; files: string[]; charts: Array<{ name: string; renderMs: number }> };

beforeAll(async () => {
  dir = scratchDir('report');
  db = path.join(dir, 'runs.db');
  // 60 calls 50 ms apart: the first find every instance busy starting (cold), the rest warm.
  runId = (JSON.parse((await faasbench(['invoke', 'hello', 'constant', '--rate', '20', '--duration', '3s', '--store', db, '--json'])).stdout) as { runId: string }).runId;
  out = path.join(dir, 'report');
  written = JSON.parse((await faasbench(['report', runId, '--store', db, '--out', out, '--json'])).stdout) as typeof written;
}, 60_000);

describe('faasbench report', () => {
  it('writes index.html and each chart as SVG and PNG; the PNGs are whole pictures with the data drawn', () => {
    expect(written).toMatchObject({ run: runId, records: 60, out });
    expect(written.files).toEqual([path.join(out, 'index.html'), ...CHARTS.flatMap((name) => [path.join(out, `${name}.svg`), path.join(out, `${name}.png`)])]);
    expect(written.charts.map((c) => c.name)).toEqual(CHARTS);
    console.log(`report of ${runId}: ${written.charts.map((c) => `${c.name} ${c.renderMs} ms`).join(', ')}`);

    for (const name of CHARTS) {
      const svg = readFileSync(path.join(out, `${name}.svg`), 'utf8');
      const png = readFileSync(path.join(out, `${name}.png`));
      expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
      const [, width, height] = /^<svg [^>]*width="(\d+)" height="(\d+)"/.exec(svg)!;
      const image = decodePng(png);
      expect([image.width, image.height]).toEqual([2 * Number(width), 2 * Number(height)]);
      // Axes, text and marks ink well over a fiftieth of the picture; a blank render inks none.
      expect(countPixels(image, notWhite)).toBeGreaterThan((image.width * image.height) / 50);
      expect(countPixels(image, functionBlue)).toBeGreaterThan(300);
    }
    // One point per ok call: nothing sampled away at this size.
    expect(readFileSync(path.join(out, 'latency-over-time.svg'), 'utf8').match(/aria-roledescription="point"/g)).toHaveLength(60);
    expect(readFileSync(path.join(out, 'latency-over-time.svg'), 'utf8')).toMatch(/shown: all \d+ other calls and (all \d+ cold starts|the 1 cold start)/);

    const html = readFileSync(path.join(out, 'index.html'), 'utf8');
    expect(html.match(/<svg /g)).toHaveLength(CHARTS.length);
    expect(html).toContain(`<code>${runId}</code>`);
    expect(html).toMatch(/<td class="text">hello<\/td><td>60<\/td>/);
    // Self-contained: no script, and the only URLs are SVG namespaces, never fetched.
    expect(html).not.toMatch(/<script|<img|<iframe|@import/i);
    expect(new Set(html.match(/https?:\/\/[^"'\s)]+/g))).toEqual(new Set(['http://www.w3.org/2000/svg', 'http://www.w3.org/1999/xlink']));
  });

  it('writes to ./faasbench-report-<run> by default and prints the files, one a line', async () => {
    const cwd = path.join(dir, 'cwd');
    mkdirSync(cwd);
    const { stdout, stderr } = await faasbench(['report', runId, '--store', db], cwd);
    const folder = `faasbench-report-${runId}`;
    expect(stdout).toBe(`${[path.join(folder, 'index.html'), ...CHARTS.flatMap((name) => [path.join(folder, `${name}.svg`), path.join(folder, `${name}.png`)])].join('\n')}\n`);
    expect(stderr).toBe('');
    expect(readdirSync(path.join(cwd, folder)).sort()).toEqual(['index.html', ...CHARTS.flatMap((n) => [`${n}.png`, `${n}.svg`])].sort());
  }, 30_000);

  it('opens in Chromium with no console errors, no requests, and every chart drawn', async () => {
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
    try {
      // Playwright adds flags of its own, including a fresh --user-data-dir: check ours are all there.
      const cmdline = chromiumCommandLine();
      for (const flag of CHROMIUM_FLAGS) expect(cmdline).toContain(flag);
      expect(cmdline.some((arg) => arg.startsWith('--user-data-dir='))).toBe(true);

      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const problems: string[] = [];
      const requests: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
      });
      page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
      page.on('request', (r) => requests.push(r.url()));
      const index = pathToFileURL(path.join(out, 'index.html')).href;
      await page.goto(index, { waitUntil: 'load' });

      const charts = await page.$$eval('section.chart', (sections) =>
        sections.map((s) => {
          const svg = s.querySelector('svg');
          const box = svg?.getBoundingClientRect();
          return {
            id: s.id,
            title: s.querySelector('h2')?.textContent ?? '',
            svgs: s.querySelectorAll('svg').length,
            width: box?.width ?? 0,
            // Data marks only: Vega classes them role-mark; axes, legends and titles have other roles.
            marks: s.querySelectorAll('svg g.role-mark path').length,
            symbols: s.querySelectorAll('svg g.mark-symbol.role-mark path').length,
          };
        }),
      );
      expect(charts.map((c) => c.id)).toEqual(CHARTS.map((name) => `chart-${name}`));
      for (const c of charts) {
        expect(c.svgs, c.id).toBe(1);
        expect(c.width, c.id).toBeGreaterThan(300);
        expect(c.marks, c.id).toBeGreaterThan(0);
        expect(c.title, c.id).not.toBe('');
      }
      expect(charts.find((c) => c.id === 'chart-latency-over-time')!.symbols).toBe(60);
      expect(await page.locator('table.latency td.text').allTextContents()).toEqual(['hello']);
      expect(problems).toEqual([]);
      expect(requests).toEqual([index]);

      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: path.join(ARTIFACTS, 'report.png'), fullPage: true });
      expect(decodePng(readFileSync(path.join(ARTIFACTS, 'report.png'))).height).toBeGreaterThan(2000);
    } finally {
      await browser.close();
    }
  }, 30_000);

  it('exits 3 with a clear message for an unknown run, an empty run, a missing or broken store and --out a file', async () => {
    const emptyStore = path.join(dir, 'empty.db');
    const store = await openStore(emptyStore);
    const empty = await store.createRun(RUN);
    await store.finishRun(empty, 'failed');
    await store.close();
    const garbage = path.join(dir, 'garbage.db');
    writeFileSync(garbage, randomBytes(8192));
    const missing = path.join(dir, 'missing.db');
    const file = path.join(dir, 'a-file');
    writeFileSync(file, 'not a folder');
    const emptyOut = path.join(dir, 'empty-report');

    const [unknown, noRecords, notAStore, noStore, outIsFile] = await Promise.all([
      fails(['report', 'nope', '--store', db]),
      fails(['report', empty, '--store', emptyStore, '--out', emptyOut]),
      fails(['report', runId, '--store', garbage]),
      fails(['report', runId, '--store', missing]),
      fails(['report', runId, '--store', db, '--out', file]),
    ]);
    expect(unknown).toEqual({ code: 3, stderr: 'faasbench: no run nope in the store (see faasbench runs)\n' });
    expect(noRecords).toEqual({ code: 3, stderr: `faasbench: run ${empty} (invoke noop, failed) has no invocation records: there is nothing to report\n` });
    expect(existsSync(emptyOut)).toBe(false);
    expect(notAStore).toEqual({ code: 3, stderr: `faasbench: ${garbage} is not a faasbench store (SQLite: file is not a database)\n` });
    expect(noStore).toEqual({ code: 3, stderr: `faasbench: no store at ${missing} (give --store or set FAASBENCH_STORE)\n` });
    expect(existsSync(missing)).toBe(false);
    expect(outIsFile).toEqual({ code: 3, stderr: `faasbench: --out ${file}: is a file, not a folder\n` });
    expect((await fails(['report'])).code).toBe(2);
    // Six CLI processes on a two-core machine, each loading its TypeScript afresh.
  }, 45_000);
});

/** The arguments of the browser process this test process started (Linux: /proc). */
function chromiumCommandLine(): string[] {
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      // Field 4 of stat is the parent; the command name in field 2 may hold spaces, so split after it.
      const parent = Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);
      const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (parent === process.pid && args[0]!.includes('chromium')) return args;
    } catch {
      // The process ended between listing and reading.
    }
  }
  throw new Error('no chromium process started by this test process');
}
