// profile.json: percentiles by linear interpolation, the round trip, and each kind of bad file.
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { percentiles, p75, readProfile, writeProfile, PROFILE_POINTS } from './profile.ts';

const ramp = Array.from({ length: PROFILE_POINTS }, (_, p) => p);

function fileWith(content: unknown): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'faasbench-profile-')), 'profile.json');
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

describe('percentiles', () => {
  it('interpolates linearly between closest ranks (numpy default)', () => {
    const p = percentiles([40, 10, 30, 20]);
    expect(p).toHaveLength(101);
    // rank = p/100 * 3 over [10, 20, 30, 40]
    expect([p[0], p[25], p[50], p[75], p[100]]).toEqual([10, 17.5, 25, 32.5, 40]);
    expect(p[1]).toBeCloseTo(10.3, 12);
  });

  it('gives the value itself for one value, and 0..100 for 0..100', () => {
    expect(new Set(percentiles([7]))).toEqual(new Set([7]));
    expect(percentiles(ramp)).toEqual(ramp);
    expect(p75(percentiles(ramp))).toBe(75);
  });

  it('refuses no values', () => {
    expect(() => percentiles([])).toThrow('percentiles of no values');
  });
});

describe('profile.json', () => {
  it('round-trips, one series per line', () => {
    const profile = { '210.thumbnailer:small': { duration: percentiles([1.5, 2.25, 9]), memory: percentiles([80, 81]) }, '110.dynamic-html:test': { duration: ramp, memory: ramp } };
    const file = fileWith('');
    writeProfile(file, profile);
    const back = readProfile(file);
    expect(Object.keys(back)).toEqual(['210.thumbnailer:small', '110.dynamic-html:test']);
    expect(back['110.dynamic-html:test']).toEqual({ duration: ramp, memory: ramp });
    // Rounded to 4 decimals: 1.5 + 0.75 * 0.38 is 1.7850000000000001 before.
    expect(back['210.thumbnailer:small']!.duration[19]).toBe(1.785);
    expect(back['210.thumbnailer:small']!.memory.slice(0, 3)).toEqual([80, 80.01, 80.02]);
    const lines = readFileSync(file, 'utf8').split('\n');
    expect(lines.slice(0, 2)).toEqual(['{', '  "210.thumbnailer:small": {']);
    expect(lines[2]).toMatch(/^ {4}"duration": \[1\.5,1\.515,1\.53,.*,9\],$/);
    expect(lines.slice(4, 6)).toEqual(['  },', '  "110.dynamic-html:test": {']);
    expect(lines.slice(8)).toEqual(['  }', '}', '']);
  });

  it('accepts and drops other metrics of an entry (vSwarm profiles carry more)', () => {
    expect(readProfile(fileWith({ 'a:b': { duration: ramp, memory: ramp, cpu: [1] } }))).toEqual({ 'a:b': { duration: ramp, memory: ramp } });
  });

  it.each([
    [{ '210.thumbnailer:small': { duration: ramp.slice(1), memory: ramp } }, 'profile.json: "210.thumbnailer:small".duration: expected 101 numbers'],
    [{ '210.thumbnailer:small': { duration: ramp } }, 'profile.json: "210.thumbnailer:small".memory: expected 101 numbers'],
    [{ 'a:b': { duration: ramp, memory: [...ramp.slice(0, 60), 3, ...ramp.slice(61)] } }, 'profile.json: "a:b".memory[60]: expected percentiles in non-decreasing order, got p60 3 below p59 59'],
    [{ 'a:b': { duration: [-1, ...ramp.slice(1)], memory: ramp } }, 'profile.json: "a:b".duration[0]: expected a number >= 0'],
    [{ 'a:b': { duration: ['1', ...ramp.slice(1)], memory: ramp } }, 'profile.json: "a:b".duration[0]: expected a number'],
    [{ 'a:b': 5 }, 'profile.json: "a:b": expected an object with duration and memory'],
    [{ thumbnailer: { duration: ramp, memory: ramp } }, 'profile.json: "thumbnailer": expected a proxy id name:input, e.g. 210.thumbnailer:small'],
    [[], 'profile.json: (top level): expected an object of proxy id -> { duration, memory }'],
    [{}, 'profile.json: (top level): expected at least one proxy; write a profile with faasbench trace profile'],
  ])('names the field of a bad file: %j', (content, message) => {
    expect(() => readProfile(fileWith(content))).toThrow(message);
  });

  it('says when the file is missing or not JSON', () => {
    expect(() => readProfile('/nonexistent/profile.json')).toThrow('/nonexistent/profile.json: cannot read the profile (ENOENT); write one with faasbench trace profile');
    expect(() => readProfile(fileWith('{"a:b": '))).toThrow(/profile\.json: not JSON: /);
  });
});
