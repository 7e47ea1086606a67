import { boundsOfPoints, editRoi, fillSmallHoles, labelComponents, maskBounds, polygonArea, rasterizePolygon, simplifyPolyline, traceContours, type PlacedMask, type Point } from './geometry';

describe('labelComponents', () => {
  it('labels 8-connected parts in scan order with their sizes, honouring the threshold', () => {
    // 6×4: a diagonal pair (8-connected), a lone pixel, and a faint pixel below the threshold.
    const w = 6, h = 4, d = new Uint8Array(w * h);
    d[0] = 255; d[w + 1] = 200; // (0,0)-(1,1): one part of 2 through the diagonal
    d[4] = 255; // (4,0): second part
    d[3 * w + 5] = 40; // faint: ignored at threshold 128, its own part at 1
    const strong = labelComponents(d, w, h, 128);
    expect(strong.count).toBe(2);
    expect(strong.sizes).toEqual([0, 2, 1]);
    expect(strong.labels[0]).toBe(1);
    expect(strong.labels[w + 1]).toBe(1);
    expect(strong.labels[4]).toBe(2);
    expect(strong.labels[3 * w + 5]).toBe(0);
    expect(labelComponents(d, w, h).count).toBe(3);
  });

  it('rejects data of the wrong size', () => {
    expect(() => labelComponents(new Uint8Array(5), 2, 3)).toThrow(RangeError);
  });
});

describe('rasterizePolygon', () => {
  it('covers exactly the pixel centres inside an axis-aligned square, edges half and corners a quarter', () => {
    const m = rasterizePolygon([[10, 10], [20, 10], [20, 20], [10, 20]]);
    // Vertices are pixel centres: pixel (x, y) spans [x−0.5, x+0.5]. Pixels 11..19 lie wholly
    // inside (255), the edge pixels 10 and 20 half (8 of 16 sub-samples → 128), corners a quarter (64).
    const cover = (v: number): number => (v > 10 && v < 20 ? 1 : v === 10 || v === 20 ? 0.5 : 0);
    let checked = 0;
    for (let y = m.top; y < m.top + m.height; y++) {
      for (let x = m.left; x < m.left + m.width; x++) {
        expect([x, y, m.data[(y - m.top) * m.width + (x - m.left)]]).toEqual([x, y, Math.round(cover(x) * cover(y) * 255)]);
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(11 * 11);
    expect(maskBounds(m)).toEqual({ left: 10, top: 10, width: 11, height: 11 });
  });

  it('gives, on random polygons, the mask of counting every sub-sample one by one (the rasteriser it replaced)', () => {
    const rand = seeded(7);
    let filled = 0, soft = 0;
    for (let t = 0; t < 400; t++) {
      const n = 3 + Math.floor(rand() * (t % 4 === 0 ? 60 : 12));
      // Fractional vertices; some on the sub-sample grid (multiples of 1/8, whole pixels) and some
      // sharing a y (horizontal edges) or repeated, where crossings fall on rows and columns exactly.
      const grid = [0, 1, 1 / 8, 1 / 2][t % 4]!;
      const coord = (span: number): number => { const v = -15 + rand() * span; return grid ? Math.round(v / grid) * grid : v; };
      const poly: Point[] = [];
      for (let i = 0; i < n; i++) {
        const prev = poly[poly.length - 1];
        const r = rand();
        poly.push(prev && r < 0.1 ? [coord(70), prev[1]] : prev && r < 0.13 ? [prev[0], prev[1]] : [coord(70), coord(50)]);
      }
      const samples = [4, 4, 1, 2, 3, 5][t % 6]!;
      const got = rasterizePolygon(poly, samples), want = rasterizePolygonBySamples(poly, samples);
      expect({ ...got, data: Buffer.from(got.data).toString('base64') }).toEqual({ ...want, data: Buffer.from(want.data).toString('base64') });
      if (want.data.some((v) => v > 0)) filled++;
      if (want.data.some((v) => v > 0 && v < 255)) soft++;
    }
    // (What was compared: masks that cover pixels, most with soft edges — all but the 1-sample ones.)
    expect(filled).toBeGreaterThan(390);
    expect(soft).toBeGreaterThan(320);
  });

  it('gives the same mask as before on a lasso at photo scale (a loop 1500 px wide, 300 points)', () => {
    const rand = seeded(3);
    const loop: Point[] = [];
    for (let i = 0; i < 300; i++) {
      const a = (2 * Math.PI * i) / 300, w = 1 + 0.08 * Math.sin(5 * a);
      loop.push([3000 + 750 * w * Math.cos(a) + rand() * 3, 2000 + 600 * w * Math.sin(a) + rand() * 3]);
    }
    const got = rasterizePolygon(loop), want = rasterizePolygonBySamples(loop);
    expect([got.left, got.top, got.width, got.height]).toEqual([want.left, want.top, want.width, want.height]);
    expect(Buffer.from(got.data).equals(Buffer.from(want.data))).toBe(true);
  });
});

/** Seeded uniform numbers in [0, 1): the top bits of a 32-bit linear congruential generator. */
function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
}

/**
 * The reference: rasterizePolygon as it was before it counted by spans (each sub-sample row's
 * crossings with every edge, each sub-sample of each span counted one by one, ~0.5 s for a 5000 px
 * wide lasso), kept unchanged.
 */
function rasterizePolygonBySamples(polygon: readonly Point[], samples = 4): PlacedMask {
  const b = boundsOfPoints(polygon);
  const left = b.left - 1, top = b.top - 1, width = b.width + 2, height = b.height + 2;
  const data = new Uint8Array(width * height);
  const n = polygon.length;
  if (n < 3) return { left, top, width, height, data };
  const acc = new Float32Array(width);
  const xs: number[] = [];
  const step = 1 / samples;
  for (let y = 0; y < height; y++) {
    acc.fill(0);
    for (let sy = 0; sy < samples; sy++) {
      const py = top + y - 0.5 + (sy + 0.5) * step;
      xs.length = 0;
      for (let i = 0, j = n - 1; i < n; j = i++) {
        const [xi, yi] = polygon[i]!;
        const [xj, yj] = polygon[j]!;
        if ((yi > py) !== (yj > py)) xs.push(xi + ((py - yi) / (yj - yi)) * (xj - xi));
      }
      xs.sort((a, c) => a - c);
      for (let k = 0; k + 1 < xs.length; k += 2) {
        const xa = xs[k]!, xb = xs[k + 1]!;
        for (let sx = 0; sx < samples; sx++) {
          const off = -0.5 + (sx + 0.5) * step;
          const x0 = Math.max(0, Math.ceil(xa - off - left));
          const x1 = Math.min(width - 1, Math.ceil(xb - off - left) - 1);
          for (let x = x0; x <= x1; x++) acc[x]! += 1;
        }
      }
    }
    const norm = 255 / (samples * samples);
    const row = y * width;
    for (let x = 0; x < width; x++) data[row + x] = Math.round(acc[x]! * norm);
  }
  return { left, top, width, height, data };
}

/** A placed mask with the pixels (document coordinates) for which `inside` holds set to 255. */
function maskOf(left: number, top: number, width: number, height: number, inside: (x: number, y: number) => boolean): PlacedMask {
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) if (inside(left + x, top + y)) data[y * width + x] = 255;
  return { left, top, width, height, data };
}

