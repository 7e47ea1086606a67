/**
 * The benchmark report: `report.json` schema (zod, so tests and consumers validate it), the
 * summary computed from per-sample records, and the `report.md` tables.
 *
 * Non-finite numbers (an infinite PSNR of identical images, a NaN DAI with no pairs) are written
 * as `null` in JSON.
 */
import { z } from 'zod';
import { DAI_RADII, type DaiByRadius } from './metrics';
import { mean, summarize, type Summary } from './stats';

/** Benchmark suites, in run order. */
export const BENCH_SUITES = ['dragbench', 'cases', 'synthetic'] as const;
export type BenchSuite = (typeof BENCH_SUITES)[number];

const num = z.number().nullable();
const daiSchema = z.object({ '1': num, '5': num, '10': num, '20': num });
const summarySchema = z.object({ count: z.number(), mean: num, median: num, p95: num, max: num });

/** One sample's record in `report.json`. */
export const SampleRecordSchema = z.object({
  id: z.string(),
  suite: z.enum(BENCH_SUITES),
  /** 1-based number of the sample's tile on its suite's contact sheet. */
  sheetNumber: z.number().int(),
  ok: z.boolean(),
  error: z.string().optional(),
  width: z.number().int(),
  height: z.number().int(),
  /** Handle/target pairs used for DAI (anchors excluded). */
  pairs: z.number().int(),
  /** DAI of the result per radius (GoodDrag, mean over pairs). */
  dai: daiSchema,
  /** DAI of the unedited input (result = input), the baseline. */
  daiUnedited: daiSchema,
  /** Changed pixels outside the allowed area (DragBench: outside the mask; cases: inside keep); null without a constraint. */
  changedOutsideMask: z.number().int().nullable(),
  /** Pixels of the visible document that changed at all. */
  changedPixels: z.number().int(),
  /** Core stage wall times (plan, warp, fill, blend, refine, layer, total) in ms, and `look`: the look measures (bench, not core). */
  ms: z.record(z.string(), z.number()),
  /** Wall time of the whole sample (load, edit, metrics, thumbnails) in ms. */
  sampleMs: z.number(),
  /** Operation kinds of the plan, in order. */
  planKinds: z.array(z.string()),
  /** The map each elastic drag of the plan built (`parts`, `band`, `group`, `turn`, `occlusion`), in order; empty when none is elastic (absent in older reports). */
  elasticMaps: z.array(z.string()).optional(),
  /**
   * Look measures (core/look.ts): synthesized share, smear, tear, seam (absent in reports written before it), stretch and their sum `badness`;
   * null when the engine returned no source map (e.g. `--server`).
   */
  look: z.object({ synthesized: z.number(), smear: num, smearedBlock: z.number(), tear: z.number(), stretch: z.number(), seam: z.number().optional(), badness: z.number() }).nullable(),
  /**
   * The bridge's own self-check of the same result (core/self-check.ts: the look measures as the
   * bridge computes them for the user, an edited crop over 0.25 MP on a box proxy); null for a
   * preview (the bridge checks finals only) or without a source map; absent from older reports.
   */
  check: z.object({ badness: z.number(), doubtful: z.boolean() }).nullable().optional(),
  /** Synthetic only: the true transform and PSNR (dB) / SSIM against ground truth. */
  transform: z.string().optional(),
  psnr: z.object({ crop: num, hole: num }).optional(),
  ssim: z.object({ crop: num, hole: num }).optional(),
});
export type SampleRecord = z.infer<typeof SampleRecordSchema>;

const syntheticGroupSchema = z.object({
  count: z.number().int(),
  psnrCrop: num, psnrHole: num, ssimCrop: num, ssimHole: num,
  /** Fraction of samples whose plan's first operation has the true transform kind. */
  kindAccuracy: num,
});

/** Per-suite aggregate. */
export const SuiteSummarySchema = z.object({
  count: z.number().int(),
  failed: z.number().int(),
  /** Mean DAI over samples, per radius. */
  dai: daiSchema,
  daiUnedited: daiSchema,
  /** mean DAI / mean unedited DAI per radius (lower is better; < 1 means the edit moved content toward targets). */
  daiRatio: daiSchema,
  changedOutsideMask: z.object({ total: z.number().int(), max: z.number().int(), samplesNonZero: z.number().int(), samplesChecked: z.number().int() }),
  stageMs: z.record(z.string(), summarySchema),
  /** Look measures over the samples that have them (core/look.ts); smear over samples with a synthesized block. */
  look: z.record(z.string(), summarySchema).optional(),
  byTransform: z.record(z.string(), syntheticGroupSchema).optional(),
});
export type SuiteSummary = z.infer<typeof SuiteSummarySchema>;

