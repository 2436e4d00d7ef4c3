// The dashboard server in-process over an SQLite store in memory: what the API answers for each
// kind of run and progress, that user text is escaped in pages, and that a failing store is a
// 500 with a message while the server goes on serving. The browser flow is test/dashboard.test.ts.
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../store/open.ts';
import type { Store } from '../store/store.ts';
import { makeRecords } from '../store/testing/records.ts';
import { RUN } from '../store/testing/run-meta.ts';
import { isLoopbackHost, requireSafeBinding } from './auth.ts';
import { startDashboard, type Dashboard } from './server.ts';

const NOW = Date.parse('2026-06-01T12:00:10.000Z');

async function get(dashboard: Dashboard, route: string): Promise<{ status: number; text: string; json: () => unknown }> {
  const res = await request(`${dashboard.url}${route}`);
  const text = await res.body.text();
  return { status: res.statusCode, text, json: () => JSON.parse(text) as unknown };
}

describe('dashboard server', () => {
  let store: Store;
  let dashboard: Dashboard;
  /** A store whose reads fail while `broken` is set, as a database that went away would. */
  let broken = false;
  /** Reads of a run's invocations, to see that a page's analysis and charts share one. */
  let recordReads = 0;
  const ids = { load: '', experiment: '', hostile: '', done: '' };

  beforeAll(async () => {
    store = await openStore(':memory:');
    ids.load = await store.createRun({ ...RUN, startedAt: '2026-06-01T12:00:00.000Z' });
    await store.appendRecords(makeRecords(ids.load, 0, 60));
    await store.updateProgress(ids.load, { planned: 100, sent: 62, done: 55, inFlight: 7, dropped: 5, errors: 9, byStatus: {}, latenessP99Ms: 0.2, latenessMaxMs: 1 });
    ids.experiment = await store.createRun({ ...RUN, kind: 'experiment', name: 'cold-start', startedAt: '2026-06-01T11:00:00.000Z' });
    await store.updateProgress(ids.experiment, { done: 2, total: 6, label: 'nodejs 256 MB' });
    await store.finishRun(ids.experiment, 'failed', { result: null, error: { message: 'deploy failed', stack: null } });
    ids.hostile = await store.createRun({ ...RUN, name: '<img src=x onerror=alert(1)>', startedAt: '2026-06-01T10:00:00.000Z' });
    await store.finishRun(ids.hostile, 'completed', { total: 0 });
    ids.done = await store.createRun({ ...RUN, startedAt: '2026-06-01T09:00:00.000Z' });
    await store.appendRecords(makeRecords(ids.done, 0, 40));
    await store.finishRun(ids.done, 'completed', { total: 40 });
    await store.flush();
    const failing = new Proxy(store, {
      get(target, key, receiver) {
        const value = Reflect.get(target, key, receiver) as unknown;
        if (typeof value !== 'function') return value;
        if (key === 'records' || key === 'recordPages') recordReads += 1;
        return (...args: unknown[]) => {
          if (broken) throw new Error('SQLITE_IOERR: disk I/O error');
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    dashboard = await startDashboard({ store: failing, port: 0, now: () => NOW });
  });

  afterAll(async () => {
    await dashboard?.close();
    await store?.close();
  });

  it('lists runs newest first with status, duration and progress in either shape', async () => {
    const { runs } = (await get(dashboard, '/api/runs')).json() as { runs: Array<Record<string, unknown>> };
    expect(runs.map((r) => r.id)).toEqual([ids.load, ids.experiment, ids.hostile, ids.done]);
    // Dropped calls are finished calls: without them the bar would never reach the end.
    expect(runs[0]).toMatchObject({ status: 'running', durationMs: 10_000, progress: { done: 60, total: 100, errors: 9, unit: 'calls' }, calls: null, experiment: null });
    expect(runs[1]).toMatchObject({ status: 'failed', experiment: 'cold-start', progress: { done: 2, total: 6, unit: 'steps', label: 'nodejs 256 MB' }, calls: null });
    expect(runs[2]).toMatchObject({ status: 'completed', calls: 0, progress: null });
    expect(((await get(dashboard, '/api/runs?limit=1')).json() as { runs: unknown[] }).runs).toHaveLength(1);
  });

  it('says whether the store holds runs beyond the limit, for the page to offer them', async () => {
    const list = async (route: string): Promise<{ runs: unknown[]; more: boolean }> => (await get(dashboard, route)).json() as { runs: unknown[]; more: boolean };
    expect(await list('/api/runs?limit=3')).toMatchObject({ more: true });
    expect((await list('/api/runs?limit=3')).runs).toHaveLength(3);
    expect(await list('/api/runs?limit=4')).toMatchObject({ more: false });
    expect(await list('/api/runs')).toMatchObject({ more: false });
  });

  it("reads a finished run's records once for its analysis and its charts", async () => {
    const before = recordReads;
    const { analysis } = (await get(dashboard, `/api/runs/${ids.done}`)).json() as { analysis: { total: Record<string, unknown> } };
    const { charts } = (await get(dashboard, `/api/runs/${ids.done}/charts`)).json() as { charts: Array<{ name: string; svg: string }> };
    expect(analysis.total).toMatchObject({ calls: 30, warmupCalls: 10 });
    expect(charts.map((c) => c.name)).toContain('latency-cdf');
    expect(recordReads - before).toBe(1);
    // Both cached: a second visit reads nothing.
    await get(dashboard, `/api/runs/${ids.done}`);
    await get(dashboard, `/api/runs/${ids.done}/charts`);
    expect(recordReads - before).toBe(1);
  });

  it("answers a run with its analysis, and an empty run's charts as none", async () => {
    const { run, analysis } = (await get(dashboard, `/api/runs/${ids.load}`)).json() as { run: Record<string, unknown>; analysis: { total: { calls: number } } };
    expect(run).toMatchObject({ id: ids.load, records: 60, seed: null });
    expect(analysis.total.calls).toBe(50);
    expect((await get(dashboard, `/api/runs/${ids.hostile}/charts`)).json()).toEqual({ charts: [], notes: [], result: null });
  });

  it('escapes what users named in the pages', async () => {
    const page = await get(dashboard, `/runs/${encodeURIComponent(ids.hostile)}`);
    expect(page.status).toBe(200);
    expect(page.text).not.toContain('<img src=x');
    expect(page.text).toContain('&lt;img src=x onerror=alert(1)&gt;');
    const missing = await get(dashboard, `/runs/${encodeURIComponent('<b>nope</b>')}`);
    expect(missing.status).toBe(404);
    expect(missing.text).toContain('no run &quot;&lt;b&gt;nope&lt;/b&gt;&quot; in this store');
  });

  it('answers a failing store with a 500 that says what failed, and keeps serving', async () => {
    broken = true;
    try {
      const api = await get(dashboard, '/api/runs');
      expect(api.status).toBe(500);
      expect(api.json()).toEqual({ error: { code: 'InternalError', message: 'the dashboard could not read the store: SQLITE_IOERR: disk I/O error' } });
      const page = await get(dashboard, `/runs/${ids.load}`);
      expect(page.status).toBe(500);
      expect(page.text).toContain('SQLITE_IOERR: disk I/O error');
      expect((await get(dashboard, '/assets/common.js')).status).toBe(200);
    } finally {
      broken = false;
    }
    expect((await get(dashboard, '/api/runs')).status).toBe(200);
  });

  it('answers unknown paths and assets with 404', async () => {
    expect((await get(dashboard, '/api/nothing')).status).toBe(404);
    expect((await get(dashboard, '/assets/../server.ts')).status).toBe(404);
    expect((await get(dashboard, '/assets/server.ts')).status).toBe(404);
  });
});

describe('binding and hosts', () => {
  it('knows loopback names', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]']) expect(isLoopbackHost(host), host).toBe(true);
    for (const host of ['0.0.0.0', '::', '192.168.1.2', 'example.com', '127.0.0.1.example.com']) expect(isLoopbackHost(host), host).toBe(false);
  });

  it('refuses a non-loopback address without a token, and an empty token', () => {
    expect(() => requireSafeBinding('0.0.0.0', undefined)).toThrow('give a token (--token)');
    expect(() => requireSafeBinding('0.0.0.0', '')).toThrow('--token must not be empty');
    expect(() => requireSafeBinding('0.0.0.0', 'secret')).not.toThrow();
    expect(() => requireSafeBinding('127.0.0.1', undefined)).not.toThrow();
  });
});
