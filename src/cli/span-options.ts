/**
 * `--otlp <url>` and `--zipkin <url>`: where the spans of a command's calls go (invoke, trace
 * replay, experiment), and the same flags handed to the local platform it starts, so the
 * platform's own spans join each call's trace.
 */
import type { Command } from 'commander';
import { FaasbenchError } from '../core/errors.ts';
import { ClientSpans } from '../spans/client-spans.ts';
import { hasCollectors, spanExportTo, type Collectors } from '../spans/collectors.ts';

export interface SpanFlags {
  otlp?: string;
  zipkin?: string;
}

export function addSpanOptions(command: Command): Command {
  return command
    .option('--otlp <url>', 'send a client span per call to this OTLP/HTTP traces endpoint (e.g. http://localhost:4318/v1/traces); calls carry traceparent')
    .option('--zipkin <url>', 'send a client span per call to this Zipkin v2 endpoint (e.g. http://localhost:9411/api/v2/spans); calls carry traceparent and B3');
}

/** The collectors given, checked as URLs; undefined when none. */
export function collectorsOf(flags: SpanFlags): Collectors | undefined {
  for (const [flag, url] of [['--otlp', flags.otlp], ['--zipkin', flags.zipkin]] as const) {
    if (url !== undefined && !/^https?:\/\/[^/]/.test(url)) throw new FaasbenchError('InvalidParameterValue', `${flag}: expected an http:// or https:// URL, got "${url}"`, { reason: 'usage' });
  }
  const collectors = { ...(flags.otlp ? { otlp: flags.otlp } : {}), ...(flags.zipkin ? { zipkin: flags.zipkin } : {}) };
  return hasCollectors(collectors) ? collectors : undefined;
}

/** The same flags for `platform start`. */
export function platformSpanArgs(collectors: Collectors | undefined): string[] {
  return [...(collectors?.otlp ? ['--otlp', collectors.otlp] : []), ...(collectors?.zipkin ? ['--zipkin', collectors.zipkin] : [])];
}

/** A tracer for the invoker and the close that sends its last spans; null without collectors. */
export function clientSpansFor(collectors: Collectors | undefined, provider: string): { readonly tracer: ClientSpans; close(): Promise<void> } | null {
  const exporter = spanExportTo(collectors, 'faasbench');
  if (!exporter) return null;
  return { tracer: new ClientSpans(exporter, collectors?.zipkin !== undefined, provider), close: () => exporter.close() };
}
