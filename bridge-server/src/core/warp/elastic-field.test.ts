import { createImage } from '../image';
import { makeTexture } from '../textures';
import type { PlacedMask, Point, RgbaImage } from '../types';
import { minCellJacobian, sampleField } from './deform-field';
import { parallelArrows } from './elastic-band';
import { buildElasticField, elasticArea, groupSamples, nodeClearance, rayExit, rigidGroup } from './elastic-field';
import { createRng } from '../random';
import { warpRegions } from './warp-regions';
import { randomArea } from './random-area';

/** A solid disc mask (the editable area) of radius `r` about (cx, cy). */
function discMask(cx: number, cy: number, r: number): PlacedMask {
  const size = 2 * r + 1, data = new Uint8Array(size * size);
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) if ((x - r) ** 2 + (y - r) ** 2 <= r * r) data[y * size + x] = 255;
  return { left: cx - r, top: cy - r, width: size, height: size, data };
}
const at = (m: PlacedMask, x: number, y: number): number => {
  const mx = x - m.left, my = y - m.top;
  return mx >= 0 && my >= 0 && mx < m.width && my < m.height ? m.data[my * m.width + mx]! : 0;
};

describe('elastic field (loose selections)', () => {
  const mask = discMask(120, 120, 90);
  const cases: Array<{ name: string; handles: Point[]; targets: Point[] }> = [
    { name: 'one handle, short pull', handles: [[120, 120]], targets: [[140, 110]] },
    { name: 'one handle, pull of 45 px', handles: [[100, 130]], targets: [[140, 110]] },
    { name: 'two handles apart', handles: [[80, 120], [160, 120]], targets: [[70, 110], [170, 130]] },
    { name: 'a handle and a pin', handles: [[120, 90], [120, 160]], targets: [[120, 70], [120, 160]] },
  ];
  test.each(cases)('$name: handles land on their targets, the edge and pins stay, no cell folds', ({ handles, targets }) => {
    const res = buildElasticField({ mask, handles, targets });
    expect(res.field).not.toBeNull();
    expect(res.reading).toBe('parts');
    const f = res.field!;
    const e = new Float64Array(2);
    handles.forEach((h, i) => {
      const t = targets[i]!;
      sampleField(f, t[0], t[1], e);
      // content at the target comes from the handle (within 0.5 px)
      expect(Math.hypot(t[0] + e[0]! - h[0], t[1] + e[1]! - h[1])).toBeLessThan(0.5);
    });
    // Zero displacement on and outside the editable area's boundary (every pixel of a ring).
    let worst = 0;
    for (let y = 20; y < 220; y++) {
      for (let x = 20; x < 220; x++) {
        const inside = at(mask, x, y) >= 128;
        const edge = inside && (at(mask, x - 1, y) < 128 || at(mask, x + 1, y) < 128 || at(mask, x, y - 1) < 128 || at(mask, x, y + 1) < 128);
        if (inside && !edge) continue;
        sampleField(f, x, y, e);
        worst = Math.max(worst, Math.hypot(e[0]!, e[1]!));
      }
    }
    expect(worst).toBe(0);
    expect(minCellJacobian(f)).toBeGreaterThan(0);
  });

  test('keep pixels never move; a drag ending outside the area is refused with a reason', () => {
    const keep = discMask(120, 170, 10);
    const res = buildElasticField({ mask, handles: [[120, 120]], targets: [[120, 140]], keep: [keep] });
    const e = new Float64Array(2);
    let worst = 0;
    for (let y = 160; y <= 180; y++) for (let x = 110; x <= 130; x++) if (at(keep, x, y) > 0) { sampleField(res.field!, x, y, e); worst = Math.max(worst, Math.hypot(e[0]!, e[1]!)); }
    expect(worst).toBe(0);
    const out = buildElasticField({ mask, handles: [[120, 120]], targets: [[230, 120]] });
    expect(out.field).toBeNull();
    expect(out.warnings.join(' ')).toMatch(/outside the editable area/);
  });

  test('a drag longer than the room folds and is refused; equal handles and targets move nothing', () => {
    const small = discMask(60, 60, 30);
    const res = buildElasticField({ mask: small, handles: [[45, 60]], targets: [[80, 60]] });
    expect(res.field).toBeNull();
    expect(res.warnings.join(' ')).toMatch(/fold/);
    expect(buildElasticField({ mask, handles: [[120, 120]], targets: [[120, 120]] }).field).toBeNull();
  });

  test('rendered: outside the area bit-identical, nothing vacated (no hole), the handle content at the target', () => {
    const img: RgbaImage = makeTexture('brick', 240, 240, 4);
    // A red marker at the handle.
    for (let y = 116; y <= 124; y++) for (let x = 96; x <= 104; x++) { const i = (y * 240 + x) * 4; img.data[i] = 255; img.data[i + 1] = 0; img.data[i + 2] = 0; }
    const out = warpRegions({
      image: img, regions: [{ id: 'r', mask }], quality: 'final',
      operations: [{ region: 'r', params: { kind: 'deform', handles: [[100, 120]], targets: [[135, 110]], elastic: true } }],
    });
    expect(out.warnings).toEqual([]);
    let changedOutside = 0, hole = 0, rx = 0, ry = 0, rn = 0;
    for (let y = 0; y < out.crop.height; y++) {
      for (let x = 0; x < out.crop.width; x++) {
        const p = y * out.crop.width + x, dx = x + out.crop.left, dy = y + out.crop.top;
        const i = p * 4, j = (dy * 240 + dx) * 4;
        if (out.holeMask.data[p]! > 0) hole++;
        const e = out.edited.data;
        if (at(mask, dx, dy) === 0 && (e[i] !== img.data[j] || e[i + 1] !== img.data[j + 1] || e[i + 2] !== img.data[j + 2])) changedOutside++;
        if (e[i]! > 200 && e[i + 1]! < 60 && e[i + 2]! < 60) { rx += dx; ry += dy; rn++; }
      }
    }
    expect(changedOutside).toBe(0);
    expect(hole).toBe(0);
    expect(rn).toBeGreaterThan(40);
    expect(Math.hypot(rx / rn - 135, ry / rn - 110)).toBeLessThan(1.5);
  });

  test('identity: zero-length drags leave every pixel as it was', () => {
    const img = makeTexture('noise', 240, 240, 2);
    const out = warpRegions({
      image: img, regions: [{ id: 'r', mask }], quality: 'final',
      operations: [{ region: 'r', params: { kind: 'deform', handles: [[100, 120]], targets: [[100, 120]], elastic: true } }],
    });
    const a = createImage(out.crop.width, out.crop.height);
    a.data.set(out.original.data);
    expect(Buffer.from(out.edited.data).equals(Buffer.from(a.data))).toBe(true);
  });
});

