// The Barabási–Albert graph SeBS's graph benchmarks start from (igraph's Graph.Barabasi(n, m)):
// vertex 0 alone, then each vertex i = 1..n-1 links to min(i, m) distinct earlier vertices, each
// picked with probability proportional to its degree + 1 (igraph's "zero appeal" of 1, which lets
// the first vertices be picked at all). The graph is connected and simple.
//
// Kept as flat typed arrays: the 100,000-vertex large input has about 10^6 edges, which plain
// objects would make several times bigger and slower to build.

/** SeBS's m: edges each new vertex brings. */
export const EDGES_PER_VERTEX = 10;

/** The number of edges barabasiAlbert(size, m) produces: sum over i < size of min(i, m). */
export function edgeCount(size, m = EDGES_PER_VERTEX) {
  if (size <= m + 1) return (size * (size - 1)) / 2;
  return (m * (m + 1)) / 2 + (size - 1 - m) * m;
}

/**
 * `random` is a seededRandom(): its state after the call is deterministic too, so a caller can
 * go on drawing (edge weights) from it.
 */
export function barabasiAlbert(size, random, m = EDGES_PER_VERTEX) {
  const total = edgeCount(size, m);
  const source = new Int32Array(total);
  const target = new Int32Array(total);
  // Each vertex appears once for its zero appeal plus once per edge end: a uniform pick from this
  // list is a pick proportional to degree + 1.
  const picks = new Int32Array(size + 2 * total);
  let pickCount = 0;
  // lastPickedBy[v] === i marks v as already chosen by vertex i (no multi-edges).
  const lastPickedBy = new Int32Array(size).fill(-1);
  let e = 0;
  if (size > 0) picks[pickCount++] = 0;
  for (let i = 1; i < size; i++) {
    const first = e;
    if (i <= m) {
      for (let v = 0; v < i; v++) {
        source[e] = i;
        target[e++] = v;
      }
    } else {
      // Rejection keeps the distribution of drawing without replacement; with m << i it rarely loops.
      while (e - first < m) {
        const v = picks[random.int(pickCount)];
        if (lastPickedBy[v] === i) continue;
        lastPickedBy[v] = i;
        source[e] = i;
        target[e++] = v;
      }
    }
    for (let k = first; k < e; k++) {
      picks[pickCount++] = target[k];
      picks[pickCount++] = i;
    }
    picks[pickCount++] = i;
  }
  return { nodes: size, edges: total, source, target };
}
