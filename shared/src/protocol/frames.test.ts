import { decodeFrameChunk, encodeFrame, FrameAssembler, FRAME_HEADER_FIXED_BYTES, type FrameMeta } from './frames';
import { SmartDragError } from './errors';

const meta = (over: Partial<FrameMeta> = {}): FrameMeta => ({
  jobId: 'job-1', part: 'image', slot: 0, format: 'rgba8', width: 5, height: 3, left: -7, top: 11, ...over,
});
function bytes(n: number, seed = 1): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed * 7) & 255;
  return b;
}
function codeOf(fn: () => unknown): string | undefined {
  try { fn(); } catch (e) { return e instanceof SmartDragError ? e.code : `other:${(e as Error).name}`; }
  return undefined;
}

describe('frame codec', () => {
  it('round-trips a single-chunk rgba8 frame with negative placement', () => {
    const payload = bytes(5 * 3 * 4);
    const chunks = encodeFrame(meta(), payload);
    expect(chunks).toHaveLength(1);
    expect(chunks[0]!.byteLength).toBe(FRAME_HEADER_FIXED_BYTES + 'job-1'.length + 60);
    const c = decodeFrameChunk(chunks[0]!);
    expect({ jobId: c.jobId, part: c.part, slot: c.slot, format: c.format, width: c.width, height: c.height, left: c.left, top: c.top })
      .toEqual(meta());
    const f = new FrameAssembler().push(c)!;
    expect(Array.from(f.data)).toEqual(Array.from(payload));
  });

  it('chunks to at most maxChunkBytes and reassembles in any order', () => {
    const payload = bytes(64 * 64, 3);
    const chunks = encodeFrame(meta({ part: 'mask', slot: 4, format: 'gray8', width: 64, height: 64 }), payload, 1000);
    expect(chunks).toHaveLength(Math.ceil(4096 / 1000));
    for (const ch of chunks) expect(ch.byteLength - FRAME_HEADER_FIXED_BYTES - 5).toBeLessThanOrEqual(1000);
    const asm = new FrameAssembler();
    const order = [2, 0, 4, 1, 3];
    let out = null;
    for (const i of order) {
      const r = asm.push(decodeFrameChunk(chunks[i]!));
      if (i !== 3) expect(r).toBeNull();
      out = r ?? out;
    }
    expect(out!.slot).toBe(4);
    expect(Array.from(out!.data)).toEqual(Array.from(payload));
    expect(asm.pendingBytes).toBe(0);
  });

  it('allows png frames of unknown size', () => {
    const c = decodeFrameChunk(encodeFrame(meta({ format: 'png', width: 0, height: 0 }), bytes(100))[0]!);
    expect(c.format).toBe('png');
    expect(c.totalBytes).toBe(100);
  });

  it('refuses to encode raw payloads whose size does not match', () => {
    expect(codeOf(() => encodeFrame(meta(), bytes(59)))).toBe('other:RangeError');
    expect(codeOf(() => encodeFrame(meta({ jobId: 'bad id!' }), bytes(60)))).toBe('other:RangeError');
  });

  describe('rejects malformed chunks with bad_message', () => {
    const good = () => encodeFrame(meta(), bytes(60))[0]!;
    const mutate = (fn: (dv: DataView, b: Uint8Array) => void) => { const b = good(); fn(new DataView(b.buffer), b); return b; };
    it.each([
      ['too short', () => new Uint8Array(10)],
      ['wrong magic', () => mutate((dv) => dv.setUint32(0, 0x12345678))],
      ['unknown version', () => mutate((dv) => dv.setUint8(4, 9))],
      ['unknown part', () => mutate((dv) => dv.setUint8(5, 0))],
      ['unknown format', () => mutate((dv) => dv.setUint8(6, 7))],
      ['job id length 0', () => mutate((dv) => dv.setUint8(7, 0))],
      ['job id length > 64', () => mutate((dv) => dv.setUint8(7, 65))],
      ['reserved bytes set', () => mutate((dv) => dv.setUint16(10, 1))],
      ['job id characters', () => mutate((_dv, b) => { b[FRAME_HEADER_FIXED_BYTES] = 0x20; })],
      ['seq >= count', () => mutate((dv) => dv.setUint16(36, 1))],
      ['count 0', () => mutate((dv) => dv.setUint16(38, 0))],
      ['payload past the end', () => mutate((dv) => dv.setUint32(32, 10))],
      ['width*height*channels != bytes', () => mutate((dv) => dv.setUint32(12, 6))],
      ['raw frame of width 0', () => mutate((dv) => { dv.setUint32(12, 0); })],
      ['no payload', () => good().subarray(0, FRAME_HEADER_FIXED_BYTES + 5)],
    ])('%s', (_name, make) => {
      expect(codeOf(() => decodeFrameChunk(make()))).toBe('bad_message');
    });
  });

  it('rejects duplicate and inconsistent chunks', () => {
    const chunks = encodeFrame(meta({ width: 10, height: 10 }), bytes(400), 100);
    const asm = new FrameAssembler();
    asm.push(decodeFrameChunk(chunks[0]!));
    expect(codeOf(() => asm.push(decodeFrameChunk(chunks[0]!)))).toBe('bad_message');
    const asm2 = new FrameAssembler();
    asm2.push(decodeFrameChunk(chunks[0]!));
    const other = encodeFrame(meta({ width: 10, height: 10, left: 99 }), bytes(400), 100)[1]!;
    expect(codeOf(() => asm2.push(decodeFrameChunk(other)))).toBe('bad_message');
  });

  it('rejects frames over the pixel and side limits with image_too_large, before allocating', () => {
    const asm = new FrameAssembler({ maxImagePixels: 50, maxImageSidePx: 8 });
    expect(codeOf(() => asm.push(decodeFrameChunk(encodeFrame(meta({ width: 8, height: 7 }), bytes(8 * 7 * 4))[0]!)))).toBe('image_too_large');
    expect(codeOf(() => asm.push(decodeFrameChunk(encodeFrame(meta({ width: 9, height: 1 }), bytes(36))[0]!)))).toBe('image_too_large');
    expect(codeOf(() => asm.push(decodeFrameChunk(encodeFrame(meta({ format: 'png', width: 0, height: 0 }), bytes(201))[0]!)))).toBe('image_too_large');
    expect(asm.push(decodeFrameChunk(encodeFrame(meta({ width: 7, height: 7 }), bytes(196))[0]!))).not.toBeNull();
  });

  it('drop() forgets the incomplete frames of a job', () => {
    const asm = new FrameAssembler();
    asm.push(decodeFrameChunk(encodeFrame(meta({ width: 10, height: 10 }), bytes(400), 100)[0]!));
    expect(asm.pendingBytes).toBe(400);
    asm.drop('job-1');
    expect(asm.pendingBytes).toBe(0);
  });

  it('survives 2000 random mutations without throwing anything but coded errors', () => {
    const base = encodeFrame(meta({ width: 4, height: 4 }), bytes(64), 30);
    let s = 12345;
    const rnd = () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32);
    let coded = 0;
    for (let i = 0; i < 2000; i++) {
      const b = new Uint8Array(base[i % base.length]!);
      const flips = 1 + Math.floor(rnd() * 4);
      for (let k = 0; k < flips; k++) b[Math.floor(rnd() * Math.min(b.length, 60))] = Math.floor(rnd() * 256);
      const asm = new FrameAssembler({ maxImagePixels: 1 << 16, maxImageSidePx: 1 << 12 });
      try { asm.push(decodeFrameChunk(b)); } catch (e) {
        expect(e).toBeInstanceOf(SmartDragError);
        coded++;
      }
    }
    expect(coded).toBeGreaterThan(0);
  });
});