describe('arrows that move one rigid piece', () => {
  const mask = discMask(150, 150, 120);
  // Two handles 120 px apart on a vertical line, turned 8° about their midpoint and shifted.
  const handles: Point[] = [[150, 90], [150, 210]];
  const th = (8 * Math.PI) / 180, c = Math.cos(th), s = Math.sin(th);
  const turn = (p: Point): Point => [c * (p[0] - 150) - s * (p[1] - 150) + 162, s * (p[0] - 150) + c * (p[1] - 150) + 150];
  const targets = handles.map(turn);

  test('are recognised (one rotation explains them), scattered arrows are not', () => {
    const g = rigidGroup(handles, targets);
    expect(g).not.toBeNull();
    expect((g!.angle * 180) / Math.PI).toBeCloseTo(8, 6);
    const b = g!.backward(targets[0]!);
    expect(Math.hypot(b[0] - handles[0]![0], b[1] - handles[0]![1])).toBeLessThan(1e-9);
    expect(rigidGroup(handles, [[150, 60], [150, 240]])).toBeNull(); // pulled apart: a stretch, not a turn
    expect(rigidGroup([handles[0]!], [targets[0]!])).toBeNull();
  });

  test('everything between their targets moves with them: the line between the handles stays straight', () => {
    const res = buildElasticField({ mask, handles, targets });
    expect(res.field).not.toBeNull();
    const e = new Float64Array(2);
    // Points between the targets come from the points between the handles (the turned line),
    // within 1 px — no sag between the arrows.
    let worst = 0;
    for (let k = 1; k < 10; k++) {
      const t: Point = [targets[0]![0] + ((targets[1]![0] - targets[0]![0]) * k) / 10, targets[0]![1] + ((targets[1]![1] - targets[0]![1]) * k) / 10];
      sampleField(res.field!, t[0], t[1], e);
      const src: Point = [t[0] + e[0]!, t[1] + e[1]!];
      const want: Point = [handles[0]![0] + ((handles[1]![0] - handles[0]![0]) * k) / 10, handles[0]![1] + ((handles[1]![1] - handles[0]![1]) * k) / 10];
      worst = Math.max(worst, Math.hypot(src[0] - want[0], src[1] - want[1]));
    }
    expect(worst).toBeLessThan(1);
    expect(minCellJacobian(res.field!)).toBeGreaterThan(0);
  });
});

