/**
 * What an experiment is: a module that answers one question about a platform, with typed
 * parameters (a zod object whose fields all have defaults, so `experiment run NAME` works bare)
 * and a lifecycle: prepare, run, cleanup. cleanup always runs, after a failure or Ctrl-C too.
 * A module may also export `invoke`, for the stepwise lifecycle (`experiment prepare`, `invoke`,
 * `cleanup` as commands of their own: lifecycle.ts).
 */
import type { z } from 'zod';
import type { PlannedInvocation } from '../core/load-plan.ts';
import type { WorkloadPlan } from '../workload/pattern.ts';
import type { Bench } from './bench.ts';

export type ResultCell = string | number | boolean | null;

/** A further table of a result (idle-timeout's probes beside its bracket), named for its charts. */
export interface ResultTable {
  readonly name: string;
  readonly title: string;
  readonly columns: readonly string[];
  readonly rows: ReadonlyArray<ReadonlyArray<ResultCell>>;
}

/** One axis of a result chart: a column of the table the chart draws. */
export interface ResultAxis {
  readonly column: string;
  /** Defaults to the column's name. */
  readonly title?: string;
  /** quantitative unless said: numbers on a scale; ordinal/nominal for sizes or names as categories. */
  readonly type?: 'quantitative' | 'ordinal' | 'nominal';
  readonly scale?: 'linear' | 'log';
}

/**
 * The chart that answers the experiment's question, declared as data so the CLI, the HTML report
 * and the dashboard draw it the same way from the same stored rows (never from pooled calls).
 * Quantitative axes read numbers (null cells are gaps); result-check.ts says what a chart lacks.
 */
export interface ResultChart {
  readonly title: string;
  /** The table drawn: a ResultTable's name; the main table when absent. */
  readonly table?: string;
  readonly mark: 'line' | 'bar' | 'point';
  readonly x: ResultAxis;
  readonly y: ResultAxis;
  /**
   * A column whose values split the rows into coloured series (runtime, provisioned...). Bars of
   * several series at one x stand side by side, never stacked: each is a value of its own (a
   * median, a count), not a part of a sum.
   */
  readonly series?: string;
}

/** The answer an experiment prints and stores: a table, and anything a script wants as JSON. */
export interface ExperimentResult {
  readonly columns: readonly string[];
  readonly rows: ReadonlyArray<ReadonlyArray<ResultCell>>;
  /** Lines printed under the table: the estimate, the recommendation, what was applied. */
  readonly notes?: readonly string[];
  readonly summary?: Readonly<Record<string, unknown>>;
  /** Tables beyond the main one, printed after it. */
  readonly tables?: readonly ResultTable[];
  /** The chart(s) that answer the question; every built-in declares at least one. */
  readonly charts?: readonly ResultChart[];
}

// zod's object type with any shape: experiments declare their own.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a registry holds experiments of every parameter shape
export type AnyParams = z.ZodObject<any>;

/**
 * The load `experiment invoke` was given (`10`, `bursty --rate 5 --duration 1m`, `rates.csv`),
 * read as `faasbench invoke` reads the same words.
 */
export interface StepWorkload {
  /** The load pattern the words name (`sequential` for a count, `rates` for a CSV file). */
  readonly pattern: string;
  /** Its options as given, before defaults (`{ rate: '5', duration: '1m' }`). */
  readonly options: Readonly<Record<string, string>>;
  /** The plan of calls of `fn`, exactly as `faasbench invoke fn <words>` plans it; the payload defaults to `{}`. */
  plan(fn: string, payload?: PlannedInvocation['payload']): WorkloadPlan;
}

export interface ExperimentDefinition<P extends AnyParams> {
  readonly name: string;
  readonly description: string;
  readonly params: P;
  prepare?(bench: Bench, params: z.output<P>): Promise<void>;
  run(bench: Bench, params: z.output<P>): Promise<ExperimentResult>;
  /**
   * The invoke step of the stepwise lifecycle (`experiment invoke MODULE 10`): sends the given
   * load at what an earlier `experiment prepare` deployed. A result, when returned, is stored
   * and printed as run's is.
   */
  invoke?(bench: Bench, params: z.output<P>, workload: StepWorkload): Promise<ExperimentResult | void>;
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
