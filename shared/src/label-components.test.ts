/**
 * labelComponents (run-based two-pass labelling) against the breadth-first flood fill it replaced
 * (geometry.reference.ts): identical labels, count and sizes on masks of many shapes; so too
 * labelComponentsCompact (the same labelling, its labels in the smallest array).
 */
import { labelComponents, labelComponentsCompact } from './geometry';
import { labelComponentsReference } from './geometry.reference';

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Mask = { name: string; w: number; h: number; d: Uint8Array };

function make(name: string, w: number, h: number, f: (x: number, y: number) => number): Mask {
  const d = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) d[y * w + x] = f(x, y);
  return { name, w, h, d };
}

function spiral(w: number, h: number, gap: number): Mask {
  // A square spiral path of 1-px walls `gap` apart, from the top-left corner inwards.
  const d = new Uint8Array(w * h), step = gap + 1;
  let x = 0, y = 0, left = 0, top = 0, right = w - 1, bottom = h - 1;
  d[0] = 255;
  const walk = (dx: number, dy: number, to: number): boolean => {
    let moved = false;
    while ((dx ? x : y) !== to) { x += dx; y += dy; d[y * w + x] = 255; moved = true; }
    return moved;
  };
  for (;;) {
    if (!walk(1, 0, right) && x !== right) break;
    if (!walk(0, 1, bottom)) break;
    if (!walk(-1, 0, left)) break;
    if (top + step > bottom || !walk(0, -1, top + step)) break;
    top += step; right -= step; bottom -= step; left += step;
    if (left > right || top > bottom) break;
  }
  return { name: `spiral ${w}x${h} gap ${gap}`, w, h, d };
}

function masks(): Mask[] {
  const out: Mask[] = [];
  const r = rng(12345);
  for (const [w, h] of [[1, 1], [1, 17], [17, 1], [2, 2], [7, 5], [33, 29], [64, 48], [101, 67]] as const) {
    out.push(make(`empty ${w}x${h}`, w, h, () => 0));
    out.push(make(`full ${w}x${h}`, w, h, () => 255));
    for (const p of [0.05, 0.3, 0.45, 0.5, 0.6, 0.9]) out.push(make(`noise ${p} ${w}x${h}`, w, h, () => (r() < p ? 1 + Math.floor(r() * 255) : 0)));
    out.push(make(`checker ${w}x${h}`, w, h, (x, y) => ((x + y) & 1 ? 255 : 0)));
    out.push(make(`checker2 ${w}x${h}`, w, h, (x, y) => (((x >> 1) + (y >> 1)) & 1 ? 255 : 0)));
    out.push(make(`stripes ${w}x${h}`, w, h, (x) => (x % 3 === 0 ? 255 : 0)));
    out.push(make(`rows ${w}x${h}`, w, h, (_x, y) => (y % 2 === 0 ? 255 : 0)));
    out.push(make(`diagonals ${w}x${h}`, w, h, (x, y) => ((x + y) % 5 === 0 || (x - y + 1000) % 7 === 0 ? 255 : 0)));
    out.push(make(`anti-diagonals ${w}x${h}`, w, h, (x, y) => ((x + 2 * y) % 6 === 0 ? 200 : 0)));
    out.push(make(`border ${w}x${h}`, w, h, (x, y) => (x === 0 || y === 0 || x === w - 1 || y === h - 1 ? 255 : 0)));
    out.push(make(`corners ${w}x${h}`, w, h, (x, y) => ((x === 0 || x === w - 1) && (y === 0 || y === h - 1) ? 255 : 0)));
    out.push(make(`comb down ${w}x${h}`, w, h, (x, y) => (y === h - 1 || x % 2 === 0 ? 255 : 0)));
    out.push(make(`comb up ${w}x${h}`, w, h, (x, y) => (y === 0 || x % 2 === 0 ? 255 : 0)));
    out.push(make(`zigzag ${w}x${h}`, w, h, (x, y) => (x % 4 === 0 || (y % 6 === 0 && x % 8 < 5) || (y % 6 === 3 && (x + 4) % 8 < 5) ? 255 : 0)));
    out.push(spiral(w, h, 1));
    out.push(spiral(w, h, 2));
  }
  // Lasso-like blobs (ellipses, rings, crescents) and soft ramps around them.
  for (let i = 0; i < 12; i++) {
    const w = 20 + Math.floor(r() * 120), h = 20 + Math.floor(r() * 120);
    const blobs = Array.from({ length: 1 + Math.floor(r() * 6) }, () => ({ cx: r() * w, cy: r() * h, rx: 2 + r() * w / 3, ry: 2 + r() * h / 3, hole: r() < 0.4 }));
    out.push(make(`blobs ${i}`, w, h, (x, y) => {
      let v = 0;
      for (const b of blobs) {
        const q = ((x - b.cx) / b.rx) ** 2 + ((y - b.cy) / b.ry) ** 2;
        if (b.hole && q < 0.3) continue;
        v = Math.max(v, Math.round(255 * Math.min(1, Math.max(0, (1.2 - q) / 0.4))));
      }
      return v;
    }));
  }
  // Random walks (thin 8-connected curves that cross themselves).
  for (let i = 0; i < 8; i++) {
    const w = 40 + Math.floor(r() * 60), h = 40 + Math.floor(r() * 60), d = new Uint8Array(w * h);
    for (let k = 0; k < 6; k++) {
      let x = Math.floor(r() * w), y = Math.floor(r() * h);
      for (let s = 0; s < 300; s++) {
        d[y * w + x] = 255;
        x = Math.min(w - 1, Math.max(0, x + Math.floor(r() * 3) - 1));
        y = Math.min(h - 1, Math.max(0, y + Math.floor(r() * 3) - 1));
      }
    }
    out.push({ name: `walks ${i}`, w, h, d });
  }
  return out;
}

