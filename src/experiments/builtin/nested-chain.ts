/**
 * nested-chain: what nesting costs (after faas-benchmarker's nested invocations). lab-node calls
 * itself in a tree D levels deep with F children per node, every node doing `sleepMs` of work
 * first; its answer is the tree of nodes with their instance, cold flag and start/end times. Per
 * tree: the client's end-to-end latency against the sum of its parts.
 *
 * The parts come from the critical chain: from the root, always the child that answered last
 * (the one its parent waited for). Along it, end-to-end = client overhead (latency - root span)
 * + the work of each node + each hop's overhead (what a parent waited beyond its child's own
 * span: the nested call's way in and out) + the leaf's residue. Siblings run concurrently, so the
 * sum of all node spans exceeds the latency as soon as F > 1.
 *
 * Each shape gets a fresh deployment, so its first tree starts every node cold; the next ones
 * find the instances warm.
 */
import { z } from 'zod';
import type { JsonValue } from '../../store/index.ts';
import type { Bench } from '../bench.ts';
import { defineExperiment, type ExperimentResult, type ResultCell } from '../define.ts';
import { median, roundMs } from '../../analysis/percentile.ts';

const params = z.object({
  /** The lab function, in either language: the one that invokes nested trees and answers with them. */
  fn: z.enum(['lab-node', 'lab-py']).default('lab-node'),
  /** Levels of nesting below the root: 0 is a single call. */
  depths: z.array(z.number().int().min(0).max(20)).min(1).default([1, 2, 3]),
  fanouts: z.array(z.number().int().min(1).max(100)).min(1).default([1, 2]),
  /** Work (a sleep) each node does before calling its children. */
  sleepMs: z.number().int().min(0).max(10_000).default(50),
  /** Trees per shape: the first cold, the rest warm. */
  repeat: z.number().int().min(1).max(100).default(2),
  /** Shapes with more nodes are skipped: each node holds an instance until its subtree answers. */
  maxNodes: z.number().int().min(1).max(1000).default(64),
  memoryMb: z.number().int().min(128).max(10_240).nullable().default(null),
});

type Params = z.output<typeof params>;

/** One node of lab's answer (the fields this experiment reads). */
export interface LabNode {
  readonly identifier?: string;
  readonly cold?: boolean;
  readonly start?: number;
  readonly end?: number;
  readonly sleep_time?: number;
  readonly throughput_time?: number;
  readonly error?: { readonly errorType?: string; readonly errorMessage?: string };
  readonly nested?: readonly LabNode[];
}

export const treeSize = (depth: number, fanout: number): number => Array.from({ length: depth + 1 }, (_, level) => fanout ** level).reduce((a, b) => a + b, 0);

/** The root's event: each level asks for `fanout` children carrying the next level's event. */
export function nestedEvent(fn: string, depth: number, fanout: number, sleepMs: number): Record<string, unknown> {
  const event: Record<string, unknown> = { sleep: sleepMs / 1000 };
  if (depth > 0) {
    const child = nestedEvent(fn, depth - 1, fanout, sleepMs);
    event.invoke_nested = Array.from({ length: fanout }, () => ({ function_name: fn, invoke_payload: child }));
  }
  return event;
}

export interface TreeFigures {
  readonly nodes: number;
  readonly failedNodes: number;
  readonly instances: number;
  readonly coldNodes: number;
  /** Every node has start <= end, and every child's [start, end] lies inside its parent's. */
  readonly consistent: boolean;
  readonly levels: number;
  readonly rootMs: number;
  readonly sumMs: number;
  /** Work along the critical chain: what the tree would take with free invocations. */
  readonly criticalWorkMs: number;
  /** Sum over the critical chain's hops of what each parent waited beyond its child's span. */
  readonly hopOverheadMs: number;
  readonly hops: number;
}

const workMs = (n: LabNode): number => ((n.sleep_time ?? 0) + (n.throughput_time ?? 0)) * 1000;
const spanMs = (n: LabNode): number => (n.end ?? NaN) - (n.start ?? NaN);

function walk(node: LabNode, visit: (n: LabNode, parent: LabNode | null, level: number) => void, parent: LabNode | null = null, level = 0): void {
  visit(node, parent, level);
  for (const child of node.nested ?? []) walk(child, visit, node, level + 1);
}

