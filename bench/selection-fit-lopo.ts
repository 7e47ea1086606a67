/**
 * Leave-one-photo-out choice of the selection-fit reading (core/plan/selection-fit.ts: is a
 * selection the object's outline — tight — or an area drawn around it — loose?). Every region of
 * the photo cases (tight polygons) and of DragBench (loose editable areas) is measured at 1× and
 * at the `--scales` enlargements, its edge ratio read at offset scales 0.75–2 (× side / 512). For
 * each held-out photo the rule — which offset scales to average (geometric mean) and the threshold —
 * is chosen on the OTHER photos only (a DragBench area read tight costs 2: the whole area then
 * moves as one piece; a polygon read loose costs 1), and the held-out photo's regions are read
 * with it. Printed: the rules chosen, the held-out misreads, and the shipped and previous rules
 * (previous: one offset scale, max(1, side / 640)) on every region.
 *
 * Dev-only script:
 *   npx tsx bench/selection-fit-lopo.ts [--data ../shared/data] [--scales 1,4]
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { caseToRequest, parseDragCase } from '../bridge-server/src/core/case';
import { scaleCase } from '../bridge-server/src/bench/runner';
import { dragBenchToRequest, listDragBench, loadDragBenchSample, scaleDragBenchSample } from '../bridge-server/src/bench/dragbench';
import { readImage } from '../bridge-server/src/io/image-io';
import { FIT_REFERENCE_SIDE, selectionFit, TIGHT_EDGE_RATIO } from '../bridge-server/src/core/plan/selection-fit';
import type { PlacedMask, RgbaImage } from '../bridge-server/src/core/types';
import { arg } from './args';

const RELS = [0.75, 1, 1.25, 1.5, 2];
const THRESHOLDS = [1.2, 1.25, 1.3, 1.33, 1.35, 1.4, 1.45];

interface Row { suite: 'cases' | 'dragbench'; photo: string; id: string; region: number; scale: number; logs: number[]; shipped: boolean; previous: boolean }
interface Rule { rels: number[]; threshold: number }

function measure(suite: Row['suite'], photo: string, id: string, scale: number, image: RgbaImage, masks: PlacedMask[]): Row[] {
  const side = Math.sqrt(image.width * image.height);
  return masks.map((mask, region) => ({
    suite, photo, id, region, scale,
    logs: RELS.map((rel) => Math.log(selectionFit(image, mask, side, undefined, [rel]).edgeRatio)),
    shipped: selectionFit(image, mask).tight,
    previous: selectionFit(image, mask, FIT_REFERENCE_SIDE * Math.max(1, side / 640), undefined, [1]).tight,
  }));
}

const tight = (r: Row, rule: Rule): boolean =>
  Math.exp(rule.rels.reduce((s, rel) => s + r.logs[RELS.indexOf(rel)]!, 0) / rule.rels.length) >= rule.threshold;
const cost = (rows: readonly Row[], rule: Rule): number =>
  rows.reduce((s, r) => s + (r.suite === 'dragbench' ? (tight(r, rule) ? 2 : 0) : (tight(r, rule) ? 0 : 1)), 0);

function subsets(): number[][] {
  const out: number[][] = [];
  for (let m = 1; m < 1 << RELS.length; m++) {
    const s = RELS.filter((_r, i) => m & (1 << i));
    if (s.length <= 4) out.push(s);
  }
  return out.sort((a, b) => a.length - b.length);
}

async function main(): Promise<void> {
  const data = arg('data', '../shared/data');
  const scales = arg('scales', '1,4').split(',').map(Number);
  if (scales.some((s) => !(s > 0))) throw new RangeError('--scales takes positive numbers, e.g. 1,4');
  const rows: Row[] = [];
  const caseDir = path.join(data, 'cases');
  for (const file of (await fs.readdir(caseDir)).filter((f) => f.endsWith('.json')).sort()) {
    const c0 = parseDragCase(JSON.parse(await fs.readFile(path.join(caseDir, file), 'utf8')));
    const photo = await readImage(path.join(data, c0.image));
    for (const s of scales) {
      const { c, image } = await scaleCase(c0, photo, s);
      const req = caseToRequest(c, image, { quality: 'final', seed: 1 });
      rows.push(...measure('cases', c0.image, c0.id, s, req.image, req.regions.map((r) => r.mask)));
    }
  }
  const root = path.join(data, 'dragbench');
  for (const id of await listDragBench(root)) {
    const base = await loadDragBenchSample(root, id);
    for (const s of scales) {
      const smp = s === 1 ? base : await scaleDragBenchSample(base, s);
      const { request } = dragBenchToRequest(smp, { quality: 'final', seed: 1, pxScale: s });
      rows.push(...measure('dragbench', id, id, s, request.image, request.regions.map((r) => r.mask)));
    }
  }
  const rules: Rule[] = subsets().flatMap((rels) => THRESHOLDS.map((threshold) => ({ rels, threshold })));
  const name = (r: Rule): string => `mean of ×${r.rels.join(', ×')} ≥ ${r.threshold}`;
  const chosen = new Map<string, number>();
  const misreads: string[] = [];
  const heldOut = new Map<string, { n: number; wrong: number }>();
  for (const photo of [...new Set(rows.map((r) => r.photo))]) {
    const train = rows.filter((r) => r.photo !== photo);
    let best = rules[0]!, bestCost = Infinity;
    for (const rule of rules) { const k = cost(train, rule); if (k < bestCost) { best = rule; bestCost = k; } }
    chosen.set(name(best), (chosen.get(name(best)) ?? 0) + 1);
    for (const r of rows.filter((x) => x.photo === photo)) {
      const key = `${r.suite} ${r.scale}×`, t = tight(r, best), wrong = r.suite === 'dragbench' ? t : !t;
      const h = heldOut.get(key) ?? { n: 0, wrong: 0 }; h.n++; if (wrong) h.wrong++; heldOut.set(key, h);
      if (wrong) misreads.push(`${r.id} region ${r.region} at ${r.scale}× read ${t ? 'tight' : 'loose'} (rule ${name(best)})`);
    }
  }
  const count = (pick: (r: Row) => boolean, suite: Row['suite'], scale: number): string => {
    const rs = rows.filter((r) => r.suite === suite && r.scale === scale);
    return `${rs.filter((r) => (suite === 'dragbench' ? pick(r) : !pick(r))).length} / ${rs.length}`;
  };
  console.log(`## Selection fit, leave one photo out (scales ${scales.join(', ')}×)\n`);
  console.log(`Rules chosen over ${[...new Set(rows.map((r) => r.photo))].length} folds: ${[...chosen].map(([k, v]) => `${k} (${v})`).join('; ')}.\n`);
  console.log('| regions | held out: misread | shipped rule (×1 and ×2, ≥ ' + TIGHT_EDGE_RATIO + '): misread | previous rule (×1 from 640 px, ≥ 1.33): misread |');
  console.log('|---|---|---|---|');
  for (const suite of ['cases', 'dragbench'] as const) for (const s of scales) {
    const h = heldOut.get(`${suite} ${s}×`)!;
    console.log(`| ${suite === 'cases' ? 'photo-case polygons read loose' : 'DragBench areas read tight'}, ${s}× | ${h.wrong} / ${h.n} | ${count((r) => r.shipped, suite, s)} | ${count((r) => r.previous, suite, s)} |`);
  }
  const flips = (pick: (r: Row) => boolean): number => {
    const at = (r: Row, s: number): Row | undefined => rows.find((x) => x.id === r.id && x.region === r.region && x.scale === s);
    return rows.filter((r) => r.scale === scales[0] && scales.slice(1).some((s) => { const o = at(r, s); return o && pick(o) !== pick(r); })).length;
  };
  console.log(`\nRegions whose reading differs between ${scales.join('× and ')}×: shipped ${flips((r) => r.shipped)}, previous ${flips((r) => r.previous)} (of ${rows.filter((r) => r.scale === scales[0]).length}).\n`);
  console.log(misreads.length ? `Held-out misreads:\n${misreads.map((m) => `- ${m}`).join('\n')}` : 'No held-out misreads.');
}

main().catch((e: unknown) => { console.error(e); process.exitCode = 1; });