/** Even-odd point-in-polygons test. */
function insideRings(rings: Point[][], x: number, y: number): boolean {
  let c = false;
  for (const r of rings) {
    for (let i = 0, j = r.length - 1; i < r.length; j = i++) {
      const [xi, yi] = r[i]!, [xj, yj] = r[j]!;
      if ((yi > y) !== (yj > y) && x < xi + ((y - yi) / (yj - yi)) * (xj - xi)) c = !c;
    }
  }
  return c;
}

describe('traceContours', () => {
  it('outlines a solid block along its pixel edges (pixel-centre convention), in document pixels', () => {
    // Pixels 30..49 × 20..34 inside a mask placed at (10, 5).
    const m = maskOf(10, 5, 60, 40, (x, y) => x >= 30 && x <= 49 && y >= 20 && y <= 34);
    const rings = traceContours(m, { cell: 1 });
    expect(rings).toHaveLength(1);
    const b = boundsOfPoints(rings[0]!);
    const xs = rings[0]!.map((p) => p[0]), ys = rings[0]!.map((p) => p[1]);
    expect([Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)]).toEqual([29.5, 49.5, 19.5, 34.5]);
    expect(b.left).toBe(29);
    // Area within the half-pixel corner cuts of 20 × 15 = 300.
    expect(Math.abs(polygonArea(rings[0]!))).toBeGreaterThan(299);
    expect(Math.abs(polygonArea(rings[0]!))).toBeLessThanOrEqual(300);
    // A rectangle simplifies to its corners (and the cut corners' ends): a handful of points.
    expect(rings[0]!.length).toBeLessThanOrEqual(8);
  });

  it('a disc on a coarse grid: every pixel centre well inside is inside the outline, every one well outside is outside', () => {
    const cx = 100, cy = 80, r = 40;
    const m = maskOf(0, 0, 200, 160, (x, y) => (x - cx) ** 2 + (y - cy) ** 2 <= r * r);
    const cell = 4;
    const rings = traceContours(m, { cell });
    expect(rings).toHaveLength(1);
    let wrong = 0;
    for (let y = 0; y < 160; y += 2) for (let x = 0; x < 200; x += 2) {
      const d = Math.hypot(x - cx, y - cy);
      if (Math.abs(d - r) <= 2 * cell) continue; // the outline's own tolerance band
      if (insideRings(rings, x, y) !== d < r) wrong++;
    }
    expect(wrong).toBe(0);
    const b = boundsOfPoints(rings[0]!);
    expect(Math.abs(b.left - (cx - r))).toBeLessThanOrEqual(cell);
    expect(Math.abs(b.left + b.width - 1 - (cx + r))).toBeLessThanOrEqual(cell);
  });

  it('gives the outer outline and the hole outline of a ring, and two rings for two parts; tiny specks are dropped', () => {
    const ring = maskOf(0, 0, 100, 100, (x, y) => {
      const d = Math.hypot(x - 50, y - 50);
      return d <= 30 && d >= 15;
    });
    const a = traceContours(ring, { cell: 1 });
    expect(a).toHaveLength(2);
    expect(insideRings(a, 50, 50)).toBe(false); // the hole
    expect(insideRings(a, 50, 28)).toBe(true); // the band (d = 22)
    const two = maskOf(0, 0, 100, 50, (x, y) => (x >= 5 && x < 25 && y >= 5 && y < 25) || (x >= 60 && x < 90 && y >= 10 && y < 40) || (x === 45 && y === 45));
    const b = traceContours(two, { cell: 1 });
    expect(b).toHaveLength(2);
    expect(boundsOfPoints(b[0]!).left).toBe(59); // largest first
  });

  it('keeps at most maxPoints vertices in all, however wiggly the mask', () => {
    // A comb: 60 teeth, each two pixels wide.
    const m = maskOf(0, 0, 240, 100, (x, y) => y >= 50 || (x % 4 < 2 && y >= 10));
    const full = traceContours(m, { cell: 1, maxPoints: 100000 });
    const total = full.reduce((s, r) => s + r.length, 0);
    expect(total).toBeGreaterThan(200);
    const capped = traceContours(m, { cell: 1, maxPoints: 200 });
    expect(capped.reduce((s, r) => s + r.length, 0)).toBeLessThanOrEqual(200);
    expect(capped.length).toBeGreaterThanOrEqual(1);
    // The capped outline still spans the comb.
    const b = boundsOfPoints(capped[0]!);
    expect(b.width).toBeGreaterThan(230);
    expect(b.height).toBeGreaterThan(85);
  });

  it('an empty mask gives no polygon', () => {
    expect(traceContours(maskOf(0, 0, 20, 20, () => false))).toEqual([]);
    expect(traceContours({ left: 0, top: 0, width: 0, height: 0, data: new Uint8Array(0) })).toEqual([]);
  });
});

