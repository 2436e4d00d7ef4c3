/**
 * What SeBS published for the application benchmarks, to set this platform's numbers beside: the
 * median warm Duration AWS Lambda reported ("provider_time"), by memory size, from the paper's
 * artifact (Copik et al., "SeBS: A Serverless Benchmark Suite for Function-as-a-Service Computing",
 * Middleware 2021; github.com/spcl/serverless-benchmarks-artifact, file
 * analysis/performance/q4_iaas/final_table.txt, the data behind the paper's Table 5; measured in
 * us-east-1 in 2020). Only numbers found there are here: SeBS published none for 110.dynamic-html,
 * 501.graph-pagerank or 502.graph-mst on AWS, and its cold calls only as raw samples
 * (data/performance/aws_perf_cost), with no summary to quote.
 */

export const SEBS_SOURCE =
  'SeBS (Copik et al., Middleware 2021), paper artifact github.com/spcl/serverless-benchmarks-artifact, ' +
  'analysis/performance/q4_iaas/final_table.txt: median warm provider_time on AWS Lambda, us-east-1, 2020';

export interface SebsReference {
  /** SeBS's own benchmark, which may differ in language from the one here. */
  readonly sebs: string;
  readonly runtime: string;
  /** The input sizes here that match what SeBS ran; other sizes get no reference. */
  readonly sizes: readonly string[];
  /** Median warm Duration in ms, by Lambda memory size in MB. */
  readonly warmMedianMsByMemory: Readonly<Record<number, number>>;
  /** What the input was, and how sure that is. */
  readonly input: string;
}

/** Keyed by the function's name in function.json. */
export const SEBS_REFERENCE: Readonly<Record<string, SebsReference>> = {
  uploader: {
    sebs: '120.uploader',
    runtime: 'python',
    sizes: ['small'],
    warmMedianMsByMemory: { 128: 1643.91, 256: 889.1, 512: 502.955, 1024: 388.57, 1536: 348.8, 2048: 363.6, 3008: 322.835 },
    input:
      "SeBS's small input, the HPX 1.4.0 zip (7,034,848 bytes uploaded, per the artifact's " +
      'data/performance/aws_perf_cost/120 results), fetched from github.com over the internet',
  },
  thumbnailer: {
    sebs: '210.thumbnailer',
    runtime: 'nodejs',
    sizes: ['small'],
    warmMedianMsByMemory: { 128: 1723.495, 256: 943.175, 512: 504.7, 1024: 312.83, 2048: 236.72, 3008: 227.48 },
    input: 'one photograph from SeBS\'s data repository, the same for every input size, resized to 200x200',
  },
  compression: {
    sebs: '311.compression',
    runtime: 'python',
    sizes: ['small'],
    warmMedianMsByMemory: { 256: 7634.805, 512: 4149.129, 1024: 2949.11, 1536: 2759.77, 2048: 2520.93, 3008: 2539.17 },
    input: 'acmart-master (the ACM LaTeX template), the same for every input size',
  },
  'graph-bfs': {
    sebs: '503.graph-bfs',
    runtime: 'python, igraph',
    sizes: ['small', 'large'],
    warmMedianMsByMemory: { 128: 954.115, 256: 472.94, 512: 224.3, 1024: 110.75, 1536: 75.05, 2048: 66.385, 3008: 65.845 },
    input: 'the graph size is not recorded with the results (igraph took about 90 ms to generate the graph at 1,024 MB)',
  },
};

/** SeBS's warm median for `fn` at `size` and `memoryMb`, when it published one for that memory. */
export function sebsWarmMedianMs(fn: string, size: string, memoryMb: number): number | undefined {
  const ref = SEBS_REFERENCE[fn];
  if (!ref || !ref.sizes.includes(size)) return undefined;
  return ref.warmMedianMsByMemory[memoryMb];
}

/** Two significant digits: an order of magnitude, not a number to compare to the millisecond. */
export function roughMs(ms: number): string {
  return `~${Number(ms.toPrecision(2))} ms`;
}
