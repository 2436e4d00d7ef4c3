/** The file `faasbench experiment new NAME` writes: a complete experiment that runs as written. */
export function experimentTemplate(name: string): string {
  return `// ${name}: a faasbench experiment. Run it with
//   faasbench experiment run ./${name}.ts [--provider local] [--param calls=20]
import { defineExperiment, median, z } from 'faasbench/experiments';

export default defineExperiment({
  name: '${name}',
  description: 'Warm latency of hello after one cold call (edit me).',
  // Every parameter has a default, so the experiment runs bare; --param k=v overrides.
  params: z.object({
    fn: z.string().default('hello'),
    calls: z.number().int().min(1).default(10),
    memoryMb: z.number().int().min(128).default(256),
  }),

  // Deploy what the experiment needs; runs before run().
  async prepare(bench, params) {
    await bench.deploy(params.fn, { memoryMb: params.memoryMb });
  },

  // Every call is stored as an invocation of this run; bench.record() keeps your own rows.
  async run(bench, params) {
    const cold = await bench.invoke(params.fn);
    const warm: number[] = [];
    for (let i = 0; i < params.calls; i++) {
      const { record } = await bench.invoke(params.fn);
      if (record.latencyMs !== null) warm.push(record.latencyMs);
      bench.progress(i + 1, params.calls, 'warm calls');
    }
    // faasbench's own percentile definition (nearest rank), as every table it prints: null for no calls.
    const warmMedian = median(warm);
    await bench.record('latency', { cold: cold.record.latencyMs, warmMedian });
    return {
      columns: ['call', 'latency ms'],
      rows: [
        ['first (cold: ' + String(cold.record.cold) + ')', cold.record.latencyMs],
        ['warm median of ' + warm.length, warmMedian],
      ],
      // Further tables and the charts that answer the question: the CLI (faasbench results), the
      // HTML report and the dashboard draw them from these stored rows.
      tables: [{ name: 'warm', title: 'each warm call', columns: ['call', 'latency ms'], rows: warm.map((ms, i) => [i + 1, ms]) }],
      charts: [{ title: 'Warm latency per call', table: 'warm', mark: 'line', x: { column: 'call' }, y: { column: 'latency ms' } }],
    };
  },

  // Always runs, after a failure or Ctrl-C too. Functions deployed through bench are removed for you.
  async cleanup(bench) {
    bench.log('done');
  },
});
`;
}
