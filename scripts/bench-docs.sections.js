// The sections of docs/BENCHMARKS.md, in page order (see scripts/bench-docs.js).
// `argv` is run from the repository root; `shown` is the command as a person types it.
'use strict';
const path = require('node:path');

module.exports = function sections({ DATA, OUT }) {
  const data = DATA ? ['--data', DATA] : [];
  const q = path.join(OUT, 'quality');
  // The verdicts by eye: the latest review (docs/benchmarks/review.md) when there is one, else the baseline's.
  const root = path.resolve(__dirname, '..');
  const review = require('node:fs').existsSync(path.join(root, 'docs/benchmarks/review.md')) ? 'docs/benchmarks/review.md' : 'docs/benchmarks/review-baseline.md';
  return [
    {
      id: 'quality',
      title: 'Quality: DragBench, real-photo cases, synthetic ground truth',
      intro: 'The real core on half of DragBench, the 25 annotated real-photo cases and seeded synthetic ground truth (final quality). DAI = GoodDrag\'s Drag Accuracy Index (lower is better); the contact sheets in the out folder are what to look at (docs/benchmarks/review.md holds the verdicts by eye).',
      argv: ['node', 'bridge-server/bin/smartdrag.js', 'bench', '--suite', 'all', ...data, '--out', q],
      shown: 'npx smartdrag bench --suite all --data ../shared/data --out /tmp/bench',
      report: path.join(q, 'report.md'),
      needsData: false,
    },
    {
      id: 'review',
      title: 'Look measures against the review by eye',
      intro: 'ROC AUC of each look measure (synthesized, smear, tear, stretch, badness; bridge-server/src/bench/look.ts) and of DAI against the kept/rejected verdicts of the review by eye, on the quality run above. The verdicts belong to the code they were written for (their file names the commit): rerun after a review of the current code. Definitions and how they were chosen: docs/benchmarks/review-auc.md.',
      argv: ['npx', 'tsx', 'bench/review-auc.ts', '--report', path.join(q, 'report.json'), '--review', review, '--by-kind'],
      shown: `npx tsx bench/review-auc.ts --report /tmp/bench/report.json --review ${review} --by-kind`,
      needsData: true,
    },
    {
      id: 'speed',
      title: 'Whole edit, end to end (speed suite)',
      intro: 'Median milliseconds per stage of whole edits, in-process, region ~15% of the document at 1, 4, 16 and 36 MP, previews also on a ≤ 1 MP proxy (path proxy), plus a photo case at 6000×4000; rows with path bridge go host → loopback bridge → layer back; peak RSS of the bench process.',
      argv: ['node', 'bridge-server/bin/smartdrag.js', 'bench', '--suite', 'speed', '--bridge'],
      shown: 'npx smartdrag bench --suite speed --bridge',
    },
    {
      id: 'plan',
      title: 'Planner: kind inference on the real-photo cases',
      intro: 'Operation kinds read from the arrows (and intent) with the annotated kinds hidden.',
      argv: ['npx', 'tsx', 'bench/plan-bench.ts'],
      shown: 'npx tsx bench/plan-bench.ts',
    },
    {
      id: 'fill',
      title: 'Fill quality and speed',
      intro: 'Synthetic scenes with known truth: PSNR/SSIM inside the hole, and fill times.',
      argv: ['npx', 'tsx', 'bench/fill-bench.ts', '--size', '1024', '--runs', '3', '--quality-size', '256'],
      shown: 'npx tsx bench/fill-bench.ts --size 1024 --runs 3 --quality-size 256',
    },
    {
      id: 'multires-fill',
      title: 'Multi-resolution fill against a full-resolution fill',
      intro: 'Synthetic scenes with known truth at 1, 4 and 16 MP: the production fill (full EM on a working level of at most 12000 hole pixels, finer levels light) against the same filler forced to full EM at full resolution. The issue asks that the full-resolution fill be at most 0.02 SSIM better in the hole.',
      argv: ['npx', 'tsx', 'bench/multires-fill-bench.ts', '--sizes', '1024,2048,4096'],
      shown: 'npx tsx bench/multires-fill-bench.ts --sizes 1024,2048,4096',
    },
    {
      id: 'load',
      title: 'Bridge under load',
      intro: '50 concurrent WebSocket clients on loopback; every result checked against its own request.',
      argv: ['npx', 'tsx', 'bench/load-bench.ts', '--clients', '50', '--jobs', '4', '--size', '96', '--workers', '2'],
      shown: 'npx tsx bench/load-bench.ts --clients 50 --jobs 4 --size 96 --workers 2',
    },
  ];
};
