/**
 * A function's live instances on a running platform, read from its /metrics, and waiting until
 * there are none: a cold call must not share the CPUs with the teardown of the previous one.
 */
import type { Pool } from 'undici';

/** The live instances of `fn` (an instance counts until its process has exited). */
export async function liveInstances(pool: Pool, fn: string, signal: AbortSignal): Promise<number> {
  const res = await pool.request({ method: 'GET', path: '/metrics', signal });
  const text = await res.body.text();
  const pattern = new RegExp(`^faasbench_instances\\{[^}]*function="${fn}"[^}]*\\} (\\d+)$`, 'gm');
  return [...text.matchAll(pattern)].reduce((sum, m) => sum + Number(m[1]), 0);
}

/** Resolves once `fn` has no live instance; throws after `timeoutMs`; returns early on abort. */
export async function waitForNoInstances(pool: Pool, fn: string, timeoutMs: number, signal: AbortSignal): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!signal.aborted && (await liveInstances(pool, fn, signal)) > 0) {
    if (Date.now() > deadline) throw new Error(`${fn}: an instance was still alive ${timeoutMs / 1000} s after its call, despite keepAliveS 0`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
