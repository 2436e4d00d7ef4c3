/**
 * The behaviour every Store backend must show, run by sqlite-store.test.ts and
 * postgres-store.test.ts against a real database each.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isFaasbenchError } from '../../core/errors.ts';
import type { InvocationRecord } from '../../core/invocation-record.ts';
import { MIGRATIONS } from '../migrations.ts';
import { INVOCATION_COLUMNS } from '../schema.ts';
import type { RunFilter, Store, StoreOptions } from '../store.ts';
import { makeRecord, makeRecords } from './records.ts';
import { RUN } from './run-meta.ts';

export interface Backend {
  /** A new Store on this backend's test database (the same database every time). */
  open(options?: StoreOptions): Promise<Store>;
  /** schema_migrations as stored, in version order. */
  migrationRows(): Promise<{ version: number; name: string; applied_at: string }[]>;
}

export { RUN };

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

export function storeContract(backend: () => Backend): void {
  let store: Store;
  beforeAll(async () => {
    store = await backend().open();
  });
  afterAll(async () => {
    await store?.close();
  });

  describe('migrations', () => {
    it('are applied once, in order, and re-opening applies nothing', async () => {
      const before = await backend().migrationRows();
      expect(before.map((m) => [m.version, m.name])).toEqual(MIGRATIONS.map((m) => [m.version, m.name]));
      const again = await backend().open();
      await again.close();
      expect(await backend().migrationRows()).toEqual(before);
    });
  });

  describe('runs', () => {
    it('round-trips what a run is and starts it running', async () => {
      const id = await store.createRun({ ...RUN, params: { rate: 100, pattern: 'constant' }, seed: 42, host: { cpus: 2, os: 'linux' } });
      const run = await store.getRun(id);
      expect(run).toMatchObject({ id, kind: 'invoke', name: 'noop', provider: 'local', toolVersion: '0.1.0-test', status: 'running' });
      expect(run?.params).toEqual({ rate: 100, pattern: 'constant' });
      expect(run?.host).toEqual({ cpus: 2, os: 'linux' });
      expect(run?.seed).toBe(42);
      expect(run?.finishedAt).toBeNull();
      expect(run?.duplicates).toBe(0);
      expect(Date.parse(run?.startedAt ?? '')).toBeGreaterThan(Date.parse('2020-01-01'));
      expect(await store.getRun('no-such-run')).toBeUndefined();
      const badStart = await rejection(store.createRun({ ...RUN, startedAt: 'yesterday' }));
      expect(badStart.message).toBe('startedAt must be an ISO 8601 time, got "yesterday"');
    });

    it('refuses a second run with the same id', async () => {
      const id = await store.createRun({ ...RUN, id: `dup-${Date.now()}` });
      const err = await rejection(store.createRun({ ...RUN, id }));
      expect(isFaasbenchError(err, 'ResourceConflict')).toBe(true);
      expect(err.message).toContain(id);
    });

    it('finishes running -> completed | failed | interrupted once, with a summary', async () => {
      for (const status of ['completed', 'failed', 'interrupted'] as const) {
        const id = await store.createRun(RUN);
        await store.finishRun(id, status, { calls: 3 });
        const run = await store.getRun(id);
        expect(run?.status).toBe(status);
        expect(run?.summary).toEqual({ calls: 3 });
        expect(run?.finishedAt).not.toBeNull();
        const twice = await rejection(store.finishRun(id, 'completed'));
        expect(isFaasbenchError(twice, 'ResourceConflict')).toBe(true);
        expect(twice.message).toBe(`run ${id} is already ${status}; a run finishes once`);
        expect((await store.getRun(id))?.status).toBe(status);
      }
      const missing = await rejection(store.finishRun('no-such-run', 'completed'));
      expect(isFaasbenchError(missing, 'ResourceNotFound')).toBe(true);
      const id = await store.createRun(RUN);
      const bad = await rejection(store.finishRun(id, 'running' as never));
      expect(isFaasbenchError(bad, 'InvalidParameterValue')).toBe(true);
      expect((await store.getRun(id))?.status).toBe('running');
    });

    it('finishRun writes the buffered records first', async () => {
      const writer = await backend().open({ flushIntervalMs: 60_000 });
      const reader = await backend().open();
      try {
        const id = await writer.createRun(RUN);
        await writer.appendRecords(makeRecords(id, 0, 25));
        await writer.finishRun(id, 'completed');
        expect(await reader.countRecords(id)).toBe(25);
      } finally {
        await writer.close();
        await reader.close();
      }
    });

    it('lists runs newest first, ties broken by id, with a limit', async () => {
      const tag = `list-${Date.now()}`;
      // Written in different ISO forms: stored normalised, they still sort by time.
      const starts = ['2031-01-02T00:00:00Z', '2031-01-01T22:00:00.000-01:00', '2031-01-03T00:00:00.000Z', '2031-01-02T00:00:00.000Z'];
      for (const [i, startedAt] of starts.entries()) await store.createRun({ ...RUN, id: `${tag}-${i}`, startedAt });
      const listed = (await store.listRuns()).filter((r) => r.id.startsWith(tag)).map((r) => r.id);
      expect(listed).toEqual([`${tag}-2`, `${tag}-3`, `${tag}-0`, `${tag}-1`]);
      expect((await store.listRuns({ limit: 2 })).map((r) => r.id)).toEqual([`${tag}-2`, `${tag}-3`]);
      expect((await store.getRun(`${tag}-1`))?.startedAt).toBe('2031-01-01T23:00:00.000Z');
    });

    it('keeps the latest progress of a run', async () => {
      const id = await store.createRun(RUN);
      await store.updateProgress(id, { sent: 10, done: 8 });
      await store.updateProgress(id, { sent: 20, done: 19 });
      const run = await store.getRun(id);
      expect(run?.progress).toEqual({ sent: 20, done: 19 });
      expect(run?.progressAt).not.toBeNull();
      expect(isFaasbenchError(await rejection(store.updateProgress('no-such-run', {})), 'ResourceNotFound')).toBe(true);
    });

    it('keeps the heartbeat of a run and the interval its writer promised', async () => {
      const id = await store.createRun(RUN);
      expect(await store.getRun(id)).toMatchObject({ heartbeatAt: null, heartbeatMs: null });
      const beforeMs = Date.now();
      await store.heartbeat(id, 2_000);
      const run = await store.getRun(id);
      expect(run?.heartbeatMs).toBe(2_000);
      expect(Date.parse(run?.heartbeatAt ?? '')).toBeGreaterThanOrEqual(beforeMs - 1);
      expect(isFaasbenchError(await rejection(store.heartbeat('no-such-run', 2_000)), 'ResourceNotFound')).toBe(true);
      expect((await rejection(store.heartbeat(id, 0))).message).toBe('heartbeat interval must be a positive integer of ms, got 0');
    });

    it('shows a running run whose heartbeat is 3 promised intervals old as abandoned, and running again after a beat', async () => {
      const id = await store.createRun(RUN);
      await store.heartbeat(id, 1);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect((await store.getRun(id))?.status).toBe('abandoned');
      expect((await store.listRuns()).find((r) => r.id === id)?.status).toBe('abandoned');
      await store.heartbeat(id, 60_000);
      expect((await store.getRun(id))?.status).toBe('running');
      await store.heartbeat(id, 1);
      await store.finishRun(id, 'completed');
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect((await store.getRun(id))?.status).toBe('completed');
    });
  });

  describe('labels, filters and deletes', () => {
    it('keeps a run\'s label, from its meta or the store\'s runLabel, and refuses one that is not a short line', async () => {
      const plain = await store.createRun(RUN);
      expect((await store.getRun(plain))?.label).toBeNull();
      const labelled = await store.createRun({ ...RUN, label: 'baseline ✓' });
      expect((await store.getRun(labelled))?.label).toBe('baseline ✓');
      const labelling = await backend().open({ runLabel: 'from-option' });
      try {
        const byOption = await labelling.createRun(RUN);
        const overridden = await labelling.createRun({ ...RUN, label: null });
        expect((await store.getRun(byOption))?.label).toBe('from-option');
        expect((await store.getRun(overridden))?.label).toBeNull();
      } finally {
        await labelling.close();
      }
      expect((await rejection(store.createRun({ ...RUN, label: 'two\nlines' }))).message).toBe('label must be text of 1 to 100 characters on one line, got "two\\nlines"');
      expect((await rejection(store.createRun({ ...RUN, label: ' ' }))).message).toBe('label must be text of 1 to 100 characters on one line, got " "');
    });

    it('lists the runs a filter matches: fields AND, values of one field OR, status as shown', async () => {
      const tag = `filter-${Date.now()}`;
      const make = (meta: Partial<typeof RUN> & { label?: string }): Promise<string> => store.createRun({ ...RUN, name: tag, ...meta });
      const local = await make({ provider: 'local', label: 'baseline' });
      const lambda = await make({ provider: 'aws-lambda', label: 'baseline' });
      const experiment = await make({ kind: 'experiment', provider: 'local' });
      const failed = await make({ provider: 'local', label: 'tuned' });
      await store.finishRun(failed, 'failed');
      const abandoned = await make({ provider: 'local' });
      await store.heartbeat(abandoned, 1);
      await store.heartbeat(local, 60_000);
      await new Promise((resolve) => setTimeout(resolve, 20));
      const ids = async (filter: RunFilter, limit?: number): Promise<string[]> => (await store.listRuns({ filter: { name: [tag], ...filter }, ...(limit ? { limit } : {}) })).map((r) => r.id).sort();
      const sorted = (...runIds: string[]): string[] => [...runIds].sort();
      expect(await ids({})).toEqual(sorted(local, lambda, experiment, failed, abandoned));
      expect(await ids({ label: ['baseline'] })).toEqual(sorted(local, lambda));
      expect(await ids({ label: ['baseline'], provider: ['local'] })).toEqual([local]);
      expect(await ids({ label: ['baseline', 'tuned'] })).toEqual(sorted(local, lambda, failed));
      expect(await ids({ kind: ['experiment'] })).toEqual([experiment]);
      expect(await ids({ status: ['failed'] })).toEqual([failed]);
      expect(await ids({ status: ['abandoned'] })).toEqual([abandoned]);
      expect(await ids({ status: ['running'], provider: ['local'] })).toEqual(sorted(local, experiment));
      expect(await ids({ status: ['failed', 'abandoned'] })).toEqual(sorted(failed, abandoned));
      expect(await ids({ status: ['running'] }, 1)).toHaveLength(1);
      expect(await ids({ label: [] })).toEqual([]);
      expect(await ids({ name: ['no-such-name'] })).toEqual([]);
    });

    it('deletes a run with its invocations and experiment rows in one go, leaving other runs whole', async () => {
      const doomed = await store.createRun(RUN);
      const kept = await store.createRun(RUN);
      await store.appendRecords([...makeRecords(doomed, 0, 30), ...makeRecords(kept, 0, 5)]);
      await store.addRecord(doomed, 'result', { a: 1 });
      await store.addRecord(doomed, 'probe', { b: 2 });
      await store.addRecord(kept, 'result', { c: 3 });
      // Still buffered when the delete comes: written first, then deleted with the rest.
      await store.appendRecords(makeRecords(doomed, 30, 3));
      expect(await store.deleteRun(doomed)).toEqual({ runId: doomed, invocations: 33, records: 2 });
      expect(await store.getRun(doomed)).toBeUndefined();
      expect(await store.countRecords(doomed)).toBe(0);
      expect(await collect(store.experimentRows(doomed))).toEqual([]);
      expect((await store.listRuns()).some((r) => r.id === doomed)).toBe(false);
      expect(await store.countRecords(kept)).toBe(5);
      expect((await collect(store.experimentRows(kept))).map((r) => r.row)).toEqual([{ c: 3 }]);
      expect(await store.deleteRun(doomed)).toBeUndefined();
      // The run is gone for writers too.
      expect(isFaasbenchError(await rejection(store.appendRecords(makeRecords(doomed, 40, 1))), 'ResourceNotFound')).toBe(true);
    });
  });

  describe('invocations', () => {
    it('stores 10,000 records appended in uneven batches and reads them back in seq order', async () => {
      const id = await store.createRun(RUN);
      const written = makeRecords(id, 0, 10_000);
      // Shuffled batch order: the read order must come from seq, not from arrival.
      const batches: InvocationRecord[][] = [];
      for (let i = 0, size = 1; i < written.length; i += size, size = (size * 7) % 400 + 1) batches.push(written.slice(i, i + size));
      batches.reverse();
      for (const batch of batches) await store.appendRecords(batch);
      for (const record of makeRecords(id, 10_000, 3)) await store.appendRecords([record]);
      written.push(...makeRecords(id, 10_000, 3));
      const read = await collect(store.records(id));
      expect(read.length).toBe(10_003);
      expect(read).toEqual(written);
      expect(await store.countRecords(id)).toBe(10_003);
    });

    it('reads a page at a time: one query per page, the first before the rest is fetched', async () => {
      const queries: { sql: string; parameters: readonly unknown[] }[] = [];
      const logged = await backend().open({ onQuery: (sql, parameters) => queries.push({ sql, parameters }) });
      try {
        const id = await logged.createRun(RUN);
        await logged.appendRecords(makeRecords(id, 0, 2_500));
        await logged.flush();
        const pages = (): typeof queries => queries.filter((q) => /^select/i.test(q.sql) && q.sql.includes('"invocations"'));
        queries.length = 0;
        const iterator = logged.records(id, { pageSize: 1_000 })[Symbol.asyncIterator]();
        const first = await iterator.next();
        expect(first.value).toEqual(makeRecord(id, 0));
        expect(pages().length).toBe(1);
        expect(pages()[0]?.parameters).toContain(1_000);
        let seen = 1;
        while (!(await iterator.next()).done) seen++;
        expect(seen).toBe(2_500);
        expect(pages().length).toBe(3);
      } finally {
        await logged.close();
      }
    });

    it('reads chosen fields a page at a time, decoded as records() decodes them', async () => {
      const id = await store.createRun(RUN);
      const written = makeRecords(id, 0, 2_345);
      await store.appendRecords(written);
      const fields = ['latencyMs', 'cold', 'fn', 'plannedUs', 'errorClass', 'tag'] as const;
      const pages = await collect(store.recordPages(id, fields, { pageSize: 1_000 }));
      expect(pages.map((p) => p.length)).toEqual([1_000, 1_000, 345]);
      const read = pages.flat();
      expect(read).toEqual(written.map((r) => ({ latencyMs: r.latencyMs, cold: r.cold, fn: r.fn, plannedUs: r.plannedUs, errorClass: r.errorClass, tag: r.tag })));
      // Exactly those fields hold values: cold's true, false and null all come back as such.
      expect(Object.entries(read[3]!).filter(([, v]) => v !== undefined).map(([k]) => k).sort()).toEqual([...fields].sort());
      expect(new Set(read.map((r) => r.cold))).toEqual(new Set([true, false, null]));
      // Without seq among the fields the pages still follow it.
      const ids = (await collect(store.recordPages(id, ['requestId'], { pageSize: 700 }))).flat();
      expect(ids.map((r) => r.requestId)).toEqual(written.map((r) => r.requestId));
      expect((ids[0] as Record<string, unknown>).seq).toBeUndefined();
    });

    it('reads every field alike through recordPages and records()', async () => {
      const id = await store.createRun(RUN);
      await store.appendRecords(makeRecords(id, 0, 1_200));
      const all = INVOCATION_COLUMNS.map(([, field]) => field);
      const paged = (await collect(store.recordPages(id, all))).flat();
      expect(paged).toStrictEqual(await collect(store.records(id)));
    });

    it('runs one query per page over the chosen columns only, the buffered records written first', async () => {
      const queries: { sql: string; parameters: readonly unknown[] }[] = [];
      const logged = await backend().open({ flushIntervalMs: 60_000, onQuery: (sql, parameters) => queries.push({ sql, parameters }) });
      try {
        const id = await logged.createRun(RUN);
        await logged.appendRecords(makeRecords(id, 0, 2_500));
        queries.length = 0;
        const pages = await collect(logged.recordPages(id, ['seq', 'latencyMs'], { pageSize: 1_000 }));
        expect(pages.flat().map((r) => r.seq)).toEqual(Array.from({ length: 2_500 }, (_, i) => i));
        const reads = queries.filter((q) => /^select/i.test(q.sql) && q.sql.includes('"invocations"'));
        expect(reads.length).toBe(3);
        expect(reads[0]!.sql).toContain('"latency_ms"');
        expect(reads[0]!.sql).not.toContain('"request_id"');
        expect(reads.map((q) => q.parameters)).toEqual([
          [id, -1, 1_000],
          [id, 999, 1_000],
          [id, 1_999, 1_000],
        ]);
      } finally {
        await logged.close();
      }
    });

    it('gives an unknown run no pages and refuses an unknown, repeated or missing field', async () => {
      expect(await collect(store.recordPages('no-such-run', ['seq']))).toEqual([]);
      const unknown = await rejection(collect(store.recordPages('no-such-run', ['latency' as 'seq'])));
      expect(isFaasbenchError(unknown, 'InvalidParameterValue')).toBe(true);
      expect(unknown.message).toBe('recordPages: no invocation field "latency"');
      expect((await rejection(collect(store.recordPages('no-such-run', ['seq', 'fn', 'seq'])))).message).toBe('recordPages: field "seq" asked for twice');
      expect((await rejection(collect(store.recordPages('no-such-run', [])))).message).toBe('recordPages needs at least one field');
    });

    it('keeps the first write of a (run, seq) and counts the duplicates on the run', async () => {
      const id = await store.createRun(RUN);
      await store.appendRecords(makeRecords(id, 0, 10));
      await store.flush();
      const again = makeRecords(id, 5, 10).map((r) => ({ ...r, fn: 'second-write' }));
      // A duplicate inside one batch as well as across batches.
      await store.appendRecords([...again, { ...makeRecord(id, 12), fn: 'second-write' }]);
      await store.flush();
      const read = await collect(store.records(id));
      expect(read.map((r) => r.seq)).toEqual(Array.from({ length: 15 }, (_, i) => i));
      expect(read.filter((r) => r.fn === 'second-write').map((r) => r.seq)).toEqual([10, 11, 12, 13, 14]);
      expect((await store.getRun(id))?.duplicates).toBe(6);
    });

    it('lets a final record replace an unknown one, never the reverse, and counts only final over final', async () => {
      const id = await store.createRun(RUN);
      const unknown = (seq: number): InvocationRecord => ({ ...makeRecord(id, seq), status: 'unknown', receivedUs: null, latencyMs: null, errorClass: null });
      // 0-3 sent, answer unknown; 4 final at once.
      expect(await store.writeRecords([0, 1, 2, 3].map(unknown).concat(makeRecord(id, 4)))).toEqual({ rows: 5, stored: 5, duplicates: 0 });
      // 0, 1 answered; 4's unknown arrives late; 2's unknown offered twice; 3 answered and its unknown in the same batch.
      const second = await store.writeRecords([makeRecord(id, 0), makeRecord(id, 1), unknown(4), unknown(2), unknown(3), makeRecord(id, 3)]);
      expect(second).toEqual({ rows: 6, stored: 3, duplicates: 0 });
      // 0 again (a final over a final), twice in one batch: both duplicates, the first final kept.
      const third = await store.writeRecords([{ ...makeRecord(id, 0), fn: 'second-write' }, { ...makeRecord(id, 0), fn: 'third-write' }]);
      expect(third).toEqual({ rows: 2, stored: 0, duplicates: 2 });
      const read = await collect(store.records(id));
      expect(read).toEqual([makeRecord(id, 0), makeRecord(id, 1), unknown(2), makeRecord(id, 3), makeRecord(id, 4)]);
      expect((await store.getRun(id))?.duplicates).toBe(2);
      // Offered again without counting (a journal recovered twice): nothing stored, nothing counted.
      expect(await store.writeRecords(read, { countDuplicates: false })).toEqual({ rows: 5, stored: 0, duplicates: 4 });
      expect((await store.getRun(id))?.duplicates).toBe(2);
      // The buffered path follows the same rule.
      await store.appendRecords([makeRecord(id, 2)]);
      expect((await collect(store.records(id)))[2]).toEqual(makeRecord(id, 2));
    });

    it('writeRecords writes at once, past the buffer, and refuses an unknown run naming it', async () => {
      const writer = await backend().open({ flushIntervalMs: 60_000 });
      try {
        const id = await writer.createRun(RUN);
        await writer.writeRecords(makeRecords(id, 0, 60));
        expect(await store.countRecords(id)).toBe(60);
        const unknown = await rejection(writer.writeRecords([makeRecord('no-such-run', 0)]));
        expect(unknown.message).toBe('no run no-such-run in the store');
      } finally {
        await writer.close();
      }
    });

    it('names where it is, so it can be opened again', async () => {
      const reopened = await backend().open();
      try {
        expect(reopened.location).toBe(store.location);
        expect(store.location).not.toContain('***@');
        const id = await store.createRun(RUN);
        const { openStore } = await import('../open.ts');
        const again = await openStore(store.location);
        try {
          expect((await again.getRun(id))?.status).toBe('running');
        } finally {
          await again.close();
        }
      } finally {
        await reopened.close();
      }
    });

    it('writes buffered records within the flush interval without being asked', async () => {
      const writer = await backend().open({ flushIntervalMs: 100 });
      const reader = await backend().open();
      try {
        const id = await writer.createRun(RUN);
        await writer.appendRecords(makeRecords(id, 0, 7));
        let count = 0;
        for (let waited = 0; waited < 2_000 && count < 7; waited += 50) {
          await new Promise((resolve) => setTimeout(resolve, 50));
          count = await reader.countRecords(id);
        }
        expect(count).toBe(7);
      } finally {
        await writer.close();
        await reader.close();
      }
    });

    it('close() writes what is buffered', async () => {
      const writer = await backend().open({ flushIntervalMs: 60_000 });
      const id = await writer.createRun(RUN);
      await writer.appendRecords(makeRecords(id, 0, 3));
      await writer.close();
      await writer.close();
      expect(await store.countRecords(id)).toBe(3);
      expect(isFaasbenchError(await rejection(writer.appendRecords([])), 'ServiceUnavailable')).toBe(true);
    });

    it('refuses a malformed record or an unknown run at once, naming it', async () => {
      const id = await store.createRun(RUN);
      const nan = await rejection(store.appendRecords([{ ...makeRecord(id, 0), latencyMs: Number.NaN }]));
      expect(isFaasbenchError(nan, 'InvalidParameterValue')).toBe(true);
      expect(nan.message).toBe(`invocation record ${id}#0: latencyMs must be a finite number or null, got NaN`);
      const seq = await rejection(store.appendRecords([{ ...makeRecord(id, 0), seq: -1 }]));
      expect(seq.message).toContain('seq must be an integer in 0..2147483647');
      const unknown = await rejection(store.appendRecords([makeRecord('no-such-run', 0)]));
      expect(isFaasbenchError(unknown, 'ResourceNotFound')).toBe(true);
      expect(unknown.message).toBe('no run no-such-run in the store');
      await store.appendRecords([makeRecord(id, 1)]);
      expect(await store.countRecords(id)).toBe(1);
    });
  });

  describe('experiment records and kv', () => {
    it('keeps experiment rows in order, by kind', async () => {
      const id = await store.createRun({ ...RUN, kind: 'experiment', name: 'memory-sweep' });
      await store.addRecord(id, 'point', { memoryMb: 128, p50: 12.5 });
      await store.addRecord(id, 'note', 'warm-up done');
      await store.addRecord(id, 'point', { memoryMb: 256, p50: 6.25 });
      const all = await collect(store.experimentRows(id, { pageSize: 2 }));
      expect(all.map((r) => [r.kind, r.row])).toEqual([
        ['point', { memoryMb: 128, p50: 12.5 }],
        ['note', 'warm-up done'],
        ['point', { memoryMb: 256, p50: 6.25 }],
      ]);
      expect((await collect(store.experimentRows(id, { kind: 'point' }))).map((r) => r.row)).toEqual([
        { memoryMb: 128, p50: 12.5 },
        { memoryMb: 256, p50: 6.25 },
      ]);
      expect(isFaasbenchError(await rejection(store.addRecord('no-such-run', 'point', {})), 'ResourceNotFound')).toBe(true);
    });

    it('round-trips kv values per namespace', async () => {
      const ns = `ns-${Date.now()}`;
      expect(await store.kvGet(ns, 'k')).toBeUndefined();
      await store.kvSet(ns, 'k', { a: [1, 2.5, null, 'x'], b: true });
      await store.kvSet(`${ns}-other`, 'k', 7);
      expect(await store.kvGet(ns, 'k')).toEqual({ a: [1, 2.5, null, 'x'], b: true });
      await store.kvSet(ns, 'k', 'replaced');
      expect(await store.kvGet(ns, 'k')).toBe('replaced');
      expect(await store.kvGet(`${ns}-other`, 'k')).toBe(7);
      await store.kvDelete(ns, 'k');
      expect(await store.kvGet(ns, 'k')).toBeUndefined();
      expect(await store.kvGet(`${ns}-other`, 'k')).toBe(7);
    });
  });
}
