/** Seeded pseudo-random numbers (mulberry32): the only source of randomness in the core. */
export type Rng = () => number;

/** A generator of floats in [0, 1) fully determined by `seed`. */
export function createRng(seed: number): Rng {
  // The state is kept as a signed 32-bit integer (`| 0`), not as the unsigned `>>> 0`: the same
  // bits (every use below is a bitwise operation or Math.imul, which read only the low 32 bits),
  // but a value ≥ 2³¹ is not a small integer to V8, so an unsigned state was stored as a new heap
  // number at half the calls (~3 MB of garbage per 1024² final edit, PatchMatch's random search).
  let s = seed | 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
