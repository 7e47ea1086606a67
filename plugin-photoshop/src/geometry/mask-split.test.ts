import { labelComponents, type PlacedMask } from '@smartdrag/shared';
import { splitMask } from './mask-split';
import { splitMaskReference as splitMaskOld } from './mask-split.reference';

/** Build a mask from rows of characters: '.' = 0, '#' = 255, digits d = d*25. */
function art(rows: string[], left = 0, top = 0): PlacedMask {
  const height = rows.length, width = rows[0]!.length;
  const data = new Uint8Array(width * height);
  rows.forEach((r, y) => [...r].forEach((ch, x) => {
    data[y * width + x] = ch === '#' ? 255 : ch === '.' ? 0 : Number(ch) * 25;
  }));
  return { left, top, width, height, data };
}

function sum(m: PlacedMask): number {
  let s = 0;
  for (const v of m.data) s += v;
  return s;
}

describe('splitMask', () => {
  test('two separate blocks become two regions in reading order, placed in the document', () => {
    const m = art([
      '........',
      '.##.....',
      '.##..###',
      '.....###',
    ], 100, 50);
    const parts = splitMask(m, { minPixels: 1 });
    expect(parts).toHaveLength(2);
    expect(parts[0]).toEqual({ left: 101, top: 51, width: 2, height: 2, data: new Uint8Array([255, 255, 255, 255]) });
    expect(parts[1]).toMatchObject({ left: 105, top: 52, width: 3, height: 2 });
    expect(sum(parts[1]!)).toBe(6 * 255);
  });

  test('diagonal contact connects (8-connectivity)', () => {
    const parts = splitMask(art(['#..', '.#.', '..#']), { minPixels: 1 });
    expect(parts).toHaveLength(1);
    expect(parts[0]!.data).toEqual(art(['#..', '.#.', '..#']).data);
  });

  test('feathered parts whose soft edges touch stay separate; every soft value is kept exactly once', () => {
    const m = art([
      '..........',
      '.##3333##.',
      '.##3333##.',
      '..........',
    ]);
    const parts = splitMask(m, { minPixels: 1 });
    expect(parts).toHaveLength(2);
    // Fringe goes to the nearest core: 2 columns each.
    expect(parts[0]).toMatchObject({ left: 1, width: 4 });
    expect(parts[1]).toMatchObject({ left: 5, width: 4 });
    expect(sum(parts[0]!) + sum(parts[1]!)).toBe(sum(m));
    expect(Array.from(parts[0]!.data)).toEqual([255, 255, 75, 75, 255, 255, 75, 75]);
  });

  test('fringe not touching any core is dropped, specks below minPixels are dropped', () => {
    const m = art([
      '2.........',
      '....####..',
      '....####..',
      '#.........',
    ]);
    const parts = splitMask(m, { minPixels: 4 });
    expect(parts).toHaveLength(1);
    expect(parts[0]).toMatchObject({ left: 4, top: 1, width: 4, height: 2 });
  });

  test('a faint selection (max below the core threshold) still splits', () => {
    const parts = splitMask(art(['44..44', '44..44']), { minPixels: 1 });
    expect(parts).toHaveLength(2);
    expect(parts[0]!.data).toEqual(new Uint8Array([100, 100, 100, 100]));
  });

  test('empty mask -> no regions; bad buffer -> RangeError', () => {
    expect(splitMask(art(['...', '...']))).toEqual([]);
    expect(() => splitMask({ left: 0, top: 0, width: 3, height: 3, data: new Uint8Array(4) })).toThrow(RangeError);
  });

  test('a ring is one region (its hole is not a separate part)', () => {
    const parts = splitMask(art(['#####', '#...#', '#...#', '#####']), { minPixels: 1 });
    expect(parts).toHaveLength(1);
    expect(parts[0]).toMatchObject({ width: 5, height: 4 });
  });
});

/**
 * The flood seeded with every core pixel, as splitMask did before it seeded only the core pixels
 * next to fringe (a 50 MP selection took seconds and a 200 MB queue): the parts must not change.
 */
