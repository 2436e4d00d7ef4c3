/**
 * Acceptance for issue 13: every operation of the Lambda API, called by AWS's own clients against
 * a function that exists, is either implemented or answers an explicit not-implemented error
 * naming the operation; none answers "not found". boto3 calls each operation of its model (one
 * python process), the JS SDK each one the platform routes to notImplemented, the AWS CLI the
 * operations only its model has.
 *
 * Which operations are implemented is read from routes.ts: one that routes to notImplemented must
 * answer 501 NotImplementedException; every other must not.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as sdk from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOT_IMPLEMENTED_TYPE, notImplemented, notImplementedMessage } from '../../src/platform/lambda-not-implemented.ts';
import { LAMBDA_OPERATIONS, type LambdaOperation } from '../../src/platform/lambda-operations.ts';
import type { LocalPlatform } from '../../src/platform/platform.ts';
import { matchRoute } from '../../src/platform/routes.ts';
import { REPO, startPlatform } from '../support/platform.ts';
import { awsErrorCode, awsLambda } from './support/aws-cli.ts';
import { runBoto3 } from './support/boto3.ts';
import { checkClients, requireClients } from './support/clients.ts';

const FUNCTION = 'conformance';
const HELLO = path.join(REPO, 'functions/hello');
/** What a client makes of a function (or anything) not found. */
const NOT_FOUND = ['ResourceNotFoundException', 'ResourceNotFound', 'NotFound', '404'];

const clients = checkClients('test/lambda-conformance/every-operation.test.ts');

interface Outcome {
  readonly code: string;
  readonly status?: number;
  readonly message?: string;
}

