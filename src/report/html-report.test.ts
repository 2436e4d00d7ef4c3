// The report page around the charts: what the summary says, that nothing in it can run or fetch,
// and that several inline SVGs cannot clash.
import { describe, expect, it } from 'vitest';
import type { Run } from '../store/store.ts';
import { reportHtml, uniqueIds } from './html-report.ts';
import type { RunReportData } from './run-data.ts';

const RUN: Run = {
  id: 'r1',
  kind: 'invoke',
  name: '<script>alert(1)</script>',
  provider: 'local',
  params: { pattern: 'constant' },
  seed: 42,
  host: null,
  toolVersion: '0.1.0',
  status: 'completed',
  startedAt: '2026-01-01T00:00:00.000Z',
  finishedAt: '2026-01-01T00:01:05.000Z',
  summary: null,
  progress: null,
  progressAt: null,
  duplicates: 0,
  heartbeatAt: null,
  heartbeatMs: null,
  label: null,
};

const stats = (p50: number) => ({ count: 3, min: 1, p50, p90: 3, p99: 3, p999: 3, max: 3, mean: 2, precision: 'exact' as const });

const DATA: RunReportData = {
  run: RUN,
  records: 4,
  byStatus: { ok: 3, throttled: 1 },
  functions: [{ fn: 'f & g', calls: 4, warmupCalls: 0, byStatus: { ok: 3, throttled: 1 }, ok: 3, failed: 1, errorClasses: { TooManyRequestsException: 1 }, cold: 1, warm: 2, latencyMs: stats(2) }],
  total: null,
  cdf: { points: [], calls: {}, method: '' },
  overTime: { points: [], sampling: { cold: { total: 0, stride: 1 }, other: { total: 0, stride: 1 } } },
  instances: null,
  lateness: { binsPerDecade: 5, floor: 0.001, bins: [], belowFloor: 0, total: 0 },
  dropped: 0,
  memorySweep: null,
  result: null,
  series: null,
  steps: null,
  mapping: null,
  notes: ['a note with <b>markup</b>'],
};

describe('reportHtml', () => {
  it('escapes every stored text and states how percentiles are computed', () => {
    const html = reportHtml(DATA, [{ name: 'latency-cdf', title: 'Latency CDF', svg: '<svg width="1" height="1"><clipPath id="clip1"/><g clip-path="url(#clip1)"/></svg>' }]);
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('<td class="text">f &amp; g</td><td>4</td><td>3</td><td>1</td><td>1</td><td>2</td>');
    expect(html).toContain('<td>2.00</td>');
    expect(html).toContain('Percentiles are nearest rank of every ok call');
    expect(html).toContain('<li>a note with &lt;b&gt;markup&lt;/b&gt;</li>');
    expect(html).toContain('2026-01-01T00:01:05.000Z (1 min 5 s)');
    expect(html).toContain('<section class="chart" id="chart-latency-cdf">\n<h2>Latency CDF</h2>\n<figure data-chart="latency-cdf" aria-label="Latency CDF"><svg width="1" height="1"><clipPath id="latency-cdf-clip1"/>');
    expect(html).not.toContain('generated');
    expect(reportHtml(DATA, [], '2026-01-02T00:00:00Z')).toContain('report generated 2026-01-02T00:00:00Z');
  });

  it("shows an experiment's result as tables with the CLI's figures, its declared charts beside them", () => {
    const result = {
      columns: ['memory MB', 'avg billed ms', 'errors'],
      rows: [
        [128, 12.345, null],
        [256, 0.12345, 'x<y'],
      ],
      notes: ['recommended: 128 MB'],
      tables: [{ name: 'probes', title: 'idle <probes>', columns: ['probe', 'warm'], rows: [['p1', true]] }],
      charts: [],
    };
    const html = reportHtml({ ...DATA, result }, [
      { name: 'result-1-speed', title: 'speed', svg: '<svg/>', group: 'result' },
      { name: 'latency-cdf', title: 'Latency CDF', svg: '<svg/>', group: 'calls' },
    ]);
    expect(html).toContain(
      '<section id="result">\n<h2>Result</h2>\n<div class="scroll"><table class="result" data-table="result"><thead><tr><th>memory MB</th><th>avg billed ms</th><th class="text">errors</th></tr></thead><tbody><tr><td>128</td><td>12.35</td><td class="text">-</td></tr><tr><td>256</td><td>0.1235</td><td class="text">x&lt;y</td></tr></tbody></table></div>\n<ul class="notes result-notes"><li>recommended: 128 MB</li></ul>\n<h3>idle &lt;probes&gt;</h3>\n<div class="scroll"><table class="result" data-table="probes"><thead><tr><th class="text">probe</th><th class="text">warm</th></tr></thead><tbody><tr><td class="text">p1</td><td class="text">true</td></tr></tbody></table></div>\n<figure data-chart="result-1-speed"',
    );
    // The answer's chart sits in the result section only; the calls' charts follow in their own.
    expect(html.match(/data-chart="result-1-speed"/g)).toHaveLength(1);
    expect(html.indexOf('id="result"')).toBeLessThan(html.indexOf('id="chart-latency-cdf"'));
    expect(html).not.toContain('id="chart-result-1-speed"');
  });

  it('prefixes ids and the references to them, leaving the rest of the SVG alone', () => {
    expect(uniqueIds('<g id="a"><use href="#a"/><path fill="url(#g1)" d="M0"/></g>', 'my chart')).toBe('<g id="my_chart-a"><use href="#my_chart-a"/><path fill="url(#my_chart-g1)" d="M0"/></g>');
  });
});