describe('arrows that move one rigid piece: samples inside three or more targets', () => {
  // Three arrows that lift a sofa's back (one rigid piece): the hull of their targets is covered by
  // parts spaced `step` apart — a lattice, not a fan from the centroid that piled hundreds of parts
  // around it (a 3-arrow drag took ~1 s to plan at 512 px).
  const pts: Point[] = [[40, 200], [340, 190], [200, 40]];
  const step = 6;
  const samples = groupSamples(pts, step);
  const cross = (o: Point, a: Point, b: Point): number => (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
  const inside = (p: Point): boolean => {
    const s0 = Math.sign(cross(pts[0]!, pts[1]!, p)), s1 = Math.sign(cross(pts[1]!, pts[2]!, p)), s2 = Math.sign(cross(pts[2]!, pts[0]!, p));
    return s0 === s1 && s1 === s2 && s0 !== 0;
  };

  test('cover the hull: every point of it lies within step·√2/2 of a sample', () => {
    let worst = 0;
    for (let y = 40; y <= 200; y += 1.7) for (let x = 40; x <= 340; x += 1.7) {
      if (!inside([x, y])) continue;
      let best = Infinity;
      for (const q of samples) best = Math.min(best, Math.hypot(q[0] - x, q[1] - y));
      worst = Math.max(worst, best);
    }
    expect(worst).toBeLessThanOrEqual((step * Math.SQRT2) / 2 + 1e-9);
    for (const q of samples) expect(inside(q) || Math.min(...pts.map((_, i) => {
      const a = pts[i]!, b = pts[(i + 1) % 3]!; // on an edge
      return Math.abs(cross(a, b, q)) / Math.hypot(b[0] - a[0], b[1] - a[1]);
    })) < 1e-6).toBe(true);
  });

  test('about as many samples as the hull holds cells of the spacing (plus its edges), no more', () => {
    const area = Math.abs(cross(pts[0]!, pts[1]!, pts[2]!)) / 2;
    let perimeter = 0;
    for (let i = 0; i < 3; i++) perimeter += Math.hypot(pts[(i + 1) % 3]![0] - pts[i]![0], pts[(i + 1) % 3]![1] - pts[i]![1]);
    // (The lattice's count differs from area / step² by up to about half the perimeter in steps;
    // the centroid fan gave ~2,400 here.)
    expect(samples.length).toBeLessThanOrEqual(area / (step * step) + 1.5 * perimeter / step + 6);
    expect(samples.length).toBeGreaterThanOrEqual(area / (step * step) * 0.9);
  });
});

describe('rays through the node grid skip what is clear of the edge', () => {
  const rng = createRng(7);
  const grid = (cols: number, rows: number): Uint8Array => {
    // A blob of free nodes with holes: a disc minus a few random squares.
    const free = new Uint8Array(cols * rows);
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) if (Math.hypot(c - cols / 2, r - rows / 2) < Math.min(cols, rows) * 0.45) free[r * cols + c] = 1;
    for (let h = 0; h < 6; h++) {
      const c0 = Math.floor(rng() * cols), r0 = Math.floor(rng() * rows), s = 1 + Math.floor(rng() * 4);
      for (let r = r0; r < Math.min(rows, r0 + s); r++) for (let c = c0; c < Math.min(cols, c0 + s); c++) free[r * cols + c] = 0;
    }
    return free;
  };

  test('the clearance is the exact distance to the nearest non-free node or to the grid outside', () => {
    const cols = 37, rows = 29, cell = 5;
    const free = grid(cols, rows);
    const clear = nodeClearance(free, cols, rows, cell);
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) {
      let best = Math.min(c + 1, r + 1, cols - c, rows - r); // the ring of nodes just outside
      for (let rr = 0; rr < rows; rr++) for (let cc = 0; cc < cols; cc++) if (!free[rr * cols + cc]) best = Math.min(best, Math.hypot(cc - c, rr - r));
      expect(clear[r * cols + c]).toBeCloseTo(best * cell, 4);
    }
  });

  test('the ray ends where a sample every half cell first meets a non-free node, exactly', () => {
    const cols = 48, rows = 40, cell = 7, left = -13, top = 4;
    const free = grid(cols, rows);
    const g = { free, clear: nodeClearance(free, cols, rows, cell), left, top, cols, rows, cell };
    const plain = (cx: number, cy: number, x: number, y: number): number => {
      const dx = x - cx, dy = y - cy, len = Math.hypot(dx, dy);
      if (len < 1e-9) return 0;
      const ux = dx / len, uy = dy / len, step = cell / 2;
      for (let s = step; ; s += step) {
        const gc = Math.round((cx + ux * s - left) / cell), gr = Math.round((cy + uy * s - top) / cell);
        if (gc < 0 || gr < 0 || gc >= cols || gr >= rows || !free[gr * cols + gc]) return s;
      }
    };
    let skipped = 0;
    for (let i = 0; i < 3000; i++) {
      const cx = left + (0.3 + 0.4 * rng()) * cols * cell, cy = top + (0.3 + 0.4 * rng()) * rows * cell;
      const x = left + rng() * cols * cell, y = top + rng() * rows * cell;
      const want = plain(cx, cy, x, y);
      expect(rayExit(g, cx, cy, x, y)).toBe(want);
      if (want > 6 * cell) skipped++;
    }
    expect(skipped).toBeGreaterThan(300); // long rays were tested, where the skipping matters
  });
});

