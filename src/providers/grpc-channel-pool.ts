/**
 * The gRPC provider's channels to one address, sized to the calls in flight. HTTP/2 carries many
 * calls on one connection, but a server takes only so many streams at once (its
 * MAX_CONCURRENT_STREAMS; 100 is the common setting), and past it grpc-js queues calls on the
 * client, where their wait would count as the platform's latency. So a call takes the first
 * channel with a stream free (reuse first, in the order they were opened), and only when every
 * channel is full is another opened, up to MAX_CHANNELS; past that the least busy one takes it.
 *
 * Each channel has its own connection: grpc-js otherwise shares one subchannel among every
 * channel with the same target and options (`grpc.use_local_subchannel_pool`).
 */
import type { ChannelOptions, Client } from '@grpc/grpc-js';

/** Streams a channel takes before the pool prefers another: HTTP/2 servers' common limit. */
export const STREAMS_PER_CHANNEL = 100;
/** Channels per address at most: 6,400 calls in flight before any waits behind another's streams. */
export const MAX_CHANNELS = 64;

export type OpenChannel = (options: ChannelOptions) => Client;

interface Slot {
  readonly client: Client;
  inFlight: number;
}

export class GrpcChannelPool {
  private readonly slots: Slot[] = [];

  constructor(
    private readonly open: OpenChannel,
    private readonly options: ChannelOptions,
  ) {}

  /** The channel for the next call, counted as busy until `release` is called with it. */
  acquire(): Client {
    const slot = this.slots.find((s) => s.inFlight < STREAMS_PER_CHANNEL) ?? (this.slots.length < MAX_CHANNELS ? this.add() : this.leastBusy());
    slot.inFlight++;
    return slot.client;
  }

  release(client: Client): void {
    const slot = this.slots.find((s) => s.client === client);
    if (slot) slot.inFlight--;
  }

  /** Opens channels until `calls` in flight need no new one (prepare: before a run's offset 0). */
  sizeFor(calls: number): readonly Client[] {
    const wanted = Math.min(MAX_CHANNELS, Math.max(1, Math.ceil(calls / STREAMS_PER_CHANNEL)));
    while (this.slots.length < wanted) this.add();
    return this.slots.map((s) => s.client);
  }

  get size(): number {
    return this.slots.length;
  }

  close(): void {
    for (const slot of this.slots) slot.client.close();
    this.slots.length = 0;
  }

  private add(): Slot {
    const slot = { client: this.open({ ...this.options, 'grpc.use_local_subchannel_pool': 1 }), inFlight: 0 };
    this.slots.push(slot);
    return slot;
  }

  private leastBusy(): Slot {
    return this.slots.reduce((a, b) => (b.inFlight < a.inFlight ? b : a));
  }
}

