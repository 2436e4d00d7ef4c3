// A small seeded PRNG (sfc32, seeded through splitmix32) shared by the input generators and the
// graph functions: the same seed gives the same bytes, images and graphs on every machine and
// Node version, which Math.random cannot promise.

function splitmix32(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** A generator of uniform unsigned 32-bit integers, determined by `seed` (an integer). */
export function seededUint32(seed) {
  if (!Number.isSafeInteger(seed)) throw new TypeError(`seed must be an integer, got ${seed}`);
  // Mix the high bits in too, so seeds beyond 2^32 do not collide with small ones.
  const mix = splitmix32((seed >>> 0) ^ Math.floor(seed / 2 ** 32));
  let a = mix();
  let b = mix();
  let c = mix();
  let d = mix();
  const next = () => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t;
  };
  // sfc32's first outputs are poorly mixed; skipping a few is the usual remedy.
  for (let i = 0; i < 12; i++) next();
  return next;
}

/** Uniform floats in [0, 1), integers in [0, n) and random bytes, all from one seed. */
export function seededRandom(seed) {
  const u32 = seededUint32(seed);
  return {
    float: () => u32() / 2 ** 32,
    int: (n) => Math.floor((u32() / 2 ** 32) * n),
    fill(bytes) {
      let i = 0;
      for (; i + 4 <= bytes.length; i += 4) {
        const v = u32();
        bytes[i] = v & 0xff;
        bytes[i + 1] = (v >>> 8) & 0xff;
        bytes[i + 2] = (v >>> 16) & 0xff;
        bytes[i + 3] = v >>> 24;
      }
      if (i < bytes.length) {
        const v = u32();
        for (let shift = 0; i < bytes.length; i++, shift += 8) bytes[i] = (v >>> shift) & 0xff;
      }
      return bytes;
    },
  };
}