export function treeFigures(root: LabNode): TreeFigures {
  let nodes = 0;
  let failedNodes = 0;
  let coldNodes = 0;
  let sumMs = 0;
  let levels = 0;
  let consistent = true;
  const identifiers = new Set<string>();
  walk(root, (n, parent, level) => {
    nodes++;
    levels = Math.max(levels, level);
    if (n.error || n.start === undefined || n.end === undefined) {
      failedNodes++;
      consistent = false;
      return;
    }
    if (n.identifier !== undefined) identifiers.add(n.identifier);
    if (n.cold === true) coldNodes++;
    sumMs += spanMs(n);
    if (!(n.start <= n.end)) consistent = false;
    if (parent && !(parent.start! <= n.start && n.end <= parent.end!)) consistent = false;
  });
  let criticalWorkMs = 0;
  let hopOverheadMs = 0;
  let hops = 0;
  for (let at: LabNode | undefined = root; at && failedNodes === 0; ) {
    criticalWorkMs += workMs(at);
    const last: LabNode | undefined = [...(at.nested ?? [])].sort((a, b) => b.end! - a.end!)[0];
    if (last) {
      hopOverheadMs += spanMs(at) - workMs(at) - spanMs(last);
      hops++;
    }
    at = last;
  }
  return { nodes, failedNodes, instances: identifiers.size, coldNodes, consistent, levels, rootMs: spanMs(root), sumMs, criticalWorkMs, hopOverheadMs, hops };
}

export interface TreeRow extends TreeFigures {
  readonly depth: number;
  readonly fanout: number;
  readonly call: number;
  readonly expectedNodes: number;
  readonly latencyMs: number | null;
  readonly status: string;
  /** Whether lab's identifier of the root is the platform's instance id (false where instances share a cgroup). */
  readonly identifiesInstances: boolean | null;
}

export default defineExperiment({
  name: 'nested-chain',
  description: 'Nested invocation trees of depth D and fan-out F (lab-node calling itself): end-to-end latency against root span, sum of node spans, critical-path work and per-hop overhead.',
  params,
  async run(bench, p) {
    const shapes = p.depths.flatMap((depth) => p.fanouts.map((fanout) => ({ depth, fanout })));
    const rows: TreeRow[] = [];
    /** Each row's tree as lab answered it, for the summary. */
    const trees: unknown[] = [];
    const skipped: string[] = [];
    for (const [i, { depth, fanout }] of shapes.entries()) {
      if (bench.signal.aborted) break;
      if (treeSize(depth, fanout) > p.maxNodes) {
        skipped.push(`${depth}x${fanout} (${treeSize(depth, fanout)} nodes)`);
        continue;
      }
      for (const { row, tree } of await runShape(bench, p, depth, fanout)) {
        rows.push(row);
        trees.push(tree);
        await bench.record('tree', { ...row, tree: JSON.parse(JSON.stringify(tree ?? null)) as JsonValue });
      }
      bench.progress(i + 1, shapes.length, `depth ${depth} x fan-out ${fanout}`);
    }
    return resultOf(rows, trees, skipped, p);
  },
});

async function runShape(bench: Bench, p: Params, depth: number, fanout: number): Promise<Array<{ row: TreeRow; tree: unknown }>> {
  // Deploying again retires the previous shape's instances: the first tree of each shape is all cold.
  const name = await bench.deploy(p.fn, { as: `${p.fn}-nested`, ...(p.memoryMb === null ? {} : { memoryMb: p.memoryMb }) });
  const event = nestedEvent(name, depth, fanout, p.sleepMs);
  const out: Array<{ row: TreeRow; tree: unknown }> = [];
  for (let call = 0; call < p.repeat && !bench.signal.aborted; call++) {
    const { record, response } = await bench.invoke(name, { event }, { tag: `d${depth}-f${fanout}` });
    const tree = record.status === 'ok' && typeof response === 'object' && response !== null ? (response as LabNode) : null;
    const figures = tree ? treeFigures(tree) : null;
    out.push({
      tree: response,
      row: {
        depth,
        fanout,
        call,
        expectedNodes: treeSize(depth, fanout),
        latencyMs: record.latencyMs,
        status: record.status === 'ok' ? 'ok' : `${record.status}: ${record.errorClass ?? ''}`,
        identifiesInstances: tree?.identifier === undefined || record.instanceId === null ? null : tree.identifier === record.instanceId,
        ...(figures ?? { nodes: 0, failedNodes: 0, instances: 0, coldNodes: 0, consistent: false, levels: 0, rootMs: NaN, sumMs: NaN, criticalWorkMs: NaN, hopOverheadMs: NaN, hops: 0 }),
      },
    });
  }
  return out;
}

const ms = (v: number | null): number | null => (v === null || !Number.isFinite(v) ? null : roundMs(v));

