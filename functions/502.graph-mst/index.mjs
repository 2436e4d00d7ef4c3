// SeBS 502.graph-mst: builds a Barabási–Albert graph of `size` vertices (10 edges per new vertex)
// from `seed`, gives each edge a seeded weight in [0, 1) and finds the minimum spanning tree with
// Kruskal's algorithm over a union-find. (SeBS calls igraph's spanning_tree without weights; random
// weights make the tree the unique minimum and its weight a checkable result.) No npm graph library
// has a spanning tree for large graphs, so the algorithm is here, over the flat edge arrays.
import { barabasiAlbert } from './barabasi-albert.mjs';
import { intField, timed } from './event.mjs';
import { seededRandom } from './random.mjs';

// Flat arrays need about 200 bytes per vertex at 10 edges each.
const MAX_SIZE = 1_000_000;

export const handler = async (event) => {
  const size = intField(event, 'size', { min: 1, max: MAX_SIZE });
  const seed = intField(event, 'seed', { min: 0, max: Number.MAX_SAFE_INTEGER, fallback: Math.floor(Math.random() * 2 ** 32) });

  const [graph, graphGeneratingTime] = await timed(() => weightedGraph(size, seed));
  const [tree, computeTime] = await timed(() => kruskal(graph));

  return {
    result: {
      mst_edges: tree.edges.length,
      total_weight: tree.weight,
      components: graph.nodes - tree.edges.length,
      first_edges: tree.edges.slice(0, 5).map((e) => [graph.source[e], graph.target[e]]),
      nodes: graph.nodes,
      edges: graph.edges,
      seed,
    },
    measurement: { graph_generating_time: graphGeneratingTime, compute_time: computeTime },
  };
};

/** The graph's edges, then one weight per edge drawn from the same seeded stream. */
function weightedGraph(size, seed) {
  const random = seededRandom(seed);
  const graph = barabasiAlbert(size, random);
  const weight = new Float64Array(graph.edges);
  for (let e = 0; e < graph.edges; e++) weight[e] = random.float();
  return { ...graph, weight };
}

/** Edge indices of a minimum spanning forest, in the order Kruskal takes them, and their weight. */
function kruskal({ nodes, edges, source, target, weight }) {
  const byWeight = new Uint32Array(edges);
  for (let e = 0; e < edges; e++) byWeight[e] = e;
  byWeight.sort((a, b) => weight[a] - weight[b] || a - b);

  const parent = new Int32Array(nodes);
  for (let v = 0; v < nodes; v++) parent[v] = v;
  const find = (v) => {
    while (parent[v] !== v) {
      parent[v] = parent[parent[v]]; // path halving keeps the trees shallow
      v = parent[v];
    }
    return v;
  };

  const chosen = [];
  let total = 0;
  for (let i = 0; i < edges && chosen.length < nodes - 1; i++) {
    const e = byWeight[i];
    const a = find(source[e]);
    const b = find(target[e]);
    if (a === b) continue;
    parent[a] = b;
    chosen.push(e);
    total += weight[e];
  }
  return { edges: chosen, weight: total };
}
