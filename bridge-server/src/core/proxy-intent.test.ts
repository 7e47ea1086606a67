/**
 * Typed pixel quantities on a proxy preview: "move it 40 px left", "to (1000, 700)", "200px wide"
 * are document pixels. A preview of a large document runs on a proxy (core/proxy.ts), and its plan
 * (mapped back into document pixels) must be the final's plan: the same amounts within a pixel or
 * two of the document, the same words in its descriptions. Both proxy paths: the bridge's own
 * (`proxyMaxPixels`) and a host-made one (`sentProxy`).
 *
 * The plans come from `runEdit` itself: the edit is cancelled as soon as its plan is made (onPlan),
 * so no pixel work is done on the 2400 × 1800 document.
 */
import { rasterizePolygon, type Point } from '@smartdrag/shared';
import { runEdit, type RunEditOptions } from './edit';
import { downscaleImage, downscalePlacedMask, planAtOrigin, proxyInfoFor, proxyRequest } from './proxy';
import { maskBox, pixelUnits } from './plan/units';
import { createImage } from './image';
import { makeTexture } from './textures';
import { CancelledError, type Drag, type EditRequest, type Operation, type Plan } from './types';

const W = 2400, H = 1800;
const BUDGET = Math.floor((W * H) / 6); // scale ≈ 0.408
const INFO = proxyInfoFor(W, H, BUDGET);

function disc(cx: number, cy: number, r: number): Point[] {
  return Array.from({ length: 96 }, (_, i) => { const t = (i / 96) * 2 * Math.PI; return [cx + r * Math.cos(t), cy + r * Math.sin(t)] as Point; });
}

/** A textured document with two flat discs painted on it (the selections are their outlines: tight). */
function scene(): { image: EditRequest['image']; polys: Record<string, Point[]> } {
  // (A 240 × 180 tile repeated: a texture of the whole size takes seconds here.)
  const tile = makeTexture('noise', 240, 180, 5);
  const image = createImage(W, H);
  for (let y = 0; y < H; y++) for (let x0 = 0; x0 < W; x0 += 240) image.data.set(tile.data.subarray((y % 180) * 240 * 4, (y % 180 + 1) * 240 * 4), (y * W + x0) * 4);
  const polys: Record<string, Point[]> = { a: disc(800, 900, 120), b: disc(1700, 700, 90) };
  const colours: Record<string, [number, number, number]> = { a: [200, 40, 40], b: [40, 60, 200] };
  for (const [id, poly] of Object.entries(polys)) {
    const m = rasterizePolygon(poly);
    for (let y = 0; y < m.height; y++) for (let x = 0; x < m.width; x++) {
      if (m.data[y * m.width + x]! < 128) continue;
      const p = ((m.top + y) * W + m.left + x) * 4;
      image.data.set([...colours[id]!, 255], p);
    }
  }
  return { image, polys };
}
const SCENE = scene();
/** The display image a host would send for the whole document (made once). */
const SENT_IMAGE = downscaleImage(SCENE.image, INFO);

function request(intent: string, drags: Drag[] = [], regions: string[] = ['a']): EditRequest {
  return {
    image: SCENE.image, regions: regions.map((id) => ({ id, mask: rasterizePolygon(SCENE.polys[id]!) })),
    drags, intent, quality: 'final', seed: 1,
  };
}

/** The plan runEdit makes for `req` (cancelled right after the plan), or the question it asks. */
async function planOf(req: EditRequest, opts: RunEditOptions = {}): Promise<Plan | string> {
  const ac = new AbortController();
  let plan: Plan | null = null;
  try {
    await runEdit(req, { ...opts, signal: ac.signal, onPlan: (p) => { plan = p; ac.abort(); } });
  } catch (e) {
    if (!(e instanceof CancelledError)) return (e as Error).message;
  }
  return plan ?? 'no plan';
}

type Mode = 'final' | 'proxy' | 'sent';
async function planIn(mode: Mode, req: EditRequest): Promise<Plan | string> {
  if (mode === 'final') return planOf(req);
  if (mode === 'proxy') return planOf({ ...req, quality: 'preview' }, { proxyMaxPixels: BUDGET });
  // A host-made proxy: image, masks and positions in the sent image's pixels (as job-input.ts maps
  // them), nothing else said about the scale but `sentProxy`.
  const sent = proxyRequest({ ...req, quality: 'preview' }, INFO, SENT_IMAGE);
  delete (sent as unknown as Record<string, unknown>).pixelScale;
  return planOf(sent, { sentProxy: INFO });
}

