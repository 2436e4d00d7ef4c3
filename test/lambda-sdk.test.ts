// The real @aws-sdk/client-lambda against the local platform's Lambda API.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zipSync } from 'fflate';
import {
  CreateFunctionCommand,
  DeleteFunctionCommand,
  GetFunctionCommand,
  InvokeCommand,
  LambdaClient,
  ListFunctionsCommand,
  ResourceConflictException,
  ResourceNotFoundException,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import type { LocalPlatform } from '../src/platform/platform.ts';
import { REPO, startPlatform } from './support/platform.ts';

let platform: LocalPlatform;
let lambda: LambdaClient;

beforeAll(async () => {
  platform = await startPlatform();
  lambda = new LambdaClient({ endpoint: platform.url, region: 'us-east-1', credentials: { accessKeyId: 'dummy', secretAccessKey: 'dummy' } });
});
afterAll(async () => {
  lambda.destroy();
  await platform.stop();
});

function helloZip(): Uint8Array {
  const code = readFileSync(path.join(REPO, 'functions/hello/index.mjs'));
  return zipSync({ 'index.mjs': code });
}

function logOf(result: { LogResult?: string }): string {
  return Buffer.from(result.LogResult ?? '', 'base64').toString('utf8');
}

const reportOf = (log: string): string => log.split('\n').find((l) => l.startsWith('REPORT ')) ?? '';

describe('Lambda API through @aws-sdk/client-lambda', () => {
  it('creates from a zip, invokes cold then warm with Tail logs, updates memory, deletes', async () => {
    const created = await lambda.send(
      new CreateFunctionCommand({ FunctionName: 'hello', Runtime: 'nodejs20.x', Handler: 'index.handler', Role: 'arn:aws:iam::000000000000:role/x', Code: { ZipFile: helloZip() } }),
    );
    expect(created.FunctionName).toBe('hello');
    expect(created.Runtime).toBe('nodejs20.x');
    expect(created.MemorySize).toBe(128);
    expect(created.State).toBe('Active');

    const first = await lambda.send(new InvokeCommand({ FunctionName: 'hello', Payload: JSON.stringify({ name: 'sdk' }), LogType: 'Tail' }));
    expect(first.StatusCode).toBe(200);
    expect(first.FunctionError).toBeUndefined();
    expect(JSON.parse(Buffer.from(first.Payload ?? []).toString())).toEqual({ message: 'hello sdk', runtime: 'nodejs', event: { name: 'sdk' } });
    const log1 = logOf(first);
    const id1 = /START RequestId: ([0-9a-f-]{36}) Version: \$LATEST/.exec(log1)?.[1];
    expect(id1).toBeDefined();
    expect(log1).toContain(`END RequestId: ${id1}\n`);
    expect(reportOf(log1)).toMatch(
      new RegExp(`^REPORT RequestId: ${id1}\\tDuration: \\d+\\.\\d{2} ms\\tBilled Duration: \\d+ ms\\tMemory Size: 128 MB\\tMax Memory Used: \\d+ MB\\tInit Duration: \\d+\\.\\d{2} ms\\t$`),
    );

    const second = await lambda.send(new InvokeCommand({ FunctionName: 'hello', Payload: JSON.stringify({}), LogType: 'Tail' }));
    expect(second.StatusCode).toBe(200);
    const report2 = reportOf(logOf(second));
    expect(report2).toMatch(/^REPORT RequestId: [0-9a-f-]{36}\tDuration: [\d.]+ ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\tMax Memory Used: \d+ MB\t$/);
    expect(report2).not.toContain('Init Duration');

    const updated = await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'hello', MemorySize: 256 }));
    expect(updated.MemorySize).toBe(256);
    const third = await lambda.send(new InvokeCommand({ FunctionName: 'hello', Payload: '{}', LogType: 'Tail' }));
    const report3 = reportOf(logOf(third));
    expect(report3).toContain('\tMemory Size: 256 MB\t');
    expect(report3).toContain('\tInit Duration: ');

    const got = await lambda.send(new GetFunctionCommand({ FunctionName: 'hello' }));
    expect(got.Configuration?.MemorySize).toBe(256);
    const listed = await lambda.send(new ListFunctionsCommand({}));
    expect(listed.Functions?.map((f) => f.FunctionName)).toEqual(['hello']);

    await lambda.send(new DeleteFunctionCommand({ FunctionName: 'hello' }));
    const gone = lambda.send(new InvokeCommand({ FunctionName: 'hello', Payload: '{}' }));
    await expect(gone).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(gone).rejects.toMatchObject({ $metadata: { httpStatusCode: 404 } });
  });

  it('accepts Event (202) and DryRun (204), and a local folder as code', async () => {
    await lambda.send(
      new CreateFunctionCommand({ FunctionName: 'hello-folder', Runtime: 'nodejs', Handler: 'index.handler', Role: 'r', Code: { S3Bucket: 'faasbench-local', S3Key: path.join(REPO, 'functions/hello') } }),
    );
    const dry = await lambda.send(new InvokeCommand({ FunctionName: 'hello-folder', InvocationType: 'DryRun' }));
    expect(dry.StatusCode).toBe(204);
    const event = await lambda.send(new InvokeCommand({ FunctionName: 'hello-folder', InvocationType: 'Event', Payload: '{}' }));
    expect(event.StatusCode).toBe(202);
    const arn = platform.arn('hello-folder');
    const byArn = await lambda.send(new InvokeCommand({ FunctionName: arn, Payload: JSON.stringify({ name: 'arn' }) }));
    expect(JSON.parse(Buffer.from(byArn.Payload ?? []).toString())).toMatchObject({ message: 'hello arn' });
  });

  it('reports a handler exception as a function error with its type', async () => {
    const zip = zipSync({ 'index.js': Buffer.from("exports.handler = async () => { const e = new TypeError('bad thing'); throw e; };") });
    await lambda.send(new CreateFunctionCommand({ FunctionName: 'thrower', Runtime: 'nodejs20.x', Handler: 'index.handler', Role: 'r', Code: { ZipFile: zip } }));
    const r = await lambda.send(new InvokeCommand({ FunctionName: 'thrower', Payload: '{}' }));
    expect(r.StatusCode).toBe(200);
    expect(r.FunctionError).toBe('Unhandled');
    expect(JSON.parse(Buffer.from(r.Payload ?? []).toString())).toMatchObject({ errorType: 'TypeError', errorMessage: 'bad thing' });
  });
});

