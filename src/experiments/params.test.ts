import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { parseParamPairs, resolveParams } from './params.ts';

// The parameter shapes the built-ins use (cold-start, concurrency-scaling, invocation-overhead, memory-sweep).
const schema = z.object({
  runtimes: z.array(z.enum(['measure-node', 'measure-py'])).min(1).default(['measure-node', 'measure-py']),
  memorySizes: z.array(z.number().int().min(128)).min(1).default([128, 512]),
  provisioned: z.array(z.boolean()).min(1).refine((m) => new Set(m).size === m.length, 'each of false and true at most once').default([false]),
  repetitions: z.number().int().min(1).default(3),
  maxInstances: z.number().int().min(1).nullable().default(null),
  sizes: z.array(z.union([z.number(), z.string()])).min(1).default(['1KB']),
  strategy: z.enum(['cost', 'speed']).default('cost'),
  fn: z.string().default('measure-node'),
  event: z.unknown().default({}),
});

const resolve = (...pairs: string[]): Record<string, unknown> => resolveParams('demo', schema, parseParamPairs(pairs));

describe('experiment parameters from the command line', () => {
  it('reads lists comma-separated, and numbers, booleans and null as the parameter type asks', () => {
    expect(resolve('runtimes=measure-node', 'memorySizes=128,256', 'provisioned=false,true', 'repetitions=5', 'maxInstances=4', 'sizes=1KB,2048', 'strategy=speed', 'fn=42')).toEqual({
      runtimes: ['measure-node'],
      memorySizes: [128, 256],
      provisioned: [false, true],
      repetitions: 5,
      maxInstances: 4,
      sizes: ['1KB', 2048],
      strategy: 'speed',
      fn: '42',
      event: {},
    });
    expect(resolve('maxInstances=null').maxInstances).toBeNull();
  });

  it('still takes JSON', () => {
    expect(resolve('runtimes=["measure-py"]', 'memorySizes=[1024]', 'provisioned=[true]', 'fn="measure-py"', 'event={"a":1}')).toMatchObject({
      runtimes: ['measure-py'],
      memorySizes: [1024],
      provisioned: [true],
      fn: 'measure-py',
      event: { a: 1 },
    });
  });

  it('names the parameter and what was expected when a value does not fit', () => {
    expect(() => resolve('memorySizes=128,lots')).toThrow('experiment demo: parameter memorySizes.1: Invalid input: expected number, received string');
    expect(() => resolve('runtimes=measure-go')).toThrow('experiment demo: parameter runtimes.0: Invalid option: expected one of "measure-node"|"measure-py"');
    expect(() => resolve('repetitions=0')).toThrow('experiment demo: parameter repetitions: Too small: expected number to be >=1');
    expect(() => resolve('nope=1')).toThrow('experiment demo: unknown parameter nope (it takes: runtimes, memorySizes, provisioned, repetitions, maxInstances, sizes, strategy, fn, event)');
    expect(() => parseParamPairs(['repetitions'])).toThrow('--param: expected key=value, got "repetitions"');
  });

  it('leaves typed values (a rerun\'s stored ones) as they are', () => {
    expect(resolveParams('demo', schema, { memorySizes: [256], fn: 'measure-py' })).toMatchObject({ memorySizes: [256], fn: 'measure-py' });
  });
});
