/**
 * What an experiment module imports (`import { defineExperiment, z } from 'faasbench/experiments'`):
 * the definition helper, the Bench API types, load patterns and zod for parameters, so a user's experiment needs
 * nothing else installed.
 */
export { z } from 'zod';
export { defineExperiment, type Experiment, type ExperimentResult } from './define.ts';
/** faasbench's one percentile definition (nearest rank: always a value that was measured), for an experiment's own tables. */
export { median, percentile } from '../analysis/percentile.ts';
export type { Bench, InvocationOutcome, LoadOutcome, Payload } from './bench.ts';
export { planOf, type LoadPlan, type PlannedInvocation } from '../core/load-plan.ts';
export { planPattern } from '../workload/registry.ts';
