import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isFaasbenchError } from '../core/errors.ts';
import { canonicalNumber, csvField, exportRun, type ExportFormat } from './export.ts';
import { openStore } from './open.ts';
import type { Store } from './store.ts';
import { RUN } from './testing/contract.ts';
import { createTestSchema, PG_TEST_URL, SKIP_PG, type TestSchema } from './testing/postgres.ts';
import { makeRecord, makeRecords } from './testing/records.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'faasbench-export-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function exported(store: Store, runId: string, format: ExportFormat): Promise<{ text: string; count: number }> {
  const chunks: Buffer[] = [];
  const out = new PassThrough();
  out.on('data', (chunk: Buffer) => chunks.push(chunk));
  const count = await exportRun(store, runId, format, out);
  return { text: Buffer.concat(chunks).toString('utf8'), count };
}

const HEADER =
  'run_id,seq,fn,phase,tag,planned_us,sent_us,received_us,latency_ms,status,http_status,error_class,request_id,instance_id,cold,init_ms,duration_ms,billed_ms,memory_mb,max_memory_mb\r\n';

describe('export from SQLite', () => {
  let store: Store;
  beforeAll(async () => {
    store = await openStore(path.join(dir, 'export.db'));
  });
  afterAll(async () => {
    await store?.close();
  });

  it('writes an RFC 4180 CSV with a header row, quoting only where needed', async () => {
    const id = await store.createRun({ ...RUN, id: 'csv-run' });
    await store.appendRecords([
      {
        ...makeRecord(id, 0),
        tag: 'a,b',
        plannedUs: 1784000000000000.25,
        sentUs: 1784000000000100.5,
        receivedUs: null,
        latencyMs: 0.1 + 0.2,
        status: 'ok',
        httpStatus: 200,
        errorClass: 'say "hi"',
        requestId: 'two\r\nlines',
        instanceId: '',
        cold: false,
        initMs: null,
        durationMs: 1.25,
        billedMs: 2,
        memoryMb: 128,
        maxMemoryMb: 60.5,
      },
    ]);
    const { text, count } = await exported(store, id, 'csv');
    expect(count).toBe(1);
    expect(text).toBe(HEADER + 'csv-run,0,noop,warmup,"a,b",1784000000000000.2,1784000000000100.5,,0.30000000000000004,ok,200,"say ""hi""","two\r\nlines","",false,,1.25,2,128,60.5\r\n');
  });

  it('writes JSON Lines that read back to the stored records', async () => {
    const id = await store.createRun(RUN);
    const records = makeRecords(id, 0, 500);
    await store.appendRecords(records);
    const { text, count } = await exported(store, id, 'jsonl');
    expect(count).toBe(500);
    const lines = text.split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.map((l) => JSON.parse(l) as unknown)).toEqual(records);
  });

  it('waits for a slow reader instead of buffering the run', async () => {
    const id = await store.createRun(RUN);
    await store.appendRecords(makeRecords(id, 0, 3_000));
    let written = 0;
    const slow = new Writable({
      highWaterMark: 1024,
      write(chunk: Buffer, _encoding, done) {
        written += chunk.length;
        setTimeout(done, 1);
      },
    });
    let waits = 0;
    slow.on('drain', () => waits++);
    expect(await exportRun(store, id, 'csv', slow)).toBe(3_000);
    await new Promise<void>((resolve) => slow.end(resolve));
    expect(waits).toBeGreaterThan(0);
    expect(written).toBe(Buffer.byteLength((await exported(store, id, 'csv')).text));
  });

  it('refuses an unknown run or format', async () => {
    const unknown = await exportRun(store, 'no-such-run', 'csv', new PassThrough()).catch((e: Error) => e);
    expect(isFaasbenchError(unknown, 'ResourceNotFound')).toBe(true);
    const id = await store.createRun(RUN);
    await expect(exportRun(store, id, 'xml' as ExportFormat, new PassThrough())).rejects.toThrow('export format "xml": expected csv or jsonl');
  });

  it('prints numbers canonically', () => {
    expect([0, -0, 1, 1.5, 0.1 + 0.2, 1784000000000000.25, 2 ** 53, 1e-7].map(canonicalNumber)).toEqual(['0', '0', '1', '1.5', '0.30000000000000004', '1784000000000000.2', '9007199254740992', '1e-7']);
    expect([null, undefined, true, 'x y', ' lead'].map(csvField)).toEqual(['', '', 'true', 'x y', ' lead']);
  });
});

describe.skipIf(SKIP_PG)('export: SQLite and PostgreSQL agree', () => {
  let pg: TestSchema;
  beforeAll(async () => {
    pg = await createTestSchema();
  });
  afterAll(async () => {
    await pg?.drop();
  });

  it('exports the same run to identical CSV and JSONL bytes from both', async () => {
    const sqlite = await openStore(path.join(dir, 'both.db'));
    const postgres = await openStore(PG_TEST_URL, { schema: pg.schema });
    try {
      const outputs: { csv: string; jsonl: string }[] = [];
      for (const store of [sqlite, postgres]) {
        // Host facts differ between machines and are not exported; the id is shared so every byte can match.
        const id = await store.createRun({ ...RUN, id: 'same-run', host: { store: store.dialect } });
        await store.appendRecords(makeRecords(id, 0, 3_000));
        await store.finishRun(id, 'completed');
        outputs.push({ csv: (await exported(store, id, 'csv')).text, jsonl: (await exported(store, id, 'jsonl')).text });
      }
      const [fromSqlite, fromPostgres] = outputs;
      expect(fromSqlite?.csv.split('\r\n').length).toBeGreaterThan(3_000);
      expect(fromPostgres?.csv).toBe(fromSqlite?.csv);
      expect(fromPostgres?.jsonl).toBe(fromSqlite?.jsonl);
    } finally {
      await sqlite.close();
      await postgres.close();
    }
  });
});