describe('simplifyPolyline', () => {
  it('drops points closer than the tolerance to the chord and keeps the corner', () => {
    const pts: Point[] = [[0, 0], [5, 0.2], [10, 0], [10, 5], [10, 10]];
    expect(simplifyPolyline(pts, 0.5)).toEqual([[0, 0], [10, 0], [10, 10]]);
    expect(simplifyPolyline(pts, 0.1)).toEqual([[0, 0], [5, 0.2], [10, 0], [10, 10]]);
  });
});

describe('editRoi', () => {
  it('covers the region, the circle of its turns, its moved copy and the arrow, grown by max(margin, 10 % + 16), clipped to the canvas, origin on a multiple of 64', () => {
    const region: PlacedMask = { left: 100, top: 100, width: 20, height: 10, data: new Uint8Array(200).fill(255) };
    const roi = editRoi({ regions: [region], arrows: [[[110, 105], [150, 125]]], docWidth: 1000, docHeight: 1000, marginPx: 16 });
    // Turn circle: radius ceil(11.2) = 12 about (110, 105): x 98..122, y 93..117; moved copy
    // (+40, +20): x 140..159, y 120..129. Area x 98..159, y 93..129 (62 × 37); margin
    // max(16, 7 + 16) = 23: x 75..182, y 70..152; the origin moves down to (64, 64).
    expect(roi).toEqual({ left: 64, top: 64, width: 119, height: 89 });
    // Margin max(64, 23) = 64, clipped at x = 130.
    expect(editRoi({ regions: [region], arrows: [[[110, 105], [150, 125]]], docWidth: 130, docHeight: 1000 })).toEqual({ left: 0, top: 0, width: 130, height: 194 });
    const far: PlacedMask = { ...region, left: 700, top: 500 };
    const r2 = editRoi({ regions: [far], arrows: [[[710, 505], [750, 525]]], docWidth: 1000, docHeight: 1000, marginPx: 16 });
    // x 675..782, y 470..552 → origin (640, 448).
    expect(r2).toEqual({ left: 640, top: 448, width: 143, height: 105 });
  });
});

