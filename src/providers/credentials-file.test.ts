import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { scratchDir } from '../../test/support/platform.ts';
import { credentialsPath, readCredentials, saveOrRemove, storedOpenFaas, writeCredentials } from './credentials-file.ts';

describe('credentials file', () => {
  it('lives under XDG_CONFIG_HOME, else ~/.config', () => {
    expect(credentialsPath({ XDG_CONFIG_HOME: '/x/conf' })).toBe('/x/conf/faasbench/credentials.json');
    expect(credentialsPath({ XDG_CONFIG_HOME: '' })).toMatch(/\/\.config\/faasbench\/credentials\.json$/);
  });

  it('is written 0600 in a 0700 folder, even where both existed with wider modes', () => {
    const dir = path.join(scratchDir('cred-file'), 'faasbench');
    mkdirSync(dir, { mode: 0o755 });
    chmodSync(dir, 0o755);
    const file = path.join(dir, 'credentials.json');
    writeFileSync(file, '{}', { mode: 0o644 });
    writeCredentials({ version: 1, 'aws-lambda': { accessKeyId: 'AKIA1', secretAccessKey: 's3cret' } }, file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(readCredentials(file)).toEqual({ version: 1, 'aws-lambda': { accessKeyId: 'AKIA1', secretAccessKey: 's3cret' } });
  });

  it('reads a missing file as empty and finds a gateway login with or without a trailing slash', () => {
    const file = path.join(scratchDir('cred-file'), 'credentials.json');
    expect(readCredentials(file)).toEqual({ version: 1 });
    writeCredentials({ version: 1, openfaas: { 'http://gw:8080': { user: 'admin', password: 'pw' } } }, file);
    expect(storedOpenFaas('http://gw:8080/', file)).toEqual({ user: 'admin', password: 'pw' });
    expect(storedOpenFaas('http://other:8080', file)).toBeUndefined();
  });

  it('names the file and field of a malformed file, never quoting a value', () => {
    const file = path.join(scratchDir('cred-file'), 'credentials.json');
    writeFileSync(file, '{"version":1,"aws-lambda":{"accessKeyId":"AKIA1","secretAccessKey":"hush-hush","extra":"hush-hush"}}');
    expect(() => readCredentials(file)).toThrow(`${file}: field "aws-lambda": unknown keys`);
    writeFileSync(file, '{"version":1,"aws-lambda":{"accessKeyId":"AKIA1","secretAccessKey":"hush-hush"');
    expect(() => readCredentials(file)).toThrow(`${file}: not valid JSON (fix it or remove it with \`faasbench logout\`)`);
    try {
      readCredentials(file);
    } catch (err) {
      expect((err as Error).message).not.toContain('hush-hush');
    }
  });

  it('removes the file when the last entry goes', () => {
    const file = path.join(scratchDir('cred-file'), 'credentials.json');
    writeCredentials({ version: 1, 'aws-lambda': { accessKeyId: 'AKIA1', secretAccessKey: 's' } }, file);
    saveOrRemove({ version: 1, openfaas: {} }, file);
    expect(statSync(file, { throwIfNoEntry: false })).toBeUndefined();
    saveOrRemove({ version: 1, openfaas: { 'http://gw': { user: 'u', password: 'p' } } }, file);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ version: 1, openfaas: { 'http://gw': { user: 'u', password: 'p' } } });
  });
});
