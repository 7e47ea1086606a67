import { createRng } from './random';

/** Textbook mulberry32 with the state kept unsigned (`>>> 0`), as createRng was first written. */
function mulberry32Unsigned(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('createRng', () => {
  // The state is kept as a signed 32-bit integer (no heap number per draw); the draws must be
  // those of the unsigned form bit for bit, for every kind of seed, since every fill depends on them.
  test.each([0, 1, 7, 12345, 0x7fffffff, 0x80000000, 0xdeadbeef, 0xffffffff, -1, -123456789, 2 ** 40 + 3, 3.75, NaN])('seed %p draws the unsigned mulberry32 sequence', (seed) => {
    const a = createRng(seed), b = mulberry32Unsigned(seed);
    for (let i = 0; i < 5000; i++) {
      const x = a(), y = b();
      if (x !== y) throw new Error(`draw ${i}: ${x} !== ${y}`);
    }
    // (and the draws are in [0, 1))
    const c = createRng(seed);
    for (let i = 0; i < 1000; i++) { const v = c(); expect(v >= 0 && v < 1).toBe(true); }
  });
});
