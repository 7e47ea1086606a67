/**
 * The warnings of the edit's stages on a proxy preview say document pixels, as the final's do: the
 * elastic map's "the arrow ending at (x, y) lands N px short", the deform's "two deform drags start
 * at (x, y)", the layer's "leaves N px more transparent" were said in the proxy's pixels (a ×0.25
 * preview said "(99.625, 112.125)" for the final's "(400, 450)", a quarter of its lengths and a
 * sixteenth of its areas). And on a crop of the document (EditRequest `document`) their positions
 * are the document's, as the planner's own warnings say them.
 *
 * Whole edits (warp, fill, layer) on a 1200 × 900 document: its ×0.25 proxy is 300 × 225.
 */
import { rasterizePolygon, type Point } from '@smartdrag/shared';
import { runEdit, type RunEditOptions } from './edit';
import { createImage } from './image';
import { makeTexture } from './textures';
import { downscaleImage, planAtOrigin, proxyInfoFor, proxyRequest } from './proxy';
import { pixelUnits } from './plan/units';
import { buildElasticField } from './warp/elastic-field';
import { buildOcclusionField } from './warp/elastic-occlusion';
import { buildDeformField } from './warp/deform-field';
import type { Drag, EditRequest, PlacedMask, Plan } from './types';

const W = 1200, H = 900;
const BUDGET = (W * H) / 16;
const INFO = proxyInfoFor(W, H, BUDGET);

function disc(cx: number, cy: number, r: number): Point[] {
  return Array.from({ length: 96 }, (_, i) => { const t = (i / 96) * 2 * Math.PI; return [cx + r * Math.cos(t), cy + r * Math.sin(t)] as Point; });
}

/** A textured document with a red disc (radius 60) at (400, 450); `alpha` for the texture (the disc is opaque). */
function scene(alpha = 255): EditRequest['image'] {
  const tile = makeTexture('noise', 240, 180, 5);
  const image = createImage(W, H);
  for (let y = 0; y < H; y++) for (let x0 = 0; x0 < W; x0 += 240) image.data.set(tile.data.subarray((y % 180) * 240 * 4, (y % 180 + 1) * 240 * 4), (y * W + x0) * 4);
  const m = rasterizePolygon(disc(400, 450, 60));
  for (let y = 0; y < m.height; y++) for (let x = 0; x < m.width; x++) {
    if (m.data[y * m.width + x]! < 128) continue;
    const p = ((m.top + y) * W + m.left + x) * 4;
    image.data.set([200, 40, 40, 255], p);
  }
  if (alpha < 255) for (let i = 3; i < image.data.length; i += 4) if (image.data[i - 3] !== 200) image.data[i] = alpha;
  return image;
}
const OPAQUE = scene(), CLEAR = scene(0);

const request = (image: EditRequest['image'], poly: Point[], drags: Drag[]): EditRequest => ({
  image, regions: [{ id: 'a', mask: rasterizePolygon(poly) }], drags, intent: '', quality: 'final', seed: 1,
});

/** The plan of the whole edit of `req`: the final, or a ×0.25 preview on the bridge's own proxy or on one the host made. */
async function planIn(mode: 'final' | 'proxy' | 'sent', req: EditRequest): Promise<Plan> {
  if (mode === 'final') return (await runEdit(req)).plan;
  if (mode === 'proxy') return (await runEdit({ ...req, quality: 'preview' }, { proxyMaxPixels: BUDGET })).plan;
  const sent = proxyRequest({ ...req, quality: 'preview' }, INFO, downscaleImage(req.image, INFO));
  delete (sent as unknown as Record<string, unknown>).pixelScale;
  return (await runEdit(sent, { sentProxy: INFO } satisfies RunEditOptions)).plan;
}

const NUM = /-?\d+(?:\.\d+)?/g;
/** The warnings that say pixel numbers ("… px", "(x, y)"), as words (every number '#') and numbers. */
function pixelWarnings(p: Plan): { words: string; nums: number[] }[] {
  return p.warnings.filter((w) => /\d px\b|\(-?\d+(?:\.\d+)?, -?\d+(?:\.\d+)?\)/.test(w)).map((w) => ({ words: w.replace(NUM, '#'), nums: (w.match(NUM) ?? []).map(Number) }));
}

