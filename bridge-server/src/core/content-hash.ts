/**
 * Content hashes for the caches that outlive a job (plan/object-cache.ts, the warp's source
 * patches): a bridge job arrives in fresh buffers, so a cache must key on the pixels, not on
 * object identity. 128-bit (four 32-bit multiply-xorshift lanes, so the multiplies of neighbouring
 * words overlap), seeded per process so that a client cannot craft a collision with another
 * client's job.
 */
import type { PlacedMask, RgbaImage } from './types';

const SEED_A = (Math.random() * 0x100000000) >>> 0, SEED_B = (Math.random() * 0x100000000) >>> 0;

/**
 * A 128-bit hash (four independent 32-bit multiply-xorshift lanes, so the multiplies of
 * neighbouring words overlap) of `rows` runs of `len` bytes from `start + r·stride`, updating
 * `st` in place; whole 32-bit words when aligned, bytes otherwise.
 */
export function hashRows(data: Uint8Array | Uint8ClampedArray, start: number, len: number, stride: number, rows: number, st: Uint32Array): void {
  let a = st[0]!, b = st[1]!, c = st[2]!, d = st[3]!;
  const aligned = (data.byteOffset + start) % 4 === 0 && len % 4 === 0 && stride % 4 === 0;
  const w = aligned ? new Uint32Array(data.buffer, data.byteOffset + start, ((rows - 1) * stride + len) >>> 2) : null;
  for (let r = 0; r < rows; r++) {
    if (w) {
      let i = (r * stride) >>> 2;
      const e = i + (len >>> 2);
      for (; i + 3 < e; i += 4) {
        a = Math.imul(a ^ w[i]!, 0x9e3779b1); b = Math.imul(b ^ w[i + 1]!, 0x85ebca77);
        c = Math.imul(c ^ w[i + 2]!, 0xc2b2ae3d); d = Math.imul(d ^ w[i + 3]!, 0x27d4eb2f);
        a ^= a >>> 15; b ^= b >>> 13; c ^= c >>> 16; d ^= d >>> 15;
      }
      for (; i < e; i++) { a = Math.imul(a ^ w[i]!, 0x9e3779b1); a ^= a >>> 15; }
    } else {
      const o = start + r * stride;
      for (let i = o, e = o + len; i < e; i++) { a = Math.imul(a ^ data[i]!, 0x9e3779b1); a ^= a >>> 15; }
    }
    // Row boundaries count: the same bytes split differently hash differently.
    b = Math.imul(b ^ r, 0x85ebca77);
  }
  st[0] = a; st[1] = b; st[2] = c; st[3] = d;
}

/** A seeded 128-bit hash of some bytes (for content-keyed caches), as a string. */
export function bytesHash(data: Uint8Array): string {
  const h = Uint32Array.of(SEED_B, SEED_A, SEED_B ^ 0x5bd1e995, SEED_A + 0x27d4eb2f);
  const whole = data.length & ~3;
  hashRows(data, 0, whole, 0, 1, h);
  if (whole < data.length) hashRows(data, whole, data.length - whole, 0, 1, h);
  return h.join(',');
}

/** A seeded 128-bit hash of a mask's bytes (for content-keyed caches), with its place, as a string. */
export function maskHash(m: PlacedMask): string {
  return `${m.left},${m.top},${m.width}x${m.height}:${bytesHash(m.data)}`;
}

/** Hash of the image pixels in the rectangle `[l, r) × [t, b)` (document pixels, inside the image), with its place. */
export function imageRectHash(image: RgbaImage, l: number, t: number, r: number, b: number): string {
  const h = Uint32Array.of(SEED_A, SEED_B, SEED_A ^ 0x5bd1e995, SEED_B + 0x27d4eb2f);
  if (r > l && b > t) hashRows(image.data, (t * image.width + l) * 4, (r - l) * 4, image.width * 4, b - t, h);
  return `${image.width}x${image.height}[${l},${t},${r},${b}]:${h.join(',')}`;
}
