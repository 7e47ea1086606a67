import { decodeFrameChunk, encodeFrame, FrameAssembler, FRAME_HEADER_FIXED_BYTES, peekFrameJobId, type FrameMeta } from './frames';
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

  describe('refuses chunks that overlap or leave a gap (no byte written twice, none left zero)', () => {
    // 10x10 rgba8 = 400 bytes in 2 chunks of 200; `at(seq, offset, from)` re-encodes a chunk at another offset.
    const payload = bytes(400, 5);
    const at = (seq: number, offset: number, from = offset): Uint8Array => {
      const b = encodeFrame(meta({ width: 10, height: 10 }), payload, 200)[seq]!;
      new DataView(b.buffer).setUint32(32, offset);
      b.set(payload.subarray(from, from + 200), FRAME_HEADER_FIXED_BYTES + 5);
      return b;
    };
    const refusal = (seqs: Uint8Array[]): string => {
      const asm = new FrameAssembler();
      try { for (const c of seqs) asm.push(decodeFrameChunk(c)); } catch (e) {
        expect((e as SmartDragError).code).toBe('bad_message');
        expect(asm.pendingBytes).toBe(0);
        return (e as Error).message;
      }
      return 'accepted';
    };
    it('both chunks at offset 0', () => expect(refusal([at(0, 0), at(1, 0)])).toMatch(/chunk 1 starts at byte 0, but chunk 0 ends at byte 200/));
    it('the same, last chunk first', () => expect(refusal([at(1, 0), at(0, 0)])).toMatch(/chunk|frame's end/));
    it('overlap plus a gap', () => expect(refusal([at(0, 0), at(1, 100)])).toMatch(/chunk 1 starts at byte 100, but chunk 0 ends at byte 200/));
    it('a gap before the last chunk', () => expect(refusal([at(1, 150, 200)])).toMatch(/the last chunk \(1\) ends at byte 350, not at the frame's end 400/));
    it('chunk 0 not at the start', () => expect(refusal([at(0, 100)])).toMatch(/chunk 0 starts at byte 100, not 0/));
    it('in order and reversed, it assembles', () => {
      expect(refusal([at(0, 0), at(1, 200)])).toBe('accepted');
      const asm = new FrameAssembler();
      expect(asm.push(decodeFrameChunk(at(1, 200)))).toBeNull();
      expect(Array.from(asm.push(decodeFrameChunk(at(0, 0)))!.data)).toEqual(Array.from(payload));
    });
    it('a middle chunk that overlaps its neighbour', () => {
      const three = encodeFrame(meta({ width: 10, height: 10 }), payload, 150); // 150 + 150 + 100
      const mid = new Uint8Array(three[1]!);
      new DataView(mid.buffer).setUint32(32, 140);
      expect(refusal([three[2]!, mid])).toMatch(/chunk 1 ends at byte 290, but chunk 2 starts at byte 300/);
    });
  });

  it('peekFrameJobId reads the job id of a chunk whose other fields are malformed', () => {
    const b = encodeFrame(meta({ jobId: 'job-7' }), bytes(60))[0]!;
    new DataView(b.buffer).setUint32(0, 0x12345678);
    expect(peekFrameJobId(b)).toBe('job-7');
    expect(peekFrameJobId(new Uint8Array(10))).toBeNull();
    const badId = new Uint8Array(b); badId[FRAME_HEADER_FIXED_BYTES] = 0x20;
    expect(peekFrameJobId(badId)).toBeNull();
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
