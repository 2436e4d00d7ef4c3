import { describe, expect, it } from 'vitest';
import { invocationTraceHeader } from './trace-id.ts';

const FORMAT = /^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0$/;

describe('invocation trace header', () => {
  it('is a well-formed X-Ray header with the epoch seconds in hex, new for every call', () => {
    const a = invocationTraceHeader(undefined, 1_700_000_000_999);
    const b = invocationTraceHeader(undefined, 1_700_000_000_999);
    expect(a).toMatch(FORMAT);
    expect(a.slice(0, 16)).toBe(`Root=1-${(1_700_000_000).toString(16)}-`);
    expect(a).not.toBe(b);
  });

  it("keeps the caller's Root, with a Parent of its own and nothing sampled", () => {
    const caller = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';
    const header = invocationTraceHeader(caller);
    expect(header).toMatch(/^Root=1-5759e988-bd862e3fe1be46a994272793;Parent=[0-9a-f]{16};Sampled=0$/);
    expect(header).not.toContain('53995c3f42cd8ad8');
    expect(invocationTraceHeader('Sampled=1; Root=1-5759e988-bd862e3fe1be46a994272793')).toMatch(/^Root=1-5759e988-bd862e3fe1be46a994272793;/);
  });

  it('starts a new trace when the caller sent none or a malformed one', () => {
    for (const caller of ['', 'Root=1-2d61350b;Sampled=0', 'Root=2-5759e988-bd862e3fe1be46a994272793', 'xRoot=1-5759e988-bd862e3fe1be46a994272793']) {
      const header = invocationTraceHeader(caller, 0);
      expect(header).toMatch(FORMAT);
      expect(header.slice(0, 16)).toBe('Root=1-00000000-');
    }
  });
});
