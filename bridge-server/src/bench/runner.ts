/**
 * `smartdrag bench` engine: enumerates the samples of each suite, runs each one through the
 * editing core (in-process `runEdit`, or any injected {@link BenchEngine}), measures quality and
 * speed, and writes `report.json`, `report.md` and one contact sheet per suite.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, statSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseDragCase, caseToRequest, scaleDragCase, type DragCase } from '../core/case';
import { runEdit } from '../core/edit';
import { countChangedPixels, cropImage, unionOver } from '../core/image';
import { psnr, ssim } from '../core/metrics';
import type { EditRequest, EditResult, Mask, Point, ProgressFn, Rect, RgbaImage } from '../core/types';
import { readImage, resizeImage } from '../io/image-io';
import { composeSheet, DEFAULT_THUMB, encodeSheetPng, encodeTileJpeg, thumbWithArrows, TILES_PER_SHEET, type SheetTile } from './contact-sheet';
import { downscale } from './draw';
import { dragBenchToRequest, listDragBench, loadDragBenchSample, scaleDragBenchSample } from './dragbench';
import { composeResult, computeDaiAllRadii, countChangedOutside, type PointPair } from './metrics';
import { renderGallery } from './gallery';
import { badness, computeLook } from '../core/look';
import { selfCheck } from '../core/self-check';
import { ProgressReporter, type ProgressStream } from './progress';
import { BENCH_SUITES, buildSummary, renderMarkdown, toJsonSafe, type BenchReport, type BenchSuite, type SampleRecord } from './report';
import { generateSynthetic, syntheticToRequest } from './synthetic';
import { makeDirs } from '../cli/outputs';
import type { CliErrorCode } from '../cli/errors';

/** Runs one edit: the in-process core by default, a bridge client in `--server` mode. */
export type BenchEngine = (req: EditRequest, opts: { onProgress?: ProgressFn }) => Promise<EditResult>;

/** The default engine: the core's `runEdit` in this process, asked for its source map (the look measures read it). */
export const inProcessEngine: BenchEngine = (req, opts) => runEdit(req, { onProgress: opts.onProgress, withSourceMap: true });

/** Options of {@link runBench}. */
export interface BenchOptions {
  /** Suites to run, in this order. */
  suites: readonly BenchSuite[];
  /** Folder holding `dragbench/`, `cases/` and `photos/`; null runs only the synthetic suite. */
  dataDir: string | null;
  /** Output folder (created). */
  outDir: string;
  /** At most this many samples per suite. */
  limit?: number;
  quality: 'preview' | 'final';
  /** Seed of the synthetic generator and of every edit (default 1). */
  seed?: number;
  /** Number of synthetic samples (default 12: 4 per transform). */
  syntheticCount?: number;
  engine?: BenchEngine;
  /** Where progress goes (default `process.stderr`); null for silence. */
  progress?: ProgressStream | null;
  /** The command line recorded in the report. */
  command?: string;
  /** Contact-sheet and gallery thumbnail side in px (default 448). */
  thumb?: number;
  /** Recorded in the report: how edits ran (default `in-process`). */
  mode?: 'in-process' | 'server';
  /** DragBench samples and photo cases at this multiple of their size (default 1; dragbench.ts `scaleDragBenchSample`, {@link scaleCase}). */
  scale?: number;
  /**
   * Stop early (Ctrl-C): no new sample starts once it is aborted; the samples done so far are
   * written as a report marked `interrupted` (report.md and gallery.html say so at the top).
   */
  signal?: AbortSignal;
}

/** How to get the data a suite reads (the hint of a {@link BenchDataError}). */
export const DATA_HINT = 'pass --data <dir> with dragbench/<category>/<sample>/{original_image.png,mask.png,drag_instruction.json} '
  + '(DragBench of DragDiffusion, Shi et al. CVPR 2024, in the layout of github.com/frakw/DirectDrag; not bundled) '
  + 'and/or cases/*.json with their photos/ (the bundled photo cases: --data test/fixtures); --suite synthetic needs no data';

/** A data folder that cannot serve the suites asked for: a coded, user-facing failure with a hint. */
export class BenchDataError extends RangeError {
  readonly code: typeof CliErrorCode.data_not_found | typeof CliErrorCode.data_missing_suite | typeof CliErrorCode.data_empty;
  readonly hint: string;
  constructor(code: BenchDataError['code'], message: string, hint = DATA_HINT) {
    super(message);
    this.name = 'BenchDataError';
    this.code = code;
    this.hint = hint;
  }
}

