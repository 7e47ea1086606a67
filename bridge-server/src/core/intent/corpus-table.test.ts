/**
 * Table test on corpus.json: edit instructions worded by public sources (see build-corpus.mjs for
 * each group's repository and file). Each row goes through the real planner as a text-only request
 * (one selection, no arrow) and must give exactly one operation of the expected kind with the
 * source's meaning turned into parameters by the source's own formulas (bounding box = max − min).
 * The held-out rows (fnv1a(text) % 3 === 0, fixed before the rules were written) are scored apart.
 */
import { maskBounds, rasterizePolygon } from '@smartdrag/shared/geometry';
import type { EditRequest, Operation, PlacedMask } from '../types';
import { makePlan } from '../plan/index';
import corpus from './corpus/corpus.json';
import { disc } from '../plan/test-shapes';

type Expect = { kind: string; [k: string]: unknown };
interface Row { text: string; expect: Expect; split: 'dev' | 'heldout' }

const W = 400, H = 300;
const MASK: PlacedMask = rasterizePolygon(disc(150, 140, 40));
function bbox(m: PlacedMask): { x0: number; y0: number; w: number; h: number } {
  const b = maskBounds(m, 128); // pixels with coverage ≥ 50 %, as editors measure (max − min)
  return { x0: b.left, y0: b.top, w: b.width - 1, h: b.height - 1 };
}
const B = bbox(MASK);

function req(intent: string): EditRequest {
  return { image: { width: W, height: H, data: new Uint8ClampedArray(W * H * 4) }, regions: [{ id: 'a', mask: MASK }], drags: [], intent, quality: 'preview' };
}

/** Why the plan does not match the row ('' when it does). */
function mismatch(ops: Operation[], e: Expect): string {
  if (ops.length !== 1) return `${ops.length} operations`;
  const op = ops[0]!, p = op.params as unknown as Record<string, number>;
  if (op.kind !== e.kind) return `kind ${op.kind}`;
  const near = (a: number, b: number, tol: number): boolean => Math.abs(a - b) <= tol;
  if (e.kind === 'translate') {
    let dx: number, dy: number;
    if ('corner' in e) {
      const [xw, yw] = String(e.corner).split('-') as [string, string];
      const nx = xw === 'left' ? 0 : xw === 'right' ? W - B.w : Math.floor((W - B.w) / 2);
      const ny = yw === 'up' ? 0 : yw === 'bottom' ? H - B.h : Math.floor((H - B.h) / 2);
      dx = nx - B.x0; dy = ny - B.y0;
    } else if ('imagePercentX' in e) { dx = (W * (e.imagePercentX as number)) / 100; dy = (-H * (e.imagePercentYUp as number)) / 100; }
    else if ('sign' in e) {
      const [sx, sy] = e.sign as [number, number];
      const okSign = (v: number, sg: number): boolean => (sg === 0 ? Math.abs(v) < 0.5 : Math.sign(v) === sg && Math.abs(v) >= 5);
      return okSign(p.dx!, sx) && okSign(p.dy!, sy) ? '' : `moves (${p.dx}, ${p.dy}), expected the direction (${sx}, ${sy})`;
    } else { dx = e.dx as number; dy = -(e.dyUp as number); }
    return near(p.dx!, dx, 1.5) && near(p.dy!, dy, 1.5) ? '' : `moves (${p.dx}, ${p.dy}), expected (${dx}, ${dy})`;
  }
  if (e.kind === 'rotate') {
    if ('sense' in e) return Math.sign(p.angleDeg!) === (e.sense === 'cw' ? 1 : -1) ? '' : `angle ${p.angleDeg}`;
    return near(p.angleDeg!, e.clockwiseDeg as number, 0.02) ? '' : `angle ${p.angleDeg}, expected ${e.clockwiseDeg}`;
  }
  let f: number;
  if ('factor' in e) f = e.factor as number;
  else if ('imagePercent' in e) f = ((W * (e.imagePercent as number)) / 100 / B.w + (H * (e.imagePercent as number)) / 100 / B.h) / 2;
  else if ('width' in e) f = (e.width as number) / B.w;
  else f = (e.height as number) / B.h;
  return near(p.sx!, f, 0.005) && near(p.sy!, f, 0.005) ? '' : `scale (${p.sx}, ${p.sy}), expected ${f.toFixed(4)}`;
}

const rows: Row[] = (corpus as { groups: { source: string; rows: Row[] }[] }).groups.flatMap((g) => g.rows);

async function score(split: Row['split']): Promise<{ n: number; ok: number; misses: string[] }> {
  const misses: string[] = [];
  let ok = 0;
  const sel = rows.filter((r) => r.split === split);
  for (const r of sel) {
    let why: string;
    try { why = mismatch((await makePlan(req(r.text))).operations, r.expect); } catch (e) { why = `error: ${(e as Error).message}`; }
    if (why) misses.push(`${r.text} → ${why}`); else ok++;
  }
  return { n: sel.length, ok, misses };
}

describe('intent corpus from public sources (text alone, one selection)', () => {
  it('has at least 300 rows, a third held out', () => {
    expect(rows.length).toBeGreaterThanOrEqual(300);
    const held = rows.filter((r) => r.split === 'heldout').length;
    expect(held / rows.length).toBeGreaterThan(0.25);
  });
  for (const split of ['dev', 'heldout'] as const) {
    it(`${split}: at least 95 % exact`, async () => {
      const s = await score(split);
      // eslint-disable-next-line no-console
      console.log(`${split}: ${s.ok}/${s.n} exact (${((100 * s.ok) / s.n).toFixed(1)} %)${s.misses.length ? '\n  ' + s.misses.slice(0, 40).join('\n  ') : ''}`);
      expect(s.ok / s.n).toBeGreaterThanOrEqual(0.95);
    });
  }
});