describe('Lambda API: create conflicts and code updates', () => {
  it('refuses to create an existing function (409) and replaces code with UpdateFunctionCode', async () => {
    const first = zipSync({ 'index.js': Buffer.from("exports.handler = async () => 'v1';") });
    await lambda.send(new CreateFunctionCommand({ FunctionName: 'versioned', Runtime: 'nodejs20.x', Handler: 'index.handler', Role: 'r', Code: { ZipFile: first }, MemorySize: 256 }));
    const again = lambda.send(new CreateFunctionCommand({ FunctionName: 'versioned', Runtime: 'nodejs20.x', Handler: 'index.handler', Role: 'r', Code: { ZipFile: first } }));
    await expect(again).rejects.toBeInstanceOf(ResourceConflictException);
    const v1 = await lambda.send(new InvokeCommand({ FunctionName: 'versioned' }));
    expect(Buffer.from(v1.Payload ?? []).toString()).toBe('"v1"');
    const updated = await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'versioned', ZipFile: zipSync({ 'index.js': Buffer.from("exports.handler = async () => 'v2';") }) }));
    expect(updated.MemorySize).toBe(256);
    const v2 = await lambda.send(new InvokeCommand({ FunctionName: 'versioned', LogType: 'Tail' }));
    expect(Buffer.from(v2.Payload ?? []).toString()).toBe('"v2"');
    expect(logOf(v2)).toContain('\tInit Duration: ');
  });
});
