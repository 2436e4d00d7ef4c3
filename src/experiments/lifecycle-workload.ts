/**
 * The workload an invoke step hands its hook: a pattern of the workload registry and its options
 * (from the words `experiment invoke` was given, read by the CLI as `faasbench invoke` reads them),
 * planned per function with the registry's planPattern, as `faasbench invoke` plans.
 */
import type { PlannedInvocation } from '../core/load-plan.ts';
import { patternNamed, planPattern } from '../workload/registry.ts';
import type { StepWorkload } from './define.ts';

/**
 * The workload of `pattern`; its options are checked now, so a bad option is refused before
 * anything starts. A pattern that takes a seed and was given none gets the run's, as
 * `faasbench invoke` gives its --seed (src/cli/load-run.ts).
 */
export function stepWorkload(pattern: { readonly name: string; readonly options: Readonly<Record<string, string>> }, seed: number): StepWorkload {
  const checked = patternNamed(pattern.name);
  const options = checked.optionNames.includes('seed') && pattern.options.seed === undefined ? { ...pattern.options, seed: String(seed) } : pattern.options;
  checked.parse(options);
  return {
    pattern: pattern.name,
    options: pattern.options,
    plan: (fn: string, payload: PlannedInvocation['payload'] = { event: {} }) => planPattern(pattern.name, options, { fn, payload }),
  };
}
