/**
 * Files a run's params name (a trace replay's mapping, a plan), found again from any folder. New
 * runs store absolute paths, and every run stores the folder it was started in (host.cwd), so a
 * relative path (an experiment parameter, or a run from before) is taken from that folder, not
 * from wherever `report` or `serve` happens to run.
 */
import path from 'node:path';
import type { Run } from './store.ts';

export function runPath(run: Pick<Run, 'host'>, file: string): string {
  if (path.isAbsolute(file)) return file;
  const host = run.host;
  const cwd = typeof host === 'object' && host !== null && !Array.isArray(host) ? host.cwd : undefined;
  return typeof cwd === 'string' && path.isAbsolute(cwd) ? path.resolve(cwd, file) : file;
}
