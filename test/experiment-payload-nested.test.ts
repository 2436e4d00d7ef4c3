// invocation-overhead and nested-chain as a user runs them: the real CLI by experiment name, the
// real local platform in its own process, a real SQLite store. Payloads up to 5 MB go through and
// one past the 6 MB limit comes back as an error row; a 2 x 2 tree of lab-node comes back whole,
// one instance per node, every child inside its parent's time.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { InvocationRecord } from '../src/core/invocation-record.ts';
import { overheadFit, paddedEvent, parseSize, sizeLabel } from '../src/experiments/builtin/invocation-overhead.ts';
import { nestedEvent, treeFigures, treeSize, type LabNode as LabAnswer } from '../src/experiments/builtin/nested-chain.ts';
import { openStore } from '../src/store/index.ts';
import { ownCacheHome, REPO, scratchDir } from './support/platform.ts';

const BIN = path.join(REPO, 'bin/faasbench.mjs');
const run = promisify(execFile);

interface RunJson {
  runId: string;
  status: string;
  result: { columns: string[]; rows: Array<Array<string | number | boolean | null>>; notes: string[]; summary: Record<string, unknown> } | null;
  error: string | null;
}

async function experiment(name: string, params: Record<string, unknown>): Promise<{ code: number; run: RunJson; records: InvocationRecord[] }> {
  const dir = scratchDir(name);
  const store = path.join(dir, 'runs.db');
  // A platform data directory of its own: platforms started on the default one share its code/
  // folder, and the first to stop removes it under the others (their next cold start fails).
  const env = { ...process.env, ...ownCacheHome(dir) };
  const args = [BIN, 'experiment', 'run', name, '--store', store, '--json', ...Object.entries(params).flatMap(([k, v]) => ['-p', `${k}=${JSON.stringify(v)}`])];
  let code = 0;
  let stdout: string;
  try {
    ({ stdout } = await run(process.execPath, args, { maxBuffer: 1 << 26, env }));
  } catch (err) {
    ({ code, stdout } = err as { code: number; stdout: string });
  }
  const [result] = JSON.parse(stdout) as RunJson[];
  const db = await openStore(store);
  try {
    const records: InvocationRecord[] = [];
    for await (const r of db.records(result!.runId)) records.push(r);
    return { code, run: result!, records };
  } finally {
    await db.close();
  }
}

const table = (r: RunJson): Array<Record<string, unknown>> => r.result!.rows.map((row) => Object.fromEntries(r.result!.columns.map((c, i) => [c, row[i]])));

describe('experiment invocation-overhead', () => {
  it('every size up to 5 MB succeeds; 7 MB, past the 6 MB request limit, is an error row and the run completes', async () => {
    // 1769 MB is one vCPU: the echo of 5 MB stays quick at that CPU share.
    const { code, run: out, records } = await experiment('invocation-overhead', { sizes: ['1KB', '64KB', '1MB', '5MB', '7MB'], calls: 3, memoryMb: 1769 });
    expect(code).toBe(0);
    expect(out).toMatchObject({ status: 'completed', error: null });
    const rows = table(out);
    expect(rows.map((r) => [r.size, r.bytes, r.ok, r.errors, r['error class']])).toEqual([
      ['1 KB', 1024, 3, 0, null],
      ['64 KB', 65536, 3, 0, null],
      ['1 MB', 1048576, 3, 0, null],
      ['5 MB', 5242880, 3, 0, null],
      ['7 MB', 7340032, 0, 3, 'RequestTooLargeException'],
    ]);
    for (const r of rows.slice(0, 4)) {
      // The client's latency contains the platform's duration; what is left is the overhead.
      expect(r['p50 overhead ms'] as number).toBeGreaterThan(0);
      expect(r['p50 latency ms'] as number).toBeGreaterThan(r['p50 duration ms'] as number);
    }
    expect(rows[4]!['p50 latency ms']).toBeNull();
    // Moving 5 MB both ways costs more than moving 1 KB.
    expect(rows[3]!['p50 overhead ms'] as number).toBeGreaterThan(rows[0]!['p50 overhead ms'] as number);
    // The stored calls: one cold warm-up, then 3 warm calls per size; the 7 MB ones refused with 413.
    expect(records).toHaveLength(1 + 5 * 3);
    expect(records.map((r) => r.cold)).toEqual([true, ...Array(12).fill(false), null, null, null]);
    expect(records.slice(13).map((r) => [r.status, r.httpStatus, r.errorClass])).toEqual(Array(3).fill(['rejected', 413, 'RequestTooLargeException']));
    expect(out.result!.notes[1]).toBe("7 MB: every call refused (RequestTooLargeException), past the platform's request limit or the function's");
  }, 60_000);
});

