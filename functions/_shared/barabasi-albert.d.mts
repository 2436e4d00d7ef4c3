// Types of barabasi-albert.mjs.
import type { SeededRandom } from './random.mjs';

export interface EdgeList {
  readonly nodes: number;
  readonly edges: number;
  /** Edge k joins source[k] (the newer vertex) and target[k]. */
  readonly source: Int32Array;
  readonly target: Int32Array;
}

export const EDGES_PER_VERTEX: number;
export function edgeCount(size: number, m?: number): number;
export function barabasiAlbert(size: number, random: SeededRandom, m?: number): EdgeList;