describe.skipIf(clients.skip)(`every Lambda API operation through AWS's clients${clients.skip ? ` (skipped: ${clients.missing})` : ''}`, () => {
  let platform: LocalPlatform;
  let arn: string;

  beforeAll(async () => {
    requireClients(clients);
    platform = await startPlatform();
    arn = platform.deployFolder(HELLO, { name: FUNCTION, cpuModel: 'none' }).arn;
  });
  afterAll(async () => {
    await platform?.stop();
  });

  /** The request path of an operation on the test's function, as a client sends it (no query). */
  function pathOf(op: LambdaOperation): string {
    const labels: Record<string, string> = { FunctionName: FUNCTION, ARN: arn, Resource: arn };
    return (op.requestUri.split('?')[0] ?? '').replace(/\{([^}+]+)\+?\}/g, (_, label: string) => encodeURIComponent(labels[label] ?? 'x1'));
  }

  /** Whether routes.ts leaves the operation to notImplemented. */
  const unimplemented = (op: LambdaOperation): boolean => matchRoute(op.method, pathOf(op)).route.handler === notImplemented;
  const byName = new Map<string, LambdaOperation>(LAMBDA_OPERATIONS.map((op) => [op.name, op]));

  it("routes every operation's path to the Lambda API (implemented, or notImplemented), none to the gateway's 404", () => {
    const elsewhere = LAMBDA_OPERATIONS.map((op) => ({ op, route: matchRoute(op.method, pathOf(op)).route }))
      .filter(({ route }) => route.api !== 'lambda')
      .map(({ op, route }) => `${op.name}: ${op.method} ${pathOf(op)} -> ${route.api} ${route.handler.name}`);
    expect(elsewhere).toEqual([]);
  });

  it('the JS SDK surfaces each unimplemented operation as NotImplementedException, 501, not retried', async () => {
    const lambda = new sdk.LambdaClient({ endpoint: platform.url, region: 'us-east-1', credentials: { accessKeyId: 'dummy', secretAccessKey: 'dummy' } });
    const seen: Record<string, unknown> = {};
    try {
      for (const op of LAMBDA_OPERATIONS.filter(unimplemented)) {
        // The SDK exports one Command class per operation; it checks only that URI labels are given.
        const Command = (sdk as unknown as Record<string, new (input: object) => sdk.InvokeCommand>)[`${op.name}Command`];
        if (!Command) {
          seen[op.name] = 'no such command in @aws-sdk/client-lambda';
          continue;
        }
        const labels = Object.fromEntries([...op.requestUri.matchAll(/\{([^}+]+)\+?\}/g)].map(([, label]) => [label, 'x1']));
        const input = { ...labels, FunctionName: FUNCTION, Resource: arn, InvokeArgs: '{}' };
        seen[op.name] = await lambda.send(new Command(input)).then(
          () => 'ok',
          (err: sdk.LambdaServiceException) => ({ name: err.name, fault: err.$fault, status: err.$metadata?.httpStatusCode, attempts: err.$metadata?.attempts, message: err.message }),
        );
      }
    } finally {
      lambda.destroy();
    }
    const expected = Object.fromEntries(
      Object.keys(seen).map((name) => [name, { name: NOT_IMPLEMENTED_TYPE, fault: 'server', status: 501, attempts: 1, message: notImplementedMessage(name) }]),
    );
    expect(seen).toEqual(expected);
  });

  it('the AWS CLI reads a function that exists, and says which of its operations is not implemented', async () => {
    const got = await awsLambda(platform.url, ['get-function', '--function-name', FUNCTION]);
    expect([got.code, (got.json as { Configuration?: { FunctionName?: string } }).Configuration?.FunctionName]).toEqual([0, FUNCTION]);

    // In the CLI's own model and not in python3-botocore's, so boto3 below cannot call it.
    const op = byName.get('GetRuntimeManagementConfig');
    expect(op).toBeDefined();
    const answer = await awsLambda(platform.url, ['get-runtime-management-config', '--function-name', FUNCTION]);
    if (unimplemented(op as LambdaOperation)) {
      // The CLI notes the retries it did not make, as it was told to make none (clients.ts).
      expect(answer.code).toBe(254);
      expect(answer.stderr.trim()).toBe(
        `An error occurred (${NOT_IMPLEMENTED_TYPE}) when calling the GetRuntimeManagementConfig operation (reached max retries: 0): ${notImplementedMessage('GetRuntimeManagementConfig')}`,
      );
    } else {
      expect([answer.code, awsErrorCode(answer.stderr)]).toEqual([0, undefined]);
    }
  });

  it("boto3 calls every operation of its model: none answers not found, each unimplemented one says so (DeleteFunction last)", async () => {
    const { operations, results } = await runBoto3<{ operations: string[]; results: Record<string, Outcome> }>(
      platform.url,
      readFileSync(path.join(REPO, 'test/lambda-conformance/every-operation.py'), 'utf8'),
      { env: { FUNCTION, FUNCTION_CODE_B64: readFileSync(path.join(HELLO, 'index.mjs')).toString('base64') } },
    );
    expect(Object.keys(results).sort()).toEqual([...operations].sort());
    expect(operations.filter((name) => !byName.has(name))).toEqual([]);

    // The script built parameters the client accepted for every operation.
    expect(Object.entries(results).filter(([, r]) => r.status === undefined)).toEqual([]);
    expect(Object.entries(results).filter(([, r]) => NOT_FOUND.includes(r.code))).toEqual([]);
    // A server error is a platform bug, whatever the operation; 501 is the answer checked below.
    expect(Object.entries(results).filter(([, r]) => (r.status ?? 0) >= 500 && r.status !== 501)).toEqual([]);

    const expected: Record<string, unknown> = {};
    const actual: Record<string, unknown> = {};
    for (const [name, outcome] of Object.entries(results)) {
      if (unimplemented(byName.get(name) as LambdaOperation)) {
        expected[name] = { code: NOT_IMPLEMENTED_TYPE, status: 501, message: notImplementedMessage(name) };
        actual[name] = outcome;
      } else {
        expected[name] = `implemented (not ${NOT_IMPLEMENTED_TYPE})`;
        actual[name] = outcome.code === NOT_IMPLEMENTED_TYPE ? outcome : expected[name];
      }
    }
    expect(actual).toEqual(expected);

    // What the platform implemented before issue 13, answered as Lambda does.
    expect(Object.fromEntries(['GetFunction', 'GetFunctionConfiguration', 'ListFunctions', 'Invoke', 'UpdateFunctionConfiguration', 'UpdateFunctionCode', 'DeleteFunction'].map((n) => [n, results[n]?.code]))).toEqual({
      GetFunction: 'ok',
      GetFunctionConfiguration: 'ok',
      ListFunctions: 'ok',
      Invoke: 'ok',
      UpdateFunctionConfiguration: 'ok',
      UpdateFunctionCode: 'ok',
      DeleteFunction: 'ok',
    });
    expect(platform.list().map((f) => f.name)).toEqual([]);
  }, 120_000);
});
