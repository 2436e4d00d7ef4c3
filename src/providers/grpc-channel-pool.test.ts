import type { ChannelOptions, Client } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { GrpcChannelPool, MAX_CHANNELS, STREAMS_PER_CHANNEL } from './grpc-channel-pool.ts';

/** Channels that only remember how they were opened and whether they were closed. */
function recordingPool(): { pool: GrpcChannelPool; opened: ChannelOptions[]; closed: () => number } {
  const opened: ChannelOptions[] = [];
  let closed = 0;
  // A stand-in for grpc-js's Client: the pool only hands it out and closes it.
  const open = (options: ChannelOptions) => {
    opened.push(options);
    return { close: () => void closed++ } as unknown as Client;
  };
  return { pool: new GrpcChannelPool(open, { 'grpc.keepalive_time_ms': 1_000 }), opened, closed: () => closed };
}

describe('GrpcChannelPool', () => {
  it('fills the first channel before opening another, each with a subchannel of its own', () => {
    const { pool, opened } = recordingPool();
    const first = Array.from({ length: STREAMS_PER_CHANNEL }, () => pool.acquire());
    expect(new Set(first).size).toBe(1);
    const next = pool.acquire();
    expect(next).not.toBe(first[0]);
    expect(pool.size).toBe(2);
    expect(opened).toEqual([
      { 'grpc.keepalive_time_ms': 1_000, 'grpc.use_local_subchannel_pool': 1 },
      { 'grpc.keepalive_time_ms': 1_000, 'grpc.use_local_subchannel_pool': 1 },
    ]);
  });

  it('reuses a freed stream on an earlier channel before a later one', () => {
    const { pool } = recordingPool();
    const held = Array.from({ length: STREAMS_PER_CHANNEL + 1 }, () => pool.acquire());
    pool.release(held[0]!);
    expect(pool.acquire()).toBe(held[0]);
    expect(pool.size).toBe(2);
  });

  it('stops opening at MAX_CHANNELS and gives the next call to the least busy channel', () => {
    const { pool } = recordingPool();
    const held = Array.from({ length: MAX_CHANNELS * STREAMS_PER_CHANNEL }, () => pool.acquire());
    expect(pool.size).toBe(MAX_CHANNELS);
    const third = held[2 * STREAMS_PER_CHANNEL]!;
    pool.release(third);
    pool.release(third);
    expect(pool.acquire()).toBe(third);
    expect(pool.size).toBe(MAX_CHANNELS);
  });

  it('sizes itself for the calls a run expects in flight, and closes every channel', () => {
    const { pool, closed } = recordingPool();
    expect(pool.sizeFor(250)).toHaveLength(3);
    expect(pool.sizeFor(1)).toHaveLength(3);
    expect(pool.sizeFor(0)).toHaveLength(3);
    expect(recordingPool().pool.sizeFor(1_000_000)).toHaveLength(MAX_CHANNELS);
    pool.close();
    expect(closed()).toBe(3);
    expect(pool.size).toBe(0);
  });
});
