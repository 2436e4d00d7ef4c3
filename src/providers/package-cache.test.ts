import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { scratchDir } from '../../test/support/platform.ts';
import { announceUpload, listenForUploads, PackageCache, packageCachePath, packageHash, type UploadNotice } from './package-cache.ts';

describe('package cache', () => {
  it('lives under XDG_CACHE_HOME, else ~/.cache', () => {
    expect(packageCachePath({ XDG_CACHE_HOME: '/c' })).toBe('/c/faasbench/packages.json');
    expect(packageCachePath({ HOME: '/h' })).toBe('/h/.cache/faasbench/packages.json');
  });

  it('hashes as Lambda reports CodeSha256: SHA-256, base64', () => {
    expect(packageHash(Buffer.from('abc'))).toBe('ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=');
  });

  it('remembers the last hash per target, and reads a malformed file as empty', () => {
    const file = path.join(scratchDir('pkg-cache'), 'packages.json');
    const cache = new PackageCache(file);
    expect(cache.lastUploaded('t1')).toBeUndefined();
    cache.remember('t1', 'h1');
    cache.remember('t2', 'h2');
    cache.remember('t1', 'h3');
    expect([cache.lastUploaded('t1'), cache.lastUploaded('t2')]).toEqual(['h3', 'h2']);
    // The most recent last.
    expect(Object.keys(JSON.parse(readFileSync(file, 'utf8')) as object)).toEqual(['t2', 't1']);
    writeFileSync(file, '[not json');
    expect(cache.lastUploaded('t1')).toBeUndefined();
  });

  it('keeps the 1,000 most recent targets', () => {
    const file = path.join(scratchDir('pkg-cache'), 'packages.json');
    writeFileSync(file, JSON.stringify(Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`t${i}`, `h${i}`]))));
    const cache = new PackageCache(file);
    cache.remember('new', 'hn');
    const kept = Object.keys(JSON.parse(readFileSync(file, 'utf8')) as object);
    expect([kept.length, kept[0], kept.at(-1), cache.lastUploaded('t0')]).toEqual([1000, 't1', 'new', undefined]);
  });

  it('hands each decision to the listeners while they listen', () => {
    const heard: UploadNotice[] = [];
    const stop = listenForUploads((n) => heard.push(n));
    const notice = { provider: 'aws-lambda', fn: 'f', uploaded: false, reason: 'unchanged' };
    announceUpload(notice);
    stop();
    expect(heard).toEqual([notice]);
  });
});
