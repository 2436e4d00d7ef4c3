/**
 * Deployed code is a snapshot: a folder is copied and a zip extracted into the platform's data
 * directory, so later edits to the source do not change a deployed function (as on Lambda).
 *
 * `stageCodeAsync` is for code handed over by a client (the Lambda and OpenFaaS APIs): it streams,
 * counts unzipped bytes as they come against Lambda's limit before writing them, and leaves the
 * event loop free (zlib inflates and fs copies on libuv's thread pool). `stageCode` is the
 * synchronous form for trusted local folders (`deployFolder`); both enforce the same rules.
 * What is staged is made readable by an unprivileged instance user: folders 0755, files 0644,
 * or 0755 when any execute bit was set (and for a top-level `bootstrap`).
 */
import { createHash, type Hash } from 'node:crypto';
import { chmodSync, cpSync, createWriteStream, lstatSync, mkdirSync, readdirSync, readlinkSync, rmSync, writeFileSync, type Stats } from 'node:fs';
import { chmod, copyFile, lstat, mkdir, readdir, readlink, rm, symlink } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import zlib from 'node:zlib';
import { FaasbenchError } from '../core/errors.ts';
import { openZip, type ZipEntry } from './zip-directory.ts';

export interface StagedCode {
  readonly dir: string;
  readonly size: number;
  readonly sha256: string;
}

/** A folder (plus files bundled from elsewhere: package path -> absolute source), or a zip. */
export type CodeSource = { readonly folder: string; readonly include?: Readonly<Record<string, string>> } | { readonly zip: Uint8Array };

/** Lambda's deployment package limit, unzipped (250 MB), and the text of its error. */
export const UNZIPPED_LIMIT_BYTES = 262_144_000;
/**
 * At most this many entries (files, folders, links) per package. It is the most a zip without
 * ZIP64 records can hold, so no ordinary archive is refused for it; and with 4 KiB blocks, that
 * many small files take 256 MiB on disk, the order of the unzipped size limit, whereas a 50 MB zip
 * of empty entries could otherwise make ~500,000 files (inodes and minutes of syscalls).
 */
export const MAX_ENTRIES = 65_535;

export interface StagingLimits {
  readonly unzippedBytes?: number;
  readonly entries?: number;
}

const SKIPPED = /(^|\/)(node_modules\/\.cache|__pycache__)$/;
/** Compressed bytes handed to zlib at a time: deflate expands at most ~1,032x, so ~4 MiB out per slice. */
const INFLATE_SLICE_BYTES = 4096;
const HASH_SLICE_BYTES = 1 << 20;

