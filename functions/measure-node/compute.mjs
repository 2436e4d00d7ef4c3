// The `cpu` and `cpuu` commands: faas_measure's cpu_test and cpu_util_test.

/** ms to compute n! with big integers. */
export function cpu({ n }) {
  const start = performance.now();
  const last = BigInt(n);
  let _product = 1n; // never read: the work is the point
  for (let i = 1n; i <= last; i++) _product *= i;
  return performance.now() - start;
}

/**
 * The distinct ms timestamps seen in n iterations of a busy loop. Under a CPU quota the instance
 * is descheduled for stretches, which show as gaps between consecutive timestamps.
 */
export function cpuu({ n }) {
  const seen = new Set();
  for (let i = 0; i < n; i++) seen.add(Date.now());
  return [...seen].sort((a, b) => a - b);
}