/** The whole `report.json`. */
export const BenchReportSchema = z.object({
  version: z.literal(1),
  command: z.string(),
  startedAt: z.string(),
  wallMs: z.number(),
  quality: z.enum(['preview', 'final']),
  /** `in-process` (runEdit here) or `server` (through a running bridge; timings then include transfer). */
  mode: z.enum(['in-process', 'server']),
  /** DragBench samples and photo cases resampled to this multiple of their size (`--scale`); absent at 1. */
  scale: z.number().positive().optional(),
  /** Present when the run was stopped early (Ctrl-C): samples done of those planned; the summary covers only those done. */
  interrupted: z.object({ done: z.number().int(), planned: z.number().int() }).optional(),
  data: z.string().nullable(),
  machine: z.object({ cpus: z.number().int(), cpuModel: z.string(), node: z.string(), platform: z.string() }),
  /** Commit the core was at, and whether the working tree had uncommitted changes; null outside git. */
  git: z.object({ commit: z.string(), dirty: z.boolean() }).nullable(),
  samples: z.array(SampleRecordSchema),
  summary: z.object({
    count: z.number().int(),
    failed: z.number().int(),
    suites: z.record(z.string(), SuiteSummarySchema),
    /** Stage times over every sample of every suite. */
    stageMs: z.record(z.string(), summarySchema),
    peakMemory: z.object({ rssBytes: z.number(), heapUsedBytes: z.number(), samples: z.number().int() }),
    /** The issue's goal on DragBench: mean DAI(r=10) ≤ 0.5 × unedited and no change outside the mask. */
    goal: z.object({ daiR10Ratio: num, daiGoalMet: z.boolean().nullable(), outsideMaskGoalMet: z.boolean().nullable() }),
    /** Sheet files written, relative to the output folder. */
    sheets: z.array(z.string()),
  }),
});
export type BenchReport = z.infer<typeof BenchReportSchema>;

function finiteOrNull(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

/** Replace non-finite numbers by null, recursively (what `report.json` stores). */
export function toJsonSafe<T>(value: T): T {
  return JSON.parse(JSON.stringify(value, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v))) as T;
}

/** NaN-free view of a DAI record for averaging. */
function daiValue(d: Record<string, number | null>, r: string): number {
  const v = d[r];
  return v === null || v === undefined ? NaN : v;
}

function stageSummaries(records: readonly SampleRecord[]): Record<string, Summary> {
  const stages = new Set<string>();
  for (const r of records) if (r.ok) for (const k of Object.keys(r.ms)) stages.add(k);
  const out: Record<string, Summary> = {};
  for (const s of [...stages].sort(stageOrder)) out[s] = summarize(records.filter((r) => r.ok && s in r.ms).map((r) => r.ms[s]!));
  return out;
}

const STAGE_ORDER = ['plan', 'warp', 'fill', 'blend', 'refine', 'layer', 'total'];
function stageOrder(a: string, b: string): number {
  const ia = STAGE_ORDER.indexOf(a), ib = STAGE_ORDER.indexOf(b);
  return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib) || a.localeCompare(b);
}

/** Look measures in report order. */
export const LOOK_KEYS = ['badness', 'synthesized', 'smear', 'smearedBlock', 'tear', 'stretch', 'seam'] as const;

/** Aggregate one suite's records. */
export function summarizeSuite(records: readonly SampleRecord[]): SuiteSummary {
  const ok = records.filter((r) => r.ok);
  const dai = {} as DaiByRadius, base = {} as DaiByRadius, ratio = {} as DaiByRadius;
  for (const r of DAI_RADII) {
    const k = String(r) as `${typeof r}`;
    dai[k] = mean(ok.map((s) => daiValue(s.dai, k)));
    base[k] = mean(ok.map((s) => daiValue(s.daiUnedited, k)));
    ratio[k] = dai[k] / base[k];
  }
  const checked = ok.filter((r) => r.changedOutsideMask !== null).map((r) => r.changedOutsideMask!);
  const summary: SuiteSummary = {
    count: records.length,
    failed: records.length - ok.length,
    dai, daiUnedited: base, daiRatio: ratio,
    changedOutsideMask: {
      total: checked.reduce((a, b) => a + b, 0),
      max: checked.length ? Math.max(...checked) : 0,
      samplesNonZero: checked.filter((c) => c > 0).length,
      samplesChecked: checked.length,
    },
    stageMs: stageSummaries(records),
  };
  const looks = ok.filter((r) => r.look).map((r) => r.look!);
  if (looks.length) {
    summary.look = {};
    for (const k of LOOK_KEYS) summary.look[k] = summarize(looks.map((l) => l[k] ?? NaN));
  }
  const synth = ok.filter((r) => r.transform !== undefined);
  if (synth.length) {
    const groups: Record<string, z.infer<typeof syntheticGroupSchema>> = {};
    for (const t of [...new Set(synth.map((r) => r.transform!))].sort()) {
      const g = synth.filter((r) => r.transform === t);
      const val = (f: (r: SampleRecord) => number | null | undefined): number => mean(g.map((r) => f(r) ?? NaN));
      groups[t] = {
        count: g.length,
        psnrCrop: val((r) => r.psnr?.crop), psnrHole: val((r) => r.psnr?.hole),
        ssimCrop: val((r) => r.ssim?.crop), ssimHole: val((r) => r.ssim?.hole),
        kindAccuracy: g.filter((r) => r.planKinds[0] === t).length / g.length,
      };
    }
    summary.byTransform = groups;
  }
  return summary;
}