function splitMaskReference(mask: PlacedMask, minPixels = 16, coreThreshold = 128): PlacedMask[] {
  const { width: w, height: h, data } = mask;
  const n = w * h;
  let max = 0;
  for (let i = 0; i < n; i++) if (data[i]! > max) max = data[i]!;
  if (max === 0) return [];
  const thr = Math.max(1, Math.min(coreThreshold, Math.ceil(max / 2)));
  const { labels, count: next, sizes } = labelComponents(data, w, h, thr);
  const queue = new Int32Array(n);
  let head = 0, tail = 0;
  for (let p = 0; p < n; p++) if (labels[p] !== 0) queue[tail++] = p;
  while (head < tail) {
    const p = queue[head++]!, label = labels[p]!, x = p % w, y = (p - x) / w;
    for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
      const xx = x + dx, yy = y + dy;
      if (xx < 0 || yy < 0 || xx >= w || yy >= h) continue;
      const q = yy * w + xx;
      if (labels[q] === 0 && data[q]! > 0) { labels[q] = label; queue[tail++] = q; }
    }
  }
  const parts: PlacedMask[] = [];
  for (let l = 1; l <= next; l++) {
    if (sizes[l]! < minPixels) continue;
    let x0 = w, y0 = h, x1 = -1, y1 = -1;
    for (let p = 0; p < n; p++) if (labels[p] === l) { const x = p % w, y = (p - x) / w; x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y); }
    const pw = x1 - x0 + 1, ph = y1 - y0 + 1, out = new Uint8Array(pw * ph);
    for (let y = 0; y < ph; y++) for (let x = 0; x < pw; x++) { const s = (y0 + y) * w + x0 + x; if (labels[s] === l) out[y * pw + x] = data[s]!; }
    parts.push({ left: mask.left + x0, top: mask.top + y0, width: pw, height: ph, data: out });
  }
  return parts;
}

describe('splitMask seeds its fringe flood with the core pixels next to fringe only', () => {
  test('the same parts as a flood from every core pixel, on random feathered blobs that touch, specks and stray fringe', () => {
    let seed = 7;
    const rnd = (): number => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed / 0x7fffffff; };
    for (let trial = 0; trial < 40; trial++) {
      const w = 20 + Math.floor(rnd() * 90), h = 20 + Math.floor(rnd() * 70);
      const data = new Uint8Array(w * h);
      for (let b = 0, nb = 1 + Math.floor(rnd() * 6); b < nb; b++) {
        const cx = rnd() * w, cy = rnd() * h, r = 2 + rnd() * 18, f = rnd() * 10;
        for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
          const edge = r - Math.hypot(x - cx, y - cy);
          const v = f === 0 ? (edge >= 0 ? 255 : 0) : Math.max(0, Math.min(255, Math.round(((edge + f / 2) / f) * 255)));
          data[y * w + x] = Math.max(data[y * w + x]!, v);
        }
      }
      for (let k = 0; k < 10; k++) data[Math.floor(rnd() * w * h)] = Math.floor(rnd() * 256); // specks and stray fringe
      const m: PlacedMask = { left: 3, top: 5, width: w, height: h, data };
      for (const minPixels of [1, 16]) expect(splitMask(m, { minPixels })).toEqual(splitMaskReference(m, minPixels));
    }
  });

  test('a solid rectangle (a marquee, Select All) is one part without labelling; below minPixels none', () => {
    const rect = { left: 7, top: 9, width: 5, height: 4, data: new Uint8Array(20).fill(255) };
    expect(splitMask(rect, { minPixels: 1 })).toEqual(splitMaskReference(rect, 1));
    expect(splitMask(rect, { minPixels: 1 })[0]!.data).not.toBe(rect.data);
    expect(splitMask(rect, { minPixels: 21 })).toEqual([]);
    const soft = { ...rect, data: new Uint8Array(20).fill(200) };
    expect(splitMask(soft, { minPixels: 1 })).toEqual(splitMaskReference(soft, 1));
  });

  test('a hard-edged selection (no fringe) and a selection that is all fringe', () => {
    const hard = art(['.####.', '.####.', '......', '##....']);
    expect(splitMask(hard, { minPixels: 1 })).toEqual(splitMaskReference(hard, 1));
    const faint = art(['1111', '1..1', '1111']);
    expect(splitMask(faint, { minPixels: 1 })).toEqual(splitMaskReference(faint, 1));
  });
});