const NUM = /-?\d+(?:\.\d+)?/g;
/** The words of a text with every number as '#', and its numbers. */
function split(s: string): { words: string; nums: number[] } {
  return { words: s.replace(NUM, '#'), nums: (s.match(NUM) ?? []).map(Number) };
}
/** Numbers agree within 2 document px (or 2% for larger ones: box sizes measured on the proxy). */
function near(a: number, b: number, tol = 2): boolean {
  return Math.abs(a - b) <= Math.max(tol, 0.02 * Math.abs(b));
}
function sameText(a: string, b: string): string | null {
  const x = split(a), y = split(b);
  if (x.words !== y.words || x.nums.length !== y.nums.length) return `"${a}" vs "${b}"`;
  // Scale factors (×1.25) are said to 2 decimals: compare them as factors.
  const factors = new Set((b.match(/×-?\d+(?:\.\d+)?/g) ?? []).map((m) => Number(m.slice(1))));
  for (let i = 0; i < x.nums.length; i++) {
    const tol = factors.has(y.nums[i]!) ? 0.02 : 2;
    if (!near(x.nums[i]!, y.nums[i]!, tol)) return `"${a}" vs "${b}"`;
  }
  return null;
}
function sameOp(p: Operation, f: Operation): string | null {
  if (p.kind !== f.kind || p.region !== f.region) return `${p.kind} ${p.region} vs ${f.kind} ${f.region}`;
  const a = p.params, b = f.params;
  const pts = (u: number[], v: number[]): boolean => u.length === v.length && u.every((x, i) => near(x, v[i]!, 2.5));
  let ok = true;
  if (a.kind === 'translate' && b.kind === 'translate') ok = pts([a.dx, a.dy], [b.dx, b.dy]);
  if (a.kind === 'rotate' && b.kind === 'rotate') ok = Math.abs(a.angleDeg - b.angleDeg) < 0.5 && pts([...a.center], [...b.center]);
  if (a.kind === 'scale' && b.kind === 'scale') ok = Math.abs(a.sx - b.sx) <= 0.02 && Math.abs(a.sy - b.sy) <= 0.02 && pts([...a.center], [...b.center]);
  if (!ok) return `${JSON.stringify(a)} vs ${JSON.stringify(b)}`;
  return sameText(p.description, f.description);
}
function samePlan(p: Plan | string, f: Plan | string): string | null {
  if (typeof p === 'string' || typeof f === 'string') return typeof p === typeof f ? sameText(String(p), String(f)) : `${typeof p === 'string' ? p : 'a plan'} vs ${typeof f === 'string' ? f : 'a plan'}`;
  if (p.operations.length !== f.operations.length) return `${p.operations.length} vs ${f.operations.length} operations`;
  for (let i = 0; i < p.operations.length; i++) { const why = sameOp(p.operations[i]!, f.operations[i]!); if (why) return why; }
  if (p.warnings.length !== f.warnings.length) return `warnings ${JSON.stringify(p.warnings)} vs ${JSON.stringify(f.warnings)}`;
  for (let i = 0; i < p.warnings.length; i++) { const why = sameText(p.warnings[i]!, f.warnings[i]!); if (why) return `warning ${why}`; }
  return null;
}

const arrow = (from: Point, to: Point, region = 'a'): Drag => ({ region, points: [from, to] });