/** Build the `summary` block from all records. */
export function buildSummary(
  records: readonly SampleRecord[],
  peak: { rssBytes: number; heapUsedBytes: number; samples: number },
  sheets: string[],
): BenchReport['summary'] {
  const suites: Record<string, SuiteSummary> = {};
  for (const s of BENCH_SUITES) {
    const rs = records.filter((r) => r.suite === s);
    if (rs.length) suites[s] = summarizeSuite(rs);
  }
  const db = suites.dragbench;
  const ratio = db?.daiRatio['10'] ?? NaN;
  return {
    count: records.length,
    failed: records.filter((r) => !r.ok).length,
    suites,
    stageMs: stageSummaries(records),
    peakMemory: peak,
    goal: {
      daiR10Ratio: finiteOrNull(ratio),
      daiGoalMet: db && Number.isFinite(ratio) ? ratio <= 0.5 : null,
      outsideMaskGoalMet: db ? db.changedOutsideMask.samplesNonZero === 0 && db.failed === 0 : null,
    },
    sheets,
  };
}

function f(x: number | null | undefined, digits = 4): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '–';
  return x.toFixed(digits);
}

function mb(bytes: number): string {
  return `${(bytes / 1048576).toFixed(0)} MiB`;
}

/** Which suites a scaled run resampled, in words: "DragBench at 2× its size", "photo cases at 4× their size". */
function scaledSuites(report: BenchReport): string {
  const names: string[] = [];
  if (report.samples.some((x) => x.suite === 'dragbench')) names.push('DragBench');
  if (report.samples.some((x) => x.suite === 'cases')) names.push('photo cases');
  return `${names.join(' and ')} at ${report.scale}× ${names.length === 1 && names[0] === 'DragBench' ? 'its' : 'their'} size`;
}

