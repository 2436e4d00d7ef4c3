import { existsSync } from 'node:fs';
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { currentThreadId, LOWERED_NICE, lowerOtherThreads, processThreadIds } from './thread-priority.ts';

// A thread that says its kernel id and then waits to be ended.
const IDLE = `
const { readlinkSync } = require('node:fs');
const { parentPort } = require('node:worker_threads');
parentPort.postMessage(Number(readlinkSync('/proc/thread-self').split('/').pop()));
setInterval(() => undefined, 1000);
`;

const onLinux = existsSync('/proc/thread-self');
const privileged = process.getuid?.() === 0;

describe.runIf(onLinux)('lowerOtherThreads (Linux)', () => {
  it('lowers every other thread of the process, leaves the kept ones, and restores what it lowered', async () => {
    const worker = new Worker(IDLE, { eval: true });
    try {
      const workerTid = await new Promise<number>((resolve) => worker.once('message', resolve));
      const self = currentThreadId()!;
      expect(self).toBe(process.pid); // the main thread's id is the process's
      expect(processThreadIds()).toEqual(expect.arrayContaining([self, workerTid]));
      const before = os.getPriority(workerTid);
      expect(before).toBeLessThan(LOWERED_NICE);

      const restore = lowerOtherThreads([self]);
      expect(os.getPriority(workerTid)).toBe(LOWERED_NICE);
      expect(os.getPriority(self)).toBe(0);

      restore();
      // Putting a priority back needs the privilege; without it the thread stays lowered.
      expect(os.getPriority(workerTid)).toBe(privileged ? before : LOWERED_NICE);
    } finally {
      await worker.terminate();
    }
  });

  it('leaves a kept worker thread as it is and lowers the calling one when it is not kept', async () => {
    const worker = new Worker(IDLE, { eval: true });
    try {
      const workerTid = await new Promise<number>((resolve) => worker.once('message', resolve));
      const restore = lowerOtherThreads([workerTid]);
      try {
        expect(os.getPriority(workerTid)).toBe(0);
        expect(os.getPriority(process.pid)).toBe(LOWERED_NICE);
      } finally {
        restore();
      }
      if (privileged) expect(os.getPriority(process.pid)).toBe(0);
    } finally {
      await worker.terminate();
    }
  });
});

describe.skipIf(onLinux)('lowerOtherThreads (no /proc)', () => {
  it('changes nothing and says no thread id', () => {
    expect(currentThreadId()).toBeNull();
    expect(processThreadIds()).toEqual([]);
    lowerOtherThreads([null])();
  });
});