export function stageCode(source: CodeSource, dir: string, limits: StagingLimits = {}): StagedCode {
  const l = resolveLimits(limits);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o755);
  try {
    if ('zip' in source) {
      extractZipSync(source.zip, dir, l);
      return { dir, size: source.zip.length, sha256: createHash('sha256').update(source.zip).digest('base64') };
    }
    cpSync(source.folder, dir, { recursive: true, verbatimSymlinks: true, filter: (src) => !SKIPPED.test(src) });
    for (const [target, from] of Object.entries(source.include ?? {})) cpSync(from, includeTarget(dir, target), { recursive: true, verbatimSymlinks: true });
    return { dir, ...settleFolderSync(dir, l) };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

export async function stageCodeAsync(source: CodeSource, dir: string, limits: StagingLimits = {}): Promise<StagedCode> {
  const l = resolveLimits(limits);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await chmod(dir, 0o755);
  try {
    if ('zip' in source) {
      await extractZipAsync(source.zip, dir, l);
      return { dir, size: source.zip.length, sha256: await sha256Async(source.zip) };
    }
    const used = { bytes: 0, entries: 0 };
    await copyChildrenAsync(source.folder, dir, dir, used, l, true);
    for (const [target, from] of Object.entries(source.include ?? {})) await copyTreeAsync(from, includeTarget(dir, target), dir, used, l, false);
    return { dir, ...(await digestFolderAsync(dir)) };
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

// ---- rules shared by both paths ----

type Limits = Required<StagingLimits>;

function resolveLimits(limits: StagingLimits): Limits {
  return { unzippedBytes: limits.unzippedBytes ?? UNZIPPED_LIMIT_BYTES, entries: limits.entries ?? MAX_ENTRIES };
}

/** Lambda's words for its limit, with the limit in force. */
function tooLarge(limit: number): FaasbenchError {
  return new FaasbenchError('InvalidParameterValue', `Unzipped size must be smaller than ${limit} bytes`);
}

function tooMany(limit: number, what: string): FaasbenchError {
  return new FaasbenchError('InvalidParameterValue', `${what} has more than ${limit} entries`);
}

function fileMode(executable: boolean, rel: string): number {
  return executable || rel === 'bootstrap' ? 0o755 : 0o644;
}

function inside(root: string, target: string): boolean {
  return target.startsWith(root + path.sep);
}

function includeTarget(dir: string, target: string): string {
  const to = path.resolve(dir, target);
  if (!inside(dir, to)) throw new FaasbenchError('InvalidParameterValue', `include "${target}" points outside the package`);
  return to;
}

/** A link is kept only when it resolves inside the package: anything else is no snapshot. */
function checkLink(root: string, at: string, target: string): void {
  const resolved = path.resolve(path.dirname(at), target);
  if (resolved !== root && !inside(root, resolved)) {
    throw new FaasbenchError('InvalidParameterValue', `symbolic link "${path.relative(root, at)}" -> "${target}" points outside the package`);
  }
}

function otherKind(root: string, at: string): FaasbenchError {
  return new FaasbenchError('InvalidParameterValue', `"${path.relative(root, at)}" is not a file, folder or symbolic link`);
}

function digestEntry(hash: Hash, rel: string, st: Stats, link: string | null): number {
  if (link !== null) hash.update(rel).update(`->${link}`);
  else if (st.isFile()) hash.update(rel).update(String(st.size));
  return st.isFile() ? st.size : 0;
}

// ---- zip ----

interface PlannedEntry {
  readonly name: string;
  readonly target: string;
  readonly kind: 'dir' | 'file';
  readonly mode: number;
  readonly entry: ZipEntry;
}

/** Every check that needs no inflating, done before anything is written. */
function planZip(zip: Uint8Array, dir: string, l: Limits): PlannedEntry[] {
  const planned: PlannedEntry[] = [];
  let declared = 0;
  try {
    const archive = openZip(zip);
    if (archive.count > l.entries) throw tooMany(l.entries, 'Code.ZipFile');
    for (const entry of archive.entries()) {
      const name = entry.name;
      const refuse = (why: string): FaasbenchError => new FaasbenchError('InvalidParameterValue', `Code.ZipFile entry "${name}" ${why}`);
      if (name.includes('\0')) throw refuse('contains a NUL byte');
      const target = path.resolve(dir, name);
      const type = entry.unixMode === null ? 0 : entry.unixMode & 0o170000;
      const isDir = name.endsWith('/') || type === 0o040000;
      if (isDir && target === dir) continue;
      if (!inside(dir, target)) throw refuse('points outside the package');
      if (type === 0o120000) throw refuse('is a symbolic link');
      if (type !== 0 && type !== 0o100000 && type !== 0o040000) throw refuse('is not a file or folder');
      if (isDir) {
        planned.push({ name, target, kind: 'dir', mode: 0o755, entry });
        continue;
      }
      if (entry.encrypted) throw refuse('is encrypted');
      if (entry.method !== 0 && entry.method !== 8) throw refuse(`uses compression method ${entry.method} (only stored and deflated are supported)`);
      declared += entry.uncompressedSize;
      if (declared > l.unzippedBytes) throw tooLarge(l.unzippedBytes);
      planned.push({ name, target, kind: 'file', mode: fileMode(((entry.unixMode ?? 0) & 0o111) !== 0, path.relative(dir, target)), entry });
    }
  } catch (err) {
    if (err instanceof FaasbenchError) throw err;
    throw new FaasbenchError('InvalidParameterValue', `Code.ZipFile is not a valid zip archive (${(err as Error).message})`);
  }
  return planned;
}

function corrupt(name: string, why: string): FaasbenchError {
  return new FaasbenchError('InvalidParameterValue', `Code.ZipFile entry "${name}" is corrupt (${why})`);
}

function checkEntryEnd(p: PlannedEntry, bytes: number, crc: number): void {
  if (bytes !== p.entry.uncompressedSize) throw corrupt(p.name, `${bytes} bytes where the archive says ${p.entry.uncompressedSize}`);
  if (crc !== p.entry.crc32) throw corrupt(p.name, 'CRC-32 mismatch');
}

/** Conflicting entries (a file where a folder must go) surface as fs errors; they are the archive's fault. */
function unwritable(name: string, err: unknown): unknown {
  const code = (err as NodeJS.ErrnoException).code;
  if (code && ['ENOTDIR', 'EISDIR', 'EEXIST', 'ENAMETOOLONG'].includes(code)) {
    return new FaasbenchError('InvalidParameterValue', `Code.ZipFile entry "${name}" cannot be written (${code})`);
  }
  return err;
}

function extractZipSync(zip: Uint8Array, dir: string, l: Limits): void {
  let total = 0;
  for (const p of planZip(zip, dir, l)) {
    try {
      if (p.kind === 'dir') {
        mkdirSync(p.target, { recursive: true, mode: 0o755 });
        chmodSync(p.target, 0o755);
        continue;
      }
      const remaining = l.unzippedBytes - total;
      let data: Uint8Array;
      if (p.entry.method === 0) data = p.entry.data;
      else {
        try {
          // maxOutputLength keeps a lying header from inflating past the limit in memory.
          data = zlib.inflateRawSync(p.entry.data, { maxOutputLength: Math.max(1, remaining + 1) });
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge(l.unzippedBytes);
          throw corrupt(p.name, (err as Error).message);
        }
      }
      total += data.length;
      if (total > l.unzippedBytes) throw tooLarge(l.unzippedBytes);
      checkEntryEnd(p, data.length, zlib.crc32(data));
      mkdirSync(path.dirname(p.target), { recursive: true, mode: 0o755 });
      writeFileSync(p.target, data, { mode: 0o600 });
      chmodSync(p.target, p.mode);
    } catch (err) {
      throw unwritable(p.name, err);
    }
  }
}

async function extractZipAsync(zip: Uint8Array, dir: string, l: Limits): Promise<void> {
  const state = { total: 0 };
  for (const p of planZip(zip, dir, l)) {
    try {
      if (p.kind === 'dir') {
        await mkdir(p.target, { recursive: true, mode: 0o755 });
        await chmod(p.target, 0o755);
        continue;
      }
      await mkdir(path.dirname(p.target), { recursive: true, mode: 0o755 });
      const source = Readable.from(slices(p.entry.data, INFLATE_SLICE_BYTES));
      const counter = countingStream(p, l.unzippedBytes, state);
      const out = createWriteStream(p.target, { mode: 0o600 });
      if (p.entry.method === 8) await pipeline(source, zlib.createInflateRaw(), counter, out);
      else await pipeline(source, counter, out);
      await chmod(p.target, p.mode);
    } catch (err) {
      if (err instanceof FaasbenchError) throw err;
      if ((err as NodeJS.ErrnoException).code?.startsWith('Z_')) throw corrupt(p.name, (err as Error).message);
      throw unwritable(p.name, err);
    }
  }
}

function* slices(data: Uint8Array, size: number): Generator<Buffer> {
  for (let i = 0; i < data.length; i += size) yield Buffer.from(data.buffer, data.byteOffset + i, Math.min(size, data.length - i));
}

/**
 * Passes inflated bytes on, refusing the chunk that would take the package past the limit before
 * it reaches the file. A lying size in the header is only judged at the end of the entry, so a
 * bomb meets the limit (and Lambda's message) rather than a size mismatch.
 */
function countingStream(p: PlannedEntry, limit: number, state: { total: number }): Transform {
  let bytes = 0;
  let crc = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      state.total += chunk.length;
      if (state.total > limit) return done(tooLarge(limit));
      bytes += chunk.length;
      crc = zlib.crc32(chunk, crc);
      done(null, chunk);
    },
    flush(done) {
      try {
        checkEntryEnd(p, bytes, crc);
        done();
      } catch (err) {
        done(err as Error);
      }
    },
  });
}

