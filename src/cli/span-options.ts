/**
 * `--otlp <url>`, `--otlp-encoding <encoding>` and `--zipkin <url>`: where the spans of a command's
 * calls go (invoke, trace replay, experiment), and the same flags handed to the local platform it
 * starts, so the platform's own spans join each call's trace. Every command takes them from here.
 */
import { Option, type Command } from 'commander';
import { FaasbenchError } from '../core/errors.ts';
import { ClientSpans } from '../spans/client-spans.ts';
import { hasCollectors, spanExportTo, type Collectors } from '../spans/collectors.ts';
import { OTLP_ENCODINGS, type OtlpEncoding } from '../spans/otlp-sender.ts';

export interface SpanFlags {
  otlp?: string;
  otlpEncoding?: string;
  zipkin?: string;
}

/** Whose spans the flags send: a command's client span per call, or the platform's own. */
type SpanSource = 'calls' | 'platform';

const WHAT: Record<SpanSource, { otlp: string; zipkin: string }> = {
  calls: {
    otlp: 'send a client span per call to this OTLP/HTTP traces endpoint (e.g. http://localhost:4318/v1/traces); calls carry traceparent',
    zipkin: 'send a client span per call to this Zipkin v2 endpoint (e.g. http://localhost:9411/api/v2/spans); calls carry traceparent and B3',
  },
  platform: {
    otlp: "send the platform's spans (queue wait, init, invoke) of calls that carry traceparent or B3 to this OTLP/HTTP endpoint",
    zipkin: "send the platform's spans of calls that carry traceparent or B3 to this Zipkin v2 endpoint",
  },
};

export function otlpOption(source: SpanSource = 'calls'): Option {
  return new Option('--otlp <url>', WHAT[source].otlp);
}

export function otlpEncodingOption(): Option {
  return new Option('--otlp-encoding <encoding>', "the body of --otlp's requests: protobuf (application/x-protobuf, what collectors expect by default) or json").choices([...OTLP_ENCODINGS]).default('protobuf');
}

export function zipkinOption(source: SpanSource = 'calls'): Option {
  return new Option('--zipkin <url>', WHAT[source].zipkin);
}

export function addSpanOptions(command: Command, source: SpanSource = 'calls'): Command {
  return command.addOption(otlpOption(source)).addOption(otlpEncodingOption()).addOption(zipkinOption(source));
}

/** The collectors given, checked as URLs; undefined when none. */
export function collectorsOf(flags: SpanFlags): Collectors | undefined {
  for (const [flag, url] of [['--otlp', flags.otlp], ['--zipkin', flags.zipkin]] as const) {
    if (url !== undefined && !/^https?:\/\/[^/]/.test(url)) throw new FaasbenchError('InvalidParameterValue', `${flag}: expected an http:// or https:// URL, got "${url}"`, { reason: 'usage' });
  }
  const collectors = { ...(flags.otlp ? { otlp: flags.otlp, otlpEncoding: otlpEncodingOf(flags.otlpEncoding) } : {}), ...(flags.zipkin ? { zipkin: flags.zipkin } : {}) };
  return hasCollectors(collectors) ? collectors : undefined;
}

/** Commander checks the choices already; this holds for callers that build the flags themselves. */
function otlpEncodingOf(value: string | undefined): OtlpEncoding {
  if (value === undefined) return 'protobuf';
  const encoding = OTLP_ENCODINGS.find((e) => e === value);
  if (!encoding) throw new FaasbenchError('InvalidParameterValue', `--otlp-encoding: expected ${OTLP_ENCODINGS.join(' or ')}, got "${value}"`, { reason: 'usage' });
  return encoding;
}

/** The same flags for `platform start`. */
export function platformSpanArgs(collectors: Collectors | undefined): string[] {
  const otlp = collectors?.otlp ? ['--otlp', collectors.otlp, '--otlp-encoding', collectors.otlpEncoding ?? 'protobuf'] : [];
  return [...otlp, ...(collectors?.zipkin ? ['--zipkin', collectors.zipkin] : [])];
}

/** A tracer for the invoker and the close that sends its last spans; null without collectors. */
export function clientSpansFor(collectors: Collectors | undefined, provider: string): { readonly tracer: ClientSpans; close(): Promise<void> } | null {
  const exporter = spanExportTo(collectors, 'faasbench');
  if (!exporter) return null;
  return { tracer: new ClientSpans(exporter, collectors?.zipkin !== undefined, provider), close: () => exporter.close() };
}
