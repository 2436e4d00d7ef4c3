/**
 * k6 export (`faasbench invoke ... --export k6 script.js`): the plan a load pattern builds, as a k6
 * script and the k6 `options` object the Serverless Benchmarker writes as workload_options.json.
 * This folder's k6-*.ts files own it: k6-stages.ts (rate curves as k6 stages, and what k6 starts
 * for them), k6-scenario.ts (which executor), k6-endpoint.ts (the HTTP request per provider),
 * k6-script.ts (the script's text). Pure: the caller resolves the payload and writes the files.
 */
import type { PlanTarget } from './pattern.ts';
import { patternNamed, planPattern } from './registry.ts';
import { k6Request, type K6Request } from './k6-endpoint.ts';
import { k6Scenario } from './k6-scenario.ts';
import { k6Script } from './k6-script.ts';

export interface K6ExportSpec {
  readonly fn: string;
  /** A pattern name and its options, as `splitPatternArgs` gives them. */
  readonly pattern: { readonly name: string; readonly options: Readonly<Record<string, unknown>> };
  readonly provider: string;
  readonly providerOptions: Readonly<Record<string, unknown>>;
  /** The event every call sends (the plan's payload, resolved). */
  readonly event: unknown;
  readonly maxInFlight: number;
}

/** The k6 `options` object: one scenario, named after the pattern. */
export interface K6Options {
  readonly scenarios: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

export interface K6Export {
  readonly script: string;
  readonly options: K6Options;
  readonly request: K6Request;
  /** Calls k6 starts (its executors' documented semantics) and calls the plan makes. */
  readonly calls: number;
  readonly planned: number;
  /** Where the script cannot do what the plan does (Poisson arrivals, a rounded count). */
  readonly warnings: readonly string[];
  /** What running it needs (a platform to start, environment variables to set). */
  readonly notes: readonly string[];
}

export function exportK6(spec: K6ExportSpec): K6Export {
  const target: PlanTarget = { fn: spec.fn, payload: { event: null } };
  const plan = planPattern(spec.pattern.name, spec.pattern.options, target);
  const request = k6Request(spec.provider, spec.providerOptions, spec.fn, JSON.stringify(spec.event ?? {}));
  const exported = k6Scenario(plan, arrivalsOf(spec.pattern), { maxInFlight: spec.maxInFlight, timeoutMs: request.timeoutMs });
  const options: K6Options = { scenarios: { [spec.pattern.name]: exported.scenario } };
  const heading = [
    `faasbench ${spec.pattern.name} plan of ${spec.fn} through provider ${spec.provider}: ${exported.planned} calls; k6 starts ${exported.calls}.`,
    `${request.method} ${request.sigv4 ? `https://lambda.<region>.amazonaws.com${request.sigv4.path}` : request.url}`,
    'Run it with: k6 run <this file>. The same options are in workload_options.json beside it.',
    ...exported.warnings.map((w) => `Warning: ${w}.`),
    ...request.notes.map((n) => `Note: ${n}.`),
  ];
  const script = k6Script({ heading, options, request, gapUs: exported.gapUs });
  return { script, options, request, calls: exported.calls, planned: exported.planned, warnings: exported.warnings, notes: request.notes };
}

/** The pattern's own `--arrivals` after its defaults (patterns without it are uniform by nature). */
function arrivalsOf(pattern: K6ExportSpec['pattern']): 'uniform' | 'poisson' {
  // parse() is typed per pattern; every rate pattern's options carry `arrivals`.
  const parsed = patternNamed(pattern.name).parse(pattern.options) as { arrivals?: 'uniform' | 'poisson' };
  return parsed.arrivals ?? 'uniform';
}
