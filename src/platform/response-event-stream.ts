/**
 * InvokeWithResponseStream's body: AWS's event-stream framing (prelude, headers, payload, CRCs),
 * encoded with the codec the AWS SDK decodes it with. Lambda sends PayloadChunk events as the
 * function writes, then one InvokeComplete (with the error and the log tail, if any).
 */
import { EventStreamCodec } from '@smithy/core/event-streams';

const codec = new EventStreamCodec(
  (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8'),
  (text: string) => Buffer.from(text, 'utf8'),
);

type Event = 'PayloadChunk' | 'InvokeComplete';

function message(event: Event, contentType: string, body: Uint8Array): Buffer {
  const headers = {
    ':event-type': { type: 'string' as const, value: event },
    ':content-type': { type: 'string' as const, value: contentType },
    ':message-type': { type: 'string' as const, value: 'event' },
  };
  return Buffer.from(codec.encode({ headers, body }));
}

export function payloadChunk(bytes: Uint8Array): Buffer {
  return message('PayloadChunk', 'application/octet-stream', bytes);
}

export interface InvokeComplete {
  readonly ErrorCode?: string;
  readonly ErrorDetails?: string;
  readonly LogResult?: string;
}

export function invokeComplete(detail: InvokeComplete): Buffer {
  return message('InvokeComplete', 'application/json', Buffer.from(JSON.stringify(detail)));
}
