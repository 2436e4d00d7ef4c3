import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plusFromState } from 'pure-rand/generator/xoroshiro128plus';
import { describe, expect, it } from 'vitest';
import { functionStream, streamState } from './function-stream.ts';

describe('functionStream int', () => {
  it("draws pure-rand's uniformInt exactly, rejections included, on every range size", () => {
    // Sizes 1 and 2 (no rejection), small, a rejection-heavy 2^31 + 1, the largest inlined range
    // and the first one left to the library.
    const ranges: [number, number][] = [[5, 5], [0, 1], [1, 100], [-7, 993], [0, 2 ** 31], [0, 2 ** 32 - 2], [0, 2 ** 32 - 1], [3, 2 ** 40]];
    for (const [min, max] of ranges) {
      const ours = functionStream(42, `key ${min}..${max}`);
      const reference = xoroshiro128plusFromState(streamState(42, `key ${min}..${max}`));
      const drawn = Array.from({ length: 2000 }, () => ours.int(min, max));
      const expected = Array.from({ length: 2000 }, () => uniformInt(reference, min, max));
      expect(drawn).toEqual(expected);
    }
  });
});
