/**
 * Leave-one-photo-out validation of the geometric kind inference (issue #13: "no thresholds
 * fitted on all of them at once"). For each of the bundled photos, the three thresholds of the
 * kind scores (core offset, part length, part offset; core/plan/infer.ts) are refitted by grid
 * search on the cases of the OTHER photos only (the middle of the best-scoring region of the grid), and the held-out photo's drags are scored with
 * them. The accuracy over all held-out drags must reach 90%; the table (photo, fitted
 * thresholds, held-out hits) is printed when the test runs with SMARTDRAG_PRINT_TABLE=1.
 */
import * as fs from 'fs';
import * as path from 'path';
import { caseToRequest, parseDragCase, type DragCase } from '../case';
import { createImage } from '../image';
import { dragFeatures, type DragFeatures } from './drag-features';
import { makePlan } from './index';
import { DEFAULT_INFER_PARAMS, type InferParams, scoreKinds } from './infer';
import { describeRegion } from './region-shape';

const CASES = path.join(__dirname, '../../../../test/fixtures/cases');
const cases: DragCase[] = fs.readdirSync(CASES).filter((f) => f.endsWith('.json')).sort()
  .map((f) => parseDragCase(JSON.parse(fs.readFileSync(path.join(CASES, f), 'utf8'))));

interface Sample { photo: string; id: string; features: DragFeatures; kind: string; planned: string }

async function samples(): Promise<Sample[]> {
  const out: Sample[] = [];
  for (const c of cases) {
    const req = caseToRequest(c, createImage(c.size[0], c.size[1]), { hideKinds: true, quality: 'preview' });
    const plan = await makePlan(req, { useIntent: false });
    req.drags.forEach((d, i) => {
      const region = req.regions.find((r) => r.id === d.region)!;
      out.push({
        photo: c.image, id: `${c.id}#${i}`, features: dragFeatures(d, describeRegion(region.id, region.mask)), kind: c.drags[i]!.kind ?? 'auto',
        planned: plan.operations.find((o) => o.region === d.region)?.kind ?? 'none',
      });
    });
  }
  return out;
}

const best = (f: DragFeatures, p: InferParams): string => scoreKinds(f, p)[0]!.kind;
const GRID: InferParams[] = [];
for (const coreOffset of [0.6, 0.8, 1.0, 1.2, 1.4])
  for (const partLengthRel of [0.5, 0.625, 0.75, 0.875, 1.0])
    for (const partOffset of [0.2, 0.3, 0.4, 0.5, 0.6]) GRID.push({ coreOffset, partLengthRel, partOffset });

/**
 * The thresholds with the most hits on `train`: among the tied grid points, the median of each
 * threshold (the middle of the best region, independent of the shipped defaults).
 */
function fit(train: readonly Sample[]): InferParams {
  const hits = GRID.map((p) => train.filter((s) => best(s.features, p) === s.kind).length);
  const top = Math.max(...hits);
  const tied = GRID.filter((_p, i) => hits[i] === top);
  const median = (xs: number[]): number => xs.sort((a, b) => a - b)[(xs.length - 1) >> 1]!;
  return { coreOffset: median(tied.map((p) => p.coreOffset)), partLengthRel: median(tied.map((p) => p.partLengthRel)), partOffset: median(tied.map((p) => p.partOffset)) };
}

describe('kind inference, leave one photo out', () => {
  let all: Sample[] = [];
  beforeAll(async () => { all = await samples(); });

  test('the best-scoring kind per drag is what the planner reads (so refitting the scores refits the planner)', () => {
    expect(all.length).toBeGreaterThanOrEqual(25);
    const differ = all.filter((s) => best(s.features, DEFAULT_INFER_PARAMS) !== s.planned).map((s) => s.id);
    expect(differ).toEqual([]);
  });

  test('thresholds fitted without a photo give the annotated kind on that photo (≥ 90% of all held-out drags)', () => {
    const photos = [...new Set(all.map((s) => s.photo))].sort();
    expect(photos.length).toBeGreaterThanOrEqual(8);
    const rows: string[] = [];
    let hits = 0;
    for (const photo of photos) {
      const p = fit(all.filter((s) => s.photo !== photo));
      const test = all.filter((s) => s.photo === photo);
      const ok = test.filter((s) => best(s.features, p) === s.kind);
      hits += ok.length;
      rows.push(`| ${photo} | ${p.coreOffset} | ${p.partLengthRel} | ${p.partOffset} | ${ok.length}/${test.length} | ${test.filter((s) => !ok.includes(s)).map((s) => `${s.id} ${s.kind}→${best(s.features, p)}`).join(', ')} |`);
    }
    if (process.env.SMARTDRAG_PRINT_TABLE) {
      process.stdout.write(`| held-out photo | core offset | part length | part offset | held-out hits | misses |\n|---|---|---|---|---|---|\n${rows.join('\n')}\n| all | | | | ${hits}/${all.length} | |\n`);
    }
    expect(hits / all.length).toBeGreaterThanOrEqual(0.9);
  });

  test('the grid can fail: thresholds chosen to miss (every handle in the core) read most part drags wrong', () => {
    const skewed: InferParams = { coreOffset: 5, partLengthRel: 0.05, partOffset: 5 };
    const hits = all.filter((s) => best(s.features, skewed) === s.kind).length;
    expect(hits / all.length).toBeLessThan(0.9);
  });
});
