// SeBS 503.graph-bfs: builds a Barabási–Albert graph of `size` vertices (10 edges per new vertex)
// from `seed`, then runs a breadth-first search from vertex 0 with graphology-traversal. SeBS
// returns igraph's whole visit order; this returns a digest: how many vertices were reached, how
// deep the search went and the first vertices in visit order.
import { UndirectedGraph } from 'graphology';
import { bfsFromNode } from 'graphology-traversal';
import { barabasiAlbert } from './barabasi-albert.mjs';
import { intField, timed } from './event.mjs';
import { seededRandom } from './random.mjs';

// graphology holds about 5 kB per vertex at 10 edges each: this stays inside 1,024 MB.
const MAX_SIZE = 200_000;
const SHOWN = 10;

export const handler = async (event) => {
  const size = intField(event, 'size', { min: 1, max: MAX_SIZE });
  const seed = intField(event, 'seed', { min: 0, max: Number.MAX_SAFE_INTEGER, fallback: Math.floor(Math.random() * 2 ** 32) });

  const [graph, graphGeneratingTime] = await timed(() => toGraphology(barabasiAlbert(size, seededRandom(seed))));
  const [search, computeTime] = await timed(() => {
    const order = [];
    let depth = 0;
    bfsFromNode(graph, '0', (node, _attributes, nodeDepth) => {
      order.push(node);
      depth = nodeDepth;
    });
    return { order, depth };
  });

  return {
    result: {
      visited: search.order.length,
      // The last vertex visited is one of the deepest: levels counts 0..depth.
      levels: search.depth + 1,
      first: search.order.slice(0, SHOWN).map(Number),
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
