import { describe, expect, it } from 'vitest';
import { isFaasbenchError } from '../core/errors.ts';
import { checkClientContext, INVALID_CLIENT_CONTEXT, runtimeClientContext } from './client-context.ts';

const b64 = (text: string): string => Buffer.from(text).toString('base64');

describe('ClientContext', () => {
  it('reaches the runtime as the JSON the caller encoded, on one header line', () => {
    const context = { custom: { a: 1 }, env: { locale: 'en' }, client: { app_title: 'x' } };
    expect(runtimeClientContext(b64(JSON.stringify(context)))).toBe(JSON.stringify(context));
    expect(runtimeClientContext(b64('{\n  "custom": {"k": "v"}\n}'))).toBe('{"custom":{"k":"v"}}');
    expect(runtimeClientContext(b64('{"a":1}').replace(/=+$/, ''))).toBe('{"a":1}');
  });

  it('escapes what a header cannot carry, and JSON reads it back unchanged', () => {
    const context = { custom: { name: 'Zoë 😀', del: '\u007f' } };
    const header = runtimeClientContext(b64(JSON.stringify(context))) as string;
    expect(header).toBe('{"custom":{"name":"Zo\\u00eb \\ud83d\\ude00","del":"\\u007f"}}');
    expect(JSON.parse(header)).toEqual(context);
  });

  it.each([
    ['not base64', 'not base64!'],
    ['base64 of text', b64('hello')],
    ['a JSON array', b64('[1]')],
    ['a JSON string', b64('"s"')],
    ['JSON null', b64('null')],
    ['empty', ''],
  ])('is refused as Lambda refuses it: %s', (_label, header) => {
    expect(runtimeClientContext(header)).toBeUndefined();
    let thrown: unknown;
    try {
      checkClientContext(header);
    } catch (err) {
      thrown = err;
    }
    expect(isFaasbenchError(thrown, 'InvalidRequestContent')).toBe(true);
    expect((thrown as Error).message).toBe(INVALID_CLIENT_CONTEXT);
  });

  it('lets a call without one through', () => {
    expect(() => checkClientContext(undefined)).not.toThrow();
    expect(() => checkClientContext(b64('{}'))).not.toThrow();
  });
});
