import { describe, expect, it } from 'vitest';
import { warmRequestPath, type WarmUpServer } from './request-warm-up.ts';

/** A server stand-in that says when it is closed. */
function fakeServer(log: string[]): () => Promise<WarmUpServer> {
  return async () => ({ origin: 'http://127.0.0.1:9', close: () => log.push('server closed') });
}

describe('warmRequestPath', () => {
  it('calls through a short-lived twin, closed before a second twin carries the long round, then closes the server', async () => {
    const log: string[] = [];
    const invokes: number[] = [];
    let twins = 0;
    await warmRequestPath(
      'two-rounds',
      (origin) => {
        const twin = twins++;
        invokes[twin] = 0;
        log.push(`twin ${twin} at ${origin}`);
        return {
          prepare: async (connections) => void log.push(`twin ${twin} prepares ${connections}`),
          invoke: async () => {
            if (invokes[twin]!++ === 0) log.push(`twin ${twin} first call`);
          },
          close: async () => void log.push(`twin ${twin} closed after ${invokes[twin]} calls`),
        };
      },
      fakeServer(log),
    );
    expect(log).toEqual([
      'twin 0 at http://127.0.0.1:9',
      'twin 0 prepares 16',
      'twin 0 first call',
      'twin 0 closed after 200 calls',
      'twin 1 at http://127.0.0.1:9',
      'twin 1 prepares 16',
      'twin 1 first call',
      'twin 1 closed after 2000 calls',
      'server closed',
    ]);
  });

  it('makes no second twin once the time for warming up is spent (a host too busy for the first round)', async () => {
    const log: string[] = [];
    let calls = 0;
    let twins = 0;
    // 16 at a time, 100 ms each: the first twin's 200 calls would take 1.25 s.
    const twinAt = () => (twins++, { invoke: () => new Promise<void>((resolve) => setTimeout(() => (calls++, resolve()), 100)), close: async () => void log.push('twin closed') });
    await warmRequestPath('slow', twinAt, fakeServer(log));
    expect(twins).toBe(1);
    expect(calls).toBeLessThan(200);
    expect(log).toEqual(['twin closed', 'server closed']);
  });

  it('warms a kind once per process', async () => {
    const log: string[] = [];
    const twinAt = () => ({ invoke: async () => undefined, close: async () => void log.push('twin closed') });
    await warmRequestPath('once', twinAt, fakeServer(log));
    await warmRequestPath('once', twinAt, fakeServer(log));
    expect(log).toEqual(['twin closed', 'twin closed', 'server closed']);
  });

  it('closes the twin and the server when a call fails, and does not reject (the provider prepares all the same)', async () => {
    const log: string[] = [];
    const twinAt = () => ({ invoke: async () => Promise.reject(new Error('refused')), close: async () => void log.push('twin closed') });
    await expect(warmRequestPath('failing', twinAt, fakeServer(log))).resolves.toBeUndefined();
    expect(log).toEqual(['twin closed', 'server closed']);
  });

  it('does not reject when its server cannot start', async () => {
    let twins = 0;
    const twinAt = () => (twins++, { invoke: async () => undefined, close: async () => undefined });
    await expect(warmRequestPath('no-server', twinAt, () => Promise.reject(new Error('EADDRINUSE')))).resolves.toBeUndefined();
    expect(twins).toBe(0);
  });
});
