import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { strToU8, zipSync, type Zippable } from 'fflate';
import { stageCode, stageCodeAsync, UNZIPPED_LIMIT_BYTES, type CodeSource, type StagedCode, type StagingLimits } from './code-staging.ts';

const scratch = (): string => mkdtempSync(path.join(os.tmpdir(), 'fbstage-'));
const MiB = 1 << 20;
const mode = (file: string): number => statSync(file).mode & 0o777;

// ---- zips built by hand, so a test can say any size and mode it likes ----

interface RawEntry {
  readonly name: string;
  readonly method: 0 | 8;
  readonly data: Uint8Array;
  readonly crc: number;
  /** What the headers declare; a bomb may lie. */
  readonly size: number;
  readonly unixMode?: number;
}

function zipOf(entries: readonly RawEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6);
    local.writeUInt16LE(e.method, 8);
    local.writeUInt16LE(0x21, 12);
    local.writeUInt32LE(e.crc >>> 0, 14);
    local.writeUInt32LE(e.data.length, 18);
    local.writeUInt32LE(e.size, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(e.unixMode === undefined ? 20 : (3 << 8) | 20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(e.method, 10);
    central.writeUInt16LE(0x21, 14);
    central.writeUInt32LE(e.crc >>> 0, 16);
    central.writeUInt32LE(e.data.length, 20);
    central.writeUInt32LE(e.size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(((e.unixMode ?? 0) << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, Buffer.from(e.data));
    centrals.push(central, name);
    offset += 30 + name.length + e.data.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

/**
 * `mib` MiB of zeros as one deflated entry, made in milliseconds: a full flush makes each MiB's
 * deflate segment independent, so one segment (~1 KB) repeated is a valid stream. 1 GiB is ~1 MB.
 */
function zeros(name: string, mib: number, declaredSize = mib * MiB): RawEntry {
  const block = Buffer.alloc(MiB);
  const segment = zlib.deflateRawSync(block, { level: 9, finishFlush: zlib.constants.Z_FULL_FLUSH });
  let crc = 0;
  for (let i = 0; i < mib; i++) crc = zlib.crc32(block, crc);
  const empty_final_block = Buffer.from([0x03, 0x00]);
  return { name, method: 8, data: Buffer.concat([...Array<Buffer>(mib).fill(segment), empty_final_block]), crc, size: declaredSize };
}

function stored(name: string, text: string, unixMode?: number): RawEntry {
  const data = Buffer.from(text);
  return { name, method: 0, data, crc: zlib.crc32(data), size: data.length, ...(unixMode === undefined ? {} : { unixMode }) };
}

/** The largest RSS seen while `work` runs, over the RSS before it, and how often a 5 ms timer fired meanwhile. */
async function watched<T>(work: () => Promise<T>): Promise<{ result: PromiseSettledResult<T>; rssGrowth: number; ticks: number }> {
  const before = process.memoryUsage.rss();
  let peak = before;
  let ticks = 0;
  const timer = setInterval(() => {
    ticks++;
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 5);
  const [result] = await Promise.allSettled([work()]);
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage.rss());
  return { result: result as PromiseSettledResult<T>, rssGrowth: peak - before, ticks };
}

type Stager = (source: CodeSource, dir: string, limits?: StagingLimits) => Promise<StagedCode>;
const stagers: [string, Stager][] = [
  ['stageCode', async (source, dir, limits) => stageCode(source, dir, limits)],
  ['stageCodeAsync', stageCodeAsync],
];

describe('stageCode', () => {
  it('extracts a zip, making bootstrap executable', () => {
    const dir = path.join(scratch(), 'code');
    const staged = stageCode({ zip: zipSync({ bootstrap: strToU8('#!/bin/sh\n'), 'lib/a.txt': strToU8('A') }) }, dir);
    expect(readFileSync(path.join(dir, 'lib/a.txt'), 'utf8')).toBe('A');
    expect(statSync(path.join(dir, 'bootstrap')).mode & 0o111).toBe(0o111);
    expect(staged.sha256).toMatch(/^[A-Za-z0-9+/]{43}=$/);
  });

  it('refuses entries that climb out of the package', () => {
    const root = scratch();
    expect(() => stageCode({ zip: zipSync({ '../escape.txt': strToU8('x') }) }, path.join(root, 'code'))).toThrow('Code.ZipFile entry "../escape.txt" points outside the package');
    expect(existsSync(path.join(root, 'escape.txt'))).toBe(false);
  });

  it('copies a folder as a snapshot', () => {
    const src = scratch();
    const dest = path.join(scratch(), 'code');
    stageCode({ zip: zipSync({ 'x.js': strToU8('1') }) }, src);
    const staged = stageCode({ folder: src }, dest);
    expect(readFileSync(path.join(dest, 'x.js'), 'utf8')).toBe('1');
    expect(staged.size).toBe(1);
  });

  it('bundles included files from outside the folder, and refuses targets outside the package', () => {
    const src = scratch();
    const shared = path.join(scratch(), 'storage.mjs');
    stageCode({ zip: zipSync({ 'x.js': strToU8('1'), 'lib/.keep': strToU8('') }) }, src);
    writeFileSync(shared, 'export const s = 1;');
    const dest = path.join(scratch(), 'code');
    stageCode({ folder: src, include: { 'lib/storage.mjs': shared } }, dest);
    expect(readFileSync(path.join(dest, 'lib/storage.mjs'), 'utf8')).toBe('export const s = 1;');
    expect(() => stageCode({ folder: src, include: { '../out.mjs': shared } }, path.join(scratch(), 'code'))).toThrow('include "../out.mjs" points outside the package');
  });
});

describe.each(stagers)('%s, zips', (_name, stage) => {
  it('normalises modes: folders 0755, files 0644, executables and bootstrap 0755', async () => {
    const dir = path.join(scratch(), 'code');
    const files: Zippable = {
      'run.sh': [strToU8('#!/bin/sh\n'), { os: 3, attrs: (0o100700 << 16) >>> 0 }],
      'secret.txt': [strToU8('s'), { os: 3, attrs: (0o100600 << 16) >>> 0 }],
      'private/': [new Uint8Array(0), { os: 3, attrs: (0o40700 << 16) >>> 0 }],
      'private/a.txt': strToU8('a'),
      bootstrap: strToU8('#!/bin/sh\n'),
    };
    await stage({ zip: zipSync(files) }, dir);
    expect([mode(dir), mode(path.join(dir, 'run.sh')), mode(path.join(dir, 'secret.txt')), mode(path.join(dir, 'private')), mode(path.join(dir, 'private/a.txt')), mode(path.join(dir, 'bootstrap'))]).toEqual([
      0o755, 0o755, 0o644, 0o755, 0o644, 0o755,
    ]);
  });

  it('refuses an entry climbing out, and a symbolic link entry, removing the folder', async () => {
    const root = scratch();
    const dir = path.join(root, 'code');
    await expect(stage({ zip: zipOf([stored('ok.txt', 'x'), stored('../x', 'x')]) }, dir)).rejects.toThrow('Code.ZipFile entry "../x" points outside the package');
    expect([existsSync(path.join(root, 'x')), existsSync(dir)]).toEqual([false, false]);
    await expect(stage({ zip: zipOf([stored('ok.txt', 'x'), stored('link', '/etc/passwd', 0o120777)]) }, dir)).rejects.toThrow('Code.ZipFile entry "link" is a symbolic link');
    expect(existsSync(dir)).toBe(false);
  });

  it('refuses an archive declaring more than the limit before writing anything', async () => {
    const dir = path.join(scratch(), 'code');
    await expect(stage({ zip: zipOf([zeros('big', 300)]) }, dir)).rejects.toThrow(`Unzipped size must be smaller than ${UNZIPPED_LIMIT_BYTES} bytes`);
    expect(existsSync(dir)).toBe(false);
  });

  it('counts real bytes: a header lying about a 1 GiB entry meets a lowered limit, not the disk', async () => {
    const dir = path.join(scratch(), 'code');
    await expect(stage({ zip: zipOf([stored('a.txt', 'x'), zeros('bomb', 1024, 10)]) }, dir, { unzippedBytes: 4 * MiB })).rejects.toThrow(
      `Unzipped size must be smaller than ${4 * MiB} bytes`,
    );
    expect(existsSync(dir)).toBe(false);
  });

  it('accepts exactly the limit and refuses one byte more', async () => {
    const dir = path.join(scratch(), 'code');
    await stage({ zip: zipOf([stored('a', '12345'), stored('b', '67890')]) }, dir, { unzippedBytes: 10 });
    expect(readFileSync(path.join(dir, 'b'), 'utf8')).toBe('67890');
    await expect(stage({ zip: zipOf([stored('a', '12345'), stored('b', '678901')]) }, dir, { unzippedBytes: 10 })).rejects.toThrow('Unzipped size must be smaller than 10 bytes');
  });

  it('caps the number of entries', async () => {
    const zip = zipOf(['a', 'b', 'c', 'd'].map((n) => stored(n, n)));
    await expect(stage({ zip }, path.join(scratch(), 'code'), { entries: 3 })).rejects.toThrow('Code.ZipFile has more than 3 entries');
  });

  it('refuses a corrupt entry and a non-zip', async () => {
    const bad = { ...stored('a.txt', 'hello'), crc: 1 };
    await expect(stage({ zip: zipOf([bad]) }, path.join(scratch(), 'code'))).rejects.toThrow('Code.ZipFile entry "a.txt" is corrupt (CRC-32 mismatch)');
    await expect(stage({ zip: strToU8('not a zip at all, no, not at all') }, path.join(scratch(), 'code'))).rejects.toThrow(
      'Code.ZipFile is not a valid zip archive (end of central directory not found)',
    );
  });
});

describe('stageCodeAsync, bounded', () => {
  it('refuses a 1 MB zip holding 1 GiB whose header lies, at the real limit, with RSS growth under 50 MB', async () => {
    const dir = path.join(scratch(), 'code');
    const zip = zipOf([zeros('bomb', 1024, 1000)]);
    expect(zip.length).toBeLessThan(1.1 * MiB);
    const { result, rssGrowth } = await watched(() => stageCodeAsync({ zip }, dir));
    expect(result.status === 'rejected' && (result.reason as Error).message).toBe(`Unzipped size must be smaller than ${UNZIPPED_LIMIT_BYTES} bytes`);
    expect(existsSync(dir)).toBe(false);
    expect(rssGrowth).toBeLessThan(50 * MiB);
  }, 60_000);

  it('keeps the event loop serving while it extracts a large legal zip', async () => {
    const dir = path.join(scratch(), 'code');
    const { result, ticks, rssGrowth } = await watched(() => stageCodeAsync({ zip: zipOf([zeros('data.bin', 128), stored('index.mjs', 'export const handler = () => 1;')]) }, dir));
    expect(result.status).toBe('fulfilled');
    expect(statSync(path.join(dir, 'data.bin')).size).toBe(128 * MiB);
    expect(ticks).toBeGreaterThanOrEqual(3);
    expect(rssGrowth).toBeLessThan(50 * MiB);
  }, 60_000);
});

describe.each(stagers)('%s, folders', (_name, stage) => {
  it('normalises modes, keeps links inside the package and refuses links leaving it', async () => {
    const src = scratch();
    mkdirSync(path.join(src, 'bin'), { mode: 0o700 });
    writeFileSync(path.join(src, 'bin/tool.js'), '1', { mode: 0o700 });
    writeFileSync(path.join(src, 'data.txt'), 'd', { mode: 0o600 });
    symlinkSync('../bin/tool.js', path.join(src, 'bin/tool'));
    const dir = path.join(scratch(), 'code');
    const staged = await stage({ folder: src }, dir);
    expect([mode(path.join(dir, 'bin')), mode(path.join(dir, 'bin/tool.js')), mode(path.join(dir, 'data.txt'))]).toEqual([0o755, 0o755, 0o644]);
    expect(readlinkSync(path.join(dir, 'bin/tool'))).toBe('../bin/tool.js');
    expect(staged.size).toBe(2);
    symlinkSync('/etc', path.join(src, 'etc'));
    await expect(stage({ folder: src }, dir)).rejects.toThrow('symbolic link "etc" -> "/etc" points outside the package');
    expect(existsSync(dir)).toBe(false);
  });

  it('holds a folder to the unzipped limit and the entry cap', async () => {
    const src = scratch();
    for (const n of ['a', 'b', 'c']) writeFileSync(path.join(src, n), '1234');
    const dir = path.join(scratch(), 'code');
    await expect(stage({ folder: src }, dir, { unzippedBytes: 11 })).rejects.toThrow('Unzipped size must be smaller than 11 bytes');
    expect(existsSync(dir)).toBe(false);
    await expect(stage({ folder: src }, dir, { entries: 2 })).rejects.toThrow('the code folder has more than 2 entries');
    await stage({ folder: src }, dir, { unzippedBytes: 12, entries: 3 });
    expect(lstatSync(path.join(dir, 'c')).size).toBe(4);
  });
});

describe('stageCodeAsync, folders', () => {
  it('digests a folder as stageCode does', async () => {
    const src = scratch();
    mkdirSync(path.join(src, 'lib'));
    writeFileSync(path.join(src, 'lib/a.js'), 'a');
    writeFileSync(path.join(src, 'index.js'), 'index');
    const shared = path.join(scratch(), 'shared.mjs');
    writeFileSync(shared, 's');
    const source = { folder: src, include: { 'lib/shared.mjs': shared } };
    const sync = stageCode(source, path.join(scratch(), 'code'));
    const async_ = await stageCodeAsync(source, path.join(scratch(), 'code'));
    expect([async_.size, async_.sha256]).toEqual([sync.size, sync.sha256]);
    expect(readFileSync(path.join(async_.dir, 'lib/shared.mjs'), 'utf8')).toBe('s');
  });

  it('keeps the event loop serving while it copies a 126 MB folder', async () => {
    const src = scratch();
    const chunk = Buffer.alloc(2 * MiB, 7);
    for (let i = 0; i < 63; i++) writeFileSync(path.join(src, `part-${i}.bin`), chunk);
    const dir = path.join(scratch(), 'code');
    const { result, ticks } = await watched(() => stageCodeAsync({ folder: src }, dir));
    expect(result.status === 'fulfilled' && result.value.size).toBe(126 * MiB);
    expect(ticks).toBeGreaterThanOrEqual(3);
  }, 60_000);
});
