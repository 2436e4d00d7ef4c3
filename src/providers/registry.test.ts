import { describe, expect, it } from 'vitest';
import { createProvider, providerNames } from './registry.ts';

describe('provider registry', () => {
  it('lists the providers and creates one by name', async () => {
    expect(providerNames()).toEqual(['local', 'aws-lambda', 'openfaas', 'http', 'grpc', 'knative', 'azure-functions', 'gcp-functions']);
    const http = await createProvider('http', { url: 'http://127.0.0.1:1/{fn}' });
    expect(http.name).toBe('http');
    await http.close();
  });

  it('refuses an unknown name, listing the known ones, and options a provider does not take', async () => {
    await expect(createProvider('knative-ish')).rejects.toThrow('unknown provider "knative-ish": expected one of local, aws-lambda, openfaas, http, grpc, knative, azure-functions, gcp-functions');
    await expect(createProvider('toString')).rejects.toThrow('unknown provider "toString"');
    await expect(createProvider('openfaas', { url: 'http://x', passwd: 'p' })).rejects.toThrow('provider openfaas: unknown option "passwd"');
    await expect(createProvider('aws-lambda', { architecture: 'mips' })).rejects.toThrow('provider aws-lambda: option "architecture"');
  });
});