/**
 * splitMask against the implementation it replaced (mask-split.reference.ts: the fringe counted,
 * the flood's seeds found and the bounds taken in three more pixel-by-pixel walks of the box): the
 * same parts, byte for byte, whatever the box's width (rows that start anywhere in a 32-bit word),
 * whether the data can be read in words at all (a buffer at an odd offset), and on real-like
 * selections (feathered objects with wavy outlines whose soft edges touch, a hard marquee part,
 * specks, a faint selection).
 */
/** The same parts, byte for byte (jest's toEqual walks a megapixel array element by element: seconds). */
function expectSameParts(got: PlacedMask[], want: PlacedMask[]): void {
  const shape = (ps: PlacedMask[]) => ps.map(({ left, top, width, height, data }) => ({ left, top, width, height, bytes: data.length }));
  expect(shape(got)).toEqual(shape(want));
  got.forEach((p, i) => expect(Buffer.from(p.data.buffer, p.data.byteOffset, p.data.byteLength).equals(Buffer.from(want[i]!.data))).toBe(true));
}

describe('splitMask walks the box in words and floods only the fringe: the same parts as the old implementation', () => {
  let seed = 99;
  const rnd = (): number => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed / 0x7fffffff; };

  /** A feathered blob with a wavy outline: coverage 255 inside, to 0 over `feather` px (0: hard edge). */
  function blob(data: Uint8Array, w: number, h: number, cx: number, cy: number, r: number, feather: number, wave: number): void {
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      const dx = x + 0.5 - cx, dy = y + 0.5 - cy, t = Math.atan2(dy, dx);
      const edge = r * (1 + wave * Math.sin(5 * t) + (wave / 3) * Math.sin(13 * t + 1)) - Math.hypot(dx, dy);
      const v = feather === 0 ? (edge >= 0 ? 255 : 0) : Math.round(Math.max(0, Math.min(1, edge / feather + 0.5)) * 255);
      if (v > data[y * w + x]!) data[y * w + x] = v;
    }
  }

  /** `data` copied into a buffer where it starts at byte `offset` (1: no 32-bit reads possible). */
  function at(offset: number, data: Uint8Array): Uint8Array {
    const buf = new Uint8Array(data.length + offset);
    buf.set(data, offset);
    return buf.subarray(offset);
  }

  test('random feathered and hard blobs, specks and stray fringe, every width modulo 4, aligned or not', () => {
    for (let trial = 0; trial < 60; trial++) {
      const w = 17 + Math.floor(rnd() * 120), h = 9 + Math.floor(rnd() * 80);
      const data = new Uint8Array(w * h);
      for (let b = 0, nb = 1 + Math.floor(rnd() * 7); b < nb; b++) {
        blob(data, w, h, rnd() * w, rnd() * h, 2 + rnd() * 25, rnd() < 0.3 ? 0 : rnd() * 12, rnd() * 0.2);
      }
      for (let k = 0; k < 12; k++) data[Math.floor(rnd() * w * h)] = Math.floor(rnd() * 256);
      if (trial % 5 === 0) for (let y = 0; y < h >> 1; y++) data.fill(255, y * w, y * w + (w >> 1)); // a marquee reaching the edges
      for (const offset of [0, 1, 2]) {
        const m: PlacedMask = { left: 3, top: 5, width: w, height: h, data: at(offset, data) };
        for (const minPixels of [1, 16]) expectSameParts(splitMask(m, { minPixels }), splitMaskOld(m, { minPixels }));
      }
    }
  });

  test('a real-like selection: a large feathered object, two whose soft edges touch, a marquee part, specks', () => {
    const w = 601, h = 425; // rows start at every position in a word
    const data = new Uint8Array(w * h);
    blob(data, w, h, 230, 210, 150, 24, 0.08);
    blob(data, w, h, 495, 115, 60, 40, 0.1);
    blob(data, w, h, 495, 250, 60, 12, 0.05);
    for (let y = 350; y < 410; y++) data.fill(255, y * w + 410, y * w + 575);
    for (let k = 0; k < 100; k++) data[Math.floor(rnd() * w * h)] = Math.floor(rnd() * 256);
    const m: PlacedMask = { left: 40, top: 12, width: w, height: h, data };
    const parts = splitMask(m);
    expect(parts.length).toBeGreaterThanOrEqual(4);
    expectSameParts(parts, splitMaskOld(m));
    // Read at an odd offset (no 32-bit reads): the same.
    expectSameParts(splitMask({ ...m, data: at(3, data) }), parts);
    // A faint copy (coverage ≤ 100: the core threshold drops to half its maximum), and a coarser core threshold.
    const faint = { ...m, data: data.map((v) => Math.round((v * 100) / 255)) };
    expectSameParts(splitMask(faint), splitMaskOld(faint));
    expectSameParts(splitMask(m, { coreThreshold: 250 }), splitMaskOld(m, { coreThreshold: 250 }));
  });

  test('edge cases: empty, a single pixel, one row, one column, all fringe, all core', () => {
    const cases: PlacedMask[] = [
      art(['....', '....']),
      art(['#']),
      art(['..##3..#']),
      art(['.', '#', '#', '3', '.', '#']),
      art(['2222', '2..2', '2222']),
      art(['######', '######']),
      art(['3#######3', '#########', '3#######3']),
    ];
    for (const m of cases) for (const minPixels of [1, 16]) expectSameParts(splitMask(m, { minPixels }), splitMaskOld(m, { minPixels }));
  });
});

