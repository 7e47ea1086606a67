/**
 * Content keys of images for reuse across jobs (job.submit `keepImage` / `heldImage`): a host
 * that sends the same pixels again (a drag in progress previews the same image with only the
 * arrow changing) sends the key instead of the pixels. The key is a 64-bit hash of the pixels
 * plus the size, so it is computed from the content every time: a host that changed pixels in
 * place, or read the same area again into a new buffer, gets the right answer either way.
 *
 * Two independent 32-bit multiply–rotate lanes over the 32-bit words (one per RGBA pixel), each
 * finished with a murmur3-style avalanche: about 1–2 ms per 4 MB in V8 (docs/benchmarks/speed.md),
 * far less than sending the 4 MB over a loopback WebSocket and re-assembling it (~10 ms). An
 * accidental collision (two different images with one key) has a probability of about 2⁻⁶⁴ per
 * pair; a key is only ever looked up among the few images one connection sent.
 */

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * The content key of `data` (the pixel bytes of a `width × height` image): 16 hex digits for the
 * hash and the size, `[A-Za-z0-9_-]` only (a protocol image key).
 */
export function imageContentKey(width: number, height: number, data: Uint8Array | Uint8ClampedArray): string {
  // The word loop needs 4-byte alignment; an unaligned view (rare) is hashed from an aligned copy.
  if ((data.byteOffset & 3) !== 0) data = new Uint8Array(data);
  const n = data.byteLength, words = n >>> 2;
  let h1 = 0x9747b28c ^ n, h2 = 0x2545f491 ^ Math.imul(width, 0x27d4eb2f) ^ height;
  const w32 = new Uint32Array(data.buffer, data.byteOffset, words);
  let i = 0;
  // Two words a step: lane 1 keys on the even words, lane 2 on the odd ones, each adding the other's word.
  for (; i + 1 < words; i += 2) {
    const a = w32[i]!, b = w32[i + 1]!;
    h1 = Math.imul((h1 ^ a) + b, 0xcc9e2d51);
    h1 = (h1 << 15) | (h1 >>> 17);
    h2 = Math.imul((h2 ^ b) + a, 0x1b873593);
    h2 = (h2 << 13) | (h2 >>> 19);
  }
  if (i < words) { h1 = Math.imul(h1 ^ w32[i]!, 0xcc9e2d51); h1 = (h1 << 15) | (h1 >>> 17); }
  for (let k = words << 2; k < n; k++) { h1 = Math.imul(h1 ^ data[k]!, 0xcc9e2d51); h2 = Math.imul(h2 ^ data[k]!, 0x1b873593); }
  h1 ^= h2; h2 ^= h1;
  const hex = (v: number): string => fmix32(v).toString(16).padStart(8, '0');
  return `i${hex(h1)}${hex(h2 ^ Math.imul(h1, 0x9e3779b1))}-${width}x${height}`;
}
