import { rasterizePolygon } from '@smartdrag/shared';
import { createImage } from '../image';
import { runEdit } from '../edit';
import { HOLE_GROW_PX } from '../edit';
import { CancelledError, type PlacedMask, type Point, type RgbaImage } from '../types';
import { castShadow, FOREIGN_RIM_PX, FRINGE_COVER, FRINGE_FOREIGN_SHARE, HOLE_GROWTH_PX, SHADOW_MAX_WORK_PIXELS, SHADOW_REACH, SHADOW_MIN_REACH_PX } from './cast-shadow';
import { createRng } from '../random';
import { movedOutline } from '../outline';

/**
 * A red disc (radius 20·s at (70, 70)·s) on white paper (one level of noise), its soft shadow
 * offset by (9, 7)·s (up to 60 levels darker, fading out over 8·s px past the disc), and a dark
 * disc (radius 12·s at (112, 96)·s) whose rim comes near the shadow. `backdrop(x, y)` may replace
 * the paper (a texture, a vignette).
 */
function scene(s = 1, backdrop?: (x: number, y: number) => [number, number, number]): { img: RgbaImage; shadowDepth: Float32Array } {
  const W = Math.round(160 * s), H = Math.round(160 * s);
  const img = createImage(W, H);
  const shadowDepth = new Float32Array(W * H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const i = (y * W + x) * 4;
      const bg = backdrop ? backdrop(x, y) : [250 - ((x * 7 + y * 13) % 3 === 0 ? 1 : 0), 250, 247] as [number, number, number];
      // Shadow: darkest under the disc's offset copy, fading to nothing 8·s px beyond its edge.
      const ds = Math.hypot(x - (70 + 9) * s, y - (70 + 7) * s) - 20 * s;
      const depth = ds <= 0 ? 60 : ds >= 8 * s ? 0 : 60 * (1 - ds / (8 * s)) ** 2;
      shadowDepth[y * W + x] = depth;
      img.data.set([Math.max(0, bg[0] - depth), Math.max(0, bg[1] - depth * 1.1), Math.max(0, bg[2] - depth * 0.8), 255], i);
      if (Math.hypot(x - 112 * s, y - 96 * s) <= 12 * s) img.data.set([45, 25, 20, 255], i);
      if (Math.hypot(x - 70 * s, y - 70 * s) <= 20 * s) img.data.set([225, 25, 30, 255], i);
    }
  }
  return { img, shadowDepth };
}

const circle = (cx: number, cy: number, r: number, n = 40): Point[] =>
  Array.from({ length: n }, (_, i) => [cx + r * Math.cos((2 * Math.PI * i) / n), cy + r * Math.sin((2 * Math.PI * i) / n)] as Point);
const at = (m: PlacedMask, x: number, y: number): number =>
  x < m.left || y < m.top || x >= m.left + m.width || y >= m.top + m.height ? 0 : m.data[(y - m.top) * m.width + x - m.left]!;