/** Hashed a slice at a time with a turn of the event loop between: a 50 MB zip blocks nothing for long. */
async function sha256Async(data: Uint8Array): Promise<string> {
  const hash = createHash('sha256');
  for (let i = 0; i < data.length; i += HASH_SLICE_BYTES) {
    hash.update(data.subarray(i, i + HASH_SLICE_BYTES));
    await yieldToLoop();
  }
  return hash.digest('base64');
}

// ---- folders ----

/** After a trusted copy: check links and the size limit, normalise modes, and digest (names and sizes). */
function settleFolderSync(root: string, l: Limits): { size: number; sha256: string } {
  const hash = createHash('sha256');
  let size = 0;
  let entries = 0;
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const file = path.join(d, name);
      const rel = path.relative(root, file);
      const st = lstatSync(file);
      if (++entries > l.entries) throw tooMany(l.entries, 'the code folder');
      const link = st.isSymbolicLink() ? readlinkSync(file) : null;
      if (link !== null) checkLink(root, file, link);
      else if (st.isDirectory()) chmodSync(file, 0o755);
      else if (st.isFile()) chmodSync(file, fileMode((st.mode & 0o111) !== 0, rel));
      else throw otherKind(root, file);
      size += digestEntry(hash, rel, st, link);
      if (size > l.unzippedBytes) throw tooLarge(l.unzippedBytes);
      if (st.isDirectory()) walk(file);
    }
  };
  walk(root);
  return { size, sha256: hash.digest('base64') };
}

