import { describe, expect, it } from 'vitest';
import { deployBeforeRun } from './provider-deploys.ts';

describe('deployBeforeRun', () => {
  it('deploys by default, as --deploy and --no-deploy say, for providers that deploy', () => {
    const said: string[] = [];
    expect([undefined, true, false].map((asked) => deployBeforeRun('local', asked, (m) => said.push(m)))).toEqual([true, true, false]);
    expect(said).toEqual([]);
  });

  it('never deploys through http or grpc, and says so only when --deploy asked', () => {
    const said: string[] = [];
    expect([undefined, false, true].map((asked) => deployBeforeRun('http', asked, (m) => said.push(m)))).toEqual([false, false, false]);
    expect(deployBeforeRun('grpc', undefined, (m) => said.push(m))).toBe(false);
    expect(said).toEqual(['the http provider deploys nothing (its functions are addressed by URL or endpoint): --deploy ignored']);
  });
});