/** What a suite hands the runner for one sample. */
export interface PreparedSample {
  request: EditRequest;
  pairs: PointPair[];
  /** Full-size mask of where change is allowed; null when the suite has no constraint. */
  allowed: Mask | null;
  /**
   * Full-size mask of the editable area the look measures relate to: DragBench's mask, else the
   * union of the request's region masks.
   */
  editable?: Mask;
  /** Polylines drawn on the input thumbnail (anchors as single points). */
  arrows: Point[][];
  synthetic?: { transform: string; expected: RgbaImage; holeMask: Mask; crop: Rect };
}

interface BenchItem {
  id: string;
  suite: BenchSuite;
  load(): Promise<PreparedSample>;
}

/**
 * The default `--data` folder: `../shared/data` beside the repository root when it exists, else
 * the repository's `test/fixtures` (cases only), else null.
 */
export function defaultDataDir(repoRoot = path.resolve(__dirname, '../../..')): string | null {
  const shared = path.resolve(repoRoot, '../shared/data');
  if (existsSync(shared)) return shared;
  const fixtures = path.join(repoRoot, 'test/fixtures');
  return existsSync(path.join(fixtures, 'cases')) ? fixtures : null;
}

/** Peak of process memory, sampled on demand and on a timer. */
export class PeakMemory {
  rssBytes = 0;
  heapUsedBytes = 0;
  samples = 0;
  private timer?: NodeJS.Timeout;

  /** Take one sample now. */
  sample(): void {
    const m = process.memoryUsage();
    if (m.rss > this.rssBytes) this.rssBytes = m.rss;
    if (m.heapUsed > this.heapUsedBytes) this.heapUsedBytes = m.heapUsed;
    this.samples++;
  }

  /** Also sample every `everyMs` ms until {@link stop} (the timer never keeps the process alive). */
  start(everyMs = 100): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), everyMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.sample();
  }
}

function allowedFromKeep(req: EditRequest): Mask | null {
  if (!req.keep?.length) return null;
  const keep = unionOver(req.keep, { left: 0, top: 0, width: req.image.width, height: req.image.height });
  for (let p = 0; p < keep.data.length; p++) keep.data[p] = keep.data[p]! > 0 ? 0 : 255;
  return keep;
}

async function dragBenchItems(dataDir: string, opts: BenchOptions): Promise<BenchItem[]> {
  const root = path.join(dataDir, 'dragbench');
  const ids = await listDragBench(root);
  if (!ids.length) throw new BenchDataError('data_empty', `no DragBench sample in ${root} (expected <category>/<sample>/drag_instruction.json beside original_image.png and mask.png)`);
  return ids.map((id) => ({
    id, suite: 'dragbench' as const,
    async load(): Promise<PreparedSample> {
      const scale = opts.scale ?? 1;
      const s = await scaleDragBenchSample(await loadDragBenchSample(root, id), scale);
      const { request } = dragBenchToRequest(s, { quality: opts.quality, seed: opts.seed ?? 1, pxScale: scale });
      return {
        request, pairs: s.pairs, allowed: s.mask, editable: s.mask,
        arrows: [...s.pairs.map((p) => [p.handle, p.target]), ...s.anchors.map((a) => [a])],
      };
    },
  }));
}

/**
 * A photo case at `factor` × its size, as a larger (or smaller) photo of the same scene: the image
 * resampled (Lanczos 3), polygons and points scaled (core/case.ts `scaleDragCase`). The cases'
 * photos are 259–640 px; `smartdrag bench --suite cases --scale 4` shows the edits on documents
 * of the size users open.
 */
export async function scaleCase(c: DragCase, image: RgbaImage, factor: number): Promise<{ c: DragCase; image: RgbaImage }> {
  if (factor === 1) return { c, image };
  const W = Math.max(1, Math.round(image.width * factor)), H = Math.max(1, Math.round(image.height * factor));
  const out = await resizeImage(image, W, H);
  return { c: scaleDragCase(c, W, H), image: out };
}

