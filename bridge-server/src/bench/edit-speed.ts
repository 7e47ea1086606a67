/**
 * Whole-edit speed benchmark (not a test): `runEdit` end to end (plan → warp → fill → blend →
 * layer) on square textured documents of 1, 4, 16 and 36 MP whose elliptical region covers ~15%
 * of the area AT EVERY SIZE (region and drags scale with the document, so a larger document
 * means proportionally more pixels to move and fill — the honest case), plus a real photo case
 * scaled to 6000×4000 when its photo is available. Every row reports the median wall time per
 * stage and the process's peak RSS after the row (rows run smallest first, so a row's peak is
 * the peak of the largest document so far). Optionally each size is also run end to end through
 * a real bridge on loopback (host → bridge → layer back; finals send the edit's crop (editRoi) at
 * its document origin and previews ask for a ≤ 1 MP proxy, as the panels do, so the bridge makes
 * the proxy from the uploaded document). Preview rows are a drag in progress: the same image every
 * run with the arrow's target moving a little (up to ~3 px), so through the bridge the client
 * sends the image once and later previews name it (image reuse: job.submit keepImage/heldImage,
 * images up to the client's 64 MiB keying limit, i.e. up to 16 MP documents and every ≤ 1 MP
 * host proxy).
 *
 * Run: `npx smartdrag bench --suite speed [--runs 5] [--sizes 1024,2048,4096,6000] [--bridge]`.
 */
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { BridgeClient, editRoi, PreviewProxyCache, previewProxyInput, rasterizePolygon, type SubmitInput, type WebSocketConstructor } from '@smartdrag/shared';
import sharp from 'sharp';
import { loadConfig } from '../config';
import { silentLogger } from '../log';
import { createBridge } from '../server';
import { bridgeEditOptions, runEdit } from '../core/edit';
import { cropImage } from '../core/image';
import { makeTexture } from '../core/textures';
import type { Drag, DragKind, EditRequest, Point, RgbaImage } from '../core/types';
import { caseToRequest, parseDragCase, scaleDragCase } from '../core/case';
import { downscaleImage, PROXY_MAX_PIXELS, proxyInfoFor, proxyRequest } from '../core/proxy';
import { quantile } from './stats';
import { BenchDataError } from './runner';

/** One measured configuration. */
export interface EditSpeedRow {
  /** Document label, e.g. `6000²` or `coffee-move-cup-saucer 6000×4000`. */
  doc: string;
  megapixels: number;
  /** Fraction of the document covered by the region(s). */
  regionFraction: number;
  kind: string;
  quality: 'preview' | 'final';
  /**
   * `core` (in-process runEdit at document resolution), `proxy` (preview on a ≤ 1 MP proxy; the
   * `proxy` stage is making it from the full document, which a host that sends its display-size
   * proxy skips), `host-proxy` (preview of the host's own proxy, job.submit `proxyOf`: the host
   * made the proxy and the selection's once per document — that one-time cost is in the `proxy`
   * column but not in `total`, which is what every preview of a drag costs), `bridge` (loopback
   * WebSocket round trip, wall only; finals send the edit's crop as the plugins do, previews ask
   * the bridge for a ≤ 1 MP proxy and, being one drag, send the image once and name it after) or
   * `bridge-host-proxy` (the same with the host sending its own ≤ 1 MP proxy, made once).
   */
  path: 'core' | 'proxy' | 'host-proxy' | 'bridge' | 'bridge-host-proxy';
  runs: number;
  /**
   * Median milliseconds per stage (plan, warp, fill, blend, layer, total; bridge: wall), and `cpu`:
   * the process's user + system CPU time of the whole edit (less sensitive to other jobs' load
   * than wall time; V8's GC threads count too).
   */
  medianMs: Record<string, number>;
  /** Process peak resident set size (MB) after the row. */
  peakRssMb: number;
}

/** What a speed row measures: a drag kind set on the arrow, or `elastic` (no kind: the planner's elastic reading). */
export type SpeedKind = DragKind | 'elastic';
export const SPEED_KINDS: readonly SpeedKind[] = ['translate', 'rotate', 'scale', 'deform', 'elastic'];

