/**
 * docs/lambda-fidelity.md stays true: every operation of the clients' Lambda model is listed once,
 * and listed as not implemented exactly when the platform's routes leave it to the 501 handler.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { notImplemented } from '../../src/platform/lambda-not-implemented.ts';
import { LAMBDA_OPERATIONS } from '../../src/platform/lambda-operations.ts';
import { matchRoute } from '../../src/platform/routes.ts';
import { REPO } from '../support/platform.ts';

const STATUSES = ['supported', 'differs', 'not implemented'];

function documented(): Map<string, string> {
  const text = readFileSync(path.join(REPO, 'docs/lambda-fidelity.md'), 'utf8');
  const section = text.slice(text.indexOf('## Operations'), text.indexOf('\n## ', text.indexOf('## Operations') + 1) >>> 0 || undefined);
  const rows = [...section.matchAll(/^\| ([A-Z]\w+) \| ([a-z ]+) \|/gm)].map((m) => [m[1] as string, m[2] as string] as const);
  const names = rows.map(([name]) => name);
  expect(names.filter((n, i) => names.indexOf(n) !== i), 'operations listed twice').toEqual([]);
  return new Map(rows);
}

describe('docs/lambda-fidelity.md', () => {
  it('lists every operation once, with a known status, and says "not implemented" exactly where the platform answers 501', () => {
    const doc = documented();
    expect([...doc.keys()].sort()).toEqual(LAMBDA_OPERATIONS.map((op) => op.name).sort());
    expect([...doc.values()].filter((s) => !STATUSES.includes(s))).toEqual([]);
    const wrong = LAMBDA_OPERATIONS.filter((op) => {
      const pathname = (op.requestUri.split('?')[0] ?? '').replace(/\{[^}]+\}/g, 'x1');
      const routed = matchRoute(op.method, pathname).route.handler === notImplemented ? 'not implemented' : 'implemented';
      const listed = doc.get(op.name) === 'not implemented' ? 'not implemented' : 'implemented';
      return routed !== listed;
    }).map((op) => `${op.name}: listed ${doc.get(op.name)}`);
    expect(wrong).toEqual([]);
  });
});