async function caseItems(dataDir: string, opts: BenchOptions): Promise<BenchItem[]> {
  const dir = path.join(dataDir, 'cases');
  const files = (await fs.readdir(dir)).filter((f) => f.endsWith('.json')).sort();
  if (!files.length) throw new BenchDataError('data_empty', `no photo case in ${dir} (expected <name>.json drag cases, format: test/fixtures/cases/README.md)`);
  return files.map((file) => ({
    id: file.replace(/\.json$/, ''), suite: 'cases' as const,
    async load(): Promise<PreparedSample> {
      const original = parseDragCase(JSON.parse(await fs.readFile(path.join(dir, file), 'utf8')));
      const photo = await readImage(path.join(dataDir, original.image));
      const { c, image } = await scaleCase(original, photo, opts.scale ?? 1);
      const request = caseToRequest(c, image, { quality: opts.quality, seed: opts.seed ?? 1 });
      return {
        request,
        pairs: request.drags.map((d) => ({ handle: d.points[0]!, target: d.points[d.points.length - 1]! })),
        allowed: allowedFromKeep(request),
        arrows: request.drags.map((d) => d.points),
      };
    },
  }));
}

function syntheticItems(opts: BenchOptions): BenchItem[] {
  const n = opts.syntheticCount ?? 12;
  const items: BenchItem[] = [];
  for (let i = 0; i < n; i++) {
    const probe = generateSynthetic(i, opts.seed ?? 1);
    items.push({
      id: probe.id, suite: 'synthetic',
      async load(): Promise<PreparedSample> {
        const s = generateSynthetic(i, opts.seed ?? 1);
        return {
          request: syntheticToRequest(s, opts.quality), pairs: s.pairs, allowed: null,
          arrows: s.drags.map((d) => d.points),
          synthetic: { transform: s.transform, expected: s.expected, holeMask: s.holeMask, crop: s.crop },
        };
      },
    });
  }
  return items;
}

/** Union of the request's region masks as a full-document mask. */
export function regionUnion(req: EditRequest): Mask {
  return unionOver(req.regions.map((r) => r.mask), { left: 0, top: 0, width: req.image.width, height: req.image.height });
}

function emptyDai(): SampleRecord['dai'] {
  return { '1': null, '5': null, '10': null, '20': null };
}

function nullable(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

/**
 * The result with what the look measures see: synthesized pixels tinted green, unexplained seams
 * in orange and unexplained cuts (tears) in magenta, thickened so that they survive the thumbnail.
 */
export function lookOverlay(composed: RgbaImage, result: Pick<EditResult, 'crop' | 'holeMask'>, cuts: Uint8Array, seams?: Uint8Array): RgbaImage {
  const out = { width: composed.width, height: composed.height, data: new Uint8ClampedArray(composed.data) };
  const { crop, holeMask } = result;
  const o = out.data, W = composed.width, w = crop.width, h = crop.height;
  const thick = Math.max(1, Math.round(Math.max(composed.width, composed.height) / 400));
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const p = y * w + x, i = ((y + crop.top) * W + x + crop.left) * 4;
      if (holeMask.data[p]! >= 128) { o[i] = o[i]! * 0.5; o[i + 1] = o[i + 1]! * 0.5 + 110; o[i + 2] = o[i + 2]! * 0.5; }
    }
  }
  const mark = (marks: Uint8Array, r: number, g: number, b: number): void => {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        if (!marks[y * w + x]) continue;
        for (let dy = -thick; dy <= thick; dy++) {
          for (let dx = -thick; dx <= thick; dx++) {
            const X = x + crop.left + dx, Y = y + crop.top + dy;
            if (X < 0 || Y < 0 || X >= W || Y >= composed.height) continue;
            const i = (Y * W + X) * 4;
            o[i] = r; o[i + 1] = g; o[i + 2] = b;
          }
        }
      }
    }
  };
  if (seams) mark(seams, 255, 150, 0);
  mark(cuts, 255, 0, 255);
  return out;
}