/** Each kind of typed quantity, with what the final plan must say (checked first, so the row tests what it means to). */
const ROWS: { name: string; req: EditRequest; expect: (p: Plan) => void }[] = [
  { name: 'a pixel amount along a direction ("40 px left")', req: request('move it 40 px left'), expect: (p) => expect(p.operations[0]!.params).toEqual({ kind: 'translate', dx: -40, dy: 0 }) },
  { name: 'amounts per direction ("40 px down and 20 px left")', req: request('move it down 40 px and left 20 px then'), expect: (p) => expect(p.operations[0]!.params).toMatchObject({ dx: -20, dy: 40 }) },
  { name: 'the exact reader\'s vector', req: request('move it by a vector of (80, -40) pixels'), expect: (p) => expect(p.operations[0]!.params).toEqual({ kind: 'translate', dx: 80, dy: -40 }) },
  { name: 'the exact reader\'s target width', req: request('resize it to a width of 300 pixels'), expect: (p) => expect(p.operations[0]!.params.kind).toBe('scale') },
  { name: 'a document point ("to (1000, 700)")', req: request('move it to (1000, 700)'), expect: (p) => expect(p.operations[0]!.description).toContain('move to (1000, 700), document pixels') },
  { name: 'a document point on one axis ("to x=2000")', req: request('move it to x=2000'), expect: (p) => expect(p.operations[0]!.params).toMatchObject({ dy: 0 }) },
  { name: 'a size in pixels ("200px wide")', req: request('make it 200px wide'), expect: (p) => expect(p.operations[0]!.params).toMatchObject({ kind: 'scale' }) },
  { name: 'a change of size in pixels ("60px bigger")', req: request('make it 60px bigger'), expect: (p) => expect(p.operations[0]!.params).toMatchObject({ kind: 'scale' }) },
  { name: 'a share of its size ("right by half its width")', req: request('move it right by half its width'), expect: (p) => expect(p.operations[0]!.description).toMatch(/half its width = 120 px \(its box is 240 px wide\)/) },
  { name: 'a share of the image ("down by 10% of the image height")', req: request('move it down by 10% of the image height'), expect: (p) => expect(p.operations[0]!.params).toMatchObject({ dx: 0, dy: 180 }) },
  { name: 'the default distance (no amount)', req: request('move it up a bit'), expect: (p) => expect(p.operations[0]!.params.kind).toBe('translate') },
  { name: 'an arrow plus a stated amount ("10 px further")', req: request('10 px further', [arrow([800, 900], [1000, 900])]), expect: (p) => expect(p.operations[0]!.params).toMatchObject({ dx: 210 }) },
  { name: 'an arrow and a pixel amount on its direction ("move it 150 px right")', req: request('move it 150 px right', [arrow([800, 900], [960, 900])]), expect: (p) => expect(p.operations[0]!.params).toMatchObject({ dx: 150 }) },
  { name: 'an arrow and a second leg ("move it right and 30px up")', req: request('move it right and 30px up', [arrow([800, 900], [1000, 900])]), expect: (p) => expect(p.operations[0]!.params).toMatchObject({ dx: 200, dy: -30 }) },
  { name: 'an arrow and a document point it ends near', req: request('move it to (1000, 700)', [arrow([800, 900], [995, 705])]), expect: (p) => expect(p.operations[0]!.params).toMatchObject({ kind: 'translate' }) },
  { name: 'a text amount the arrow disagrees with ("move it 400 px right", arrow of 100)', req: request('move it 400 px right', [arrow([800, 900], [900, 900])]), expect: (p) => expect(p.operations[0]!.params).toMatchObject({ dx: 400 }) },
  { name: 'another selection as the place ("next to the right one")', req: request('move the left one next to the right one', [], ['a', 'b']), expect: (p) => expect(p.operations[0]!.params.kind).toBe('translate') },
  { name: 'both regions, the arrowless one by the text ("move both 50 px left")', req: request('move them both 50 px left', [arrow([800, 900], [750, 900])], ['a', 'b']), expect: (p) => expect(p.operations.map((o) => o.params)).toEqual([{ kind: 'translate', dx: -50, dy: 0 }, { kind: 'translate', dx: -50, dy: 0 }]) },
  { name: 'a point outside the document is asked about in document pixels', req: request('move it to (3000, 700)'), expect: (p) => expect(p).toBe('unreachable') },
  { name: 'another selection\'s centre ("to where the right one is")', req: request('move the left one to where the right one is', [], ['a', 'b']), expect: (p) => expect(p.operations[0]!.params).toMatchObject({ dx: 900, dy: -200 }) },
  // b's box (1610, 610, 180 × 180) below a's (680, 780, 240 × 240): 18 px apart (a tenth of 180), centred on a's x.
  { name: 'a side of another selection ("below the left one")', req: request('move the right one below the left one', [], ['a', 'b']), expect: (p) => expect(p.operations[0]!.params).toMatchObject({ dx: -900, dy: 429 }) },
  { name: 'a pivot on its box ("around its bottom left corner")', req: request('rotate it 20 degrees clockwise around its bottom left corner'), expect: (p) => expect(p.operations[0]!.params).toMatchObject({ kind: 'rotate' }) },
  // Scale-free amounts stay as they were.
  { name: 'degrees', req: request('rotate it 20 degrees clockwise'), expect: (p) => expect(p.operations[0]!.params).toMatchObject({ angleDeg: 20 }) },
  { name: 'percent', req: request('make it 50% bigger'), expect: (p) => expect(p.operations[0]!.params).toMatchObject({ sx: 1.5, sy: 1.5 }) },
  { name: 'a place in the picture ("to the top left")', req: request('move it to the top left'), expect: (p) => expect(p.operations[0]!.params).toMatchObject({ dx: -680, dy: -780 }) },
];

