/** The collectors a command was given (`--otlp`, `--zipkin`), as one SpanExport for a service. */
import { otlpSender, type OtlpEncoding } from './otlp-sender.ts';
import { SpanExport } from './span-export.ts';
import type { SpanSender } from './span-record.ts';
import { zipkinSender } from './zipkin-sender.ts';

export interface Collectors {
  /** OTLP/HTTP traces endpoint, e.g. http://localhost:4318/v1/traces. */
  readonly otlp?: string | undefined;
  /** How OTLP bodies are encoded; default protobuf. */
  readonly otlpEncoding?: OtlpEncoding | undefined;
  /** Zipkin v2 endpoint, e.g. http://localhost:9411/api/v2/spans. */
  readonly zipkin?: string | undefined;
}

export function hasCollectors(c: Collectors | undefined): c is Collectors {
  return c?.otlp !== undefined || c?.zipkin !== undefined;
}

/** Null when no collector was given. */
export function spanExportTo(collectors: Collectors | undefined, serviceName: string, say?: (message: string) => void): SpanExport | null {
  if (!hasCollectors(collectors)) return null;
  const senders: SpanSender[] = [];
  if (collectors.otlp !== undefined) senders.push(otlpSender(collectors.otlp, serviceName, collectors.otlpEncoding));
  if (collectors.zipkin !== undefined) senders.push(zipkinSender(collectors.zipkin, serviceName));
  return new SpanExport({ senders, ...(say ? { say } : {}) });
}
