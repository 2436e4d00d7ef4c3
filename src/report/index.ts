/**
 * report/: chart specs (Vega-Lite), their rendering to SVG and PNG in Node, and the self-contained
 * HTML report, shared with the dashboard. It reads a run through the Store interface (run-data.ts)
 * and writes only the report folder it is given (html-report.ts); it must not touch providers, the
 * platform or the CLI, and never writes the store.
 */
export * from './chart-config.ts';
export * from './escape-html.ts';
export * from './html-report.ts';
export * from './log-axis.ts';
export * from './log-bins.ts';
export * from './render.ts';
export * from './result-charts.ts';
export * from './result-data.ts';
export * from './result-html.ts';
export * from './run-charts.ts';
export * from './run-data.ts';
export * from './run-series.ts';
export * from './trace-charts.ts';
