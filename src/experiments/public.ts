/**
 * What an experiment module imports (`import { defineExperiment, z } from 'faasbench/experiments'`):
 * the definition helper, the Bench API types, load patterns and zod for parameters, so a user's experiment needs
 * nothing else installed.
 */
export { z } from 'zod';
export { defineExperiment, type Experiment, type ExperimentResult } from './define.ts';
export type { Bench, InvocationOutcome, LoadOutcome, Payload } from './bench.ts';
export { planOf, type LoadPlan, type PlannedInvocation } from '../core/load-plan.ts';
export { planPattern } from '../workload/registry.ts';