describe('parallel arrows push an edge (make the bench longer)', () => {
  // A loose round area around the end of a "bench" whose end is the upright line x = 200; two
  // arrows 56 px apart push it right, a little unevenly (51 and 38 px) as a hand draws them.
  const mask = discMask(200, 140, 90);
  const handles: Point[] = [[200, 112], [200, 168]];
  const targets: Point[] = [[251, 112], [238, 168]];

  test('are told from scattered, turned, unequal or far-apart arrows', () => {
    expect(parallelArrows(handles, targets)).toBe(true);
    expect(parallelArrows([[200, 112], [200, 168]], [[240, 112], [234, 143]])).toBe(false); // 40° apart
    expect(parallelArrows([[200, 112], [200, 168]], [[240, 112], [280, 168]])).toBe(false); // one twice as long
    expect(parallelArrows([[200, 40], [200, 240]], [[240, 40], [240, 240]])).toBe(false); // 5 arrow lengths apart (two peaks)
    expect(parallelArrows([[150, 140], [200, 140]], [[190, 140], [240, 140]])).toBe(false); // one behind the other
    expect(parallelArrows([handles[0]!], [targets[0]!])).toBe(false);
  });

  test('the pushed edge stays straight, lines along the drag stay level, nothing folds', () => {
    // (The parts of the other readings fold on this drag: the uneven arrows read as a 13° turn.)
    const res = buildElasticField({ mask, handles, targets });
    expect(res.field).not.toBeNull();
    expect(res.reading).toBe('band');
    const f = res.field!;
    const e = new Float64Array(2);
    handles.forEach((h, i) => {
      sampleField(f, targets[i]![0], targets[i]![1], e);
      expect(Math.hypot(targets[i]![0] + e[0]! - h[0], targets[i]![1] + e[1]! - h[1])).toBeLessThan(0.5);
    });
    // Every point of the straight segment between the targets shows the upright edge x = 200 at
    // its own height: the edge lands straight (tilted as the arrows say), not bowed.
    let worstEdge = 0;
    for (let k = 0; k <= 20; k++) {
      const y = 112 + 2.8 * k, x = 251 - 0.65 * k;
      sampleField(f, x, y, e);
      worstEdge = Math.max(worstEdge, Math.hypot(x + e[0]! - 200, e[1]!));
    }
    expect(worstEdge).toBeLessThan(0.5);
    // Level lines across the stretched and compressed parts stay level (no sag, no bulge).
    let worstLevel = 0;
    for (const y of [120, 140, 160]) for (let x = 120; x <= 280; x += 4) { sampleField(f, x, y, e); worstLevel = Math.max(worstLevel, Math.abs(e[1]!)); }
    expect(worstLevel).toBeLessThan(0.5);
    // Zero displacement on and outside the area's edge; no cell folds.
    for (const [x, y] of [[109, 140], [291, 140], [200, 49], [200, 231], [20, 20]] as Point[]) {
      sampleField(f, x, y, e);
      expect(Math.hypot(e[0]!, e[1]!)).toBe(0);
    }
    expect(minCellJacobian(f)).toBeGreaterThan(0);
  });
});

