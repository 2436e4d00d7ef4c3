import { describe, expect, it } from 'vitest';
import { runPath } from './run-paths.ts';

describe('runPath', () => {
  it('keeps an absolute path, and takes a relative one from the folder the run was started in', () => {
    expect(runPath({ host: { cwd: '/work/study' } }, '/data/mapping.json')).toBe('/data/mapping.json');
    expect(runPath({ host: { cwd: '/work/study' } }, 'out/mapping.json')).toBe('/work/study/out/mapping.json');
    expect(runPath({ host: { cwd: '/work/study' } }, '../mapping.json')).toBe('/work/mapping.json');
  });

  it('leaves a relative path as it is for a run that stored no folder', () => {
    expect(runPath({ host: {} }, 'mapping.json')).toBe('mapping.json');
    expect(runPath({ host: null }, 'mapping.json')).toBe('mapping.json');
    expect(runPath({ host: { cwd: 'relative' } }, 'mapping.json')).toBe('mapping.json');
  });
});