/** The human-readable `report.md`. */
export function renderMarkdown(report: BenchReport): string {
  const L: string[] = [];
  const s = report.summary;
  L.push('# SmartDrag benchmark report', '');
  if (report.interrupted) L.push(`**Interrupted: ${report.interrupted.done} of ${report.interrupted.planned} samples done.** The figures below cover those samples only.`, '');
  L.push(`- Command: \`${report.command}\``);
  L.push(`- Started: ${report.startedAt}; wall time ${(report.wallMs / 1000).toFixed(1)} s; quality \`${report.quality}\`; edits ${report.mode}${report.scale && report.scale !== 1 ? `; ${scaledSuites(report)}` : ''}`);
  L.push(`- Machine: ${report.machine.cpus} × ${report.machine.cpuModel}, Node ${report.machine.node}, ${report.machine.platform}`);
  L.push(`- Data: \`${report.data ?? '(none)'}\``);
  if (report.git) L.push(`- Code: commit ${report.git.commit.slice(0, 10)}${report.git.dirty ? ' with uncommitted changes' : ''}`);
  L.push(`- Samples: ${s.count} (${s.failed} failed); peak memory RSS ${mb(s.peakMemory.rssBytes)}, heap ${mb(s.peakMemory.heapUsedBytes)}`);
  if (s.goal.daiR10Ratio !== null || s.goal.outsideMaskGoalMet !== null) {
    L.push(`- Goal (DragBench): DAI(r=10) ratio ${f(s.goal.daiR10Ratio, 3)} (goal ≤ 0.5: ${s.goal.daiGoalMet ? 'met' : 'not met'}); changed outside mask = 0 on every sample: ${s.goal.outsideMaskGoalMet ? 'met' : 'not met'}`);
  }
  L.push('', 'DAI is GoodDrag\'s Drag Accuracy Index (ALGORITHMS.md §2.5): mean over pairs of the per-pixel summed squared RGB difference ([0,1] scale) between the patch of radius r at the handle in the input and at the target in the result. Lower is better; "unedited" is the same index with result = input.', '');
  L.push('## Quality per suite', '');
  L.push('| suite | n | failed | DAI r1 | r5 | r10 | r20 | unedited r1 | r5 | r10 | r20 | ratio r10 | outside-mask px (total / max / samples>0 of checked) |');
  L.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const [name, q] of Object.entries(s.suites)) {
    L.push(`| ${name} | ${q.count} | ${q.failed} | ${DAI_RADII.map((r) => f(q.dai[`${r}`])).join(' | ')} | ${DAI_RADII.map((r) => f(q.daiUnedited[`${r}`])).join(' | ')} | ${f(q.daiRatio['10'], 3)} | ${q.changedOutsideMask.total} / ${q.changedOutsideMask.max} / ${q.changedOutsideMask.samplesNonZero} of ${q.changedOutsideMask.samplesChecked} |`);
  }
  const lookSuites = Object.entries(s.suites).filter(([, q]) => q.look);
  if (lookSuites.length) {
    L.push('', '## Look measures per suite (core/look.ts)', '',
      'synthesized: share of the editable area made by the filler; smear: gradient of the synthesized block over an untouched ring (≈ 1 natural, ≪ 1 smeared; only samples with a block); smearedBlock: block share × |ln smear|; tear: unexplained cut length / √(editable area); seam: unexplained step where changed pixels meet untouched ones with no cut (the fill against its surroundings, content squeezed against the area’s edge) / √(editable area); stretch: largest local anisotropy of the displacement; badness: synthesized + smearedBlock + tear + seam + ln⁺(stretch/2). Agreement with a review by eye: `npx tsx bench/review-auc.ts --report report.json --review <verdicts.md>`.', '',
      '| suite | measure | n | mean | median | p95 | max |', '|---|---|---|---|---|---|---|');
    for (const [name, q] of lookSuites) {
      for (const k of LOOK_KEYS) {
        const v = q.look![k]!;
        L.push(`| ${name} | ${k} | ${v.count} | ${f(v.mean, 3)} | ${f(v.median, 3)} | ${f(v.p95, 3)} | ${f(v.max, 3)} |`);
      }
    }
  }
  const synth = s.suites.synthetic?.byTransform;
  if (synth) {
    L.push('', '## Synthetic ground truth per transform', '', '| transform | n | PSNR crop (dB) | PSNR hole (dB) | SSIM crop | SSIM hole | planner kind accuracy |', '|---|---|---|---|---|---|---|');
    for (const [t, g] of Object.entries(synth)) L.push(`| ${t} | ${g.count} | ${f(g.psnrCrop, 2)} | ${f(g.psnrHole, 2)} | ${f(g.ssimCrop, 3)} | ${f(g.ssimHole, 3)} | ${f(g.kindAccuracy, 2)} |`);
  }
  L.push('', '## Stage times (ms), all samples', '', '| stage | n | mean | median | p95 | max |', '|---|---|---|---|---|---|');
  for (const [st, v] of Object.entries(s.stageMs)) L.push(`| ${st} | ${v.count} | ${f(v.mean, 1)} | ${f(v.median, 1)} | ${f(v.p95, 1)} | ${f(v.max, 1)} |`);
  for (const [name, q] of Object.entries(s.suites)) {
    L.push('', `### Stage times (ms), ${name}`, '', '| stage | median | p95 |', '|---|---|---|');
    for (const [st, v] of Object.entries(q.stageMs)) L.push(`| ${st} | ${f(v.median, 1)} | ${f(v.p95, 1)} |`);
  }
  L.push('', '## Contact sheets', '');
  for (const sh of s.sheets) L.push(`- ![${sh}](${sh})`);
  L.push('', 'All samples with their measures, worst first: [gallery.html](gallery.html).');
  L.push('', '## Samples', '', '| # | suite | id | ok | pairs | DAI r10 | unedited r10 | outside-mask px | synthesized | smear | tear | seam | stretch | badness | plan kinds | total ms |', '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of report.samples) {
    const l = r.look;
    L.push(`| ${r.sheetNumber} | ${r.suite} | ${r.id} | ${r.ok ? 'yes' : `no: ${(r.error ?? '').replace(/\|/g, '/').slice(0, 80)}`} | ${r.pairs} | ${f(r.dai['10'])} | ${f(r.daiUnedited['10'])} | ${r.changedOutsideMask ?? '–'} | ${f(l?.synthesized, 3)} | ${f(l?.smear, 2)} | ${f(l?.tear, 3)} | ${f(l?.seam, 3)} | ${f(l?.stretch, 2)} | ${f(l?.badness, 3)} | ${r.planKinds.join(', ')} | ${f(r.ms.total, 0)} |`);
  }
  L.push('');
  return L.join('\n');
}