describe('the warnings of the edit\'s stages on a ×0.25 preview say the final\'s pixel numbers', () => {
  const turn = (k: number, r: number): EditRequest => request(OPAQUE, disc(400, 450, r), [
    { region: 'a', points: [[400 + 118 * k, 450 - 167 * k], [400 + 91 * k, 450 - 91 * k]] },
    { region: 'a', points: [[400 - 132 * k, 450 + 139 * k], [400 - 137.5 * k, 450 + 192 * k]] },
  ]);
  const rows: [name: string, req: EditRequest, finalSays: RegExp, share: number][] = [
    // Two arrows on a loose selection that do not agree on one turn: the elastic map's piece turns
    // on their best common turn and each arrow lands short (positions and lengths).
    ['the elastic map: "the arrow ending at (x, y) lands N px short"', turn(0.8, 300), /^region a: the arrow ending at \(473, 377\) lands 12\.6 px short: /, 0.1],
    // Two deform drags from one handle (a position, said as the drag gave it at full scale).
    ['the deform: "two deform drags start at (x, y)"', request(OPAQUE, disc(400, 450, 62), [
      { region: 'a', points: [[400, 450], [440, 450]], kind: 'deform' }, { region: 'a', points: [[400, 450], [400, 480]], kind: 'deform' },
    ]), /^region a: two deform drags start at \(400, 450\); their targets were averaged$/, 0],
    // An opaque disc moved off a transparent picture: the area it leaves (a sixteenth of the proxy's pixels).
    ['the layer: "the edit leaves N px more transparent"', request(CLEAR, disc(400, 450, 62), [{ region: 'a', points: [[400, 450], [700, 450]] }]),
      /^The edit leaves 113\d\d px more transparent than they were/, 0.1],
  ];
  test.each(rows)('%s', async (_name, req, finalSays, share) => {
    const final = await planIn('final', req);
    expect(final.warnings.filter((w) => finalSays.test(w))).toHaveLength(1);
    const f = pixelWarnings(final);
    for (const mode of ['proxy', 'sent'] as const) {
      const preview = await planIn(mode, req);
      const p = pixelWarnings(preview);
      expect([mode, p.map((x) => x.words)]).toEqual([mode, f.map((x) => x.words)]);
      p.forEach((x, i) => x.nums.forEach((n, j) => {
        const want = f[i]!.nums[j]!;
        expect([mode, preview.warnings, n, Math.abs(n - want) <= Math.max(2, share * Math.abs(want))]).toEqual([mode, preview.warnings, n, true]);
      }));
    }
  });

  test('on a crop of the document, their positions are the document\'s (as the plan\'s own "ends on a kept pixel at (x, y)")', async () => {
    const L = 200, T = 150, CW = 800, CH = 600;
    const crop = createImage(CW, CH);
    for (let y = 0; y < CH; y++) crop.data.set(OPAQUE.data.subarray(((y + T) * W + L) * 4, ((y + T) * W + L + CW) * 4), y * CW * 4);
    const drags: Drag[] = [{ region: 'a', points: [[400, 450], [440, 450]], kind: 'deform' }, { region: 'a', points: [[400, 450], [400, 480]], kind: 'deform' }];
    const whole = await planIn('final', request(OPAQUE, disc(400, 450, 62), drags));
    const onCrop: EditRequest = {
      ...request(crop, disc(400 - L, 450 - T, 62), drags.map((d) => ({ ...d, points: d.points.map(([x, y]) => [x - L, y - T] as Point) }))),
      document: { left: -L, top: -T, width: W, height: H },
    };
    const said = planAtOrigin(await planIn('final', onCrop), L, T);
    expect(said.warnings).toEqual(whole.warnings);
    expect(said.warnings).toContain('region a: two deform drags start at (400, 450); their targets were averaged');
    expect(said.operations[0]!.description).toBe(whole.operations[0]!.description);
  });
});

