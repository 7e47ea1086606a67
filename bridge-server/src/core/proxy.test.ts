import { boxReduce, rasterizePolygon, type Point } from '@smartdrag/shared';
import { runEdit } from './edit';
import { cloneImage, createImage, pasteImage } from './image';
import { downscaleImage, downscalePlacedMask, planAtOrigin, planFromProxy, proxyInfoFor, proxyRequest, toProxyPoint, PROXY_MAX_PIXELS } from './proxy';
import { describeOperation } from './plan/describe';
import { makeTexture } from './textures';
import type { EditRequest, Plan, RgbaImage } from './types';

function ellipse(cx: number, cy: number, ax: number, ay: number): Point[] {
  return Array.from({ length: 48 }, (_, i) => { const t = (i / 48) * 2 * Math.PI; return [cx + ax * Math.cos(t), cy + ay * Math.sin(t)] as Point; });
}

/** The document after an edit: the input with the result's crop pasted in. */
function composite(doc: RgbaImage, res: { crop: { left: number; top: number }; edited: RgbaImage }): RgbaImage {
  const out = cloneImage(doc);
  pasteImage(out, res.edited, res.crop.left, res.crop.top);
  return out;
}

describe('proxy geometry', () => {
  test('a document within the budget is its own proxy; a larger one keeps its aspect within the budget', () => {
    expect(proxyInfoFor(1000, 1000)).toEqual({ width: 1000, height: 1000, scaleX: 1, scaleY: 1 });
    const p = proxyInfoFor(6000, 4000);
    expect(p.width * p.height).toBeLessThanOrEqual(PROXY_MAX_PIXELS);
    expect(p.width * p.height).toBeGreaterThan(0.99 * PROXY_MAX_PIXELS);
    expect(p.width / p.height).toBeCloseTo(1.5, 2);
  });

  test('area average: exact 2×2 means at factor 2, a flat image stays flat at a fractional factor', () => {
    const img = createImage(4, 2);
    for (let i = 0; i < 8; i++) { img.data.set([i * 10, 255 - i * 10, 7, 255], i * 4); }
    const half = downscaleImage(img, proxyInfoFor(4, 2, 2));
    expect(half.width).toBe(2);
    // Pixel (0,0) averages source pixels 0, 1, 4, 5: red (0+10+40+50)/4 = 25.
    expect(Array.from(half.data.subarray(0, 4))).toEqual([25, 230, 7, 255]);
    const flat = createImage(301, 207);
    for (let i = 0; i < flat.data.length; i += 4) flat.data.set([90, 140, 200, 255], i);
    const info = proxyInfoFor(301, 207, 97 * 61);
    const small = downscaleImage(flat, info);
    for (let i = 0; i < small.data.length; i += 4) expect(Array.from(small.data.subarray(i, i + 4))).toEqual([90, 140, 200, 255]);
  });

  test('box reduction of a rectangle: exact block means, the last partial block averaging what it has', () => {
    const img = createImage(7, 5);
    for (let p = 0; p < 35; p++) img.data.set([p, 2 * p, 255 - p, 255], p * 4);
    const rect = { left: 2, top: 1, width: 5, height: 4 };
    const r = boxReduce(img, 2, rect);
    expect([r.w, r.h]).toEqual([3, 2]);
    // Block (0,0) = pixels (2,1) (3,1) (2,2) (3,2) = indices 9, 10, 16, 17: red mean 13.
    expect(r.data[0]).toBeCloseTo(13, 6);
    expect(r.data[2]).toBeCloseTo(255 - 13, 6);
    // Block (2,1) is one pixel wide: (6,3) and (6,4) = indices 27, 34.
    expect(r.data[(1 * 3 + 2) * 4]).toBeCloseTo(30.5, 6);
    expect(r.data[(1 * 3 + 2) * 4 + 1]).toBeCloseTo(61, 6);
    expect(() => boxReduce(img, 2, { ...rect, width: 6 })).toThrow(RangeError);
  });

  test('box reduction: the two-channels-a-word sums equal the byte-wise sums, up to full white 16×16 blocks', () => {
    // 32-bit words (two channels per 16-bit lane, k ≤ 16) against the same bytes at an odd
    // offset (read byte by byte), on random colours and on full white, where a 16×16 block fills a
    // lane to 65,280.
    const W = 53, H = 41;
    const rnd = new Uint8ClampedArray(W * H * 4);
    let seed = 7;
    for (let i = 0; i < rnd.length; i++) { seed = (seed * 1103515245 + 12345) >>> 0; rnd[i] = seed >>> 24; }
    const white = new Uint8ClampedArray(W * H * 4).fill(255);
    for (const data of [rnd, white]) {
      const shifted = new Uint8ClampedArray(data.length + 1);
      shifted.set(data, 1);
      const odd = { width: W, height: H, data: shifted.subarray(1) };
      for (const k of [1, 2, 3, 7, 16, 17]) {
        const a = boxReduce({ width: W, height: H, data }, k), b = boxReduce(odd, k);
        expect(Array.from(a.data)).toEqual(Array.from(b.data));
        if (data === white) expect(a.data.every((v) => v === 255)).toBe(true);
      }
    }
  });

  test('a placed mask keeps its area and lands where its pixels are', () => {
    const m = rasterizePolygon(ellipse(300, 200, 80, 50));
    const info = proxyInfoFor(600, 400, 200 * 133);
    const p = downscalePlacedMask(m, info);
    let a = 0, b = 0;
    for (const v of m.data) a += v / 255;
    for (const v of p.data) b += v / 255;
    expect(b / (info.scaleX * info.scaleY)).toBeGreaterThan(0.98 * a);
    expect(b / (info.scaleX * info.scaleY)).toBeLessThan(1.02 * a);
    const c = toProxyPoint([300, 200], info);
    expect(p.left).toBeLessThan(c[0]); expect(p.left + p.width).toBeGreaterThan(c[0]);
  });
});

