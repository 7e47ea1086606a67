/**
 * The self-check at the size of the photos users open: the DragBench samples enlarged `--scale`×
 * (as `smartdrag bench --scale` does; one table per scale), each final measured three ways — as it is (the whole crop),
 * on the box proxy the bridge uses (core/self-check.ts, at most SELF_CHECK_PROXY_PIXELS) and on a
 * 1 MP proxy — and each set of badness values set against the review's verdicts: ROC AUC, how many
 * results are flagged (badness ≥ DOUBTFUL_BADNESS) and how many of those were rejected, and the
 * check's milliseconds. One rigid sample of one region is also read from its backward map instead
 * of its source map (they must agree).
 *
 * Dev-only script:
 *   npx tsx bench/self-check-scale.ts [--scale 2,4] [--data ../shared/data] [--review docs/benchmarks/review.md]
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { dragBenchToRequest, listDragBench, loadDragBenchSample, scaleDragBenchSample } from '../bridge-server/src/bench/dragbench';
import { quantile } from '../bridge-server/src/bench/stats';
import { rigidBackward, runEdit } from '../bridge-server/src/core/edit';
import { DOUBTFUL_BADNESS, selfCheck, SELF_CHECK_PROXY_PIXELS } from '../bridge-server/src/core/self-check';
import { parseVerdicts, rocAuc } from './review-auc';
import { arg } from './args';

async function main(): Promise<void> {
  const scales = arg('scale', '2,4').split(',').map(Number);
  if (scales.some((s) => !(s > 0))) throw new RangeError('--scale takes positive numbers, e.g. 2,4');
  for (const scale of scales) await table(scale);
}

async function table(scale: number): Promise<void> {
  const root = path.join(arg('data', '../shared/data'), 'dragbench');
  const verdicts = new Map(parseVerdicts(readFileSync(arg('review', 'docs/benchmarks/review.md'), 'utf8')).map((v) => [v.id, v.kept]));
  const ways = [
    { name: 'whole crop', max: Infinity },
    { name: `bridge proxy (≤ ${SELF_CHECK_PROXY_PIXELS / 1e6} MP)`, max: SELF_CHECK_PROXY_PIXELS },
    { name: 'proxy ≤ 1 MP', max: 1e6 },
  ];
  const rows: { kept: boolean; crop: number; b: number[]; ms: number[] }[] = [];
  let backwardDiff = 0, backwardN = 0;
  for (const id of await listDragBench(root)) {
    const kept = verdicts.get(`dragbench/${id}`) ?? verdicts.get(id);
    if (kept === undefined) continue;
    const sample = await scaleDragBenchSample(await loadDragBenchSample(root, id), scale);
    const { request } = dragBenchToRequest(sample, { quality: 'final', seed: 1 });
    const res = await runEdit(request, { withSourceMap: true });
    const checks = ways.map((w) => selfCheck(request, res, w.max)!);
    const B = rigidBackward(res.plan);
    if (B) {
      const viaBackward = selfCheck(request, { ...res, sourceMap: undefined, movedBackward: B })!;
      backwardDiff = Math.max(backwardDiff, Math.abs(viaBackward.badness - checks[1]!.badness));
      backwardN++;
    }
    rows.push({ kept, crop: res.crop.width * res.crop.height, b: checks.map((c) => c.badness), ms: checks.map((c) => c.ms) });
    process.stderr.write(`${rows.length} ${id}\n`);
  }
  const crops = rows.map((r) => r.crop);
  console.log(`DragBench at ${scale}× (${rows.length} samples with a verdict; edited crop median ${(quantile(crops, 0.5) / 1e6).toFixed(2)} MP, max ${(Math.max(...crops) / 1e6).toFixed(2)} MP), final quality:\n`);
  console.log('| measured on | ROC AUC | flagged | rejected among them (of all rejected) | check ms median | max |');
  console.log('|---|---:|---:|---:|---:|---:|');
  const rejected = rows.filter((r) => !r.kept).length;
  ways.forEach((w, i) => {
    const bad = rows.filter((r) => !r.kept).map((r) => r.b[i]!), good = rows.filter((r) => r.kept).map((r) => r.b[i]!);
    const flagged = rows.filter((r) => r.b[i]! >= DOUBTFUL_BADNESS), flaggedRejected = flagged.filter((r) => !r.kept).length;
    const ms = rows.map((r) => r.ms[i]!);
    console.log(`| ${w.name} | ${rocAuc(bad, good).toFixed(3)} | ${flagged.length} | ${flaggedRejected} (of ${rejected}) | ${quantile(ms, 0.5).toFixed(0)} | ${Math.max(...ms).toFixed(0)} |`);
  });
  console.log(`\nRigid plans of one region read from their backward map instead of the source map: ${backwardN} samples, largest badness difference ${backwardDiff.toExponential(1)}.\n`);
}

main().catch((e: unknown) => { console.error(e); process.exit(1); });
