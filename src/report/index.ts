/**
 * report/: chart specs (Vega-Lite) and their rendering to SVG and PNG in Node, shared by the
 * report and the dashboard; later the HTML report. It reads core and trace types and pure
 * functions only: it must not touch the store, providers, the platform or the CLI, and it never
 * reads or writes files (callers hand it data and write what it returns).
 */
export * from './chart-config.ts';
export * from './log-axis.ts';
export * from './log-bins.ts';
export * from './render.ts';
export * from './trace-charts.ts';