describe('proxy preview vs the full-resolution preview', () => {
  const image = makeTexture('brick', 512, 384, 3);
  const region = { id: 'r', mask: rasterizePolygon(ellipse(250, 190, 90, 70)) };
  const info = proxyInfoFor(512, 384, 256 * 192);

  test('translate by an even offset: moved pixels equal the area average of the full-resolution result', async () => {
    expect(info.scaleX).toBe(0.5);
    const req: EditRequest = { image, regions: [region], drags: [{ region: 'r', kind: 'translate', points: [[250, 190], [290, 166]] }], quality: 'preview', seed: 1 };
    const full = await runEdit(req);
    const prox = await runEdit(req, { proxyMaxPixels: 256 * 192 });
    expect(full.proxy).toBeUndefined();
    expect(prox.proxy).toEqual(info);
    expect(prox.layer.image.width).toBeLessThanOrEqual(256);
    const fullDoc = downscaleImage(composite(image, full), info);
    const proxDoc = composite(downscaleImage(image, info), prox);
    // Proxy pixels whose 2×2 document block is all moved content (full coverage, no hole).
    let compared = 0, differ = 0;
    for (let Y = 0; Y < 192; Y++) {
      for (let X = 0; X < 256; X++) {
        let inside = true;
        for (let k = 0; k < 4 && inside; k++) {
          const x = 2 * X + (k & 1) - full.crop.left, y = 2 * Y + (k >> 1) - full.crop.top;
          const p = y * full.crop.width + x;
          inside = x >= 0 && y >= 0 && x < full.crop.width && y < full.crop.height && full.targetMask.data[p] === 255 && full.holeMask.data[p] === 0;
        }
        if (!inside) continue;
        compared++;
        const q = (Y * 256 + X) * 4;
        for (let c = 0; c < 4; c++) if (fullDoc.data[q + c] !== proxDoc.data[q + c]) { differ++; break; }
      }
    }
    expect(compared).toBeGreaterThan(3000);
    expect(differ).toBe(0);
  });

  test('rotate: moved pixels stay close to the area average of the full-resolution result', async () => {
    const req: EditRequest = { image, regions: [region], drags: [{ region: 'r', kind: 'rotate', center: [250, 190], points: [[330, 190], [320, 230]] }], quality: 'preview', seed: 1 };
    const full = await runEdit(req);
    const prox = await runEdit(req, { proxyMaxPixels: 256 * 192 });
    const fullDoc = downscaleImage(composite(image, full), info);
    const proxDoc = composite(downscaleImage(image, info), prox);
    let n = 0, sum = 0;
    for (let Y = 0; Y < 192; Y++) {
      for (let X = 0; X < 256; X++) {
        const x = 2 * X - full.crop.left, y = 2 * Y - full.crop.top;
        if (x < 1 || y < 1 || x + 2 >= full.crop.width || y + 2 >= full.crop.height) continue;
        let inside = true;
        for (let dy = -1; dy <= 2 && inside; dy++) for (let dx = -1; dx <= 2 && inside; dx++) {
          const p = (y + dy) * full.crop.width + x + dx;
          inside = full.targetMask.data[p] === 255 && full.holeMask.data[p] === 0;
        }
        if (!inside) continue;
        const q = (Y * 256 + X) * 4;
        for (let c = 0; c < 3; c++) { sum += Math.abs(fullDoc.data[q + c]! - proxDoc.data[q + c]!); n++; }
      }
    }
    expect(n).toBeGreaterThan(3 * 3000);
    // Resampling a proxy vs averaging a resampled document: the same picture up to interpolation.
    expect(sum / n).toBeLessThan(6);
  });
});