describe('parallel arrows: keep pixels and pins', () => {
  test('a keep mask inside the band and a pinned point stay put; the handles still land', () => {
    const mask = discMask(200, 140, 90);
    const keep = discMask(230, 200, 6); // in the band's path below the arrows
    const handles: Point[] = [[200, 112], [200, 168], [150, 60]];
    const targets: Point[] = [[240, 112], [240, 168], [150, 60]]; // the third is a pin
    const res = buildElasticField({ mask, handles, targets, keep: [keep] });
    expect(res.field).not.toBeNull();
    const f = res.field!;
    const e = new Float64Array(2);
    for (let i = 0; i < 2; i++) {
      sampleField(f, targets[i]![0], targets[i]![1], e);
      expect(Math.hypot(targets[i]![0] + e[0]! - handles[i]![0], targets[i]![1] + e[1]! - handles[i]![1])).toBeLessThan(0.5);
    }
    let worst = 0;
    for (let y = 190; y <= 210; y++) for (let x = 220; x <= 240; x++) if (at(keep, x, y) > 0) { sampleField(f, x, y, e); worst = Math.max(worst, Math.hypot(e[0]!, e[1]!)); }
    expect(worst).toBe(0);
    sampleField(f, 150, 60, e);
    expect(Math.hypot(e[0]!, e[1]!)).toBeLessThan(0.5);
    expect(minCellJacobian(f)).toBeGreaterThan(0);
  });
});

describe('specks of the selection that are not editable', () => {
  // A disc area with a 3×3 hole (a few pixels the brush missed) just behind the handle.
  const area = discMask(120, 120, 90);
  const speck: Array<[number, number]> = [];
  for (let y = 119; y <= 121; y++) for (let x = 134; x <= 136; x++) { area.data[(y - area.top) * area.width + (x - area.left)] = 0; speck.push([x, y]); }
  const keep: PlacedMask = { left: 0, top: 0, width: 240, height: 240, data: new Uint8Array(240 * 240) };
  for (let y = 0; y < 240; y++) for (let x = 0; x < 240; x++) if (at(area, x, y) < 128) keep.data[y * 240 + x] = 255;
  const handles: Point[] = [[120, 120]], targets: Point[] = [[95, 120]];

  test('do not pin the map (no extreme stretch around a fixed island), yet their pixels never change', () => {
    const res = buildElasticField({ ...elasticArea(area, [keep]), handles, targets });
    expect(res.field).not.toBeNull();
    expect(res.maxStretch).toBeLessThan(3);
    const image = createImage(240, 240);
    for (let y = 0; y < 240; y++) for (let x = 0; x < 240; x++) image.data.set([(x * 7) % 256, (y * 5) % 256, (x + y) % 256, 255], 4 * (y * 240 + x));
    const ops = [{ region: 'r', params: { kind: 'deform' as const, handles, targets, elastic: true } }];
    const w = warpRegions({ image, regions: [{ id: 'r', mask: area }], operations: ops, keep: [keep], quality: 'final' });
    const px = (x: number, y: number) => Array.from(w.edited.data.subarray(4 * ((y - w.crop.top) * w.crop.width + x - w.crop.left), 4 * ((y - w.crop.top) * w.crop.width + x - w.crop.left) + 4));
    for (const [x, y] of speck) expect(px(x, y)).toEqual(Array.from(image.data.subarray(4 * (y * 240 + x), 4 * (y * 240 + x) + 4)));
    // Right beside the speck the content moved (the map is not pinned there).
    const [x0, y0] = [138, 124];
    expect(px(x0, y0)).not.toEqual(Array.from(image.data.subarray(4 * (y0 * 240 + x0), 4 * (y0 * 240 + x0) + 4)));
  });

  test('a hole larger than the speck size still pins the map', () => {
    const big = discMask(120, 120, 90);
    for (let y = 105; y <= 135; y++) for (let x = 140; x <= 170; x++) big.data[(y - big.top) * big.width + (x - big.left)] = 0;
    const filled = elasticArea(big, []);
    expect(at(filled.mask, 150, 120)).toBe(0);
    const small = elasticArea(area, [keep]);
    expect(at(small.mask, 135, 120)).toBe(255);
    expect(at(small.keep[0]!, 135, 120)).toBe(0);
    expect(at(small.keep[0]!, 5, 5)).toBe(255);
  });
});

