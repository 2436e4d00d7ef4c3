import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeIssues, functionSettingsSchema, loadFunctionPackage, parseJsonText, parseManifest, RESERVED_ENVIRONMENT_VARIABLES } from './function-package.ts';
import { parseRuntime } from './runtime-id.ts';

describe('parseManifest', () => {
  it('fills Lambda defaults and keeps what is given', () => {
    const m = parseManifest({ name: 'f', runtime: 'python3.12', handler: 'app.handler', memoryMb: 256 }, 'f.json');
    expect(m).toEqual({
      name: 'f', runtime: 'python', handler: 'app.handler', memoryMb: 256, timeoutS: 3, description: '', environment: {},
      concurrency: 1, keepAliveS: 300, keepAliveJitterS: 0, onLimit: 'throttle', queueTimeoutS: 10, cpuModel: 'proportional', inputs: {}, include: {},
      eventQueueLimit: 1000, eventRetryAttempts: 2, eventRetryDelaysS: [60, 120], eventMaxAgeS: 21_600, ephemeralStorageMb: 512,
    });
  });

  it('names every bad field with the source', () => {
    expect(() => parseManifest({ name: 'has space', runtime: 'nodejs', concurrency: 0, colour: 'red' }, 'x/function.json')).toThrow(
      'x/function.json: field "concurrency": Too small: expected number to be >=1; field "name": expected 1-64 letters, digits, "-" or "_"; field "(top level)": Unrecognized key: "colour"',
    );
  });
});

describe('configuration a process cannot carry, or Lambda reserves', () => {
  const settingsError = (patch: Record<string, unknown>): string => {
    const result = functionSettingsSchema.safeParse(patch);
    return result.success ? 'accepted' : describeIssues(result.error);
  };
  const RESERVED = 'Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: ';

  it('names the variable whose value or name holds a NUL byte', () => {
    expect(settingsError({ environment: { FOO: 'a\0b', OK: 'x' } })).toBe('field "environment.FOO": contains a NUL byte');
    expect(settingsError({ environment: { 'F\0O': 'x' } })).toBe('field "environment."F\\u0000O"": contains a NUL byte');
  });

  it('refuses a handler with a NUL byte, naming the field', () => {
    expect(() => parseManifest({ name: 'f', runtime: 'nodejs', handler: 'index.handler\0' }, 'f.json')).toThrow('f.json: field "handler": contains a NUL byte');
  });

  it('refuses reserved variables with Lambda\'s message, listing each', () => {
    expect(settingsError({ environment: { AWS_REGION: 'eu-west-1' } })).toBe(`field "environment": ${RESERVED}AWS_REGION`);
    expect(settingsError({ environment: { AWS_LAMBDA_RUNTIME_API: 'x', MINE: 'y', _HANDLER: 'z' } })).toBe(`field "environment": ${RESERVED}AWS_LAMBDA_RUNTIME_API,_HANDLER`);
    expect(RESERVED_ENVIRONMENT_VARIABLES.size).toBe(18);
  });

  it('still refuses names a shell could not export', () => {
    expect(settingsError({ environment: { '1X': 'x' } })).toBe('field "environment.1X": expected a name of letters, digits and "_", not starting with a digit');
    expect(settingsError({ environment: { AWS_LAMBDA_LOG_LEVEL: 'x', MY_VAR_1: 'y' } })).toBe('accepted');
  });

  it('gets these checks on update too, since update parses the settings schema', () => {
    const current = functionSettingsSchema.parse({});
    const result = functionSettingsSchema.safeParse({ ...current, environment: { AWS_SESSION_TOKEN: 't' } });
    expect(result.success).toBe(false);
  });

  it('takes Lambda\'s ephemeral storage range, 512 to 10,240 MB', () => {
    expect(functionSettingsSchema.parse({}).ephemeralStorageMb).toBe(512);
    expect(functionSettingsSchema.parse({ ephemeralStorageMb: 10_240 }).ephemeralStorageMb).toBe(10_240);
    expect(settingsError({ ephemeralStorageMb: 511 })).toBe('field "ephemeralStorageMb": Too small: expected number to be >=512');
    expect(settingsError({ ephemeralStorageMb: 10_241 })).toBe('field "ephemeralStorageMb": Too big: expected number to be <=10240');
    expect(settingsError({ ephemeralStorageMb: 600.5 })).toBe('field "ephemeralStorageMb": Invalid input: expected int, received number');
  });

  it('finds no reserved variable or NUL in the bundled functions', () => {
    const root = path.resolve(import.meta.dirname, '../../functions');
    const folders = readdirSync(root).filter((d) => existsSync(path.join(root, d, 'function.json')));
    expect(folders.length).toBeGreaterThan(10);
    expect(folders.map((d) => loadFunctionPackage(path.join(root, d)).manifest.runtime).length).toBe(folders.length);
  });
});

describe('parseJsonText', () => {
  it('reports line and column of the first syntax error', () => {
    expect(() => parseJsonText('{\n  "a": 1,\n  "b": ]\n}', 'p.json')).toThrow('p.json:3:8: invalid JSON (ValueExpected)');
  });
  it('parses valid JSON', () => {
    expect(parseJsonText('{"a":[1,2]}', 'p.json')).toEqual({ a: [1, 2] });
  });
});

describe('loadFunctionPackage', () => {
  it('says which file cannot be read', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'fbpkg-'));
    expect(() => loadFunctionPackage(dir)).toThrow(`${path.join(dir, 'function.json')}: cannot read (ENOENT)`);
  });
  it('returns the absolute folder with the manifest', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'fbpkg-'));
    mkdirSync(path.join(dir, 'f'));
    writeFileSync(path.join(dir, 'f', 'function.json'), '{"name":"f","runtime":"provided"}');
    const pkg = loadFunctionPackage(path.join(dir, 'f'));
    expect(pkg.dir).toBe(path.join(dir, 'f'));
    expect(pkg.manifest.runtime).toBe('provided');
  });
});

describe('parseRuntime', () => {
  it.each([
    ['nodejs', 'nodejs'], ['nodejs20.x', 'nodejs'], ['nodejs22.x', 'nodejs'], ['python', 'python'], ['python3.11', 'python'],
    ['provided', 'provided'], ['provided.al2', 'provided'], ['provided.al2023', 'provided'],
  ])('%s is %s', (id, runtime) => expect(parseRuntime(id)).toBe(runtime));
  it.each(['java21', 'node', 'python2.7', 'provided.al2024', 'dotnet8'])('%s is unknown', (id) => expect(parseRuntime(id)).toBeUndefined());
});