interface LabNode {
  identifier: string;
  cold: boolean;
  start: number;
  end: number;
  nested: LabNode[];
}

function nodesOf(root: LabNode): Array<{ node: LabNode; parent: LabNode | null; level: number }> {
  const out: Array<{ node: LabNode; parent: LabNode | null; level: number }> = [];
  const visit = (node: LabNode, parent: LabNode | null, level: number): void => {
    out.push({ node, parent, level });
    for (const child of node.nested) visit(child, node, level + 1);
  };
  visit(root, null, 0);
  return out;
}

describe('experiment nested-chain', () => {
  it('depth 2 x fan-out 2: 1 + 2 + 4 nodes on 7 instances, each child inside its parent, cold then warm', async () => {
    // Each node works 300 ms before calling its children, so that siblings' children overlap even
    // when one sibling's cold start lags the other's on a loaded machine (at 50 ms, a lag that long
    // let a finished grandchild's instance take its cousin's call: 6 instances, not 7).
    const { code, run: out, records } = await experiment('nested-chain', { depths: [2], fanouts: [2], sleepMs: 300, repeat: 2 });
    expect(code).toBe(0);
    expect(out).toMatchObject({ status: 'completed', error: null });
    const rows = table(out);
    expect(rows.map((r) => [r.depth, r['fan-out'], r.call, r.nodes, r.instances, r['cold nodes'], r.consistent])).toEqual([
      [2, 2, 'first', '7/7', 7, 7, true],
      [2, 2, '#2', '7/7', 7, 0, true],
    ]);
    const trees = (out.result!.summary.trees as Array<{ tree: LabNode; latencyMs: number; rootMs: number; sumMs: number; criticalWorkMs: number; hops: number; identifiesInstances: boolean }>).map((t) => t);
    expect(trees).toHaveLength(2);
    const [cold, warm] = trees.map((t) => nodesOf(t.tree));
    // The tree itself, checked here rather than trusted from the experiment.
    expect(cold!.map((n) => n.level)).toEqual([0, 1, 2, 2, 1, 2, 2]);
    expect(new Set(cold!.map((n) => n.node.identifier)).size).toBe(7);
    expect(cold!.every((n) => n.node.cold)).toBe(true);
    expect(warm!.every((n) => !n.node.cold)).toBe(true);
    // The warm tree ran on the same 7 instances.
    expect(new Set(warm!.map((n) => n.node.identifier))).toEqual(new Set(cold!.map((n) => n.node.identifier)));
    for (const nodes of [cold!, warm!]) {
      for (const { node, parent } of nodes) {
        // Each node slept 300 ms before calling its children.
        expect(node.end - node.start).toBeGreaterThanOrEqual(300);
        if (!parent) continue;
        expect(node.start).toBeGreaterThanOrEqual(parent.start + 300);
        expect(node.end).toBeLessThanOrEqual(parent.end);
      }
    }
    for (const t of trees) {
      // The root's identifier is the platform's instance id, so identifiers count instances.
      expect(t.identifiesInstances).toBe(true);
      // Three levels of 300 ms on the critical chain, two hops; siblings overlap, so the parts sum past the root.
      expect(t.criticalWorkMs).toBeGreaterThanOrEqual(900);
      expect(t.hops).toBe(2);
      expect(t.sumMs).toBeGreaterThan(t.rootMs);
      expect(t.latencyMs).toBeGreaterThan(t.rootMs);
      expect(t.rootMs).toBeGreaterThan(t.criticalWorkMs);
    }
    // The client made two calls (the roots); the platform ran the other 12 nested ones.
    expect(records.map((r) => [r.status, r.cold])).toEqual([['ok', true], ['ok', false]]);
    expect(records[0]!.instanceId).toBe(trees[0]!.tree.identifier);
  }, 60_000);
});

