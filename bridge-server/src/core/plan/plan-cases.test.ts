/**
 * Type inference on the 25 bundled real-photo cases with every drag's `kind` hidden:
 * geometry alone (centres as the case gives them, and with centres removed too), and
 * intent + arrows. Expected kinds come from the case files; expected magnitudes from the
 * cases README's definitions, recomputed here independently.
 */
import * as fs from 'fs';
import * as path from 'path';
import { caseToRequest, parseDragCase, type DragCase } from '../case';
import { createImage } from '../image';
import type { EditRequest, Plan } from '../types';
import { makePlan } from './index';

const CASES = path.join(__dirname, '../../../../test/fixtures/cases');
const cases: DragCase[] = fs
  .readdirSync(CASES)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => parseDragCase(JSON.parse(fs.readFileSync(path.join(CASES, f), 'utf8'))));

function request(c: DragCase, opts: { stripCenters?: boolean } = {}): EditRequest {
  const req = caseToRequest(c, createImage(c.size[0], c.size[1]), { hideKinds: true, quality: 'preview' });
  if (opts.stripCenters) for (const d of req.drags) delete d.center;
  return req;
}

/** Kind planned for each drag of a case (operations are per region). */
function kindsOf(c: DragCase, plan: Plan): string[] {
  return c.drags.map((d) => plan.operations.find((o) => o.region === d.region)?.kind ?? 'none');
}

async function accuracy(mode: 'geometry' | 'geometry-no-centre' | 'intent'): Promise<{ ok: number; n: number; misses: string[] }> {
  let ok = 0, n = 0;
  const misses: string[] = [];
  for (const c of cases) {
    const plan = await makePlan(request(c, { stripCenters: mode === 'geometry-no-centre' }), { useIntent: mode === 'intent' });
    kindsOf(c, plan).forEach((k, i) => {
      n++;
      if (k === c.drags[i]!.kind) ok++;
      else misses.push(`${c.id}#${i}: ${c.drags[i]!.kind} -> ${k}`);
    });
  }
  return { ok, n, misses };
}

describe('type inference on the bundled cases (kinds hidden)', () => {
  it('has the 25 cases, each drag with a kind to hide', () => {
    expect(cases).toHaveLength(25);
    expect(cases.every((c) => c.drags.every((d) => d.kind && d.kind !== 'auto'))).toBe(true);
    expect(request(cases[0]!).drags.every((d) => d.kind === 'auto')).toBe(true);
  });

  it('geometry alone (no intent) infers every drag kind', async () => {
    const r = await accuracy('geometry');
    expect(r.misses).toEqual([]);
    expect(r.n).toBe(30);
  });

  it('geometry alone still infers every kind when the cases lose their centres', async () => {
    const r = await accuracy('geometry-no-centre');
    expect(r.misses).toEqual([]);
  });

  it('intent + arrows gives the case kind for every drag (>= 95% required)', async () => {
    const r = await accuracy('intent');
    expect(r.ok / r.n).toBeGreaterThanOrEqual(0.95);
    expect(r.misses).toEqual([]);
  });

  it('geometry-only operations record source, description and reason', async () => {
    for (const c of cases) {
      const plan = await makePlan(request(c), { useIntent: false });
      for (const op of plan.operations) {
        expect(op.source).toBe('geometry');
        expect(op.description).toContain(`region ${op.region}`);
        expect(op.reason).toMatch(/^geometry: /);
      }
    }
  });

  it('magnitudes follow the README definitions (swept angle, radius ratio, target - handle)', async () => {
    for (const c of cases) {
      const plan = await makePlan(request(c), { useIntent: false });
      c.drags.forEach((d) => {
        const op = plan.operations.find((o) => o.region === d.region)!;
        const p = d.points, h = p[0]!, t = p[p.length - 1]!;
        if (op.params.kind === 'translate' && c.drags.filter((x) => x.region === d.region).length === 1) {
          expect(op.params.dx).toBeCloseTo(t[0] - h[0], 6);
          expect(op.params.dy).toBeCloseTo(t[1] - h[1], 6);
        } else if (op.params.kind === 'rotate') {
          const ctr = d.center!;
          let sum = 0;
          for (let i = 1; i < p.length; i++) {
            let a = Math.atan2(p[i]![1] - ctr[1], p[i]![0] - ctr[0]) - Math.atan2(p[i - 1]![1] - ctr[1], p[i - 1]![0] - ctr[0]);
            if (a > Math.PI) a -= 2 * Math.PI;
            if (a < -Math.PI) a += 2 * Math.PI;
            sum += (a * 180) / Math.PI;
          }
          expect(op.params.angleDeg).toBeCloseTo(sum, 1);
          expect(op.params.center).toEqual(ctr);
        } else if (op.params.kind === 'scale') {
          const ctr = d.center!;
          const f = Math.hypot(t[0] - ctr[0], t[1] - ctr[1]) / Math.hypot(h[0] - ctr[0], h[1] - ctr[1]);
          expect(op.params.sx).toBeCloseTo(f, 3);
          expect(op.params.sy).toBeCloseTo(f, 3);
        } else if (op.params.kind === 'deform') {
          expect(op.params.handles).toContainEqual(h);
          expect(op.params.targets).toContainEqual(t);
        }
      });
    }
  });

  it('the pencil case reads as the README example: 25° clockwise about (197,173)', async () => {
    const c = cases.find((x) => x.id === 'stuff-rotate-pencil')!;
    const plan = await makePlan(request(c));
    expect(plan.operations).toHaveLength(1);
    expect(plan.operations[0]!.description).toBe('Rotate region h1 by 25° clockwise about (197,173)');
    expect(plan.operations[0]!.source).toBe('intent');
    expect(plan.warnings).toEqual([]);
  });

  it('intent plans carry no text/arrow disagreement warnings on the real cases', async () => {
    for (const c of cases) {
      const plan = await makePlan(request(c));
      expect(plan.warnings.filter((w) => /disagree|other way/.test(w))).toEqual([]);
    }
  });
});