/** Default document sides: 1, 4, 16 and 36 MP. */
export const SPEED_SIZES: readonly number[] = [1024, 2048, 4096, 6000];

/** Ellipse covering ~15% of a `size`² document, centred (semi-axes 0.234·size × 0.204·size). */
export function speedRegionPolygon(size: number): Point[] {
  const pts: Point[] = [];
  const c = size / 2, ax = 0.234 * size, ay = 0.204 * size;
  for (let i = 0; i < 64; i++) {
    const t = (i / 64) * 2 * Math.PI;
    pts.push([c + ax * Math.cos(t), c + ay * Math.sin(t)]);
  }
  return pts;
}

/** The drag measured for each kind on a `size`² document (scaled from the 1024² layout). */
export function speedDrag(kind: SpeedKind, size: number, run = 0): Drag {
  const s = size / 1024, P = (x: number, y: number): Point => [x * s, y * s];
  switch (kind) {
    // No kind set: on the loose ellipse over plain texture the planner reads an elastic drag. Its
    // target moves a little with every run, as in a drag in progress (each frame builds its own
    // field; what depends only on the selection is read once).
    case 'elastic': return { region: 'r', points: [P(560, 512), P(600 + 0.37 * run, 480 - 0.21 * run)] };
    case 'translate': return { region: 'r', kind, points: [P(512, 512), P(632, 452)] };
    case 'rotate': return { region: 'r', kind, center: P(512, 512), points: [P(752, 512), P(744, 574), P(720, 632)] };
    case 'scale': return { region: 'r', kind, center: P(512, 512), points: [P(752, 512), P(680, 512)] };
    case 'deform': return { region: 'r', kind, points: [P(700, 512), P(760, 470)] };
  }
}

/**
 * A preview of a drag in progress: the target moves a little from run to run (a cycle of 8 steps
 * of (0.37, −0.21) px at 1024², scaled), as the pointer does while the image stays the same
 * (elastic drags move already).
 */
export function movingTarget(d: Drag, kind: SpeedKind, size: number, run: number): Drag {
  if (kind === 'elastic') return d;
  const k = (run % 8) * (size / 1024);
  const pts = d.points.map((p) => [p[0], p[1]] as Point);
  const last = pts[pts.length - 1]!;
  pts[pts.length - 1] = [last[0] + 0.37 * k, last[1] - 0.21 * k];
  return { ...d, points: pts };
}

function peakRssMb(): number {
  return process.resourceUsage().maxRSS / 1024;
}

function regionFraction(req: EditRequest): number {
  let n = 0;
  for (const r of req.regions) for (const v of r.mask.data) if (v >= 128) n++;
  return n / (req.image.width * req.image.height);
}

/** One job through the bridge: its wall time, the timings the bridge reported (job.result), and the process's CPU time. */
export interface BridgeRun { wall: number; timings: Record<string, number>; cpu: number }
/** A submit function through a running bridge (one job); `hostProxy`: the host sends its own proxy (made once per request). */
export type BridgeSubmit = (req: EditRequest, hostProxy?: boolean) => Promise<BridgeRun>;

/** Medians of bridge runs as a row's stages: the worker's stages, total = wall, bridge = wall − the worker's edit total, cpu. */
function bridgeMedians(runs: readonly BridgeRun[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const stage of ['proxy', 'plan', 'warp', 'fill', 'blend', 'layer', 'upload', 'outline', 'send']) {
    const xs = runs.map((r) => r.timings[stage]).filter((v): v is number => typeof v === 'number');
    if (xs.length === runs.length) out[stage] = quantile(xs, 0.5);
  }
  out.total = quantile(runs.map((r) => r.wall), 0.5);
  out.bridge = quantile(runs.map((r) => r.wall - (r.timings.total ?? 0)), 0.5);
  out.cpu = quantile(runs.map((r) => r.cpu), 0.5);
  return out;
}