/**
 * `reuseData` (the host gives away the buffer it read the selection into): the same parts, byte
 * for byte, as the old implementation on a copy, one kept part moved to the front of the given
 * buffer (no copy), and without it the mask left untouched. Also the label arrays: a byte a pixel
 * under 128 cores, two under 32768, four above, and shared labelComponents for noise.
 */
describe('splitMask keeps one buffer: labels in the smallest array, one part in place', () => {
  let seed = 5;
  const rnd = (): number => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed / 0x7fffffff; };
  function blob(data: Uint8Array, w: number, h: number, cx: number, cy: number, r: number, feather: number): void {
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      const edge = r - Math.hypot(x + 0.5 - cx, y + 0.5 - cy);
      const v = feather === 0 ? (edge >= 0 ? 255 : 0) : Math.round(Math.max(0, Math.min(1, edge / feather + 0.5)) * 255);
      if (v > data[y * w + x]!) data[y * w + x] = v;
    }
  }
  /** splitMask giving away a copy of `m`'s data placed at byte `offset` of its buffer. */
  function givenAway(m: PlacedMask, opts: { minPixels?: number; coreThreshold?: number } = {}, offset = 0): { parts: PlacedMask[]; given: Uint8Array } {
    const buf = new Uint8Array(m.data.length + offset);
    buf.set(m.data, offset);
    const given = buf.subarray(offset);
    return { parts: splitMask({ ...m, data: given }, { ...opts, reuseData: true }), given };
  }

  test('random selections: the same parts as the old implementation, given away or not; the mask untouched when not', () => {
    for (let trial = 0; trial < 80; trial++) {
      const w = 9 + Math.floor(rnd() * 110), h = 7 + Math.floor(rnd() * 80);
      const data = new Uint8Array(w * h);
      for (let b = 0, nb = trial % 3 === 0 ? 1 : 1 + Math.floor(rnd() * 5); b < nb; b++) {
        blob(data, w, h, rnd() * w, rnd() * h, 3 + rnd() * 40, rnd() < 0.3 ? 0 : rnd() * 12);
      }
      if (trial % 4 === 1) for (let k = 0; k < 6; k++) data[Math.floor(rnd() * w * h)] = Math.floor(rnd() * 256);
      const m: PlacedMask = { left: 11, top: 4, width: w, height: h, data };
      const before = data.slice();
      for (const minPixels of [1, 16]) {
        const want = splitMaskOld(m, { minPixels });
        expectSameParts(splitMask(m, { minPixels }), want);
        expect(Buffer.from(data).equals(Buffer.from(before))).toBe(true);
        for (const offset of [0, 1]) expectSameParts(givenAway(m, { minPixels }, offset).parts, want);
      }
    }
  });

  test('one object given away: its part is the given buffer (or a view of it), nothing copied', () => {
    const w = 64, h = 40, data = new Uint8Array(w * h);
    blob(data, w, h, 32, 20, 30, 8); // reaches every edge of the box
    const m: PlacedMask = { left: 100, top: 50, width: w, height: h, data };
    const { parts, given } = givenAway(m);
    expect(parts).toHaveLength(1);
    expect(parts[0]!.data.buffer).toBe(given.buffer);
    expectSameParts(parts, splitMaskOld(m));
    // A speck dropped and stray fringe beside the object: moved in place all the same, zeroed there.
    const specked = data.slice();
    specked[0] = 255; specked[1] = 255; specked[w * h - 1] = 40;
    const s = givenAway({ ...m, data: specked });
    expect(s.parts[0]!.data.buffer).toBe(s.given.buffer);
    expectSameParts(s.parts, splitMaskOld({ ...m, data: specked }));
    // Not given away: a copy, the mask as it was.
    expect(splitMask(m)[0]!.data.buffer).not.toBe(data.buffer);
    // A solid selection given away is the buffer itself.
    const solid = { left: 1, top: 2, width: 8, height: 4, data: new Uint8Array(32).fill(255) };
    expect(splitMask(solid, { reuseData: true })[0]!.data).toBe(solid.data);
  });

  test('hundreds and tens of thousands of parts (2- and 4-byte labels), and noise (shared labelComponents)', () => {
    const dots = (w: number, h: number, step: number): PlacedMask => {
      const data = new Uint8Array(w * h);
      for (let y = 1; y < h; y += step) for (let x = 1; x < w; x += step) { data[y * w + x] = 255; if (x + 1 < w) data[y * w + x + 1] = 60; }
      return { left: 0, top: 0, width: w, height: h, data };
    };
    const few = dots(300, 200, 9); // ~700 parts
    const noise: PlacedMask = { left: 5, top: 6, width: 240, height: 170, data: new Uint8Array(240 * 170).map(() => (rnd() < 0.5 ? Math.floor(rnd() * 256) : 0)) };
    for (const m of [few, noise]) {
      const want = splitMaskOld(m, { minPixels: 1 });
      expect(want.length).toBeGreaterThan(m === few ? 600 : 100);
      expectSameParts(splitMask(m, { minPixels: 1 }), want);
      expectSameParts(givenAway(m, { minPixels: 1 }).parts, want);
    }
    // ~42000 parts, one run each (the old implementation crops each by walking the whole box:
    // too slow here, so the parts are written out): a dot and its fringe pixel, in reading order.
    const many = dots(1030, 1030, 5);
    const want: PlacedMask[] = [];
    for (let y = 1; y < 1030; y += 5) for (let x = 1; x < 1030; x += 5) want.push({ left: x, top: y, width: x + 1 < 1030 ? 2 : 1, height: 1, data: new Uint8Array(x + 1 < 1030 ? [255, 60] : [255]) });
    expect(want.length).toBeGreaterThan(32768);
    for (const got of [splitMask(many, { minPixels: 1 }), givenAway(many, { minPixels: 1 }).parts]) {
      expect(got.map((p) => [p.left, p.top, p.width, p.height].join()).join(';')).toBe(want.map((p) => [p.left, p.top, p.width, p.height].join()).join(';'));
      expect(Buffer.concat(got.map((p) => Buffer.from(p.data))).equals(Buffer.concat(want.map((p) => Buffer.from(p.data))))).toBe(true);
    }
  });
});
