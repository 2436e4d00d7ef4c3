import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { scratchDir } from '../../test/support/platform.ts';
import { awsAuth, sdkChainSource } from './credentials-aws.ts';
import { writeCredentials } from './credentials-file.ts';

/** A home with nothing configured, and its stored-credentials file (written or not). */
function home(): { env: NodeJS.ProcessEnv; file: string } {
  const dir = scratchDir('cred-aws');
  return { env: { HOME: dir }, file: path.join(dir, 'credentials.json') };
}

const STORED = { accessKeyId: 'AKIASTORED', secretAccessKey: 'stored-secret', region: 'eu-west-1' };

describe('which AWS credentials', () => {
  it('uses the stored keys (and their region) when the SDK chain has nothing', () => {
    const { env, file } = home();
    writeCredentials({ version: 1, 'aws-lambda': STORED }, file);
    expect(awsAuth({}, env, file)).toEqual({
      credentials: { accessKeyId: 'AKIASTORED', secretAccessKey: 'stored-secret' },
      region: 'eu-west-1',
      source: `stored by \`faasbench login aws\` (${file})`,
    });
    expect(awsAuth({ region: 'us-west-2' }, { ...env, AWS_REGION: 'ap-south-1' }, file).region).toBe('us-west-2');
    expect(awsAuth({}, { ...env, AWS_REGION: 'ap-south-1' }, file).region).toBe('ap-south-1');
  });

  it('leaves the SDK its chain when it is configured, stored keys or not', () => {
    const { env, file } = home();
    writeCredentials({ version: 1, 'aws-lambda': STORED }, file);
    expect(awsAuth({}, { ...env, AWS_PROFILE: 'prod' }, file)).toEqual({ source: 'the AWS SDK\'s chain: profile "prod" (AWS_PROFILE)' });
    expect(awsAuth({}, { ...env, AWS_ACCESS_KEY_ID: 'AKIAENV', AWS_SECRET_ACCESS_KEY: 'x' }, file).credentials).toBeUndefined();
  });

  it('takes profile=faasbench as the stored keys, any other profile as the SDK\'s, and gives an endpoint dummies', () => {
    const { env, file } = home();
    expect(() => awsAuth({ profile: 'faasbench' }, env, file)).toThrow(`provider aws-lambda: option "profile": "faasbench" selects the keys \`faasbench login aws\` stores, and ${file} holds none`);
    writeCredentials({ version: 1, 'aws-lambda': STORED }, file);
    expect(awsAuth({ profile: 'faasbench', endpoint: 'http://127.0.0.1:9000' }, { ...env, AWS_PROFILE: 'prod' }, file).credentials?.accessKeyId).toBe('AKIASTORED');
    expect(awsAuth({ profile: 'prod' }, env, file)).toEqual({ profile: 'prod', source: 'profile "prod" (option profile)' });
    expect(awsAuth({ endpoint: 'http://127.0.0.1:9000' }, env, file).credentials).toEqual({ accessKeyId: 'faasbench', secretAccessKey: 'faasbench' });
    expect(awsAuth({ endpoint: 'http://127.0.0.1:9000', token: 'tok' }, env, file).credentials).toEqual({ accessKeyId: 'tok', secretAccessKey: 'faasbench' });
  });

  it('counts a default profile of the shared files only when it yields credentials', () => {
    const { env } = home();
    const aws = path.join(env.HOME as string, '.aws');
    mkdirSync(aws);
    writeFileSync(path.join(aws, 'config'), '[default]\nregion = eu-west-1\n[profile other]\naws_access_key_id = AKIA\n');
    expect(sdkChainSource(env)).toBeNull();
    writeFileSync(path.join(aws, 'credentials'), '[other]\naws_access_key_id = AKIA\n\n[default]\naws_access_key_id = AKIA\naws_secret_access_key = s\n');
    expect(sdkChainSource(env)).toBe(`the default profile in ${path.join(aws, 'credentials')}`);
    expect(sdkChainSource({ ...env, AWS_SHARED_CREDENTIALS_FILE: path.join(aws, 'none') })).toBeNull();
  });
});
