/**
 * Reused working arrays of the exemplar fill and of an edit's other stages (runEdit lends one
 * Scratch to the warp, hole growing and blend for the arrays it does not return; ~9 MB of a
 * 1024² final edit). A 1024² edit's fill allocates ~12 MB of typed arrays (window colours and
 * states, pyramid levels, fields, votes); allocated afresh per edit they are external memory that
 * drives V8's full (mark-compact) collections. A fill takes its arrays from a {@link Scratch} and
 * gives them back when it ends; the next fill in the thread reuses them. Every array is
 * zero-filled when taken, exactly like a new one, so results do not depend on reuse. A buffer is
 * held by one fill (or edit) at a time (concurrent ones in one thread get other buffers or new
 * ones). Only buffers up to {@link SCRATCH_MAX_ONE} bytes are kept, at most
 * {@link SCRATCH_MAX_BYTES} in all per thread: a larger document's arrays are left to the GC as
 * before, so the pool never holds a large edit's memory.
 */

/** Largest single buffer kept for reuse (bytes). */
export const SCRATCH_MAX_ONE = 8 << 20;
/** Most bytes kept for reuse per thread (a 1024² final turn holds ~28.5 MB at once). */
export const SCRATCH_MAX_BYTES = 32 << 20;

const free: ArrayBuffer[] = [];
let freeBytes = 0;

/** Bytes currently kept for reuse (for tests). */
export function scratchPoolBytes(): number {
  return freeBytes;
}

/** The arrays of one fill: take with f32/i32/u8, give all back with release(). */
export class Scratch {
  private held: ArrayBuffer[] = [];

  f32(n: number): Float32Array<ArrayBuffer> {
    return new Float32Array(this.take(4 * n), 0, n);
  }

  i32(n: number): Int32Array<ArrayBuffer> {
    return new Int32Array(this.take(4 * n), 0, n);
  }

  u8(n: number): Uint8Array<ArrayBuffer> {
    return new Uint8Array(this.take(n), 0, n);
  }

  u8c(n: number): Uint8ClampedArray<ArrayBuffer> {
    return new Uint8ClampedArray(this.take(n), 0, n);
  }

  /** Give every array taken back to the pool; they must not be used afterwards. */
  release(): void {
    for (const b of this.held) {
      if (freeBytes + b.byteLength > SCRATCH_MAX_BYTES) continue;
      free.push(b);
      freeBytes += b.byteLength;
    }
    this.held = [];
  }

  private take(bytes: number): ArrayBuffer {
    if (bytes === 0 || bytes > SCRATCH_MAX_ONE) return new ArrayBuffer(bytes);
    // The smallest kept buffer that fits without wasting more than half of it.
    let bi = -1;
    for (let i = 0; i < free.length; i++) {
      const L = free[i]!.byteLength;
      if (L >= bytes && L <= 2 * bytes && (bi < 0 || L < free[bi]!.byteLength)) bi = i;
    }
    let buf: ArrayBuffer;
    if (bi >= 0) {
      buf = free[bi]!;
      free[bi] = free[free.length - 1]!;
      free.pop();
      freeBytes -= buf.byteLength;
      new Uint8Array(buf, 0, bytes).fill(0);
    } else {
      buf = new ArrayBuffer(bytes);
    }
    this.held.push(buf);
    return buf;
  }
}