describe('the maps\' builders say their warnings in the units they are given', () => {
  // The same request pixels, said as a request at document scale and as a ×0.25 proxy of the document.
  const image = createImage(8, 8);
  const quarter = pixelUnits({ image, pixelScale: { x: 0.25, y: 0.25 } });
  const docX = (x: number): number => (x + 0.5) / 0.25 - 0.5;
  const solid = (cx: number, cy: number, r: number, w: number, h: number): PlacedMask => {
    const data = new Uint8Array(w * h);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if (Math.hypot(x - cx, y - cy) <= r) data[y * w + x] = 255;
    return { left: 0, top: 0, width: w, height: h, data };
  };

  test('the elastic field: an arrow outside the area (a position), a drag too long (a length)', () => {
    const mask = solid(120, 120, 100, 240, 240);
    const outside = (units?: typeof quarter): string[] => buildElasticField({ mask, handles: [[120, 120]], targets: [[230, 120]], ...(units ? { units } : {}) }).warnings;
    expect(outside()).toEqual(['an arrow ends outside the editable area at (230, 120); it cannot be an elastic drag']);
    expect(outside(quarter)).toEqual([`an arrow ends outside the editable area at (${Math.round(docX(230))}, ${Math.round(docX(120))}); it cannot be an elastic drag`]);
    const small = solid(60, 60, 30, 120, 120);
    const long = (units?: typeof quarter): string[] => buildElasticField({ mask: small, handles: [[45, 60]], targets: [[80, 60]], ...(units ? { units } : {}) }).warnings;
    expect(long().join(' ')).toMatch(/the drag \(35 px\) is too long/);
    expect(long(quarter).join(' ')).toMatch(/the drag \(140 px\) is too long/);
  });

  test('the occlusion field: "the arrow ending at (x, y) lands N px short of its target"', () => {
    // Two arrows whose parts overlap at their targets (the arrows of the occlusion tests' seeded case 3) on a disc: an arrow lands short.
    const handles: Point[] = [[61.44538838416338, 122.29762994684279], [84.5170243177563, 97.40367289632559]];
    const targets: Point[] = [[85.56178382132202, 83.56117608491331], [89.2148848157376, 77.1855641854927]];
    const mask = solid(80, 100, 45, 200, 200);
    const shorts = (units?: typeof quarter): number[][] => buildOcclusionField({ mask, handles, targets, width: 1000, height: 1000, ...(units ? { units } : {}) }).warnings
      .map((w) => /^the arrow ending at \((-?\d+), (-?\d+)\) lands (\d+(?:\.\d+)?) px short of its target/.exec(w)).filter((m) => m !== null).map((m) => m!.slice(1).map(Number));
    const plain = shorts(), q = shorts(quarter);
    expect(plain.length).toBeGreaterThan(0);
    expect(q).toHaveLength(plain.length);
    plain.forEach(([x, y, miss], i) => {
      const [X, Y, M] = q[i]!;
      // (Said at document scale to the pixel and the tenth: a quarter of a pixel's rounding, four times over.)
      expect([Math.abs(X! - docX(x!)) <= 2.5, Math.abs(Y! - docX(y!)) <= 2.5, Math.abs(M! - 4 * miss!) <= 1]).toEqual([true, true, true]);
    });
  });

  test('the deform field: "deform falloff widened to R px", "two deform drags start at (x, y)"', () => {
    const input = { handles: [[100, 100]] as Point[], targets: [[120, 100]] as Point[], anchors: [[60, 100], [140, 100], [100, 60], [100, 140]] as Point[], farDistance: 40, innerRadius: 0, bounds: { left: 0, top: 0, width: 300, height: 300 } };
    expect(buildDeformField(input).warnings).toEqual(['deform falloff widened to 68 px to avoid folding']);
    const widened = buildDeformField({ ...input, units: quarter }).warnings;
    expect(widened).toHaveLength(1);
    expect(Number(/widened to (\d+) px/.exec(widened[0]!)![1])).toBeCloseTo(4 * 68, -1);
    const two = { ...input, handles: [[100.5, 100], [100.5, 100]] as Point[], targets: [[110, 100], [100.5, 110]] as Point[], farDistance: 80 };
    expect(buildDeformField(two).warnings).toContain('two deform drags start at (100.5, 100); their targets were averaged');
    expect(buildDeformField({ ...two, units: quarter }).warnings).toContain(`two deform drags start at (${Math.round(docX(100.5))}, ${Math.round(docX(100))}); their targets were averaged`);
  });
});
