// X-Ray's trace header and W3C Trace Context, mapped as AWS documents it, and read back by the platform.
import { describe, expect, it } from 'vitest';
import { callerSpanContext } from './trace-context.ts';
import { xrayRoot, xraySpanContext, xrayTraceHeader } from './xray-trace.ts';

const context = { traceId: '5759e988bd862e3fe1be46a994272793', spanId: '53995c3f42cd8ad8' };
const HEADER = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';

describe('X-Ray trace header', () => {
  it("splits the W3C trace id 8/24 into the Root, the span id is the Parent, and the trace is sampled", () => {
    expect(xrayRoot(context.traceId)).toBe('1-5759e988-bd862e3fe1be46a994272793');
    expect(xrayTraceHeader(context)).toBe(HEADER);
  });

  it('reads back the same context, whatever the order of the fields, and with Sampled unsaid', () => {
    expect(xraySpanContext(HEADER)).toEqual(context);
    expect(xraySpanContext('Sampled=1; Parent=53995c3f42cd8ad8; Root=1-5759e988-bd862e3fe1be46a994272793')).toEqual(context);
    expect(xraySpanContext('Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8')).toEqual(context);
  });

  it('takes no caller from an unsampled, partial, malformed or all-zero header', () => {
    for (const header of [
      'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0',
      'Root=1-5759e988-bd862e3fe1be46a994272793',
      'Parent=53995c3f42cd8ad8;Sampled=1',
      'Root=2-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8',
      'Root=1-5759e988-bd862e3fe1be46a99427279;Parent=53995c3f42cd8ad8',
      `Root=1-00000000-${'0'.repeat(24)};Parent=53995c3f42cd8ad8`,
      'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=0000000000000000',
      '',
    ]) {
      expect(xraySpanContext(header), header).toBeUndefined();
    }
    expect(xraySpanContext(undefined)).toBeUndefined();
  });

  it('is the caller only when neither traceparent nor B3 says one', () => {
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    expect(callerSpanContext({ 'x-amzn-trace-id': HEADER })).toEqual(context);
    expect(callerSpanContext({ 'x-amzn-trace-id': HEADER, traceparent })).toEqual({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7' });
    expect(callerSpanContext({ 'x-amzn-trace-id': HEADER, 'x-b3-traceid': 'a3ce929d0e0e4736', 'x-b3-spanid': '2222222222222222' })).toEqual({ traceId: '0000000000000000a3ce929d0e0e4736', spanId: '2222222222222222' });
  });
});