describe('typed pixel quantities on a proxy preview are document pixels', () => {
  test('the proxy is small enough for the proxy path', () => {
    expect(INFO.scaleX).toBeLessThanOrEqual(0.5);
    expect(INFO.scaleX).toBeCloseTo(0.408, 2);
  });

  test.each(ROWS.map((r) => [r.name, r] as const))('%s: the proxy previews (own and host-made) plan what the final does', async (_name, row) => {
    const final = await planIn('final', row.req);
    if (typeof final === 'string') expect(final).toMatch(/outside the document \(2400 × 1800 px/);
    else row.expect(final);
    for (const mode of ['proxy', 'sent'] as const) {
      const preview = await planIn(mode, row.req);
      expect([mode, samePlan(preview, final)]).toEqual([mode, null]);
    }
  });
});

describe('the reasons of a preview on a ×0.25 proxy say the final\'s pixel numbers', () => {
  // A proxy of a sixteenth of the document's pixels (600 × 450): the readings' lengths and
  // positions were said in its pixels ("depth 29 px; arrow 50 px", "about (200,225)").
  const budget = (W * H) / 16, info = proxyInfoFor(W, H, budget), sentImage = downscaleImage(SCENE.image, info);
  /** The pixel numbers of a text: lengths ("… px") and positions ("(x,y)"). */
  const pixelNumbers = (s: string): number[] => [...s.matchAll(/(-?\d+(?:\.\d+)?) px\b|\((-?\d+), ?(-?\d+)\)/g)]
    .flatMap((m) => (m[1] !== undefined ? [Number(m[1])] : [Number(m[2]), Number(m[3])]));
  const loose = (id: string): EditRequest['regions'][number] => ({ id, mask: rasterizePolygon(disc(800, 900, 300)) });
  const rows: [name: string, req: EditRequest, finalSays: RegExp, share: number][] = [
    ['a straight arrow from the core (its depth and length)', request('', [arrow([800, 900], [1000, 900])]), /depth 117\.73 px; arrow 200 px/, 0.02],
    ['an arc (the centre it sweeps about)', request('', [{ region: 'a', points: [[920, 900], [904, 962], [860, 1004], [800, 1020]] }]), /sweeps 90° about \(800,900\)/, 0.02],
    ['a handle on the rim (the centre, its depth and length)', request('', [arrow([915, 900], [960, 900])]), /centre \(800,900\): factor 1\.39; .*depth 5 px; arrow 45 px/, 0.02],
    ['two arrows pulling apart (the centre)', request('', [arrow([700, 900], [670, 900]), arrow([900, 900], [930, 900])]), /200 px → 260 px \(×1\.30\) about \(800,900\)/, 0.02],
    // (The elastic field's parts are measured on its own grid, finer on the document: within a tenth.)
    ['an elastic drag on a loose selection (the radius of its parts)', { ...request('', [arrow([800, 900], [860, 900])]), regions: [loose('a')] }, /parts of 119 px radius/, 0.1],
  ];
  test.each(rows)('%s', async (_name, req, finalSays, share) => {
    const final = await planOf(req);
    if (typeof final === 'string') throw new Error(final);
    expect(final.operations[0]!.reason).toMatch(finalSays);
    const sent = proxyRequest({ ...req, quality: 'preview' }, info, sentImage);
    delete (sent as unknown as Record<string, unknown>).pixelScale;
    for (const [mode, preview] of [['proxy', await planOf({ ...req, quality: 'preview' }, { proxyMaxPixels: budget })], ['sent', await planOf(sent, { sentProxy: info })]] as const) {
      if (typeof preview === 'string') throw new Error(preview);
      const [p, f] = [preview.operations[0]!.reason, final.operations[0]!.reason];
      expect([mode, split(p).words]).toEqual([mode, split(f).words]);
      const pn = pixelNumbers(p), fn = pixelNumbers(f);
      expect(pn.length).toBe(fn.length);
      pn.forEach((n, i) => expect([mode, p, near(n, fn[i]!, Math.max(2, share * Math.abs(fn[i]!)))]).toEqual([mode, p, true]));
    }
  });
});

describe('a crop of the document, on a proxy', () => {
  // The image is the document's area from (400, 300), 1600 × 1200; the text's points and places are the document's.
  const L = 400, T = 300, CW = 1600, CH = 1200;
  const crop = createImage(CW, CH);
  for (let y = 0; y < CH; y++) crop.data.set(SCENE.image.data.subarray(((y + T) * W + L) * 4, ((y + T) * W + L + CW) * 4), y * CW * 4);
  const budget = Math.floor((CW * CH) / 6);
  const req = (intent: string): EditRequest => ({
    image: crop, regions: [{ id: 'a', mask: rasterizePolygon(SCENE.polys.a!.map(([x, y]) => [x - L, y - T] as Point)) }],
    drags: [], intent, quality: 'final', seed: 1, document: { left: -L, top: -T, width: W, height: H },
  });
  test.each([
    ['move it to (1000, 700)', { dx: 200, dy: -200 }],
    ['move it to the top left', { dx: -680, dy: -780 }],
    ['move it 40 px left', { dx: -40, dy: 0 }],
    ['move it right by a quarter of the image width', { dx: 600, dy: 0 }],
  ])('"%s": the proxy preview plans what the final does', async (intent, move) => {
    const final = await planOf(req(intent));
    if (typeof final === 'string') throw new Error(final);
    expect(final.operations[0]!.params).toMatchObject(move);
    const preview = await planOf({ ...req(intent), quality: 'preview' }, { proxyMaxPixels: budget });
    expect(samePlan(preview, final)).toBeNull();
  });
});

describe('a crop\'s reasons say document positions, as its descriptions do', () => {
  // The bridge runs an edit on the document's area from (L, T) (job.submit imageRect/imageOrigin:
  // EditRequest `document`) and maps the plan into document pixels with planAtOrigin. The
  // descriptions' centres were mapped but the reasons' were not: "sweeps 90° about (400,600)" for
  // a turn its description says is "about (800,900)".
  const L = 400, T = 300, CW = 1600, CH = 1200;
  const crop = createImage(CW, CH);
  for (let y = 0; y < CH; y++) crop.data.set(SCENE.image.data.subarray(((y + T) * W + L) * 4, ((y + T) * W + L + CW) * 4), y * CW * 4);
  const onCrop = (req: EditRequest): EditRequest => ({
    ...req, image: crop, document: { left: -L, top: -T, width: W, height: H },
    regions: req.regions.map((r) => ({ id: r.id, mask: { ...r.mask, left: r.mask.left - L, top: r.mask.top - T } })),
    drags: req.drags.map((d) => ({ ...d, points: d.points.map(([x, y]) => [x - L, y - T] as Point) })),
  });
  const rows: [name: string, req: EditRequest, finalSays: RegExp][] = [
    ['an arc (the centre it sweeps about)', request('', [{ region: 'a', points: [[920, 900], [904, 962], [860, 1004], [800, 1020]] }]), /sweeps 90° about \(800,900\)/],
    ['a handle on the rim (the centre it scales about)', request('', [arrow([915, 900], [960, 900])]), /centre \(800,900\): factor 1\.39/],
    ['two arrows pulling apart (the centre)', request('', [arrow([700, 900], [670, 900]), arrow([900, 900], [930, 900])]), /\(×1\.30\) about \(800,900\)/],
  ];
  test.each(rows)('%s: the crop\'s plan, mapped by the bridge, says what the whole document\'s does (final and proxy preview)', async (_name, req, finalSays) => {
    const whole = await planOf(req);
    if (typeof whole === 'string') throw new Error(whole);
    expect(whole.operations[0]!.reason).toMatch(finalSays);
    const budget = Math.floor((CW * CH) / 16);
    for (const [mode, made] of [['final', await planOf(onCrop(req))], ['preview', await planOf({ ...onCrop(req), quality: 'preview' }, { proxyMaxPixels: budget })]] as const) {
      if (typeof made === 'string') throw new Error(made);
      const plan = planAtOrigin(made, L, T);
      const [p, f] = [plan.operations[0]!, whole.operations[0]!];
      // (Positions to a document pixel at full scale; on the proxy within rounding, as above.)
      expect([mode, sameText(p.reason, f.reason)]).toEqual([mode, null]);
      expect([mode, samePlan(plan, whole)]).toEqual([mode, null]);
      // The reason names the centre its description names.
      const centre = (s: string): string | undefined => /about \((-?\d+,-?\d+)\)|centre \((-?\d+,-?\d+)\)/.exec(s)?.slice(1).find((x) => x !== undefined);
      if (mode === 'final') expect(centre(p.reason)).toBe(centre(p.description));
    }
  });

  test('the user\'s own words and the positions already said from the document\'s corner are not moved', () => {
    const plan: Plan = {
      operations: [{
        region: 'a', kind: 'translate', params: { kind: 'translate', dx: 10, dy: 0 }, source: 'intent',
        description: 'Move region a by (10, 0) px (right): move to (1000, 700), document pixels (its box centre (800, 900) goes there)',
        reason: '"move it about (100,200)" names a point of the document ((100,200)); geometry: arrow keeps its distance to the given centre (40,60) (ratio 1)',
      }],
      warnings: ['Drag 1 ends on a kept (protected) pixel at (800, 900): …', 'the arrow keeps its distance to the estimated centre (40,60)'],
    };
    const moved = planAtOrigin(plan, L, T);
    expect(moved.operations[0]!.description).toBe(plan.operations[0]!.description);
    expect(moved.operations[0]!.reason).toBe('"move it about (100,200)" names a point of the document ((100,200)); geometry: arrow keeps its distance to the given centre (440,360) (ratio 1)');
    expect(moved.warnings).toEqual(['Drag 1 ends on a kept (protected) pixel at (800, 900): …', 'the arrow keeps its distance to the estimated centre (440,360)']);
  });
});

describe('the box of a selection measured on a proxy', () => {
  test('is the document box within about a document pixel (discs and boxes at several places and sizes)', () => {
    const units = pixelUnits({ image: downscaleImage(createImage(8, 8), proxyInfoFor(8, 8, 64)), pixelScale: { x: INFO.scaleX, y: INFO.scaleY } });
    let worst = 0;
    for (const [cx, cy, r] of [[800, 900, 120], [1703.3, 651.7, 37], [300.5, 1200.25, 260], [1500, 400, 15]] as const) {
      for (const poly of [disc(cx, cy, r), [[cx - r, cy - r / 2], [cx + r, cy - r / 2], [cx + r, cy + r / 2], [cx - r, cy + r / 2]] as Point[]]) {
        const m = rasterizePolygon(poly);
        const full = maskBox(m, pixelUnits({ image: SCENE.image }));
        const p = maskBox(downscalePlacedMask(m, INFO), units);
        const [x0, y0] = [(p.x0 + 0.5) / INFO.scaleX - 0.5, (p.y0 + 0.5) / INFO.scaleY - 0.5];
        worst = Math.max(worst, Math.abs(x0 - full.x0), Math.abs(y0 - full.y0), Math.abs(p.w / INFO.scaleX - full.w), Math.abs(p.h / INFO.scaleY - full.h));
      }
    }
    // (The document's own box is in whole pixels: an edge on a pixel boundary is half a pixel either way.)
    expect(worst).toBeLessThanOrEqual(1.1);
  });
});
