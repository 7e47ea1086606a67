/**
 * How well the bench measures agree with a review by eye: ROC AUC of each measure against the
 * kept/rejected verdicts (../shared/docs/REVIEW.md). AUC = probability that a rejected sample
 * scores worse than a kept one (ties count half): 1 separates perfectly, 0.5 is chance.
 *
 * Dev-only script:
 *   npx tsx bench/review-auc.ts --report <report.json> [--report <more.json>] \
 *     --review docs/benchmarks/review-baseline.md [--suite dragbench] [--by-kind]
 *
 * The verdict file holds one line per sample, `id | kept/rejected | reason` (anything else, such
 * as headings and code fences, is ignored); ids are those of report.json.
 */
import { readFileSync } from 'node:fs';
import { BenchReportSchema, type SampleRecord } from '../bridge-server/src/bench/report';
import { quantile } from '../bridge-server/src/bench/stats';
import { DOUBTFUL_BADNESS } from '../bridge-server/src/core/self-check';

/** One verdict line. */
export interface Verdict {
  id: string;
  kept: boolean;
  reason: string;
}

/** Parse `id | kept/rejected | reason` lines; other lines are ignored. Throws on a duplicate id. */
export function parseVerdicts(text: string): Verdict[] {
  const out: Verdict[] = [];
  const seen = new Set<string>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim().replace(/^[-*]\s+/, '').replace(/^\|/, '').replace(/\|$/, '');
    const parts = line.split('|').map((s) => s.trim());
    if (parts.length < 2) continue;
    const v = parts[1]!.toLowerCase();
    if (v !== 'kept' && v !== 'rejected') continue;
    const id = parts[0]!.replace(/^`|`$/g, '');
    if (seen.has(id)) throw new RangeError(`verdict for ${id} given twice`);
    seen.add(id);
    out.push({ id, kept: v === 'kept', reason: parts.slice(2).join(' | ').trim() });
  }
  return out;
}

/**
 * ROC AUC of `score` (higher = worse) for separating `bad` from `good`: the Mann-Whitney
 * statistic, ties counted half. NaN when either side is empty.
 */
export function rocAuc(bad: readonly number[], good: readonly number[]): number {
  if (bad.length === 0 || good.length === 0) return NaN;
  const all = [...bad.map((v) => ({ v, b: 1 })), ...good.map((v) => ({ v, b: 0 }))].sort((a, b) => a.v - b.v);
  // Mid-ranks over tie groups.
  let rankSumBad = 0;
  for (let i = 0; i < all.length;) {
    let j = i;
    while (j + 1 < all.length && all[j + 1]!.v === all[i]!.v) j++;
    const mid = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (all[k]!.b) rankSumBad += mid;
    i = j + 1;
  }
  return (rankSumBad - (bad.length * (bad.length + 1)) / 2) / (bad.length * good.length);
}

/** A measure read off a sample record, oriented so that higher = worse; NaN when missing. */
export interface MeasureDef {
  name: string;
  describe: string;
  score(r: SampleRecord): number;
}

const lookOr = (r: SampleRecord, f: (l: NonNullable<SampleRecord['look']>) => number): number => (r.look ? f(r.look) : NaN);

/** The measures compared, each oriented higher = worse. */
export const MEASURES: readonly MeasureDef[] = [
  { name: 'synthesized', describe: 'share of the editable area synthesized by the filler', score: (r) => lookOr(r, (l) => l.synthesized) },
  { name: 'smear (low = worse)', describe: '−smear: gradient ratio of the synthesized block to its untouched ring; no block counts as 1 (natural)', score: (r) => lookOr(r, (l) => -(l.smear ?? 1)) },
  { name: '|ln smear|', describe: 'distance of smear from 1 either way (smeared or noisy); no block = 0', score: (r) => lookOr(r, (l) => (l.smear === null ? 0 : Math.abs(Math.log(l.smear)))) },
  { name: 'smearedBlock', describe: 'share of the editable area in the synthesized block × |ln smear|', score: (r) => lookOr(r, (l) => l.smearedBlock) },
  { name: 'tear', describe: 'unexplained cut length / √(editable area)', score: (r) => lookOr(r, (l) => l.tear) },
  { name: 'stretch', describe: 'largest local anisotropy of the displacement', score: (r) => lookOr(r, (l) => l.stretch) },
  { name: 'seam', describe: 'unexplained step where changed pixels meet untouched ones with no cut / √(editable area)', score: (r) => lookOr(r, (l) => l.seam ?? NaN) },
  { name: 'badness', describe: 'synthesized + smearedBlock + tear + seam + ln⁺(stretch/2), unweighted sum (without seam in reports before it)', score: (r) => lookOr(r, (l) => l.badness) },
  { name: 'DAI r10 (contrast)', describe: 'GoodDrag DAI at r = 10 (handle content off target)', score: (r) => r.dai['10'] ?? NaN },
];