export interface EditSpeedOptions {
  sizes?: readonly number[];
  kinds?: readonly SpeedKind[];
  qualities?: ReadonlyArray<'preview' | 'final'>;
  /** Measured runs per row (after one warm-up; up to 4 MP after ≥ 6 runs and ≥ 1 s of warm-up); documents over 4 MP use at most 3. */
  runs?: number;
  /** Folder holding `cases/` and `photos/` for the real photo row (skipped when absent). */
  dataDir?: string;
  /** Also measure every row end to end through a real bridge on loopback. */
  bridge?: boolean;
  onRow?: (r: EditSpeedRow) => void;
}

/** Runs before the measured ones in every row (after the JIT warm-up of small documents). */
const WARM_RUNS = 1;

/** The fields every row of one request shares. */
function rowOf(doc: string, req: EditRequest, kind: string, runs: number): Omit<EditSpeedRow, 'path' | 'medianMs' | 'peakRssMb'> {
  return { doc, megapixels: (req.image.width * req.image.height) / 1e6, regionFraction: regionFraction(req), kind, quality: req.quality, runs };
}

/**
 * Medians per stage (and of the process's CPU time, `cpu`) over `runs` edits after
 * {@link WARM_RUNS}: edit `i` is `edit(i)`.
 */
async function timedRuns(runs: number, edit: (i: number) => Promise<{ timings: Record<string, number> }>): Promise<Record<string, number>> {
  const samples: Record<string, number[]> = {};
  for (let i = 0; i < WARM_RUNS + runs; i++) {
    const c0 = process.cpuUsage();
    const r = await edit(i);
    const c = process.cpuUsage(c0);
    if (i < WARM_RUNS) continue;
    for (const [stage, ms] of Object.entries(r.timings)) (samples[stage] ??= []).push(ms);
    (samples.cpu ??= []).push((c.user + c.system) / 1000);
  }
  const medianMs: Record<string, number> = {};
  for (const [stage, xs] of Object.entries(samples)) medianMs[stage] = quantile(xs, 0.5);
  return medianMs;
}

/**
 * The in-process rows of one request: the core edit, and for a preview of a document over
 * {@link PROXY_MAX_PIXELS} the edit on a proxy the bridge makes and on one the host sent.
 */
async function measureInProcess(
  doc: string, req: EditRequest, kind: string, runs: number, onRow: (r: EditSpeedRow) => void,
  /** The request of run `i` (default: the same request every run). */
  reqAt: (i: number) => EditRequest = () => req,
): Promise<void> {
  const row = rowOf(doc, req, kind, runs);
  // Warm-up before the measured runs: one run for large documents; up to 4 MP at least six runs
  // and one second, since a few runs leave the kernels still being compiled (the suite's first
  // rows measured the JIT, not the edit: a drag's previews run warm).
  if (row.megapixels <= 4.2) {
    const t0 = performance.now();
    for (let i = 0; i < 6 || performance.now() - t0 < 1000; i++) await runEdit(reqAt(1000 + i));
  }
  // The worker's options: the moved outline, and the self-check on finals (core/self-check.ts).
  const medianMs = await timedRuns(runs, (i) => runEdit(reqAt(i), bridgeEditOptions(req.quality)));
  onRow({ ...row, path: 'core', medianMs, peakRssMb: peakRssMb() });
  if (req.quality === 'preview' && req.image.width * req.image.height > PROXY_MAX_PIXELS) {
    const pm = await timedRuns(runs, (i) => runEdit(reqAt(i), { proxyMaxPixels: PROXY_MAX_PIXELS }));
    onRow({ ...row, path: 'proxy', medianMs: pm, peakRssMb: peakRssMb() });
    // The host made the proxy (and the selection's) once for the document; each preview is the edit on it.
    const info = proxyInfoFor(req.image.width, req.image.height, PROXY_MAX_PIXELS);
    const th = performance.now();
    const pimg = downscaleImage(req.image, info);
    const preq = proxyRequest(req, info, pimg);
    const hostMs = performance.now() - th;
    const hm = await timedRuns(runs, (i) => runEdit(i === 0 ? preq : proxyRequest(reqAt(i), info, pimg), { sentProxy: info }));
    hm.proxy = hostMs;
    onRow({ ...row, path: 'host-proxy', medianMs: hm, peakRssMb: peakRssMb() });
  }
}

