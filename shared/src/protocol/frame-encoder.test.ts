/**
 * FrameEncoder (chunks made one at a time, as BridgeClient sends them) against the all-at-once
 * encoder it replaced, kept here unchanged as the reference: the same bytes for every chunk.
 */
import { DEFAULT_LIMITS } from './limits';
import { decodeFrameChunk, encodeFrame, FrameAssembler, FrameEncoder, type FrameMeta, type FramePayloadSource } from './frames';

/** encodeFrame as it was before FrameEncoder (layout of frames.ts, written field by field per chunk). */
function encodeFrameReference(meta: FrameMeta, payload: Uint8Array, maxChunkBytes: number = DEFAULT_LIMITS.maxChunkBytes): Uint8Array[] {
  const PART: Record<string, number> = { image: 1, mask: 2, layer: 3 }, FORMAT: Record<string, number> = { rgba8: 1, gray8: 2, png: 3 };
  const count = Math.ceil(payload.byteLength / maxChunkBytes);
  const idBytes = meta.jobId.length;
  const out: Uint8Array[] = [];
  for (let seq = 0; seq < count; seq++) {
    const offset = seq * maxChunkBytes;
    const len = Math.min(maxChunkBytes, payload.byteLength - offset);
    const buf = new Uint8Array(40 + idBytes + len);
    const dv = new DataView(buf.buffer);
    dv.setUint32(0, 0x53445247);
    dv.setUint8(4, 1);
    dv.setUint8(5, PART[meta.part]!);
    dv.setUint8(6, FORMAT[meta.format]!);
    dv.setUint8(7, idBytes);
    dv.setUint16(8, meta.slot);
    dv.setUint32(12, meta.width);
    dv.setUint32(16, meta.height);
    dv.setInt32(20, meta.left);
    dv.setInt32(24, meta.top);
    dv.setUint32(28, payload.byteLength);
    dv.setUint32(32, offset);
    dv.setUint16(36, seq);
    dv.setUint16(38, count);
    for (let i = 0; i < idBytes; i++) buf[40 + i] = meta.jobId.charCodeAt(i);
    buf.set(payload.subarray(offset, offset + len), 40 + idBytes);
    out.push(buf);
  }
  return out;
}

function payloadOf(n: number, seed: number): Uint8Array {
  const p = new Uint8Array(n);
  for (let i = 0; i < n; i++) p[i] = (i * 31 + seed * 17 + (i >> 7)) & 255;
  return p;
}

const cases: Array<[FrameMeta, number, number]> = [
  [{ jobId: 'a', part: 'image', slot: 0, format: 'rgba8', width: 1, height: 1, left: 0, top: 0 }, 4, 4],
  [{ jobId: 'job-1', part: 'image', slot: 0, format: 'rgba8', width: 37, height: 23, left: -5, top: 123456 }, 37 * 23 * 4, 1000],
  [{ jobId: 'job_2', part: 'mask', slot: 65535, format: 'gray8', width: 64, height: 64, left: 7, top: -7 }, 4096, 4096],
  [{ jobId: 'job_3', part: 'mask', slot: 3, format: 'gray8', width: 64, height: 64, left: 7, top: -7 }, 4096, 4095],
  [{ jobId: 'x'.repeat(64), part: 'layer', slot: 0, format: 'png', width: 0, height: 0, left: 2147483647, top: -2147483648 }, 999, 1],
  [{ jobId: 'p', part: 'image', slot: 0, format: 'png', width: 10, height: 10, left: 0, top: 0 }, 12345, DEFAULT_LIMITS.maxChunkBytes],
];

describe('FrameEncoder', () => {
  it.each(cases.map((c, i) => [i, ...c] as const))('case %i: each chunk is the reference encoder\'s, one at a time and in any order', (_i, meta, bytes, chunk) => {
    const payload = payloadOf(bytes, bytes);
    const want = encodeFrameReference(meta, payload, chunk);
    const enc = new FrameEncoder(meta, payload, chunk);
    expect(enc.count).toBe(want.length);
    expect(enc.totalBytes).toBe(want.reduce((n, c) => n + c.byteLength, 0));
    for (let seq = enc.count - 1; seq >= 0; seq--) {
      expect(enc.chunkBytes(seq)).toBe(want[seq]!.byteLength);
      expect(Buffer.from(enc.chunk(seq)).equals(Buffer.from(want[seq]!))).toBe(true);
    }
    const all = encodeFrame(meta, payload, chunk);
    expect(all.length).toBe(want.length);
    all.forEach((c, s) => expect(Buffer.from(c).equals(Buffer.from(want[s]!))).toBe(true));
  });

  it('reads a payload source piece by piece: the bytes of the same payload in one array', () => {
    const meta: FrameMeta = { jobId: 'src', part: 'image', slot: 0, format: 'rgba8', width: 50, height: 30, left: 1, top: 2 };
    const payload = payloadOf(6000, 9);
    const reads: Array<[number, number]> = [];
    const source: FramePayloadSource = {
      byteLength: payload.byteLength,
      read(offset, length, into, at) { reads.push([offset, length]); into.set(payload.subarray(offset, offset + length), at); },
    };
    const enc = new FrameEncoder(meta, source, 1024);
    const want = encodeFrameReference(meta, payload, 1024);
    const asm = new FrameAssembler();
    let frame = null;
    for (let s = 0; s < enc.count; s++) {
      const c = enc.chunk(s);
      expect(Buffer.from(c).equals(Buffer.from(want[s]!))).toBe(true);
      frame = asm.push(decodeFrameChunk(c));
    }
    expect(Buffer.from(frame!.data).equals(Buffer.from(payload))).toBe(true);
    expect(reads).toEqual(want.map((_, s) => [s * 1024, Math.min(1024, 6000 - s * 1024)]));
  });

  it('refuses what encodeFrame refuses, when made; and chunks it does not have', () => {
    const m: FrameMeta = { jobId: 'ok', part: 'image', slot: 0, format: 'rgba8', width: 2, height: 2, left: 0, top: 0 };
    expect(() => new FrameEncoder({ ...m, jobId: 'bad id' }, new Uint8Array(16))).toThrow(RangeError);
    expect(() => new FrameEncoder({ ...m, slot: 70000 }, new Uint8Array(16))).toThrow(RangeError);
    expect(() => new FrameEncoder(m, new Uint8Array(15))).toThrow(RangeError);
    expect(() => new FrameEncoder({ ...m, format: 'png' }, new Uint8Array(0))).toThrow(RangeError);
    expect(() => new FrameEncoder(m, new Uint8Array(16), 0)).toThrow(RangeError);
    expect(() => new FrameEncoder({ ...m, format: 'png' }, new Uint8Array(70000), 1)).toThrow(RangeError);
    const enc = new FrameEncoder(m, new Uint8Array(16), 5);
    expect(enc.count).toBe(4);
    expect(() => enc.chunk(4)).toThrow(RangeError);
    expect(() => enc.chunk(-1)).toThrow(RangeError);
  });
});
