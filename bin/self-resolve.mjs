// Resolves `faasbench/experiments` to this installation, wherever the importing file lives: an
// experiment written by `faasbench experiment new` runs from any folder as written. It names the
// same module the CLI itself runs (build/ or the sources), so the module shares the CLI's classes.
let entry = new URL('../src/experiments/public.ts', import.meta.url).href;

export function initialize(data) {
  if (data?.built) entry = new URL('../build/src/experiments/public.js', import.meta.url).href;
}

export async function resolve(specifier, context, next) {
  return specifier === 'faasbench/experiments' ? { url: entry, shortCircuit: true } : next(specifier, context);
}