describe('labelComponents matches the flood-fill reference', () => {
  const all = masks();
  it.each([1, 2, 128, 200, 255, 256, 0, -3, 0.5, 127.5])('threshold %p: labels, count and sizes', (thr) => {
    for (const [i, m] of all.entries()) {
      // Data at every alignment of its buffer (the scan reads 32-bit words where it can).
      const off = i % 4, buf = new Uint8Array(m.d.length + off);
      buf.set(m.d, off);
      const got = labelComponents(buf.subarray(off), m.w, m.h, thr);
      const want = labelComponentsReference(m.d, m.w, m.h, thr);
      if (got.count !== want.count) throw new Error(`${m.name}: count ${got.count}, expected ${want.count}`);
      expect({ name: m.name, sizes: got.sizes }).toEqual({ name: m.name, sizes: want.sizes });
      const bad = got.labels.findIndex((l, i) => l !== want.labels[i]);
      if (bad >= 0) throw new Error(`${m.name}: label ${got.labels[bad]} at ${bad}, expected ${want.labels[bad]}`);
      expect(got.labels).toBeInstanceOf(Int32Array);
    }
  });

  it('the default threshold is 1 and empty rectangles have no components', () => {
    const m = all.find((x) => x.name === 'noise 0.3 64x48')!;
    expect(labelComponents(m.d, m.w, m.h)).toEqual(labelComponentsReference(m.d, m.w, m.h));
    expect(labelComponents(new Uint8Array(0), 0, 5)).toEqual({ labels: new Int32Array(0), count: 0, sizes: [0] });
    expect(labelComponents(new Uint8Array(0), 7, 0)).toEqual(labelComponentsReference(new Uint8Array(0), 7, 0));
  });

  it('larger masks, where the run list is dropped for noise (over 1 byte a pixel) and kept for shapes', () => {
    const r = rng(777);
    const w = 700, h = 500;
    const cases = [
      make('dense noise', w, h, () => (r() < 0.5 ? 255 : 0)),
      make('sparse noise', w, h, () => (r() < 0.08 ? 255 : 0)),
      make('rings', w, h, (x, y) => (Math.floor(Math.hypot(x - 350, y - 250) / 4) % 3 === 0 ? 255 : 0)),
      make('noise bands across shapes', w, h, (x, y) => ((y >> 5) % 3 === 1 ? (r() < 0.4 ? 255 : 0) : (x + 3 * y) % 90 < 12 || x % 150 < 2 ? 255 : 0)),
      make('hard lasso', w, h, (x, y) => (Math.hypot(x - 300, (y - 250) * 1.3) < 180 + 40 * Math.sin(x / 23) && Math.hypot(x - 280, y - 240) > 50 ? 255 : 0)),
      make('u shapes', w, h, (x, y) => ((x % 40 < 3 || x % 40 > 36 || y % 100 > 95) && y % 100 > 10 ? 255 : 0)),
    ];
    for (const m of cases) {
      const got = labelComponents(m.d, m.w, m.h, 128);
      const want = labelComponentsReference(m.d, m.w, m.h, 128);
      expect({ name: m.name, count: got.count, sizes: got.sizes }).toEqual({ name: m.name, count: want.count, sizes: want.sizes });
      expect(Buffer.from(got.labels.buffer).equals(Buffer.from(want.labels.buffer))).toBe(true);
    }
  });
});