/** One row of the AUC table. */
export interface AucRow {
  measure: string;
  describe: string;
  auc: number;
  medianRejected: number;
  medianKept: number;
  n: number;
}

/** AUC of every measure over the samples that have both a record and a verdict. */
export function aucTable(samples: readonly SampleRecord[], verdicts: readonly Verdict[]): { rows: AucRow[]; kept: number; rejected: number; missing: string[] } {
  const byId = new Map<string, SampleRecord>();
  for (const s of samples) if (s.ok) byId.set(s.id, s);
  const missing: string[] = [];
  const pairs: { r: SampleRecord; kept: boolean }[] = [];
  for (const v of verdicts) {
    const r = byId.get(v.id);
    if (!r) missing.push(v.id);
    else pairs.push({ r, kept: v.kept });
  }
  const rows = MEASURES.map((m) => {
    const bad = pairs.filter((p) => !p.kept).map((p) => m.score(p.r)).filter(Number.isFinite);
    const good = pairs.filter((p) => p.kept).map((p) => m.score(p.r)).filter(Number.isFinite);
    return { measure: m.name, describe: m.describe, auc: rocAuc(bad, good), medianRejected: quantile(bad, 0.5), medianKept: quantile(good, 0.5), n: bad.length + good.length };
  });
  return { rows, kept: pairs.filter((p) => p.kept).length, rejected: pairs.filter((p) => !p.kept).length, missing };
}

/**
 * How the bridge's self-check (a result is doubtful at badness ≥ `threshold`, core/self-check.ts)
 * agrees with the verdicts: how many results it flags, how many of those were rejected, and how
 * many kept results it flags. Each sample's own `check` (what the bridge computed for it) decides
 * where the report has one; older reports fall back to the bench's badness (`fromBench` counts them).
 */
export function selfCheckAgreement(samples: readonly SampleRecord[], verdicts: readonly Verdict[], threshold: number):
  { flagged: number; flaggedRejected: number; rejected: number; flaggedKept: number; kept: number; fromBench: number } {
  const byId = new Map<string, SampleRecord>();
  for (const s of samples) if (s.ok && s.look) byId.set(s.id, s);
  const out = { flagged: 0, flaggedRejected: 0, rejected: 0, flaggedKept: 0, kept: 0, fromBench: 0 };
  for (const v of verdicts) {
    const r = byId.get(v.id);
    if (!r) continue;
    if (!r.check) out.fromBench++;
    const flag = (r.check ? r.check.badness : r.look!.badness) >= threshold;
    if (v.kept) { out.kept++; if (flag) { out.flagged++; out.flaggedKept++; } } else { out.rejected++; if (flag) { out.flagged++; out.flaggedRejected++; } }
  }
  return out;
}

/** One line on {@link selfCheckAgreement}. */
export function renderSelfCheck(a: ReturnType<typeof selfCheckAgreement>, threshold: number): string {
  const from = a.fromBench > 0 ? ` (${a.fromBench} of them read from the bench's measures: the report has no check for them)` : '';
  return `Self-check (doubtful at badness ≥ ${threshold}, core/self-check.ts, as the bridge ran it on each result${from}): flags ${a.flagged} results, ${a.flaggedRejected} of them rejected; it flags ${a.flaggedRejected} of the ${a.rejected} rejected and ${a.flaggedKept} of the ${a.kept} kept.`;
}

/**
 * Verdicts by the map the elastic drag built (the report's `elasticMaps`, first one; `not elastic`
 * when the plan has none): where the kept and the rejected results come from.
 */