/** Measure one finished edit. Pure apart from allocation; exported for tests. */
export function measureSample(prepared: PreparedSample, result: EditResult): {
  composed: RgbaImage;
  /** Wall time of the look measures, ms (undefined without a source map). */
  lookMs?: number;
  /** The result with what the look measures see drawn on it (see {@link lookOverlay}); only with a source map. */
  overlay?: RgbaImage;
  fields: Pick<SampleRecord, 'dai' | 'daiUnedited' | 'changedOutsideMask' | 'changedPixels' | 'transform' | 'psnr' | 'ssim' | 'look' | 'check'>;
} {
  const input = prepared.request.image;
  const composed = composeResult(input, result);
  let look: SampleRecord['look'] = null, lookMs: number | undefined, cuts: Uint8Array | undefined, seams: Uint8Array | undefined;
  if (result.sourceMap) {
    const t = performance.now();
    cuts = new Uint8Array(result.crop.width * result.crop.height);
    seams = new Uint8Array(result.crop.width * result.crop.height);
    const m = computeLook({ input, result: composed, edit: result, editable: prepared.editable ?? regionUnion(prepared.request) }, { cuts, seams });
    lookMs = performance.now() - t;
    look = { ...m, badness: badness(m) };
  }
  // What the bridge tells the user about this result (its self-check, on finals), beside the bench's measures.
  const sc = result.sourceMap && prepared.request.quality === 'final' ? selfCheck(prepared.request, result) : null;
  const fields: ReturnType<typeof measureSample>['fields'] = {
    dai: computeDaiAllRadii(input, composed, prepared.pairs),
    daiUnedited: computeDaiAllRadii(input, input, prepared.pairs),
    changedOutsideMask: prepared.allowed ? countChangedOutside(input, composed, prepared.allowed) : null,
    changedPixels: countChangedPixels(input, composed),
    look,
    check: sc ? { badness: sc.badness, doubtful: sc.doubtful } : null,
  };
  const syn = prepared.synthetic;
  if (syn) {
    const gtCrop = cropImage(syn.expected, syn.crop), outCrop = cropImage(composed, syn.crop);
    fields.transform = syn.transform;
    fields.psnr = { crop: nullable(psnr(gtCrop, outCrop)), hole: nullable(psnr(syn.expected, composed, syn.holeMask)) };
    fields.ssim = { crop: nullable(ssim(gtCrop, outCrop)), hole: nullable(ssim(syn.expected, composed, syn.holeMask)) };
  }
  return { composed, fields, lookMs, ...(cuts ? { overlay: lookOverlay(composed, result, cuts, seams) } : {}) };
}

/** Gallery tile path of a sample, relative to the output folder (`tiles/<suite>/<id with / as __>.jpg`). */
export function tileFileName(suite: string, id: string): string {
  return `tiles/${suite}/${id.replace(/[^A-Za-z0-9._-]+/g, '__')}.jpg`;
}

/** Caption lines under a sample's tile: number, id and plan; DAI and the look measures. */
export function captionOf(r: SampleRecord): string[] {
  const n = (x: number | null | undefined, d = 2): string => (x === null || x === undefined || !Number.isFinite(x) ? '-' : x.toFixed(d));
  if (!r.ok) return [`#${r.sheetNumber} ${r.id}`, `FAILED ${(r.error ?? '').slice(0, 60)}`];
  return [
    `#${r.sheetNumber} ${r.id}  [${r.planKinds.join(',')}]`,
    `DAI10 ${n(r.dai['10'], 3)}/${n(r.daiUnedited['10'], 3)}  ` + (r.look
      ? `syn ${n(r.look.synthesized)} smear ${n(r.look.smear)} blk ${n(r.look.smearedBlock)} tear ${n(r.look.tear)} seam ${n(r.look.seam)} str ${n(r.look.stretch, 1)} bad ${n(r.look.badness)}`
      : 'look measures: - (no source map)'),
  ];
}

/** Resolve `--suite` (one name or `all`) against what the data folder holds. */
export function resolveSuites(suite: string, dataDir: string | null): { suites: BenchSuite[]; skipped: string[] } {
  const has = (s: BenchSuite): boolean =>
    s === 'synthetic' || (dataDir !== null && existsSync(path.join(dataDir, s === 'dragbench' ? 'dragbench' : 'cases')));
  if (suite === 'all') {
    const suites = BENCH_SUITES.filter(has);
    return { suites, skipped: BENCH_SUITES.filter((s) => !has(s)) };
  }
  if (!(BENCH_SUITES as readonly string[]).includes(suite)) {
    throw new RangeError(`unknown suite "${suite}" (expected ${[...BENCH_SUITES, 'all', 'speed'].join(', ')})`);
  }
  const s = suite as BenchSuite;
  if (!has(s)) {
    const sub = s === 'dragbench' ? 'dragbench' : 'cases';
    throw new BenchDataError('data_missing_suite', dataDir === null
      ? `suite ${s} needs a data folder with ${sub}/ and none was found (no --data, no ../shared/data, no test/fixtures)`
      : `suite ${s} needs ${path.join(dataDir, sub)}/, which does not exist`, dataHintFor(dataDir));
  }
  return { suites: [s], skipped: [] };
}

/**
 * The hint for a data folder that lacks what a suite needs: {@link DATA_HINT}, led by "pass its
 * parent" when the folder given is itself a `dragbench/` or `cases/` folder (one level too deep).
 */
