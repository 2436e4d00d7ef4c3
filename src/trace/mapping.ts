/**
 * The mapping from trace functions to the proxies that stand in for them during a replay
 * (`trace map` writes it, `trace plan`/`replay`/`plot` read it). A proxy is a deployable function
 * with one of its named inputs (`210.thumbnailer:small`), or `synthetic`, which is told per call
 * how long to compute and how much memory to hold.
 */
import type { FunctionKey } from './trace-function.ts';

export const SYNTHETIC = 'synthetic';

/** `name:input` for a function and one of its inputs; `synthetic` for the synthetic function. */
export type ProxyId = string;

export interface MappingEntry {
  readonly key: FunctionKey;
  readonly trigger: string;
  readonly traceDurationP75Ms: number;
  readonly traceMemoryP75Mb: number;
  readonly proxy: ProxyId;
  /** The proxy's profiled p75s; for `synthetic`, the trace's own figures. */
  readonly proxyDurationP75Ms: number;
  readonly proxyMemoryP75Mb: number;
  /** |proxy - trace| / trace; null when the trace figure is 0 (no relative error exists). */
  readonly durationError: number | null;
  readonly memoryError: number | null;
  /** Euclidean distance in log space on (p75 memory, p75 duration), the quantity minimised. */
  readonly distance: number;
}

export interface Mapping {
  readonly version: 1;
  /** How the pairs were chosen, e.g. "unique" or "nearest", and any fallback taken. */
  readonly method: string;
  readonly maxError: number | null;
  readonly entries: readonly MappingEntry[];
}

/** Splits `name:input`; `synthetic` has no input. */
export function parseProxyId(id: ProxyId): { readonly fn: string; readonly input: string | null } {
  const at = id.lastIndexOf(':');
  return at < 0 ? { fn: id, input: null } : { fn: id.slice(0, at), input: id.slice(at + 1) };
}