export function byElasticMap(samples: readonly SampleRecord[], verdicts: readonly Verdict[]): { map: string; kept: number; rejected: number }[] {
  const byId = new Map<string, SampleRecord>();
  for (const s of samples) if (s.ok) byId.set(s.id, s);
  const rows = new Map<string, { map: string; kept: number; rejected: number }>();
  for (const v of verdicts) {
    const r = byId.get(v.id);
    if (!r || !r.elasticMaps) continue;
    const map = r.elasticMaps[0] ?? 'not elastic';
    const row = rows.get(map) ?? { map, kept: 0, rejected: 0 };
    if (v.kept) row.kept++; else row.rejected++;
    rows.set(map, row);
  }
  return [...rows.values()].sort((a, b) => b.kept + b.rejected - (a.kept + a.rejected) || a.map.localeCompare(b.map));
}

/** Markdown table of {@link byElasticMap}. */
export function renderByElasticMap(rows: ReturnType<typeof byElasticMap>): string {
  const L = ['| elastic map | kept | rejected |', '|---|---|---|'];
  for (const r of rows) L.push(`| ${r.map} | ${r.kept} | ${r.rejected} |`);
  return L.join('\n');
}

/** Markdown table of {@link aucTable}. */
export function renderAucTable(t: ReturnType<typeof aucTable>, title: string): string {
  const f = (x: number, d = 3): string => (Number.isFinite(x) ? x.toFixed(d) : '–');
  const L = [`### ${title}`, '', `${t.rejected} rejected, ${t.kept} kept${t.missing.length ? `; ${t.missing.length} verdicts without a record` : ''}.`, '',
    '| measure (higher = worse) | ROC AUC | median rejected | median kept | n | what it is |', '|---|---|---|---|---|---|'];
  for (const r of t.rows) L.push(`| ${r.measure} | ${f(r.auc)} | ${f(r.medianRejected)} | ${f(r.medianKept)} | ${r.n} | ${r.describe} |`);
  return L.join('\n');
}

function main(argv: string[]): void {
  const reports: string[] = [];
  let review: string | undefined, suite: string | undefined, byKind = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--report') reports.push(argv[++i]!);
    else if (a === '--review') review = argv[++i];
    else if (a === '--suite') suite = argv[++i];
    else if (a === '--by-kind') byKind = true;
    else if (a === '-h' || a === '--help') {
      process.stdout.write('usage: review-auc --report <report.json> [--report …] --review <verdicts.md> [--suite dragbench|cases] [--by-kind]\n');
      return;
    } else throw new RangeError(`unknown argument ${a}`);
  }
  if (!reports.length || !review) throw new RangeError('need --report and --review (see --help)');
  const samples = reports.flatMap((f) => BenchReportSchema.parse(JSON.parse(readFileSync(f, 'utf8'))).samples);
  const verdicts = parseVerdicts(readFileSync(review, 'utf8'));
  const out: string[] = [];
  const suites = suite ? [suite] : [...new Set(samples.map((s) => s.suite))];
  for (const s of suites) {
    const t = aucTable(samples.filter((r) => r.suite === s), verdicts.filter((v) => samples.some((r) => r.suite === s && r.id === v.id)));
    if (t.kept + t.rejected === 0) continue;
    out.push(renderAucTable(t, `${s}: ${review}`), '');
    const rs = samples.filter((r) => r.suite === s);
    out.push(renderSelfCheck(selfCheckAgreement(rs, verdicts, DOUBTFUL_BADNESS), DOUBTFUL_BADNESS), '');
    const maps = byElasticMap(rs, verdicts);
    if (maps.length > 0) out.push(`Verdicts by the map the elastic drag built (the plan's \`params.map\`):`, '', renderByElasticMap(maps), '');
    if (!byKind) continue;
    for (const kind of [...new Set(rs.map((r) => r.planKinds[0] ?? 'none'))].sort()) {
      const ks = rs.filter((r) => (r.planKinds[0] ?? 'none') === kind);
      const tk = aucTable(ks, verdicts.filter((v) => ks.some((r) => r.id === v.id)));
      if (tk.kept >= 3 && tk.rejected >= 3) out.push(renderAucTable(tk, `${s}, first plan kind ${kind}: ${review}`), '');
    }
  }
  if (out.length === 0) throw new RangeError(`no verdict in ${review} names a sample of the report(s) (${verdicts.length} verdicts, ${samples.length} samples)`);
  if (suites.length > 1) out.push(renderAucTable(aucTable(samples, verdicts), `all suites: ${review}`), '');
  process.stdout.write(`${out.join('\n')}\n`);
}

if (require.main === module) {
  try {
    main(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`review-auc: ${(err as Error).message}\n`);
    process.exitCode = 2;
  }
}