describe('elastic fields are built once per job (planner and warp share them)', () => {
  test('same mask object and inputs → the same result; other targets, another mask or keep → built anew; the cache can be turned off', () => {
    const mask = discMask(120, 120, 90);
    const a = buildElasticField({ mask, handles: [[120, 120]], targets: [[140, 110]] });
    const b = buildElasticField({ mask, handles: [[120, 120]], targets: [[140, 110]] });
    expect(b).toBe(a);
    const c = buildElasticField({ mask, handles: [[120, 120]], targets: [[141, 110]] });
    expect(c).not.toBe(a);
    expect(c.field!.ex).not.toEqual(a.field!.ex);
    const copy = { ...mask, data: Uint8Array.from(mask.data) };
    const d = buildElasticField({ mask: copy, handles: [[120, 120]], targets: [[140, 110]] });
    expect(d).not.toBe(a);
    expect(Array.from(d.field!.ex)).toEqual(Array.from(a.field!.ex)); // same inputs, same field
    const keep = discMask(60, 120, 5);
    expect(buildElasticField({ mask, handles: [[120, 120]], targets: [[140, 110]], keep: [keep] })).not.toBe(a);
    expect(elasticArea(mask, [])).toEqual(elasticArea(mask, []));
    process.env.SMARTDRAG_ELASTIC_CACHE = '0';
    try {
      expect(buildElasticField({ mask, handles: [[120, 120]], targets: [[140, 110]] })).not.toBe(a);
    } finally {
      delete process.env.SMARTDRAG_ELASTIC_CACHE;
    }
  });
});

describe('preview grid', () => {
  test('a preview builds the field on a grid half as fine; it maps content about where the final one does and the handle still lands', () => {
    const mask = discMask(160, 160, 120);
    const handles: Point[] = [[150, 160]], targets: Point[] = [[185, 140]];
    const fin = buildElasticField({ mask, handles, targets });
    const pre = buildElasticField({ mask, handles, targets, preview: true });
    expect(pre.field!.cell).toBeGreaterThan(fin.field!.cell);
    const a = new Float64Array(2), b = new Float64Array(2);
    let worst = 0, sum = 0, n = 0;
    for (let y = 50; y <= 270; y += 5) for (let x = 50; x <= 270; x += 5) {
      sampleField(fin.field!, x, y, a); sampleField(pre.field!, x, y, b);
      const d = Math.hypot(a[0]! - b[0]!, a[1]! - b[1]!);
      worst = Math.max(worst, d); sum += d; n++;
    }
    // A 40 px drag: on average within a pixel of the final map, nowhere more than a tenth of the drag.
    expect(sum / n).toBeLessThan(1);
    expect(worst).toBeLessThan(4);
    sampleField(pre.field!, 185, 140, b);
    expect(Math.hypot(185 + b[0]! - 150, 140 + b[1]! - 160)).toBeLessThan(0.5);
  });
});

