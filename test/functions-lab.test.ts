// The lab functions (node and python): trees of nested invocations, sleep, throughput, monolith
// kernels, and bad input, against a real local platform.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalPlatform } from '../src/platform/platform.ts';
import { call, invokeHttp, REPO, startPlatform, type HttpReply } from './support/platform.ts';

interface LabError {
  errorType: string;
  errorMessage: string;
}

interface LabNode {
  function_name: string;
  identifier: string;
  cold: boolean;
  uptime: number;
  start: number;
  end: number;
  nested: LabNode[];
  sleep?: number;
  sleep_time?: number;
  throughput?: number;
  throughput_time?: number;
  throughput_process_time?: number;
  error?: LabError;
}

interface KernelResult {
  kernel: string;
  args: Record<string, unknown>;
  seed: number | null;
  value?: number;
  result_digest: string;
  setup_ms: number;
  compute_ms: number;
}

const LABS = [
  ['lab-node', 'nodejs'],
  ['lab-py', 'python'],
] as const;

// Small sizes keep the python runs short; the kernels and their digests are the same at any size.
const KERNEL_ARGS: Record<string, Record<string, unknown>> = {
  fibonacci: { n: 20 },
  primes: { n: 100 },
  matmul: { n: 24 },
  sort: { n: 5000 },
  hash: { n: 4096, rounds: 4 },
  regex: { n: 20_000 },
  json: { depth: 3, breadth: 5, rounds: 2 },
  compression: { n: 50_000, level: 6 },
};
const SEEDED = ['matmul', 'sort', 'hash', 'regex', 'json', 'compression'];

let platform: LocalPlatform;
beforeAll(async () => {
  platform = await startPlatform();
  // Unthrottled CPU: at its 256 MB the lab gets 0.14 vCPU, which would only slow these tests down.
  for (const [name] of LABS) platform.deployFolder(path.join(REPO, 'functions', name), { cpuModel: 'none' });
});
afterAll(async () => {
  await platform.stop();
});

function okBody<T>(reply: HttpReply): T {
  expect(reply.status).toBe(200);
  expect(reply.headers['x-amz-function-error'], reply.text).toBeUndefined();
  return reply.json() as T;
}

function functionError(reply: HttpReply): LabError {
  expect(reply.status).toBe(200);
  expect(reply.headers['x-amz-function-error']).toBe('Unhandled');
  const { errorType, errorMessage } = reply.json() as LabError;
  return { errorType, errorMessage };
}

const flatten = (node: LabNode): LabNode[] => [node, ...node.nested.flatMap(flatten)];
/** The tree with everything but its branching removed: [[[], [], []], [[], [], []]] for 1 -> 2 -> 2x3. */
const shapeOf = (node: LabNode): unknown[] => node.nested.map(shapeOf);

/** Each node starts and ends within its parent's run. */
function expectNested(node: LabNode): void {
  expect(node.end).toBeGreaterThanOrEqual(node.start);
  for (const child of node.nested) {
    expect(child.start).toBeGreaterThanOrEqual(node.start);
    expect(child.end).toBeLessThanOrEqual(node.end);
    expectNested(child);
  }
}

const kernelEvent = (kernel: string, seed: number) => ({ run_function: kernel, args: KERNEL_ARGS[kernel], seed });

