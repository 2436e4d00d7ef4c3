/**
 * web/: the dashboard (`faasbench serve`, DESIGN.md §8): a read-only HTTP server with the runs list
 * (live status and progress), a run's summary and charts, and the comparison of two runs, over a
 * small JSON API. It reads the store, the analysis and the report (charts are rendered to SVG
 * here, so the pages need no chart library); it never writes the store, and it never imports the
 * CLI, providers or the platform.
 */
export { startDashboard, DEFAULT_PORT, type Dashboard, type DashboardOptions } from './server.ts';
export { isLoopbackHost, requireSafeBinding } from './auth.ts';
