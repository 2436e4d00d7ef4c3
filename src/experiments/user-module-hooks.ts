/**
 * What makes a user's experiment module importable (TypeScript, and `faasbench/experiments` named
 * from any folder) when the CLI runs compiled: bin/faasbench.mjs leaves a function under this symbol
 * that registers those loader hooks, once, and only when a module of the user's is about to be
 * imported. Absent when they are there from the start (the CLI running its sources through tsx, a
 * test runner, a program importing faasbench itself): nothing to do then.
 */
const USER_MODULE_HOOKS = Symbol.for('faasbench.userModuleHooks');

export async function userModuleHooks(): Promise<void> {
  const register = (globalThis as Record<symbol, unknown>)[USER_MODULE_HOOKS];
  if (typeof register === 'function') await (register as () => Promise<void>)();
}