describe('an area that reaches the frame slides along it', () => {
  // A half-disc cut by the image's right edge (x = 239), like a lasso around a head at the frame.
  const img: RgbaImage = makeTexture('brick', 240, 240, 7);
  const disc = discMask(230, 120, 80);
  // Clipped to the picture, as a host's selection is: the mask ends at the frame.
  const area: PlacedMask = { left: disc.left, top: disc.top, width: 240 - disc.left, height: disc.height, data: new Uint8Array((240 - disc.left) * disc.height) };
  for (let y = 0; y < area.height; y++) for (let x = 0; x < area.width; x++) area.data[y * area.width + x] = disc.data[y * disc.width + x]!;
  // A red marker at the handle, 12 px from the frame; the drag goes up, along the frame.
  for (let y = 146; y <= 154; y++) for (let x = 223; x <= 231; x++) { const i = (y * 240 + x) * 4; img.data[i] = 255; img.data[i + 1] = 0; img.data[i + 2] = 0; }
  const run = () => warpRegions({
    image: img, regions: [{ id: 'r', mask: area }], quality: 'final', withSourceMap: true,
    operations: [{ region: 'r', params: { kind: 'deform', handles: [[227, 150]], targets: [[227, 105]], elastic: true } }],
  });

  test('the area continues past the frame only on the sides it reaches', () => {
    const ext = elasticArea(area, [], { width: 240, height: 240 }).mask;
    expect(ext.left).toBe(area.left);
    expect(ext.top).toBe(area.top);
    expect(ext.left + ext.width).toBeGreaterThan(240 + 20);
    expect(ext.height).toBe(area.height);
    const inner = discMask(120, 120, 60);
    expect(elasticArea(inner, [], { width: 240, height: 240 }).mask).toEqual(elasticArea(inner, []).mask);
  });

  test('content along the frame moves with the drag, is never fetched from beyond it, and nothing is left to fill', () => {
    const out = run();
    const w = out.crop.width, sm = out.sourceMap!;
    let hole = 0, outside = 0, rx = 0, ry = 0, rn = 0;
    for (let y = 0; y < out.crop.height; y++) {
      for (let x = 0; x < w; x++) {
        const p = y * w + x;
        if (out.holeMask.data[p]! > 0) hole++;
        if (sm[2 * p]! > 239 + 1e-3 || sm[2 * p]! < 0 || sm[2 * p + 1]! < 0 || sm[2 * p + 1]! > 239 + 1e-3) outside++;
        const e = out.edited.data, i = p * 4;
        if (e[i]! > 200 && e[i + 1]! < 60 && e[i + 2]! < 60) { rx += x + out.crop.left; ry += y + out.crop.top; rn++; }
      }
    }
    expect(hole).toBe(0);
    expect(outside).toBe(0);
    expect(rn).toBeGreaterThan(40);
    expect(Math.hypot(rx / rn - 227, ry / rn - 105)).toBeLessThan(1.5);
    // The last column next to the moved part moved up too (glued to a fixed frame it would not).
    const col = 239 - out.crop.left, row = 110 - out.crop.top;
    expect(sm[2 * (row * w + col) + 1]! - 110).toBeGreaterThan(20);
    // It slides along the frame: its content comes from (about) the same column, not from across.
    expect(239 - sm[2 * (row * w + col)]!).toBeGreaterThanOrEqual(0);
    expect(239 - sm[2 * (row * w + col)]!).toBeLessThan(2);
  });
});

