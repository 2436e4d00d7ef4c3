/**
 * Call trees of nested invocations, as the lab function answers them: each node
 * `{function_name, identifier, cold, start, end, nested: [...]}` with start/end in epoch ms taken
 * inside the function. Pure functions: where the time of a tree went.
 *
 * - Self time of a node: its span not covered by any child's span (children run concurrently, so
 *   their union counts, clipped to the node's span). Children time: that union.
 * - Critical path: from the root, the child that ended last at every level (the one its parent
 *   waited for) down to a leaf. Each step's exclusive time is its span minus the next step's
 *   span, so the steps' exclusive times add up to the root's span: what each level added to the
 *   end-to-end time.
 * Nodes that failed (an `error`, or no start/end) count as failed and span nothing.
 */

export interface CallNode {
  readonly function_name?: string;
  readonly identifier?: string;
  readonly cold?: boolean;
  readonly start?: number;
  readonly end?: number;
  readonly error?: { readonly errorType?: string; readonly errorMessage?: string };
  readonly nested?: readonly CallNode[];
}

export interface NodeTiming {
  /** Child indexes from the root: '' for the root, '0.1' for the root's first child's second child. */
  readonly path: string;
  readonly depth: number;
  readonly function: string | null;
  readonly identifier: string | null;
  readonly cold: boolean | null;
  /** Start relative to the root's start, ms. */
  readonly offsetMs: number;
  readonly spanMs: number;
  readonly childrenMs: number;
  readonly selfMs: number;
  readonly error: string | null;
}

export interface CriticalStep {
  readonly path: string;
  readonly function: string | null;
  readonly identifier: string | null;
  readonly cold: boolean | null;
  readonly spanMs: number;
  /** Span minus the next step's span: what this level added along the critical path. */
  readonly exclusiveMs: number;
}

export interface CallTreeAnalysis {
  readonly nodes: number;
  readonly failed: number;
  /** Levels below the root. */
  readonly depth: number;
  readonly coldNodes: number;
  readonly instances: number;
  readonly rootMs: number;
  /** Sum of every node's span: exceeds rootMs when siblings overlap. */
  readonly sumSpanMs: number;
  readonly sumSelfMs: number;
  readonly criticalPath: readonly CriticalStep[];
  readonly timings: readonly NodeTiming[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The value as a call tree when it has the shape of one (a node with `nested` or start/end), else null. */
export function asCallTree(value: unknown): CallNode | null {
  if (!isObject(value)) return null;
  const looksLikeNode = Array.isArray(value.nested) || (typeof value.start === 'number' && typeof value.end === 'number');
  if (!looksLikeNode) return null;
  if (value.nested !== undefined && !(Array.isArray(value.nested) && value.nested.every((c) => asCallTree(c) !== null))) return null;
  return value as CallNode;
}

const spanOf = (n: CallNode): number | null => (n.error === undefined && typeof n.start === 'number' && typeof n.end === 'number' && n.end >= n.start ? n.end - n.start : null);

/** Length of the union of intervals, each clipped to [from, to]. */
export function unionLength(intervals: ReadonlyArray<readonly [number, number]>, from: number, to: number): number {
  const clipped = intervals
    .map(([a, b]) => [Math.max(a, from), Math.min(b, to)] as const)
    .filter(([a, b]) => b > a)
    .sort((x, y) => x[0] - y[0]);
  let total = 0;
  let curStart = -Infinity;
  let curEnd = -Infinity;
  for (const [a, b] of clipped) {
    if (a > curEnd) {
      if (curEnd > curStart) total += curEnd - curStart;
      [curStart, curEnd] = [a, b];
    } else curEnd = Math.max(curEnd, b);
  }
  if (curEnd > curStart) total += curEnd - curStart;
  return total;
}

export function analyzeCallTree(root: CallNode): CallTreeAnalysis {
  const timings: NodeTiming[] = [];
  const identifiers = new Set<string>();
  const rootStart = root.start ?? 0;
  let depth = 0;
  const visit = (node: CallNode, path: string, level: number): void => {
    depth = Math.max(depth, level);
    const span = spanOf(node);
    const children = node.nested ?? [];
    const childIntervals = children.flatMap((c) => (spanOf(c) === null ? [] : [[c.start!, c.end!] as const]));
    const childrenMs = span === null ? 0 : unionLength(childIntervals, node.start!, node.end!);
    if (node.identifier !== undefined && span !== null) identifiers.add(node.identifier);
    timings.push({
      path,
      depth: level,
      function: node.function_name ?? null,
      identifier: node.identifier ?? null,
      cold: typeof node.cold === 'boolean' ? node.cold : null,
      offsetMs: span === null ? NaN : node.start! - rootStart,
      spanMs: span ?? 0,
      childrenMs,
      selfMs: span === null ? 0 : span - childrenMs,
      error: node.error ? (node.error.errorType ?? 'error') : span === null ? 'no start/end' : null,
    });
    children.forEach((c, i) => visit(c, path === '' ? String(i) : `${path}.${i}`, level + 1));
  };
  visit(root, '', 0);

  const criticalPath: CriticalStep[] = [];
  let at: CallNode | undefined = root;
  let path = '';
  while (at) {
    const node: CallNode = at;
    const candidates = (node.nested ?? []).map((c, i) => ({ c, i })).filter(({ c }) => spanOf(c) !== null);
    const last = candidates.reduce<{ c: CallNode; i: number } | undefined>((best, x) => (best === undefined || x.c.end! > best.c.end! ? x : best), undefined);
    const span = spanOf(node) ?? 0;
    criticalPath.push({
      path,
      function: node.function_name ?? null,
      identifier: node.identifier ?? null,
      cold: typeof node.cold === 'boolean' ? node.cold : null,
      spanMs: span,
      exclusiveMs: span - (last ? spanOf(last.c)! : 0),
    });
    if (!last || spanOf(node) === null) break;
    path = path === '' ? String(last.i) : `${path}.${last.i}`;
    at = last.c;
  }

  return {
    nodes: timings.length,
    failed: timings.filter((t) => t.error !== null).length,
    depth,
    coldNodes: timings.filter((t) => t.cold === true).length,
    instances: identifiers.size,
    rootMs: spanOf(root) ?? 0,
    sumSpanMs: timings.reduce((s, t) => s + t.spanMs, 0),
    sumSelfMs: timings.reduce((s, t) => s + t.selfMs, 0),
    criticalPath,
    timings,
  };
}
