// Resolves `faasbench/experiments` to this installation, wherever the importing
// file lives: an experiment written by `faasbench experiment new` runs from any folder as written.
const ENTRIES = {
  'faasbench/experiments': new URL('../src/experiments/public.ts', import.meta.url).href,
};

export async function resolve(specifier, context, next) {
  const entry = ENTRIES[specifier];
  return entry ? { url: entry, shortCircuit: true } : next(specifier, context);
}