export function dataHintFor(dataDir: string | null): string {
  const base = dataDir === null ? '' : path.basename(dataDir);
  if (dataDir !== null && (base === 'dragbench' || base === 'cases')) return `${dataDir} looks like the ${base}/ folder itself: pass its parent, --data ${path.dirname(dataDir)}; ${DATA_HINT}`;
  return DATA_HINT;
}

/**
 * Check an explicitly given `--data` folder before anything runs: it must exist, be a folder and
 * (for `--suite all`) hold dragbench/ or cases/ — a mistyped path had silently run only the
 * synthetic suite and exited 0. Throws a {@link BenchDataError}.
 */
export function checkDataDir(dataDir: string, suite: string): void {
  if (!existsSync(dataDir)) throw new BenchDataError('data_not_found', `data folder ${dataDir} does not exist`);
  if (!statSync(dataDir).isDirectory()) throw new BenchDataError('data_not_found', `data folder ${dataDir} is a file, not a folder`);
  if (suite === 'all' && !existsSync(path.join(dataDir, 'dragbench')) && !existsSync(path.join(dataDir, 'cases'))) {
    throw new BenchDataError('data_missing_suite', `data folder ${dataDir} has neither dragbench/ nor cases/`, dataHintFor(dataDir));
  }
}

/** Files and folders a run writes in its output folder (a new run removes the previous run's first). */
export function isBenchOutput(name: string): boolean {
  return /^contact-.*\.png$/.test(name) || ['gallery.html', 'report.json', 'report.md', 'tiles'].includes(name);
}

/** HEAD commit and dirty flag of the repository holding this file; null when git is unavailable. */
export function gitState(cwd = path.resolve(__dirname, '../../..')): { commit: string; dirty: boolean } | null {
  try {
    const opts = { cwd, encoding: 'utf8' as const, stdio: ['ignore', 'pipe', 'ignore'] as ['ignore', 'pipe', 'ignore'], timeout: 10000 };
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], opts).trim();
    const dirty = execFileSync('git', ['status', '--porcelain'], opts).trim().length > 0;
    return { commit, dirty };
  } catch {
    return null;
  }
}