describe('the cast shadow of an object on a plain backdrop', () => {
  test('is found next to a tight selection: the shadow\'s solid part joins the selection, the other object and its rim never do', () => {
    const { img, shadowDepth } = scene();
    const sel = rasterizePolygon(circle(70, 70, 20.5));
    const res = castShadow(img, sel);
    if ('why' in res) throw new Error(res.why);
    let shadowPx = 0, taken = 0;
    for (let y = 0; y < 160; y++) {
      for (let x = 0; x < 160; x++) {
        const inSel = at(sel, x, y) >= 128;
        // The selection's own pixels keep their coverage.
        if (inSel) expect(at(res.mask, x, y)).toBe(at(sel, x, y));
        // Distance to the other disc's outline (its outermost pixel centres lie up to a pixel inside it).
        const dOther = Math.hypot(x - 112, y - 96) - 12;
        if (dOther <= FOREIGN_RIM_PX + HOLE_GROWTH_PX - 1) expect(at(res.mask, x, y)).toBe(0);
        if (!inSel && shadowDepth[y * 160 + x]! >= 20 && dOther > FOREIGN_RIM_PX + HOLE_GROWTH_PX + 3) {
          shadowPx++;
          if (at(res.mask, x, y) > 0) taken++;
        }
      }
    }
    expect(shadowPx).toBeGreaterThan(150);
    expect(taken / shadowPx).toBeGreaterThan(0.95);
    // Nothing far from the shadow: the paper stays out.
    expect(at(res.mask, 20, 20)).toBe(0);
    expect(at(res.mask, 40, 130)).toBe(0);
    expect(res.share).toBeGreaterThan(0.1);
  });

  test('is found as well for a selection a pixel inside the outline (an anti-aliased mask): the object\'s outermost pixels go with it', () => {
    const { img } = scene();
    for (const r of [19.5, 19]) {
      const sel = rasterizePolygon(circle(70, 70, r));
      const res = castShadow(img, sel);
      if ('why' in res) throw new Error(`r ${r}: ${res.why}`);
      // The disc's own pixels past the selection are taken whole; the shadow beyond them too.
      for (let y = 45; y <= 95; y++) for (let x = 45; x <= 95; x++) {
        if (Math.hypot(x - 70, y - 70) <= 20 && at(sel, x, y) < 128) expect(at(res.mask, x, y)).toBe(255);
      }
      expect(at(res.mask, 69, 98)).toBeGreaterThan(0); // in the shadow below the disc, 9 px past its edge
    }
  });

  test('is not looked for on a textured backdrop, on a wall whose light changes across it, or for an object like its backdrop', () => {
    const textured = scene(1, (x, y) => { const v = 200 + ((x * 37 + y * 91) % 23); return [v, v - 5, v - 10]; }).img;
    const tight = rasterizePolygon(circle(70, 70, 20.5));
    expect(castShadow(textured, tight)).toEqual({ why: expect.stringMatching(/not plain/) });
    // A wall lit from the left, darkening steadily to the right: its light is not one colour.
    const lit = scene(1, (x) => { const v = 250 - Math.round(0.8 * x); return [v, v, v]; });
    expect(castShadow(lit.img, tight)).toEqual({ why: expect.stringMatching(/not plain/) });
    const pale = scene().img;
    for (let p = 0; p < 160 * 160; p++) if (Math.hypot((p % 160) - 70, Math.floor(p / 160) - 70) <= 20) pale.data.set([238, 240, 236, 255], p * 4);
    expect(castShadow(pale, tight)).toEqual({ why: expect.stringMatching(/hardly differs/) });
  });

  test('the fill grows as far as the shadow keeps from other objects (the two constants agree)', () => {
    expect(HOLE_GROWTH_PX).toBe(HOLE_GROW_PX);
  });

  test('a move of the tight selection takes the shadow along and leaves plain paper; the other object keeps every pixel', async () => {
    const { img, shadowDepth } = scene();
    const sel = rasterizePolygon(circle(70, 70, 20.5));
    const res = await runEdit({ image: img, regions: [{ id: 'r', mask: sel }], drags: [{ region: 'r', kind: 'translate', points: [[70, 70], [70, 20 + 0]] }], quality: 'final', seed: 1 }, {});
    const op = res.plan.operations[0]!;
    expect(op.reason).toMatch(/its soft shadow on the plain backdrop next to it \(\d+ px\) moves with it/);
    const out = createImage(160, 160);
    out.data.set(img.data);
    const c = res.crop;
    for (let y = 0; y < c.height; y++) out.data.set(res.edited.data.subarray(y * c.width * 4, (y + 1) * c.width * 4), ((y + c.top) * 160 + c.left) * 4);
    // The old shadow (below the moved disc's new place): paper again, within a few levels.
    let worst = 0;
    for (let y = 95; y < 110; y++) {
      for (let x = 70; x < 100; x++) {
        if (shadowDepth[y * 160 + x]! < 20 || Math.hypot(x - 112, y - 96) - 12 <= FOREIGN_RIM_PX + HOLE_GROWTH_PX + 3) continue;
        const i = (y * 160 + x) * 4;
        worst = Math.max(worst, 250 - out.data[i + 1]!);
      }
    }
    expect(worst).toBeLessThan(8);
    // The shadow moved with the disc: 50 px up, the paper there is darker by the shadow's depth.
    let moved = 0, n = 0;
    for (let y = 45; y < 60; y++) {
      for (let x = 70; x < 100; x++) {
        if (shadowDepth[(y + 50) * 160 + x]! < 30 || Math.hypot(x - 70, y - 20) <= 21 || Math.hypot(x - 112, y + 50 - 96) - 12 <= FOREIGN_RIM_PX + HOLE_GROWTH_PX + 3) continue;
        moved += 250 - out.data[(y * 160 + x) * 4 + 1]!;
        n++;
      }
    }
    expect(n).toBeGreaterThan(20);
    expect(moved / n).toBeGreaterThan(20);
    // The dark disc beside the shadow is untouched.
    for (let y = 84; y <= 108; y++) {
      for (let x = 100; x <= 124; x++) {
        if (Math.hypot(x - 112, y - 96) > 12) continue;
        const i = (y * 160 + x) * 4;
        expect([out.data[i], out.data[i + 1], out.data[i + 2]]).toEqual([img.data[i], img.data[i + 1], img.data[i + 2]]);
      }
    }
  });

  test('a preview on a ×0.25 proxy says the shadow\'s area in document pixels, as the final does (the proxy\'s own count is a sixteenth)', async () => {
    const s = 4, img = scene(s).img;
    const req = { image: img, regions: [{ id: 'r', mask: rasterizePolygon(circle(70 * s, 70 * s, 20.5 * s)) }], drags: [{ region: 'r', kind: 'translate' as const, points: [[70 * s, 70 * s], [70 * s, 20 * s]] as Point[] }], quality: 'final' as const, seed: 1 };
    /** The shadow's area the plan's reason says (the edit is cancelled once the plan is made). */
    const said = async (r: typeof req | (Omit<typeof req, 'quality'> & { quality: 'preview' }), opts = {}): Promise<number> => {
      const ac = new AbortController();
      let reason = '';
      await runEdit(r, { ...opts, signal: ac.signal, onPlan: (p) => { reason = p.operations[0]!.reason; ac.abort(); } }).catch((e: unknown) => { if (!(e instanceof CancelledError)) throw e; });
      const m = /its soft shadow on the plain backdrop next to it \((\d+) px\)/.exec(reason);
      if (!m) throw new Error(reason);
      return Number(m[1]);
    };
    const final = await said(req);
    const preview = await said({ ...req, quality: 'preview' }, { proxyMaxPixels: (img.width * img.height) / 16 });
    // (Measured on a sixteenth of the pixels: within a tenth of the final's count.)
    expect(Math.abs(preview - final)).toBeLessThanOrEqual(0.1 * final);
  });

  test('its faint fringe (a few levels darker than the paper, as wide as the picture is large) is taken at half coverage, away from the other object', () => {
    for (const s of [1, 4]) {
      const { img, shadowDepth } = scene(s);
      const W = 160 * s, rEq = 20.5 * s;
      const sel = rasterizePolygon(circle(70 * s, 70 * s, rEq, 40 * s));
      const res = castShadow(img, sel);
      if ('why' in res) throw new Error(res.why);
      let fringe = 0, taken = 0, half = 0;
      for (let y = 0; y < W; y++) {
        for (let x = 0; x < W; x++) {
          const d = shadowDepth[y * W + x]!;
          const dOther = Math.hypot(x - 112 * s, y - 96 * s) - 12 * s;
          // The grown fill must not reach the other disc: nothing within the fringe's margin of it.
          // (The shadow itself keeps its own, fixed margin; the fringe — paper within a few levels — keeps the wider one.)
          if (d < 6 && dOther <= Math.max(FOREIGN_RIM_PX + HOLE_GROWTH_PX, FRINGE_FOREIGN_SHARE * rEq) - 1 - s) expect(at(res.mask, x, y)).toBe(0);
          if (d <= 3 || d >= 6 || Math.hypot(x - 70 * s, y - 70 * s) <= rEq + 1 || dOther <= FRINGE_FOREIGN_SHARE * rEq + 2 * s + 4) continue;
          fringe++;
          const m = at(res.mask, x, y);
          if (m > 0) taken++;
          if (m === FRINGE_COVER) half++;
        }
      }
      expect(fringe).toBeGreaterThan(20 * s);
      expect(taken / fringe).toBeGreaterThan(0.9);
      expect(half / fringe).toBeGreaterThan(0.8);
      // The paper beyond the fringe stays out.
      expect(at(res.mask, 20 * s, 20 * s)).toBe(0);
    }
  });

  test('the fringe is not taken where the faint difference runs on past the reach (the paper\'s own light)', () => {
    // Paper darkening by 4 levels from top to bottom: plain (its spread stays small), the shadow is
    // found, but "a few levels darker" is the whole lower half of the paper.
    const plain = castShadow(scene().img, rasterizePolygon(circle(70, 70, 20.5)));
    const lit = castShadow(scene(1, (_x, y) => { const v = 250 - Math.round((4 * y) / 160); return [v, v, v - 3]; }).img, rasterizePolygon(circle(70, 70, 20.5)));
    if ('why' in plain || 'why' in lit) throw new Error('no shadow');
    expect(lit.share).toBeLessThan(1.3 * plain.share);
    for (let y = 0; y < 160; y++) for (let x = 0; x < 160; x++) if (Math.hypot(x - 70, y - 70) > 50) expect(at(lit.mask, x, y)).toBe(0);
  });

  test('on a large document a move leaves no faint disc where the shadow was, and the fill neither reaches nor copies the other object', async () => {
    const s = 8, W = 160 * s;
    const { img, shadowDepth } = scene(s);
    const sel = rasterizePolygon(circle(70 * s, 70 * s, 20.5 * s, 320));
    const res = await runEdit({ image: img, regions: [{ id: 'r', mask: sel }], drags: [{ region: 'r', kind: 'translate', points: [[70 * s, 70 * s], [70 * s, 30 * s]] }], quality: 'final', seed: 1 }, {});
    const c = res.crop;
    const G = (x: number, y: number): number => res.edited.data[((y - c.top) * c.width + x - c.left) * 4 + 1]!;
    let worst = 0, n = 0, smear = 0, disc = 0;
    for (let y = c.top; y < c.top + c.height; y++) {
      for (let x = c.left; x < c.left + c.width; x++) {
        const dOther = Math.hypot(x - 112 * s, y - 96 * s) - 12 * s;
        // The other disc keeps every pixel.
        if (dOther <= 0) { if (G(x, y) !== img.data[(y * W + x) * 4 + 1]) disc++; continue; }
        // The old place of the disc and its shadow, away from the moved disc with its shadow.
        if (Math.hypot(x - 70 * s, y - 70 * s) > 20 * s && shadowDepth[y * W + x]! === 0) continue;
        if (Math.hypot(x - (70 + 9) * s, y - (30 + 7) * s) < 30 * s) continue;
        // Nothing darker than the input was (a copy of the other disc's edge was a dark block here).
        if (dOther > FOREIGN_RIM_PX && G(x, y) < Math.min(250, img.data[(y * W + x) * 4 + 1]!) - 3) smear++;
        // Far from the other disc (whose shadow side stays), plain paper within a few levels.
        if (dOther < 14 * s) continue;
        worst = Math.max(worst, 250 - G(x, y));
        n++;
      }
    }
    expect(disc).toBe(0);
    expect(smear).toBe(0);
    expect(n).toBeGreaterThan(10000);
    expect(worst).toBeLessThanOrEqual(3);
  });

  test('the moved outline (the marching ants a host draws) runs round the object and its shadow, not round the faint fringe', async () => {
    const s = 4, W = 160 * s;
    const { img } = scene(s);
    const sel = rasterizePolygon(circle(70 * s, 70 * s, 20.5 * s, 160));
    const res = await runEdit({ image: img, regions: [{ id: 'r', mask: sel }], drags: [{ region: 'r', kind: 'translate', points: [[70 * s, 70 * s], [70 * s, 30 * s]] }], quality: 'preview', seed: 1 }, { forOutline: true });
    const polys = movedOutline(res);
    // One ring, no holes: at half coverage the fringe was inside the outline and the shadow's
    // fading edge between made crescents.
    expect(polys).toHaveLength(1);
    let x0 = W, y0 = W, x1 = 0, y1 = 0;
    for (const [x, y] of polys[0]!) { x0 = Math.min(x0, x); y0 = Math.min(y0, y); x1 = Math.max(x1, x); y1 = Math.max(y1, y); }
    // The disc (r 20·s at (70, 30)·s after the move) with its shadow (offset (9, 7)·s, fading out
    // 8·s past its edge; the outline takes it where its coverage is at least half).
    expect(x0).toBeGreaterThanOrEqual((70 - 20) * s - 3); expect(y0).toBeGreaterThanOrEqual((30 - 20) * s - 3);
    expect(x1).toBeLessThanOrEqual((70 + 9 + 20 + 8) * s); expect(y1).toBeLessThanOrEqual((30 + 7 + 20 + 8) * s);
    expect(x1).toBeGreaterThan((70 + 20) * s); expect(y1).toBeGreaterThan((30 + 20) * s);
  });

  test('on a large document it is read on blocks and finds the same shadow', () => {
    const s = 8; // 1280 × 1280: the work box exceeds SHADOW_MAX_WORK_PIXELS
    const small = castShadow(scene().img, rasterizePolygon(circle(70, 70, 20.5)));
    const { img } = scene(s);
    const sel = rasterizePolygon(circle(70 * s, 70 * s, 20.5 * s, 160));
    expect(sel.width * sel.height * 4).toBeGreaterThan(SHADOW_MAX_WORK_PIXELS / 4);
    const big = castShadow(img, sel);
    if ('why' in big || 'why' in small) throw new Error('no shadow');
    expect(big.share).toBeGreaterThan(0.6 * small.share);
    expect(big.share).toBeLessThan(1.6 * small.share);
    expect(at(big.mask, Math.round((70 + 9 + 14) * s), Math.round((70 + 7 + 14) * s))).toBeGreaterThan(0); // beyond the disc, in the shadow
    expect(at(big.mask, 20 * s, 20 * s)).toBe(0);
  });

  test('on random selections (specks, slivers, soft edges, past the frame) over blobs and shadows on paper: never throws, keeps the selection as it was, adds only nearby pixels outside it (seeded)', () => {
    const rng = createRng(Number(process.env.SHADOW_FUZZ_SEED ?? 15));
    const r = (a: number, b: number): number => a + rng() * (b - a);
    let found = 0;
    for (let t = 0; t < 60; t++) {
      const W = Math.round(r(20, 200)), H = Math.round(r(20, 200));
      const img = createImage(W, H);
      const paper = [Math.round(r(200, 255)), Math.round(r(200, 255)), Math.round(r(200, 255))];
      for (let p = 0; p < W * H; p++) img.data.set([paper[0]! - (rng() < 0.3 ? 1 : 0), paper[1]!, paper[2]!, 255], p * 4);
      // A few blobs, some with a soft shadow beside them.
      const blobs: [number, number, number][] = [];
      for (let b = 0; b < 4; b++) {
        const cx = r(0, W), cy = r(0, H), rad = r(1, 30), sx = r(-8, 8), sy = r(-8, 8), shade = r(0, 80);
        blobs.push([cx, cy, rad]);
        const col = [Math.round(r(0, 255)), Math.round(r(0, 255)), Math.round(r(0, 255))];
        for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
          const i = (y * W + x) * 4, ds = Math.hypot(x - cx - sx, y - cy - sy) - rad;
          if (ds < 6) for (let c = 0; c < 3; c++) img.data[i + c] = Math.max(0, img.data[i + c]! - shade * Math.min(1, (6 - ds) / 6));
          if (Math.hypot(x - cx, y - cy) <= rad) img.data.set(col, i);
        }
      }
      // The selection: an outline of the last blob drawn (on top), a polygon around a random point
      // (possibly past the frame), a speck, or a sliver; soft or hard.
      const kind = t % 2 === 1 ? 3 : (t / 2) % 3, cx = r(-10, W + 10), cy = r(-10, H + 10), top = blobs[blobs.length - 1]!;
      const poly: Point[] = kind === 3 ? circle(top[0], top[1], top[2] + 0.5) : kind === 0 ? circle(cx, cy, r(0.5, 40), Math.round(r(3, 24)))
        : kind === 1 ? [[cx, cy], [cx + 1, cy], [cx + 1, cy + 1]]
          : [[cx, cy], [cx + r(10, 80), cy + r(-3, 3)], [cx + r(10, 80), cy + r(-3, 3) + 1.2]];
      const sel = rasterizePolygon(poly);
      if (t % 2 === 0) for (let i = 0; i < sel.data.length; i++) sel.data[i] = Math.round(sel.data[i]! * r(0.3, 1));
      const res = castShadow(img, sel);
      if ('why' in res) { expect(typeof res.why).toBe('string'); continue; }
      found++;
      let area = 0;
      for (const v of sel.data) if (v >= 128) area++;
      const reach = Math.max(SHADOW_MIN_REACH_PX, Math.round(SHADOW_REACH * Math.sqrt(area / Math.PI)));
      // The selection's own coverage is kept; what is added lies outside it, in the picture, within the reach (plus a block).
      for (let y = sel.top; y < sel.top + sel.height; y++) for (let x = sel.left; x < sel.left + sel.width; x++) {
        if (at(sel, x, y) >= 128) expect(at(res.mask, x, y)).toBe(at(sel, x, y));
      }
      let added = 0;
      for (let y = res.mask.top; y < res.mask.top + res.mask.height; y++) for (let x = res.mask.left; x < res.mask.left + res.mask.width; x++) {
        if (at(res.mask, x, y) === 0 || at(sel, x, y) >= 128 || at(res.mask, x, y) === at(sel, x, y)) continue;
        added++;
        expect(x >= 0 && y >= 0 && x < W && y < H).toBe(true);
        let near = Infinity;
        for (let yy = sel.top; yy < sel.top + sel.height; yy++) for (let xx = sel.left; xx < sel.left + sel.width; xx++) if (at(sel, xx, yy) >= 128) near = Math.min(near, Math.hypot(xx - x, yy - y));
        expect(near).toBeLessThanOrEqual(reach + 2);
      }
      expect(added).toBe(res.pixels);
    }
    expect(found).toBeGreaterThan(0); // the generator does make shadows the reading takes
  });
});