/** The rows of one request through the loopback bridge (and, for a large preview, with the host's own proxy). */
async function measureBridge(
  doc: string, req: EditRequest, kind: string, runs: number, submit: BridgeSubmit, onRow: (r: EditSpeedRow) => void,
  /** The request of run `i` (default: the same request every run). */
  reqAt: (i: number) => EditRequest = () => req,
): Promise<void> {
  const row = rowOf(doc, req, kind, runs);
  const measured = async (hostProxy: boolean): Promise<Record<string, number>> => {
    // The bridge's workers compile the kernels too (the same warm-up as in-process, through the bridge).
    if (row.megapixels <= 4.2) {
      const t0 = performance.now();
      for (let i = 0; i < 6 || performance.now() - t0 < 1000; i++) await submit(req, hostProxy);
    }
    const got: BridgeRun[] = [];
    for (let i = 0; i < WARM_RUNS + runs; i++) { const r = await submit(reqAt(i), hostProxy); if (i >= WARM_RUNS) got.push(r); }
    return bridgeMedians(got);
  };
  onRow({ ...row, path: 'bridge', medianMs: await measured(false), peakRssMb: peakRssMb() });
  if (req.quality === 'preview' && req.image.width * req.image.height > PROXY_MAX_PIXELS) {
    onRow({ ...row, path: 'bridge-host-proxy', medianMs: await measured(true), peakRssMb: peakRssMb() });
  }
}

/** A loopback bridge plus a client submitting one job at a time (wall time, host → layer back). */
async function startLoopbackBridge(): Promise<{ submit: BridgeSubmit; close: () => Promise<void> }> {
  const home = mkdtempSync(join(tmpdir(), 'smartdrag-speed-'));
  const config = loadConfig({ env: { SMARTDRAG_HOME: home }, overrides: { port: 0, logFile: null, logLevel: 'silent' } });
  const bridge = createBridge({ config, logger: silentLogger() });
  const addr = await bridge.listen();
  const client = new BridgeClient({
    url: addr.wsUrl, token: config.token, client: 'cli', WebSocketImpl: WebSocket as unknown as WebSocketConstructor, reconnect: false,
  });
  await client.connect();
  // As a panel does: the proxies of the document and of its selection are made once and kept.
  const cache = new PreviewProxyCache();
  const submit: BridgeSubmit = async (req, hostProxy) => {
    const c0 = process.cpuUsage();
    const t = performance.now();
    // A final sends the edit's crop (editRoi: regions, where the arrows take them, plus a margin)
    // at its document origin, as the Photoshop and Photopea plugins do; cutting it out (the
    // host's read of that area) is timed too. Previews send the document and ask for a proxy.
    const W = req.image.width, H = req.image.height;
    const roi = req.quality === 'final' && req.drags.length > 0
      ? editRoi({ regions: req.regions.map((r) => r.mask), arrows: req.drags.map((d) => d.points), docWidth: W, docHeight: H })
      : null;
    const cropped = !!roi && roi.width > 0 && roi.height > 0 && (roi.width < W || roi.height < H);
    const input: SubmitInput = {
      image: cropped ? cropImage(req.image, roi) : req.image,
      ...(cropped ? { imageOrigin: [roi.left, roi.top] as [number, number] } : {}),
      regions: req.regions.map((r) => ({ id: r.id, mask: r.mask })),
      drags: req.drags.map((d) => ({ region: d.region, points: d.points.map((p) => [p[0], p[1]] as [number, number]), ...(d.kind ? { kind: d.kind } : {}), ...(d.center ? { center: [d.center[0], d.center[1]] as [number, number] } : {}) })),
      ...(req.keep?.length ? { keep: req.keep.map((m) => ({ mask: m })) } : {}),
      quality: req.quality, seed: req.seed ?? 1,
      // Previews ask for what a panel shows (≤ 1 MP), as the plugins do.
      ...(req.quality === 'preview' ? { previewMaxPixels: PROXY_MAX_PIXELS } : {}),
    };
    const job = client.submit(hostProxy ? previewProxyInput(input, PROXY_MAX_PIXELS, cache) ?? input : input);
    const out = await job.result;
    const wall = performance.now() - t;
    const c = process.cpuUsage(c0);
    return { wall, timings: out.timings, cpu: (c.user + c.system) / 1000 };
  };
  return { submit, close: async () => { client.close(); await bridge.close(); } };
}