interface Usage {
  bytes: number;
  entries: number;
}

/** Copies a folder's children, checking each entry against the limits before it is copied. */
async function copyChildrenAsync(from: string, to: string, root: string, used: Usage, l: Limits, filtered: boolean): Promise<void> {
  for (const name of (await readdir(from)).sort()) {
    const child = path.join(from, name);
    if (filtered && SKIPPED.test(child)) continue;
    await copyTreeAsync(child, path.join(to, name), root, used, l, filtered);
  }
}

/** Copies a file, link or folder to `to`; copyFile runs on the thread pool (copy_file_range where it can). */
async function copyTreeAsync(from: string, to: string, root: string, used: Usage, l: Limits, filtered: boolean): Promise<void> {
  const st = await lstat(from);
  if (++used.entries > l.entries) throw tooMany(l.entries, 'the code folder');
  await mkdir(path.dirname(to), { recursive: true, mode: 0o755 });
  if (st.isSymbolicLink()) {
    const link = await readlink(from);
    checkLink(root, to, link);
    await symlink(link, to);
  } else if (st.isDirectory()) {
    await mkdir(to, { recursive: true, mode: 0o755 });
    await chmod(to, 0o755);
    await copyChildrenAsync(from, to, root, used, l, filtered);
  } else if (st.isFile()) {
    used.bytes += st.size;
    if (used.bytes > l.unzippedBytes) throw tooLarge(l.unzippedBytes);
    await copyFile(from, to);
    await chmod(to, fileMode((st.mode & 0o111) !== 0, path.relative(root, to)));
  } else {
    throw otherKind(root, to);
  }
}

async function digestFolderAsync(root: string): Promise<{ size: number; sha256: string }> {
  const hash = createHash('sha256');
  let size = 0;
  const walk = async (d: string): Promise<void> => {
    for (const name of (await readdir(d)).sort()) {
      const file = path.join(d, name);
      const st = await lstat(file);
      size += digestEntry(hash, path.relative(root, file), st, st.isSymbolicLink() ? await readlink(file) : null);
      if (st.isDirectory()) await walk(file);
    }
  };
  await walk(root);
  return { size, sha256: hash.digest('base64') };
}