describe('fillSmallHoles', () => {
  test('equals filling every small non-solid component of the whole rectangle that does not touch its edge (random masks)', () => {
    // Reference: label the non-solid pixels of the whole rectangle (labelComponents, 8-connected).
    const reference = (m: PlacedMask, maxArea: number): Uint8Array => {
      const w = m.width, h = m.height, inv = new Uint8Array(w * h);
      for (let i = 0; i < w * h; i++) if (m.data[i]! < 128) inv[i] = 255;
      const { labels, count, sizes } = labelComponents(inv, w, h, 128);
      const small = new Uint8Array(count + 1);
      for (let l = 1; l <= count; l++) if (sizes[l]! <= maxArea) small[l] = 1;
      for (let x = 0; x < w; x++) { small[labels[x]!] = 0; small[labels[(h - 1) * w + x]!] = 0; }
      for (let y = 0; y < h; y++) { small[labels[y * w]!] = 0; small[labels[y * w + w - 1]!] = 0; }
      const out = Uint8Array.from(m.data);
      for (let i = 0; i < w * h; i++) if (small[labels[i]!]) out[i] = 255;
      return out;
    };
    let seed = 7;
    const rnd = (): number => { seed = (seed * 1103515245 + 12345) >>> 0; return seed / 4294967296; };
    let withHoles = 0;
    for (let t = 0; t < 60; t++) {
      const w = 20 + Math.floor(rnd() * 60), h = 20 + Math.floor(rnd() * 60);
      const data = new Uint8Array(w * h);
      // A blob (possibly touching the rectangle) with speckle holes and a few larger holes.
      const cx = rnd() * w, cy = rnd() * h, r = 5 + rnd() * Math.max(w, h) * 0.6;
      for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
        if (Math.hypot(x - cx, y - cy) <= r && rnd() > 0.08) data[y * w + x] = rnd() > 0.5 ? 255 : 128 + Math.floor(rnd() * 127);
        else if (rnd() < 0.02) data[y * w + x] = 200;
      }
      const m: PlacedMask = { left: Math.floor(rnd() * 10), top: Math.floor(rnd() * 10), width: w, height: h, data };
      for (const maxArea of [1, 4, 30]) {
        const want = reference(m, maxArea);
        const got = fillSmallHoles(m, maxArea);
        expect(Array.from(got.mask.data)).toEqual(Array.from(want));
        const filled = want.reduce((s, v, i) => s + (v !== m.data[i] ? 1 : 0), 0);
        expect(got.filled).toBe(filled);
        if (filled > 0) withHoles++;
      }
    }
    expect(withHoles).toBeGreaterThan(40);
  });


  test('fills enclosed holes up to maxArea; holes at the rectangle edge and larger ones stay', () => {
    const w = 20, h = 10, data = new Uint8Array(w * h).fill(255);
    data[3 * w + 3] = 0; // 1 px hole
    for (let y = 2; y <= 6; y++) for (let x = 10; x <= 14; x++) data[y * w + x] = 0; // 25 px hole
    data[0 * w + 18] = 0; // touches the edge
    const m = { left: 5, top: 7, width: w, height: h, data };
    const r = fillSmallHoles(m, 10);
    expect(r.filled).toBe(1);
    expect(r.mask.data[3 * w + 3]).toBe(255);
    expect(r.mask.data[4 * w + 12]).toBe(0);
    expect(r.mask.data[18]).toBe(0);
    expect(m.data[3 * w + 3]).toBe(0); // the input is not changed
    expect(fillSmallHoles(m, 30).filled).toBe(26);
    const solid = { ...m, data: new Uint8Array(w * h).fill(255) };
    expect(fillSmallHoles(solid, 10).mask).toBe(solid);
  });
});