/** The real photo case measured at 6000×4000 (image resized with sharp, polygons scaled). */
export const SPEED_PHOTO_CASE = 'coffee-move-cup-saucer';

/** Where the photo row's case and photo are looked for in a data folder (the first photo found is used). */
function speedPhotoPaths(dataDir: string, image: string): string[] {
  return [join(dataDir, 'photos', image), join(dataDir, image), join(dataDir, 'cases', image), join(dataDir, '..', 'photos', image)];
}

/**
 * An explicitly given `--data` for `--suite speed`: it must be a folder holding the photo row's
 * case (`cases/coffee-move-cup-saucer.json`) and its photo, the only things the suite reads from it
 * (a mistyped path had silently dropped the photo row). Throws a {@link BenchDataError}.
 */
export function checkSpeedDataDir(dataDir: string): void {
  if (!existsSync(dataDir)) throw new BenchDataError('data_not_found', `data folder ${dataDir} does not exist`, SPEED_DATA_HINT);
  if (!statSync(dataDir).isDirectory()) throw new BenchDataError('data_not_found', `data folder ${dataDir} is a file, not a folder`, SPEED_DATA_HINT);
  const casePath = join(dataDir, 'cases', `${SPEED_PHOTO_CASE}.json`);
  if (!existsSync(casePath)) throw new BenchDataError('data_missing_suite', `--suite speed reads the photo case ${SPEED_PHOTO_CASE} from --data; ${casePath} does not exist`, SPEED_DATA_HINT);
  let image: string;
  try {
    image = parseDragCase(JSON.parse(readFileSync(casePath, 'utf8'))).image;
  } catch (e) {
    throw new BenchDataError('data_missing_suite', `--suite speed cannot read the photo case ${casePath}: ${(e as Error).message.split('\n')[0]}`, SPEED_DATA_HINT);
  }
  if (!speedPhotoPaths(dataDir, image).some((p) => existsSync(p))) {
    throw new BenchDataError('data_missing_suite', `--suite speed found ${casePath} but not its photo ${image} (looked in ${join(dataDir, 'photos')}, ${dataDir}, ${join(dataDir, 'cases')} and ${join(dataDir, '..', 'photos')})`, SPEED_DATA_HINT);
  }
}

/** The hint of a `--suite speed` data error. */
const SPEED_DATA_HINT = `--suite speed reads only cases/${SPEED_PHOTO_CASE}.json and its photo from --data (the bundled one: --data test/fixtures); leave --data out to time the synthetic documents alone`;

async function photoRequest(dataDir: string, quality: 'preview' | 'final'): Promise<{ doc: string; req: EditRequest } | null> {
  const casePath = join(dataDir, 'cases', `${SPEED_PHOTO_CASE}.json`);
  if (!existsSync(casePath)) return null;
  const c = parseDragCase(JSON.parse(readFileSync(casePath, 'utf8')));
  const photo = speedPhotoPaths(dataDir, c.image).find((p) => existsSync(p));
  if (!photo) return null;
  const W = 6000, H = 4000;
  const { data } = await sharp(photo).resize(W, H, { fit: 'fill' }).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  const image: RgbaImage = { width: W, height: H, data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.length) };
  const scaled = scaleDragCase(c, W, H);
  return { doc: `${SPEED_PHOTO_CASE} 6000×4000`, req: caseToRequest(scaled, image, { quality, seed: 1 }) };
}

