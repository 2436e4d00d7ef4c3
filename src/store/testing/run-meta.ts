import type { RunMeta } from '../store.ts';

/** The run the store's tests create unless they need something else. */
export const RUN: RunMeta = { kind: 'invoke', name: 'noop', provider: 'local', toolVersion: '0.1.0-test' };
