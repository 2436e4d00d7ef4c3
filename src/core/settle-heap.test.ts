import { Worker } from 'node:worker_threads';
import { describe, expect, it, vi } from 'vitest';

// Another thread turning the process-wide flag off while this one looks for gc(): shard threads
// settle their heaps at the same time, and a run once failed with "gc is not defined".
const TOGGLER = `
const { setFlagsFromString } = require('node:v8');
const { parentPort } = require('node:worker_threads');
const end = Date.now() + 3000;
parentPort.postMessage('toggling');
while (Date.now() < end) setFlagsFromString('--no-expose-gc');
`;

const ATTEMPTS = 200;

describe('settleHeap', () => {
  it('neither throws nor leaves gc exposed while another thread keeps turning --expose-gc off', async () => {
    const toggler = new Worker(TOGGLER, { eval: true });
    try {
      await new Promise((resolve) => toggler.once('message', resolve));
      // A fresh module each time, so each looks for gc() anew, as each shard thread's does.
      for (let i = 0; i < ATTEMPTS; i++) {
        vi.resetModules();
        const { settleHeap } = await import('./settle-heap.ts');
        expect(() => settleHeap()).not.toThrow();
      }
    } finally {
      await toggler.terminate();
    }
    expect(typeof (globalThis as { gc?: unknown }).gc).toBe('undefined');
  });
});
