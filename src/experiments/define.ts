/**
 * What an experiment is: a module that answers one question about a platform, with typed
 * parameters (a zod object whose fields all have defaults, so `experiment run NAME` works bare)
 * and a lifecycle: prepare, run, cleanup. cleanup always runs, after a failure or Ctrl-C too.
 */
import type { z } from 'zod';
import type { Bench } from './bench.ts';

/** The answer an experiment prints and stores: a table, and anything a script wants as JSON. */
export interface ExperimentResult {
  readonly columns: readonly string[];
  readonly rows: ReadonlyArray<ReadonlyArray<string | number | boolean | null>>;
  /** Lines printed under the table: the estimate, the recommendation, what was applied. */
  readonly notes?: readonly string[];
  readonly summary?: Readonly<Record<string, unknown>>;
}

// zod's object type with any shape: experiments declare their own.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a registry holds experiments of every parameter shape
export type AnyParams = z.ZodObject<any>;

export interface ExperimentDefinition<P extends AnyParams> {
  readonly name: string;
  readonly description: string;
  readonly params: P;
  prepare?(bench: Bench, params: z.output<P>): Promise<void>;
  run(bench: Bench, params: z.output<P>): Promise<ExperimentResult>;
  cleanup?(bench: Bench, params: z.output<P>): Promise<void>;
}

export interface Experiment<P extends AnyParams = AnyParams> extends ExperimentDefinition<P> {
  readonly kind: 'faasbench-experiment';
}

export function defineExperiment<P extends AnyParams>(definition: ExperimentDefinition<P>): Experiment<P> {
  return { ...definition, kind: 'faasbench-experiment' };
}

export function isExperiment(value: unknown): value is Experiment {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'faasbench-experiment';
}