describe('labelComponentsCompact: the same labels in the smallest array, or null for noise', () => {
  const all = masks();
  const bytes = (count: number): number => (count < 0x80 ? 1 : count < 0x8000 ? 2 : 4);
  it.each([1, 128, 255, 256, 0, 0.5])('threshold %p: labels, count and sizes', (thr) => {
    for (const [i, m] of all.entries()) {
      const off = i % 4, buf = new Uint8Array(m.d.length + off);
      buf.set(m.d, off);
      const got = labelComponentsCompact(buf.subarray(off), m.w, m.h, thr);
      const want = labelComponentsReference(m.d, m.w, m.h, thr);
      if (got === null) throw new Error(`${m.name}: null (at most 4096 runs are always listed)`);
      expect({ name: m.name, count: got.count, sizes: Array.from(got.sizes) }).toEqual({ name: m.name, count: want.count, sizes: want.sizes });
      expect({ name: m.name, bytes: got.labels.BYTES_PER_ELEMENT }).toEqual({ name: m.name, bytes: bytes(want.count) });
      const bad = want.labels.findIndex((l, k) => l !== got.labels[k]);
      if (bad >= 0) throw new Error(`${m.name}: label ${got.labels[bad]} at ${bad}, expected ${want.labels[bad]}`);
    }
  });

  it('hundreds and tens of thousands of components (2 and 4 bytes a pixel); noise over ¾ byte a pixel of runs: null', () => {
    const r = rng(99);
    const dots = (w: number, h: number, step: number): Mask => make(`dots ${step}`, w, h, (x, y) => (x % step === 0 && y % step === 0 ? 255 : 0));
    for (const m of [dots(300, 200, 9), dots(1030, 1030, 5), make('u shapes', 700, 500, (x, y) => ((x % 40 < 3 || x % 40 > 36 || y % 100 > 95) && y % 100 > 10 ? 255 : 0))]) {
      const got = labelComponentsCompact(m.d, m.w, m.h)!;
      const want = labelComponents(m.d, m.w, m.h);
      expect({ name: m.name, count: got.count, bytes: got.labels.BYTES_PER_ELEMENT }).toEqual({ name: m.name, count: want.count, bytes: bytes(want.count) });
      expect(Buffer.from(got.sizes.buffer).equals(Buffer.from(Int32Array.from(want.sizes).buffer))).toBe(true);
      expect(Buffer.from(Int32Array.from(got.labels).buffer).equals(Buffer.from(want.labels.buffer))).toBe(true);
    }
    const noise = make('dense noise', 700, 500, () => (r() < 0.5 ? 255 : 0));
    expect(labelComponentsCompact(noise.d, noise.w, noise.h)).toBeNull();
    expect(labelComponentsCompact(new Uint8Array(0), 0, 5)).toEqual({ labels: new Uint8Array(0), count: 0, sizes: new Int32Array(1) });
    expect(() => labelComponentsCompact(new Uint8Array(5), 2, 3)).toThrow(RangeError);
  });
});
