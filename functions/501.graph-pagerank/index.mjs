// SeBS 501.graph-pagerank: builds a Barabási–Albert graph of `size` vertices (10 edges per new
// vertex) from `seed`, then computes its PageRank (damping 0.85) with graphology-metrics. Returns a
// digest rather than all `size` values: SeBS's result (the rank of vertex 0) and checkable facts.
import { UndirectedGraph } from 'graphology';
import pagerank from 'graphology-metrics/centrality/pagerank.js';
import { barabasiAlbert } from './barabasi-albert.mjs';
import { intField, timed } from './event.mjs';
import { seededRandom } from './random.mjs';

// graphology holds about 5 kB per vertex at 10 edges each: this stays inside 1,024 MB.
const MAX_SIZE = 200_000;
const SHOWN = 5;
// graphology stops when the ranks moved less than size * tolerance in total; its default (1e-6)
// leaves 1% of the mass unsettled at 10,000 vertices. This brings it near igraph's exact solver.
const TOLERANCE = 1e-12;

export const handler = async (event) => {
  const size = intField(event, 'size', { min: 1, max: MAX_SIZE });
  const seed = intField(event, 'seed', { min: 0, max: Number.MAX_SAFE_INTEGER, fallback: Math.floor(Math.random() * 2 ** 32) });

  const [graph, graphGeneratingTime] = await timed(() => toGraphology(barabasiAlbert(size, seededRandom(seed))));
  const [ranks, computeTime] = await timed(() => pagerank(graph, { alpha: 0.85, getEdgeWeight: null, tolerance: TOLERANCE, maxIterations: 1000 }));

  let sum = 0;
  let top = '0';
  graph.forEachNode((node) => {
    sum += ranks[node];
    if (ranks[node] > ranks[top]) top = node;
  });
  return {
    result: {
      pagerank_0: ranks['0'],
      first: Array.from({ length: Math.min(SHOWN, size) }, (_, i) => ranks[String(i)]),
      sum,
      max: { node: Number(top), value: ranks[top] },
      nodes: graph.order,
      edges: graph.size,
      seed,
    },
    measurement: { graph_generating_time: graphGeneratingTime, compute_time: computeTime },
  };
};

function toGraphology({ nodes, edges, source, target }) {
  const graph = new UndirectedGraph();
  for (let v = 0; v < nodes; v++) graph.addNode(v);
  for (let e = 0; e < edges; e++) graph.addEdge(source[e], target[e]);
  return graph;
}
