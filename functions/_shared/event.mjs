// Reading a benchmark's event: each field is fetched by its dotted path and checked, so bad input
// ends as one handled error naming the field instead of a TypeError deep inside the benchmark.
import { performance } from 'node:perf_hooks';

/** Reported by the platform as errorType "InvalidInput" with the message naming the field. */
export class InvalidInput extends Error {
  constructor(message) {
    super(message);
    this.name = 'InvalidInput';
  }
}

function lookup(event, fieldPath) {
  let value = event;
  for (const part of fieldPath.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = value[part];
  }
  return value;
}

const shown = (value) => (value === undefined ? 'nothing' : JSON.stringify(value));

/** A non-empty string at `fieldPath`; `fallback` when absent, if one is given. */
export function stringField(event, fieldPath, fallback) {
  const value = lookup(event, fieldPath);
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'string' || value === '') throw new InvalidInput(`field "${fieldPath}": expected a non-empty string, got ${shown(value)}`);
  return value;
}

/** An integer in [min, max] at `fieldPath`; `fallback` when absent, if one is given. */
export function intField(event, fieldPath, { min, max, fallback } = {}) {
  const value = lookup(event, fieldPath);
  if (value === undefined && fallback !== undefined) return fallback;
  if (!Number.isSafeInteger(value) || (min !== undefined && value < min) || (max !== undefined && value > max)) {
    throw new InvalidInput(`field "${fieldPath}": expected an integer from ${min ?? '-inf'} to ${max ?? 'inf'}, got ${shown(value)}`);
  }
  return value;
}

/**
 * Runs `fn` and returns its value with the elapsed time in microseconds, the unit SeBS reports
 * its measurements in.
 */
export async function timed(fn) {
  const start = performance.now();
  const value = await fn();
  return [value, Math.round((performance.now() - start) * 1000)];
}