/** Run the benchmark and write its three outputs; returns the report as written. */
export async function runBench(opts: BenchOptions): Promise<BenchReport> {
  const started = new Date();
  const t0 = performance.now();
  const engine = opts.engine ?? inProcessEngine;
  const thumb = opts.thumb ?? DEFAULT_THUMB;
  // Level by level (cli/outputs.ts): Node's recursive mkdir spins forever under /proc.
  makeDirs(path.resolve(opts.outDir));

  const items: BenchItem[] = [];
  for (const suite of opts.suites) {
    let list: BenchItem[];
    if (suite === 'synthetic') list = syntheticItems(opts);
    else {
      if (!opts.dataDir) throw new RangeError(`suite ${suite} needs a data folder`);
      list = suite === 'dragbench' ? await dragBenchItems(opts.dataDir, opts) : await caseItems(opts.dataDir, opts);
    }
    items.push(...(opts.limit !== undefined ? list.slice(0, Math.max(0, opts.limit)) : list));
  }
  // Every output of an earlier run goes before this one starts: a report, sheets or tiles left
  // from it would be mistaken for this run's (an interrupted run had left the old report.json
  // beside no gallery, or the old tiles beside a new report).
  for (const f of await fs.readdir(opts.outDir)) if (isBenchOutput(f)) await fs.rm(path.join(opts.outDir, f), { recursive: true, force: true });

  const peak = new PeakMemory();
  peak.start();
  const stream = opts.progress === undefined ? process.stderr : opts.progress;
  const progress = stream ? new ProgressReporter(items.length, stream) : null;
  const records: SampleRecord[] = [];
  const tiles = new Map<BenchSuite, SheetTile[]>();
  try {
    for (const item of items) {
      // One turn of the event loop between samples, so that a Ctrl-C (delivered as a macrotask) is seen before the next one starts.
      if (opts.signal) await new Promise((r) => setImmediate(r));
      if (opts.signal?.aborted) break;
      const ts = performance.now();
      const suiteTiles = tiles.get(item.suite) ?? [];
      tiles.set(item.suite, suiteTiles);
      const number = suiteTiles.length + 1;
      const base: SampleRecord = {
        id: item.id, suite: item.suite, sheetNumber: number, ok: false, width: 0, height: 0, pairs: 0,
        dai: emptyDai(), daiUnedited: emptyDai(), changedOutsideMask: null, changedPixels: 0, ms: {}, sampleMs: 0, planKinds: [], look: null,
      };
      let prepared: PreparedSample | undefined;
      try {
        prepared = await item.load();
        const { image } = prepared.request;
        base.width = image.width;
        base.height = image.height;
        base.pairs = prepared.pairs.length;
        peak.sample();
        const result = await engine(prepared.request, { onProgress: () => peak.sample() });
        peak.sample();
        const { composed, fields, lookMs, overlay } = measureSample(prepared, result);
        Object.assign(base, fields);
        base.ok = true;
        base.ms = { ...result.timings, ...(lookMs !== undefined ? { look: lookMs } : {}) };
        base.planKinds = result.plan.operations.map((o) => o.kind);
        base.elasticMaps = result.plan.operations.flatMap((o) => (o.params.kind === 'deform' && o.params.elastic && o.params.map ? [o.params.map] : []));
        const panels = [thumbWithArrows(image, prepared.arrows, thumb), downscale(composed, thumb)];
        if (prepared.synthetic) panels.push(downscale(prepared.synthetic.expected, thumb));
        suiteTiles.push({ number, panels, caption: captionOf(base), ...(overlay ? { extra: downscale(overlay, thumb) } : {}) });
      } catch (err) {
        base.error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
        suiteTiles.push({ number, panels: prepared ? [thumbWithArrows(prepared.request.image, prepared.arrows, thumb)] : [], caption: captionOf(base) });
      }
      base.sampleMs = performance.now() - ts;
      records.push(toJsonSafe(base));
      progress?.tick(`${item.suite}/${item.id}${base.ok ? '' : ' FAILED'}`);
    }
  } finally {
    progress?.finish();
    peak.stop();
  }

  const sheets: string[] = [];
  // Gallery tiles: one JPEG per sample (input with arrows | result), named after the sample.
  await fs.rm(path.join(opts.outDir, 'tiles'), { recursive: true, force: true });
  for (const r of records) {
    const tile = tiles.get(r.suite)?.[r.sheetNumber - 1];
    if (!tile || tile.panels.length === 0) continue;
    const file = tileFileName(r.suite, r.id);
    // Level by level: Node's recursive mkdir spun forever under a folder that refuses entries (--out /proc).
    makeDirs(path.dirname(path.join(path.resolve(opts.outDir), file)));
    await fs.writeFile(path.join(opts.outDir, file), await encodeTileJpeg(tile, thumb));
  }
  for (const [suite, t] of tiles) {
    const pages = Math.ceil(t.length / TILES_PER_SHEET);
    for (let k = 0; k < pages; k++) {
      const name = pages === 1 ? `contact-${suite}.png` : `contact-${suite}-${k + 1}.png`;
      const sheet = composeSheet(t.slice(k * TILES_PER_SHEET, (k + 1) * TILES_PER_SHEET), { thumb, columns: suite === 'synthetic' ? 1 : 2 });
      await fs.writeFile(path.join(opts.outDir, name), await encodeSheetPng(sheet));
      sheets.push(name);
    }
  }

  const cpus = os.cpus();
  const report: BenchReport = toJsonSafe({
    version: 1 as const,
    command: opts.command ?? 'smartdrag bench',
    startedAt: started.toISOString(),
    wallMs: performance.now() - t0,
    quality: opts.quality,
    mode: opts.mode ?? 'in-process',
    ...(opts.scale !== undefined && opts.scale !== 1 && (opts.suites.includes('dragbench') || opts.suites.includes('cases')) ? { scale: opts.scale } : {}),
    ...(records.length < items.length ? { interrupted: { done: records.length, planned: items.length } } : {}),
    data: opts.dataDir,
    git: gitState(),
    machine: { cpus: cpus.length, cpuModel: cpus[0]?.model.trim() ?? 'unknown', node: process.version, platform: `${process.platform}-${process.arch}` },
    samples: records,
    summary: buildSummary(records, { rssBytes: peak.rssBytes, heapUsedBytes: peak.heapUsedBytes, samples: peak.samples }, sheets),
  });
  await fs.writeFile(path.join(opts.outDir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  await fs.writeFile(path.join(opts.outDir, 'report.md'), renderMarkdown(report));
  await fs.writeFile(path.join(opts.outDir, 'gallery.html'), renderGallery(report, (r) => tileFileName(r.suite, r.id)));
  return report;
}