export function resultOf(rows: readonly TreeRow[], trees: readonly unknown[], skipped: readonly string[], p: Params): ExperimentResult {
  const cold = rows.filter((r) => r.call === 0 && r.status === 'ok' && r.hops > 0);
  const warm = rows.filter((r) => r.call > 0 && r.status === 'ok' && r.hops > 0);
  const perHop = (rs: readonly TreeRow[]): string => {
    const hops = rs.reduce((s, r) => s + r.hops, 0);
    return hops === 0 ? '-' : (rs.reduce((s, r) => s + r.hopOverheadMs, 0) / hops).toFixed(1);
  };
  const broken = rows.filter((r) => r.status !== 'ok' || !r.consistent || r.nodes !== r.expectedNodes);
  const notes = [
    `a nested call costs ${perHop(cold)} ms per level cold and ${perHop(warm)} ms warm (a parent's wait beyond its child's span, mean over the critical chains' hops); each node works ${p.sleepMs} ms`,
    broken.length === 0
      ? 'every tree came back whole: the expected node count, each child inside its parent'
      : `${broken.length} trees incomplete or inconsistent: ${broken.map((r) => `${r.depth}x${r.fanout}#${r.call}`).join(', ')}`,
    ...(rows.some((r) => r.identifiesInstances === false) ? ["lab's identifiers are not the platform's instance ids here (no per-instance cgroup): the instances column undercounts"] : []),
    ...(skipped.length ? [`skipped (more than maxNodes=${p.maxNodes}): ${skipped.join(', ')}`] : []),
    "instances and cold nodes as each node of the tree reported them (lab's identifier and cold flag), whatever the provider reports",
  ];
  return {
    columns: ['depth', 'fan-out', 'call', 'nodes', 'instances', 'cold nodes', 'e2e ms', 'root ms', 'sum of nodes ms', 'critical work ms', 'hop overhead ms', 'client overhead ms', 'consistent'],
    rows: rows.map((r) => [
      r.depth,
      r.fanout,
      r.call === 0 ? 'first' : `#${r.call + 1}`,
      r.status === 'ok' ? `${r.nodes}/${r.expectedNodes}` : r.status,
      r.instances,
      r.coldNodes,
      ms(r.latencyMs),
      ms(r.rootMs),
      ms(r.sumMs),
      ms(r.criticalWorkMs),
      ms(r.hopOverheadMs),
      ms(r.latencyMs === null ? null : r.latencyMs - r.rootMs),
      r.consistent,
    ]),
    notes,
    summary: { instanceSource: 'function', trees: rows.map((r, i) => ({ ...r, tree: trees[i] ?? null })) },
    tables: [{ name: 'shapes', title: 'per tree shape: the first tree (cold) against the later ones (warm, median)', columns: ['shape', 'nodes', 'tree', 'e2e ms', 'critical work ms', 'overhead per hop ms'], rows: shapeRows(rows) }],
    charts: [
      { title: 'end-to-end latency per tree shape, cold and warm', table: 'shapes', mark: 'bar', x: { column: 'shape', type: 'nominal' }, y: { column: 'e2e ms' }, series: 'tree' },
      { title: 'what a nested call costs per level, cold and warm', table: 'shapes', mark: 'bar', x: { column: 'shape', type: 'nominal' }, y: { column: 'overhead per hop ms' }, series: 'tree' },
    ],
  };
}

/** Per shape (in run order) the first tree, and the median of the later ones; trees that failed are left out. */
function shapeRows(rows: readonly TreeRow[]): ResultCell[][] {
  const shapes = [...new Set(rows.map((r) => `${r.depth}x${r.fanout}`))];
  return shapes.flatMap((key) => {
    const of = rows.filter((r) => `${r.depth}x${r.fanout}` === key && r.status === 'ok');
    const [first] = of.filter((r) => r.call === 0);
    const warm = of.filter((r) => r.call > 0);
    const shape = `depth ${key.replace('x', ' x fan-out ')}`;
    const line = (tree: string, picked: readonly TreeRow[]): ResultCell[] => {
      const perHop = picked.flatMap((r) => (r.hops === 0 ? [] : [r.hopOverheadMs / r.hops]));
      return [shape, picked[0]!.expectedNodes, tree, ms(median(picked.flatMap((r) => (r.latencyMs === null ? [] : [r.latencyMs])))), ms(median(picked.map((r) => r.criticalWorkMs))), ms(median(perHop))];
    };
    return [...(first ? [line('first (cold)', [first])] : []), ...(warm.length ? [line('later (warm)', warm)] : [])];
  });
}
