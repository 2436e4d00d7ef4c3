/**
 * core/: the spine every other folder depends on (DESIGN.md §1-§2): function packages, load
 * plans, invocation records, the Provider interface, the hi-res clock, seeded PRNG and errors.
 * Core imports nothing from the project; only core/clock touches the clock, nothing here touches
 * processes or the network.
 */
export * from './clock.ts';
export * from './defined-fields.ts';
export * from './errors.ts';
export * from './function-package.ts';
export * from './invocation-record.ts';
export * from './load-plan.ts';
export * from './plural.ts';
export * from './prng.ts';
export * from './provider.ts';
export * from './runtime-id.ts';
