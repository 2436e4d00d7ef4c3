// Call-tree figures on a hand-built tree whose self times and critical path are worked out below.
import { describe, expect, it } from 'vitest';
import { analyzeCallTree, asCallTree, unionLength, type CallNode } from './call-tree.ts';

const T = 1_800_000_000_000; // epoch ms

// root 0-100 ms; A 10-60 (its child A0 20-50); B 15-80 (children B0 20-40, B1 30-75 whose
// child B1a 40-70); C failed. Offsets are ms after T.
const node = (name: string, id: string, cold: boolean, from: number, to: number, nested: CallNode[] = []): CallNode => ({ function_name: name, identifier: id, cold, start: T + from, end: T + to, nested });
const TREE: CallNode = node('root', 'i0', true, 0, 100, [
  node('A', 'i1', true, 10, 60, [node('A0', 'i2', false, 20, 50)]),
  node('B', 'i3', false, 15, 80, [node('B0', 'i4', true, 20, 40), node('B1', 'i5', true, 30, 75, [node('B1a', 'i1', false, 40, 70)])]),
  { function_name: 'C', error: { errorType: 'ResourceNotFoundException', errorMessage: 'Function not found' }, nested: [] },
]);

describe('analyzeCallTree', () => {
  const a = analyzeCallTree(TREE);

  it('counts nodes, failures, levels, cold nodes and distinct instances', () => {
    expect([a.nodes, a.failed, a.depth, a.coldNodes, a.instances]).toEqual([8, 1, 3, 4, 6]);
    expect(a.rootMs).toBe(100);
  });

  it('gives each node its self time: its span less the union of its children', () => {
    const byPath = Object.fromEntries(a.timings.map((t) => [t.path, t]));
    // root: children A ∪ B = 10-80 = 70 -> self 30. A: 50 - 30 = 20. B: 65, children 20-75 = 55 -> 10.
    // B1: 45 - 30 = 15. Leaves: all self.
    expect(Object.fromEntries(a.timings.map((t) => [t.function, [t.spanMs, t.childrenMs, t.selfMs]]))).toEqual({
      root: [100, 70, 30],
      A: [50, 30, 20],
      A0: [30, 0, 30],
      B: [65, 55, 10],
      B0: [20, 0, 20],
      B1: [45, 30, 15],
      B1a: [30, 0, 30],
      C: [0, 0, 0],
    });
    expect(byPath['1.1.0']).toMatchObject({ function: 'B1a', depth: 3, offsetMs: 40, error: null });
    expect(byPath['2']).toMatchObject({ function: 'C', error: 'ResourceNotFoundException' });
    expect(a.sumSpanMs).toBe(340);
    expect(a.sumSelfMs).toBe(155);
  });

  it('follows the last child to end down to a leaf, its exclusive times adding up to the root span', () => {
    // root waits for B (ends 80 > A's 60); B waits for B1 (75 > 40); B1 for B1a.
    expect(a.criticalPath).toEqual([
      { path: '', function: 'root', identifier: 'i0', cold: true, spanMs: 100, exclusiveMs: 35 },
      { path: '1', function: 'B', identifier: 'i3', cold: false, spanMs: 65, exclusiveMs: 20 },
      { path: '1.1', function: 'B1', identifier: 'i5', cold: true, spanMs: 45, exclusiveMs: 15 },
      { path: '1.1.0', function: 'B1a', identifier: 'i1', cold: false, spanMs: 30, exclusiveMs: 30 },
    ]);
    expect(a.criticalPath.reduce((s, step) => s + step.exclusiveMs, 0)).toBe(a.rootMs);
  });

  it('handles a single node and a failed root', () => {
    expect(analyzeCallTree(node('solo', 'x', false, 0, 5))).toMatchObject({ nodes: 1, rootMs: 5, sumSelfMs: 5, criticalPath: [{ spanMs: 5, exclusiveMs: 5 }] });
    expect(analyzeCallTree({ error: { errorType: 'Boom' }, nested: [] })).toMatchObject({ nodes: 1, failed: 1, rootMs: 0 });
  });
});

describe('helpers', () => {
  it('unionLength merges overlaps and clips to the window', () => {
    expect(unionLength([[0, 10], [5, 15], [20, 30], [25, 26]], 0, 100)).toBe(25);
    expect(unionLength([[0, 10], [5, 15]], 8, 12)).toBe(4);
    expect(unionLength([], 0, 1)).toBe(0);
  });

  it('asCallTree accepts lab answers and refuses other values', () => {
    expect(asCallTree(TREE)).toBe(TREE);
    expect(asCallTree({ start: 1, end: 2 })).not.toBeNull();
    expect(asCallTree({ nested: [{ nope: true }] })).toBeNull();
    expect([asCallTree(null), asCallTree('x'), asCallTree({ a: 1 }), asCallTree([])]).toEqual([null, null, null, null]);
  });
});