describe.each(LABS)('%s (%s)', (name) => {
  it('a 3-level tree, root -> 2 children -> 3 grandchildren each (1 + 2 + 6 = 9 nodes on 9 instances): cold the first time, all warm on the same instances the second', async () => {
    const tree = `${name}-tree`;
    platform.deployFolder(path.join(REPO, 'functions', name), { name: tree, cpuModel: 'none' });
    // The grandchildren sleep so that both children's three overlap and none can reuse another's
    // instance, even when one child's cold start is seconds slower than the other's on a busy host.
    // The second, warm call has no cold start to wait out: its six leaves are handed out within
    // milliseconds of each other, so 1 s still overlaps them with a wide margin.
    const treeEvent = (sleep: number) => {
      const leaf = { function_name: tree, invoke_payload: { sleep } };
      const child = { function_name: tree, invoke_payload: { invoke_nested: [leaf, leaf, leaf] } };
      return { invoke_nested: [child, child] };
    };

    const firstReply = await invokeHttp(platform, tree, treeEvent(3));
    const first = okBody<LabNode>(firstReply);
    expect(shapeOf(first)).toEqual([
      [[], [], []],
      [[], [], []],
    ]);
    const firstNodes = flatten(first);
    expect(firstNodes).toHaveLength(9);
    expect(firstNodes.map((n) => n.error)).toEqual(Array(9).fill(undefined));
    expect(firstNodes.map((n) => n.function_name)).toEqual(Array(9).fill(tree));
    expect(firstNodes.map((n) => n.cold)).toEqual(Array(9).fill(true));
    expect(new Set(firstNodes.map((n) => n.identifier)).size).toBe(9);
    expect(first.identifier).toBe(firstReply.headers['x-faasbench-instance-id']);
    for (const grandchild of first.nested.flatMap((c) => c.nested)) expect(grandchild.sleep_time).toBeGreaterThanOrEqual(3);
    expectNested(first);

    const second = okBody<LabNode>(await invokeHttp(platform, tree, treeEvent(1)));
    expect(shapeOf(second)).toEqual(shapeOf(first));
    const secondNodes = flatten(second);
    expect(secondNodes.map((n) => n.cold)).toEqual(Array(9).fill(false));
    expect(new Set(secondNodes.map((n) => n.identifier))).toEqual(new Set(firstNodes.map((n) => n.identifier)));
    const rootBefore = firstNodes.find((n) => n.identifier === second.identifier) as LabNode;
    expect(second.uptime).toBeGreaterThan(rootBefore.uptime);
    expect(platform.instances(tree)).toHaveLength(9);
  });

  it('sleep 0.2 takes at least 200 ms; throughput_time 0.2 reports a positive count over at least 0.2 s', async () => {
    const slept = okBody<LabNode>(await invokeHttp(platform, name, { sleep: 0.2 }));
    expect(slept.end - slept.start).toBeGreaterThanOrEqual(200);
    expect(slept.sleep).toBe(0.2);
    expect(slept.sleep_time).toBeGreaterThanOrEqual(0.2);
    expect(slept.throughput).toBeUndefined();
    expect(slept.nested).toEqual([]);

    const busy = okBody<LabNode>(await invokeHttp(platform, name, { throughput_time: 0.2 }));
    expect(busy.throughput).toBeGreaterThan(0);
    expect(Number.isInteger(busy.throughput)).toBe(true);
    expect(busy.throughput_time).toBeGreaterThanOrEqual(0.2);
    expect(busy.throughput_process_time).toBeGreaterThan(0);
    expect(busy.end - busy.start).toBeGreaterThanOrEqual(200);
    expect(busy.sleep).toBeUndefined();
  });

  it('a nested call that fails becomes an error on its node; the parent still answers', async () => {
    const root = okBody<LabNode>(
      await invokeHttp(platform, name, {
        invoke_nested: [{ function_name: 'no-such-function' }, { function_name: name, invoke_payload: { sleep: 'soon' } }, { function_name: name }],
      }),
    );
    expect(root.nested.map((n) => n.function_name)).toEqual(['no-such-function', name, name]);
    expect(root.nested[0]?.error).toEqual({ errorType: 'ResourceNotFoundException', errorMessage: 'Function not found: arn:aws:lambda:us-east-1:000000000000:function:no-such-function' });
    expect(root.nested[1]?.error).toEqual({ errorType: 'InvalidInput', errorMessage: 'field "sleep": expected a number of seconds >= 0, got "soon"' });
    expect(root.nested[2]?.error).toBeUndefined();
    expect(root.nested[2]?.identifier).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('monolith: every kernel runs; the same seed gives the same digest, another seed another digest (seeded kernels)', async () => {
    for (const kernel of Object.keys(KERNEL_ARGS)) {
      const a = okBody<KernelResult>(await invokeHttp(platform, name, kernelEvent(kernel, 42)));
      const b = okBody<KernelResult>(await invokeHttp(platform, name, kernelEvent(kernel, 42)));
      const other = okBody<KernelResult>(await invokeHttp(platform, name, kernelEvent(kernel, 7)));
      expect(a).toMatchObject({ kernel, args: KERNEL_ARGS[kernel], seed: SEEDED.includes(kernel) ? 42 : null });
      expect(a.result_digest, kernel).toMatch(/^[0-9a-f]{64}$/);
      expect(b.result_digest, kernel).toBe(a.result_digest);
      if (SEEDED.includes(kernel)) expect(other.result_digest, kernel).not.toBe(a.result_digest);
      else expect(other.result_digest, kernel).toBe(a.result_digest);
      expect(a.compute_ms).toBeGreaterThanOrEqual(0);
      expect(a.setup_ms).toBeGreaterThanOrEqual(0);
    }
  });

  it('monolith: known answers (fib(20) = 6765; 25 primes up to 100, digest over "2,3,5,...,97"); omitted args take their defaults', async () => {
    const fib = okBody<KernelResult>(await invokeHttp(platform, name, { run_function: 'fibonacci', args: { n: 20 } }));
    expect(fib.value).toBe(6765);
    expect(fib.result_digest).toBe(createHash('sha256').update('6765').digest('hex'));
    const primes = okBody<KernelResult>(await invokeHttp(platform, name, { run_function: 'primes', args: { n: 100 } }));
    const expected = Array.from({ length: 99 }, (_, i) => i + 2).filter((n) => Array.from({ length: n - 2 }, (_, i) => i + 2).every((d) => n % d !== 0));
    expect(primes.value).toBe(25);
    expect(primes.result_digest).toBe(createHash('sha256').update(expected.join(',')).digest('hex'));
    const defaults = okBody<KernelResult>(await invokeHttp(platform, name, { run_function: 'matmul' }));
    expect(defaults).toMatchObject({ kernel: 'matmul', args: { n: 64 }, seed: 42 });
  });

  it('bad input: a function error naming the field, and the instance keeps serving, warm', async () => {
    const cases: [unknown, string][] = [
      [{ sleep: 'abc' }, 'field "sleep": expected a number of seconds >= 0, got "abc"'],
      [{ throughput_time: -1 }, 'field "throughput_time": expected a number of seconds >= 0, got -1'],
      [{ sleep: 100 }, 'field "sleep": 100 s of work does not fit in the'],
      [{ invoke_nested: 'lab' }, 'field "invoke_nested": expected a list of {function_name, invoke_payload}, got "lab"'],
      [{ invoke_nested: [{ invoke_payload: {} }] }, 'field "invoke_nested[0].function_name": expected a function name, got nothing'],
      [{ invoke_nested: [{ function_name: 'x', invoke_payload: [1] }] }, `field "invoke_nested[0].invoke_payload": expected an object (the nested function's event), got [1]`],
      [{ sleeep: 1 }, 'field "sleeep": not a lab field; expected sleep, throughput_time, invoke_nested, or run_function with args and seed'],
      [{ seed: 1 }, 'field "seed": only used with run_function'],
      [{ run_function: 'quicksort' }, 'field "run_function": unknown kernel "quicksort"; expected one of fibonacci, primes, matmul, sort, hash, regex, json, compression'],
      [{ run_function: 'fibonacci', args: { n: 99 } }, 'field "args.n": expected an integer from 0 to 40, got 99'],
      [{ run_function: 'sort', args: { size: 10 } }, 'field "args.size": unknown argument for kernel sort; expected n'],
      [{ run_function: 'json', args: { depth: 8, breadth: 50 } }, 'field "args": depth 8 and breadth 50 make 39062500000000 leaves; at most 1000000'],
      [{ run_function: 'regex', args: { pattern: '(' } }, 'field "args.pattern": not a valid regular expression'],
      [{ run_function: 'hash', seed: -5 }, 'field "seed": expected an integer from 0 to 4294967295, got -5'],
      [{ run_function: 'hash', sleep: 1 }, 'field "sleep": cannot be combined with run_function (monolith mode runs one kernel alone)'],
      [[1, 2], 'the event must be a JSON object, got [1,2]'],
    ];
    const first = await invokeHttp(platform, name, {});
    const id = first.headers['x-faasbench-instance-id'];
    for (const [event, message] of cases) {
      const reply = await invokeHttp(platform, name, event);
      const error = functionError(reply);
      expect(error.errorType, JSON.stringify(event)).toBe('InvalidInput');
      expect(error.errorMessage.startsWith(message), `${error.errorMessage}\n  should start with\n${message}`).toBe(true);
      expect(reply.headers['x-faasbench-instance-id']).toBe(id);
    }
    const after = await invokeHttp(platform, name, { sleep: 0 });
    const node = okBody<LabNode>(after);
    expect(after.headers['x-faasbench-instance-id']).toBe(id);
    expect(after.headers['x-faasbench-cold']).toBe('false');
    expect(node.cold).toBe(false);
    expect(node.identifier).toBe(id);
  });
});

describe('both labs', () => {
  it('compute the same digest for the same kernel, args and seed', async () => {
    for (const kernel of Object.keys(KERNEL_ARGS)) {
      const [node, py] = await Promise.all(LABS.map(async ([name]) => okBody<KernelResult>(await invokeHttp(platform, name, kernelEvent(kernel, 1234)))));
      expect(py?.result_digest, kernel).toBe(node?.result_digest);
      // deflate's output size is zlib's own business (Node bundles a different zlib from python's)
      if (kernel !== 'compression') expect(py?.value, kernel).toBe(node?.value);
    }
  });

  it('nest through a platform that requires a token (FAASBENCH_INVOKE_TOKEN, which may only invoke, is sent as a Bearer token)', async () => {
    const guarded = await startPlatform({ token: 'lab-token' });
    try {
      for (const [name] of LABS) guarded.deployFolder(path.join(REPO, 'functions', name), { cpuModel: 'none' });
      const event = { invoke_nested: [{ function_name: 'lab-py' }, { function_name: 'lab-node' }] };
      for (const [name] of LABS) {
        const reply = await call(guarded, 'POST', `/2015-03-31/functions/${name}/invocations`, JSON.stringify(event), { authorization: 'Bearer lab-token' });
        const root = okBody<LabNode>(reply);
        expect(root.nested.map((n) => [n.function_name, n.error])).toEqual([
          ['lab-py', undefined],
          ['lab-node', undefined],
        ]);
      }
      const refused = await call(guarded, 'POST', '/2015-03-31/functions/lab-node/invocations', '{}');
      expect(refused.status).toBe(403);
    } finally {
      await guarded.stop();
    }
  });
});
