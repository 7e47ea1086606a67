import { cloneImage } from '../image';
import { fillPatchMatch } from './patch-match';
import { makeScene } from './synthetic-scene';
import { Scratch, SCRATCH_MAX_BYTES, SCRATCH_MAX_ONE, scratchPoolBytes } from './scratch';

describe('Scratch (reused fill arrays)', () => {
  test('an array taken again after release is zero-filled, and two holders never share a buffer', () => {
    const a = new Scratch();
    const x = a.f32(1000);
    x.fill(7.5);
    const xb = x.buffer;
    a.release();
    const b = new Scratch(), c = new Scratch();
    const y = b.f32(1000);
    // The released buffer is reused (same size class) and comes back zeroed.
    expect(y.buffer).toBe(xb);
    expect(y.every((v) => v === 0)).toBe(true);
    y.fill(3);
    // Held by b: c gets another buffer.
    const z = c.f32(1000);
    expect(z.buffer).not.toBe(xb);
    expect(z.every((v) => v === 0)).toBe(true);
    expect(y[999]).toBe(3);
    b.release(); c.release();
    // Views of other types over a reused buffer are zeroed too; the length is what was asked.
    const d = new Scratch();
    const i = d.i32(999), u = d.u8(3001);
    expect(i.length).toBe(999);
    expect(u.length).toBe(3001);
    expect(i.every((v) => v === 0) && u.every((v) => v === 0)).toBe(true);
    d.release();
  });

  test('keeps at most SCRATCH_MAX_BYTES, and no buffer above SCRATCH_MAX_ONE', () => {
    const s = new Scratch();
    const big = s.u8(SCRATCH_MAX_ONE + 4);
    for (let k = 0; k < 8; k++) s.u8(SCRATCH_MAX_ONE / 2);
    s.release();
    expect(scratchPoolBytes()).toBeLessThanOrEqual(SCRATCH_MAX_BYTES);
    // The oversized buffer was not kept: a new holder asking for it gets a fresh one.
    const t = new Scratch();
    expect(t.u8(SCRATCH_MAX_ONE + 4).buffer).not.toBe(big.buffer);
    t.release();
  });

  test('fills reusing the pool give the same pixels as a first fill, also when two run at once', async () => {
    const scene = makeScene({ size: 320, texture: 'brick', seed: 4 });
    const run = async (): Promise<Uint8ClampedArray> => {
      const img = cloneImage(scene.edited);
      await fillPatchMatch(img, scene.hole, scene.forbidden, { seed: 2 }, { workPixels: 2000 });
      return img.data;
    };
    const first = await run();
    // Leave garbage in every pooled buffer: a reused array that were not cleared would show.
    const g = new Scratch();
    for (const n of [1 << 10, 1 << 14, 1 << 17, 1 << 19, 1 << 21]) g.u8(n).fill(0xa5);
    g.release();
    const again = await run();
    const [p, q] = await Promise.all([run(), run()]);
    expect(Buffer.compare(Buffer.from(again), Buffer.from(first))).toBe(0);
    expect(Buffer.compare(Buffer.from(p), Buffer.from(first))).toBe(0);
    expect(Buffer.compare(Buffer.from(q), Buffer.from(first))).toBe(0);
  });
});
