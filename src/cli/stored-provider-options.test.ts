import { describe, expect, it } from 'vitest';
import { droppedLine, rerunOptions, storableOptions, storedOptionsOf } from './stored-provider-options.ts';

describe('stored provider options', () => {
  it('keeps plain options and leaves out every name that looks like a secret', () => {
    const options = { endpoint: 'http://127.0.0.1:9000', region: 'eu-west-1', readyTimeoutS: 30, token: 't', password: 'p', secretAccessKey: 's', apiKey: 'k', credentials: 'c' };
    expect(storableOptions(options)).toEqual({
      kept: { endpoint: 'http://127.0.0.1:9000', region: 'eu-west-1', readyTimeoutS: 30 },
      dropped: ['token', 'password', 'secretAccessKey', 'apiKey', 'credentials'],
    });
  });

  it('says which options a rerun needs again', () => {
    expect(droppedLine('openfaas', [])).toBeNull();
    expect(droppedLine('openfaas', ['password'])).toBe('openfaas: option password not stored with the run (it looks like a secret); a rerun needs -o password=... again');
    expect(droppedLine('aws-lambda', ['token', 'apiKey'])).toBe('aws-lambda: options token, apiKey not stored with the run (they look like secrets); a rerun needs -o token=... -o apiKey=... again');
  });

  it('reads them back from a run and lets the command line override each', () => {
    const params = { experiment: 'cold-start', values: {}, providerOptions: { endpoint: 'http://a', region: 'us-east-1' } };
    expect(rerunOptions(storedOptionsOf(params), { endpoint: 'http://b' })).toEqual({ endpoint: 'http://b', region: 'us-east-1' });
    expect(storedOptionsOf({ experiment: 'cold-start', values: {} })).toEqual({});
    expect(storedOptionsOf(null)).toEqual({});
  });
});
