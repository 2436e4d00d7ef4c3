/**
 * experiments/: the experiment runtime (DESIGN.md §7): defineExperiment, the Bench API handed to
 * each hook, the runner (run row, lifecycle, cleanup, status), the registry of built-ins and the
 * template for new ones. Built-ins live one per file in builtin/. It drives providers and the
 * invoker and writes the store; it never imports the CLI, and never touches a provider's
 * internals: only the Provider interface.
 */
export * from './bench.ts';
export * from './define.ts';
export * from './params.ts';
export * from './registry.ts';
export * from './runner.ts';
export * from './template.ts';