/** Run the benchmark; rows are reported through `onRow` as they finish and returned. */
export async function runEditSpeed(opts: EditSpeedOptions = {}): Promise<EditSpeedRow[]> {
  const sizes = opts.sizes ?? SPEED_SIZES;
  const kinds = opts.kinds ?? SPEED_KINDS;
  const qualities = opts.qualities ?? (['preview', 'final'] as const);
  const runs = Math.max(1, opts.runs ?? 5);
  const rows: EditSpeedRow[] = [];
  const onRow = (r: EditSpeedRow): void => { rows.push(r); opts.onRow?.(r); };
  // The photo case's requests (a 6000×4000 resize) are made when first measured, once for both
  // passes below.
  let photos: Array<{ doc: string; req: EditRequest }> | null = null;
  const photoRequests = async (): Promise<Array<{ doc: string; req: EditRequest }>> => {
    if (photos) return photos;
    photos = [];
    for (const quality of opts.dataDir ? qualities : []) {
      const p = await photoRequest(opts.dataDir!, quality);
      if (p) photos.push(p);
    }
    return photos;
  };
  // Every in-process row first, then (a bridge started only now) the rows through the bridge: the
  // bridge's edit workers and what it keeps are then not in the process while the core alone is
  // timed (started beside it, even idle, they made the 1024² core finals 10–20% slower).
  const cases = async (submit: BridgeSubmit | null): Promise<void> => {
    const measure = (doc: string, req: EditRequest, kind: string, n: number, reqAt?: (i: number) => EditRequest): Promise<void> =>
      submit ? measureBridge(doc, req, kind, n, submit, onRow, reqAt) : measureInProcess(doc, req, kind, n, onRow, reqAt);
    for (const size of [...sizes].sort((a, b) => a - b)) {
      const image = makeTexture('noise', size, size, 5);
      const region = { id: 'r', mask: rasterizePolygon(speedRegionPolygon(size)) };
      const n = size * size > 4.2e6 ? Math.min(runs, 3) : runs;
      for (const kind of kinds) {
        for (const quality of qualities) {
          const at = (i: number): EditRequest => ({ image, regions: [region], drags: [quality === 'preview' ? movingTarget(speedDrag(kind, size, i), kind, size, i) : speedDrag(kind, size, i)], quality, seed: 1 });
          await measure(`${size}²`, at(0), kind, n, at);
        }
      }
    }
    for (const p of await photoRequests()) await measure(p.doc, p.req, 'case', Math.min(runs, 3));
  };
  await cases(null);
  if (!opts.bridge) return rows;
  const bridge = await startLoopbackBridge();
  try {
    // The bridge's edit workers start (load and compile the core) on their first jobs: do that
    // before measuring, or it competes with the first rows for the CPU.
    const size = 256, image = makeTexture('noise', size, size, 5);
    const warmReq = (quality: 'preview' | 'final'): EditRequest => ({ image, regions: [{ id: 'r', mask: rasterizePolygon(speedRegionPolygon(size)) }], drags: [speedDrag('translate', size)], quality, seed: 1 });
    for (let i = 0; i < 2; i++) await Promise.all([bridge.submit(warmReq('preview')), bridge.submit(warmReq('final'))]);
    await cases(bridge.submit);
  } finally {
    await bridge.close();
  }
  return rows;
}

/** Markdown table of the rows. */
export function formatEditSpeed(rows: readonly EditSpeedRow[]): string {
  const stages = ['proxy', 'plan', 'warp', 'fill', 'blend', 'layer', 'check', 'total', 'bridge', 'cpu'];
  const lines = [
    `| document | MP | region | kind | quality | path | ${stages.join(' | ')} | peak RSS MB |`,
    `|---|---:|---:|---|---|---|${stages.map(() => '---:').join('|')}|---:|`,
  ];
  for (const r of rows) {
    const cells = stages.map((s) => (r.medianMs[s] === undefined ? '' : r.medianMs[s]!.toFixed(1)));
    lines.push(`| ${r.doc} | ${r.megapixels.toFixed(1)} | ${(100 * r.regionFraction).toFixed(0)}% | ${r.kind} | ${r.quality} | ${r.path} | ${cells.join(' | ')} | ${r.peakRssMb.toFixed(0)} |`);
  }
  return lines.join('\n');
}