describe('when the proxy is used', () => {
  test('a document under about 4× the budget previews at full resolution (no proxy)', async () => {
    const image = makeTexture('noise', 300, 200, 2);
    const req: EditRequest = { image, regions: [{ id: 'r', mask: rasterizePolygon(ellipse(150, 100, 50, 40)) }], drags: [{ region: 'r', kind: 'translate', points: [[150, 100], [170, 110]] }], quality: 'preview', seed: 1 };
    const near = await runEdit(req, { proxyMaxPixels: 200 * 133 }); // scale ≈ 0.67
    expect(near.proxy).toBeUndefined();
    expect(Buffer.from(near.layer.image.data).equals(Buffer.from((await runEdit(req)).layer.image.data))).toBe(true);
    const far = await runEdit(req, { proxyMaxPixels: 150 * 100 }); // scale 0.5
    expect(far.proxy?.scaleX).toBe(0.5);
  });
});

describe('the plan of a proxy preview', () => {
  test('speaks in document pixels: amounts, centres and handles mapped back, descriptions rewritten', async () => {
    const image = makeTexture('noise', 800, 600, 3);
    const req: EditRequest = {
      image, regions: [{ id: 'r', mask: rasterizePolygon(ellipse(300, 300, 80, 60)) }, { id: 's', mask: rasterizePolygon(ellipse(600, 200, 50, 50)) }],
      drags: [
        { region: 'r', kind: 'translate', points: [[300, 300], [387, 152]] },
        { region: 's', kind: 'rotate', points: [[650, 200], [600, 250]], center: [600, 200] },
      ],
      quality: 'preview', seed: 1,
    };
    let early: string[] = [];
    const res = await runEdit(req, { proxyMaxPixels: 200 * 150, onPlan: (p) => { early = p.operations.map((o) => o.description); } });
    expect(res.proxy?.scaleX).toBe(0.25);
    const full = await runEdit(req);
    const move = res.plan.operations.find((o) => o.region === 'r')!, fullMove = full.plan.operations.find((o) => o.region === 'r')!;
    expect(move.params.kind).toBe('translate');
    if (move.params.kind === 'translate' && fullMove.params.kind === 'translate') {
      expect(move.params.dx).toBeCloseTo(fullMove.params.dx, 6);
      expect(move.params.dy).toBeCloseTo(fullMove.params.dy, 6);
    }
    expect(move.description).toContain('(87, -148)');
    const turn = res.plan.operations.find((o) => o.region === 's')!;
    expect(turn.params.kind === 'rotate' && Math.hypot(turn.params.center[0] - 600, turn.params.center[1] - 200)).toBeLessThan(0.5);
    expect(turn.description).toContain('about (600,200)');
    // The plan shown before any pixel work says the same.
    expect(early).toEqual(res.plan.operations.map((o) => o.description));
  });
});

describe('the scale a proxy request carries', () => {
  test('proxyRequest says its pixels per document pixel (composed with a scale the request already had)', () => {
    const image = createImage(400, 300);
    const req: EditRequest = { image, regions: [{ id: 'r', mask: rasterizePolygon(ellipse(200, 150, 40, 30)) }], drags: [], quality: 'preview' };
    const info = proxyInfoFor(400, 300, 200 * 150);
    expect(proxyRequest(req, info).pixelScale).toEqual({ x: 0.5, y: 0.5 });
    expect(proxyRequest({ ...req, pixelScale: { x: 0.5, y: 0.5 } }, info).pixelScale).toEqual({ x: 0.25, y: 0.25 });
    // A document within the budget is its own proxy: the request is unchanged.
    expect(proxyRequest(req, proxyInfoFor(400, 300)).pixelScale).toBeUndefined();
  });

  test('planFromProxy and planAtOrigin keep the words the planner added to a description (already in document pixels)', () => {
    const info = { width: 200, height: 150, scaleX: 0.5, scaleY: 0.5 };
    const params = { kind: 'translate' as const, dx: 60, dy: 0 };
    const scale = { kind: 'scale' as const, sx: 1.25, sy: 1.25, center: [99.5, 74.5] as [number, number] };
    const plan: Plan = {
      operations: [
        { region: 'a', kind: 'translate', params, source: 'intent', reason: 'r', description: `${describeOperation('a', params)}: right by half its width = 120 px (its box is 240 px wide)` },
        { region: 'b', kind: 'scale', params: scale, source: 'intent', reason: 'r', description: `${describeOperation('b', scale)}: to 200 px wide` },
      ],
      warnings: [],
    };
    const doc = planFromProxy(plan, info);
    expect(doc.operations.map((o) => o.description)).toEqual([
      'Move region a by (120, 0) px (right): right by half its width = 120 px (its box is 240 px wide)',
      'Enlarge region b ×1.25 about (200,150): to 200 px wide',
    ]);
    expect(planAtOrigin(doc, 100, 50).operations.map((o) => o.description)).toEqual([
      'Move region a by (120, 0) px (right): right by half its width = 120 px (its box is 240 px wide)',
      'Enlarge region b ×1.25 about (300,200): to 200 px wide',
    ]);
  });
});