describe('elastic field: properties on random areas and drags (seeded)', () => {
  test('every field built lands each handle within 0.5 px (or says by how much it falls short), keeps the edge still and never folds', () => {
    const rng = createRng(20261205);
    let built = 0, short = 0;
    const bad: string[] = [];
    for (let i = 0; i < 70; i++) {
      const mask = randomArea(rng, 240, 20, 70);
      const inside = (p: Point): boolean => at(mask, Math.round(p[0]), Math.round(p[1])) >= 128;
      const n = 1 + Math.floor(rng() * 3), parallel = n >= 2 && rng() < 0.4;
      const common: Point = [(rng() - 0.5) * 36, (rng() - 0.5) * 36];
      const handles: Point[] = [], targets: Point[] = [];
      for (let k = 0; k < n; k++) {
        let h: Point = [0, 0];
        for (let a = 0; a < 50 && !inside(h); a++) h = [rng() * 240, rng() * 240];
        const d: Point = parallel ? [common[0] * (0.9 + 0.2 * rng()), common[1] * (0.9 + 0.2 * rng())] : [(rng() - 0.5) * 36, (rng() - 0.5) * 36];
        handles.push(h); targets.push([h[0] + d[0], h[1] + d[1]]);
      }
      const res = buildElasticField({ mask, handles, targets, preview: rng() < 0.3 });
      if (!res.field) continue;
      built++;
      const f = res.field, e = new Float64Array(2);
      const warned = res.warnings.some((w) => /lands .* px short/.test(w));
      handles.forEach((h, k) => {
        sampleField(f, targets[k]![0], targets[k]![1], e);
        const miss = Math.hypot(targets[k]![0] + e[0]! - h[0], targets[k]![1] + e[1]! - h[1]);
        if (miss >= 0.5) { short++; if (!warned) bad.push(`case ${i}: handle ${k} misses by ${miss.toFixed(2)} px without a warning`); }
      });
      let edge = 0;
      for (let y = 0; y < 240; y++) {
        for (let x = 0; x < 240; x++) {
          const ins = at(mask, x, y) >= 128;
          if (ins && at(mask, x - 1, y) >= 128 && at(mask, x + 1, y) >= 128 && at(mask, x, y - 1) >= 128 && at(mask, x, y + 1) >= 128) continue;
          sampleField(f, x, y, e);
          edge = Math.max(edge, Math.hypot(e[0]!, e[1]!));
        }
      }
      if (edge > 0) bad.push(`case ${i}: the area's edge moves ${edge.toFixed(3)} px`);
      if (!(minCellJacobian(f) > 0)) bad.push(`case ${i}: a cell folds`);
    }
    expect(bad).toEqual([]);
    expect(built).toBeGreaterThan(10); // the run builds enough fields to mean something
    expect(short).toBeLessThan(built / 5); // falling short is the exception (arrows ending at the edge)
  });

  test('two arrows that turn a piece land exactly where the area allows, else on their best common turn with a warning', () => {
    // The arrows do not agree on one rigid turn (a 3.9 px misfit each).
    const handles: Point[] = [[119.47, 28.14], [57, 104.66]], targets: Point[] = [[112.7, 47.18], [55.63, 118.05]];
    const g = rigidGroup(handles, targets);
    expect(g).not.toBeNull();
    handles.forEach((h, k) => { const b = g!.backward(targets[k]!); expect(Math.hypot(b[0] - h[0], b[1] - h[1])).toBeLessThan(1e-6); });
    const e = new Float64Array(2);
    const miss = (f: NonNullable<ReturnType<typeof buildElasticField>['field']>, k: number): number => {
      sampleField(f, targets[k]![0], targets[k]![1], e);
      return Math.hypot(targets[k]![0] + e[0]! - handles[k]![0], targets[k]![1] + e[1]! - handles[k]![1]);
    };
    // Room enough: the piece turns and scales a little so that both land.
    const roomy = buildElasticField({ mask: discMask(90, 80, 130), handles, targets });
    expect(roomy.field).not.toBeNull();
    for (let k = 0; k < 2; k++) expect(miss(roomy.field!, k)).toBeLessThan(0.5);
    expect(roomy.warnings.join(' ')).not.toMatch(/px short/);
    expect(roomy.reading).toBe('group');
    // Where that exact fit would fold the area, the piece moves on the best common turn and the
    // plan says by how much each arrow falls short.
    const tight = buildElasticField({ mask: discMask(90, 70, 120), handles, targets });
    expect(tight.field).not.toBeNull();
    for (let k = 0; k < 2; k++) expect(miss(tight.field!, k)).toBeCloseTo(3.9, 0);
    expect(tight.warnings.filter((w) => /lands 3\.9 px short: the arrows do not agree on one turn/.test(w))).toHaveLength(2);
    expect(tight.reading).toBe('turn');
  });
});