describe('the parts behind them', () => {
  it('sizes read as powers of 1024, and the padded event is exactly that many bytes of JSON', () => {
    expect(['1KB', '64KB', '1MB', '5MB', '5.5mb', 2048].map(parseSize)).toEqual([1024, 65536, 1048576, 5242880, 5767168, 2048]);
    expect(() => parseSize('5GB')).toThrow('parameter sizes');
    expect(() => parseSize(10)).toThrow('at least 20 bytes');
    for (const bytes of [20, 1024, 5242880]) expect(Buffer.byteLength(JSON.stringify(paddedEvent(bytes)))).toBe(bytes);
    expect([1024, 65536, 1048576, 5767168, 1000].map(sizeLabel)).toEqual(['1 KB', '64 KB', '1 MB', '5.5 MB', '1000 B']);
  });

  it('the overhead fit is least squares on MB', () => {
    const row = (bytes: number, overheadMs: number | null) => ({ bytes, ok: 1, failed: 0, errorClass: null, latencyMs: null, durationMs: null, overheadMs, maxOverheadMs: null, answerBytes: null });
    expect(overheadFit([row(0, 2), row(1048576, 12), row(5242880, 52), row(7340032, null)])).toEqual({ fixedMs: 2, perMbMs: 10 });
    expect(overheadFit([row(1024, 3)])).toBeNull();
  });

  it('the nested event asks for fan-out children per level, depth levels down', () => {
    expect(treeSize(2, 2)).toBe(7);
    expect(treeSize(3, 1)).toBe(4);
    expect(treeSize(0, 5)).toBe(1);
    const leaf = { sleep: 0.05 };
    const mid = { sleep: 0.05, invoke_nested: [{ function_name: 'lab', invoke_payload: leaf }, { function_name: 'lab', invoke_payload: leaf }] };
    expect(nestedEvent('lab', 2, 2, 50)).toEqual({ sleep: 0.05, invoke_nested: [{ function_name: 'lab', invoke_payload: mid }, { function_name: 'lab', invoke_payload: mid }] });
  });

  it('tree figures: spans, the critical chain through the child answering last, and what each hop adds', () => {
    const node = (identifier: string, start: number, end: number, nested: LabAnswer[] = []): LabAnswer => ({ identifier, cold: true, start, end, sleep_time: 0.05, nested });
    // Root works 0-50, waits for b (ends 230) and c (ends 200); b works 60-110 then waits for d (120-220).
    const tree = node('a', 0, 240, [node('b', 55, 230, [node('d', 120, 220)]), node('c', 60, 200)]);
    expect(treeFigures(tree)).toEqual({
      nodes: 4,
      failedNodes: 0,
      instances: 4,
      coldNodes: 4,
      consistent: true,
      levels: 2,
      rootMs: 240,
      sumMs: 240 + 175 + 100 + 140,
      criticalWorkMs: 150,
      // a waited 190 ms for b's 175 ms span; b waited 125 ms for d's 100.
      hopOverheadMs: 15 + 25,
      hops: 2,
    });
    // A child outside its parent's time, or a failed child, is no consistent tree.
    expect(treeFigures(node('a', 0, 100, [node('b', 50, 150)])).consistent).toBe(false);
    const failed = treeFigures({ ...node('a', 0, 100), nested: [{ error: { errorType: 'TooManyRequestsException' }, nested: [] }] });
    expect([failed.nodes, failed.failedNodes, failed.consistent]).toEqual([2, 1, false]);
  });
});
