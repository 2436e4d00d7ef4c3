// Clears what finished test runs left in the scratch directory; a run still going (another
// engineer's, another worktree's) keeps its folders.
import { sweepLeftovers } from '../../src/platform/leftovers.ts';
import { SCRATCH } from './platform.ts';

export default function setup(): void {
  sweepLeftovers([], SCRATCH);
}
