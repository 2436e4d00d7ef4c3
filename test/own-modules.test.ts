// Most test files share one module graph per worker (vitest.config.ts). A file that mocks or resets
// modules, or changes the environment, would change it for whichever files run after it in that
// worker, and a vi.mock there would not even take effect when another file loaded the module first:
// such files are listed in test/support/own-modules.ts and run with a graph of their own.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { NEEDS_OWN_MODULES } from './support/own-modules.ts';
import { REPO } from './support/platform.ts';

/** Calls and assignments that change modules, the environment or globals for the rest of a process. */
const CHANGES_THE_PROCESS = [
  /\bvi\s*\.\s*(?:mock|doMock|resetModules|stubEnv|stubGlobal)\s*\(/,
  /\bprocess\.env(?:\.\w+|\[[^\]]+\])\s*=(?!=)/,
  /\bdelete\s+process\.env\b/,
  /\bObject\.assign\(\s*process\.env\b/,
  /\bprocess\.chdir\s*\(/,
];

const THIS_FILE = 'test/own-modules.test.ts';

function testFiles(dir: string): string[] {
  return readdirSync(path.join(REPO, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = path.posix.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : testFiles(rel);
    return e.name.endsWith('.test.ts') && !e.name.endsWith('.timing.test.ts') ? [rel] : [];
  });
}

/** Strips comments so that a sentence about vi.mock is not taken for one. */
const code = (text: string): string => text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');

describe('test files that change the process run with modules of their own', () => {
  const files = [...testFiles('src'), ...testFiles('test')].filter((f) => f !== THIS_FILE);

  it('finds the test files (both folders)', () => {
    expect(files.filter((f) => f.startsWith('src/')).length).toBeGreaterThan(100);
    expect(files.filter((f) => f.startsWith('test/')).length).toBeGreaterThan(50);
  });

  it('every file that mocks or resets modules, or changes the environment, globals or working folder, is listed', () => {
    const changing = files.filter((f) => CHANGES_THE_PROCESS.some((re) => re.test(code(readFileSync(path.join(REPO, f), 'utf8')))));
    expect(changing.filter((f) => !NEEDS_OWN_MODULES.includes(f))).toEqual([]);
  });

  it('lists only files that exist', () => {
    expect(NEEDS_OWN_MODULES.filter((f) => !files.includes(f))).toEqual([]);
  });

  it('catches each kind of change, and not a mention in a comment', () => {
    const caught = (text: string): boolean => CHANGES_THE_PROCESS.some((re) => re.test(code(text)));
    expect(["vi.mock('../x.ts', () => ({}));", 'vi.resetModules();', "vi.stubEnv('A', '1');", "process.env.HOME = '/';", "process.env[NAME] = 'x';", 'delete process.env.A;', 'Object.assign(process.env, {});', "process.chdir('/');"].map(caught)).toEqual([true, true, true, true, true, true, true, true]);
    expect(["if (process.env.A === 'x') {}", 'const a = process.env.A;', '// vi.mock would not take effect here', "spawn('x', { env: { ...process.env, A: '1' } });"].map(caught)).toEqual([false, false, false, false]);
  });
});
