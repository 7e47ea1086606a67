/**
 * Fill benchmark (not a test): quality of the hole fill against synthetic ground truth (PSNR and
 * SSIM inside the hole, per texture) for our exemplar filler, the pull-push preview fill, a naive
 * fill (the true hole's mean colour) and OpenCV's Telea (`cv.inpaint`, INPAINT_TELEA, radius 3,
 * via @techstark/opencv-js: a dev-only baseline), plus median wall times of the fills and of
 * fill + blend on a 1024² image with a ~15% region.
 *
 * Run: `npx tsx bench/fill-bench.ts [--size 1024] [--runs 7]`
 */
import { cloneImage, createMask } from '../bridge-server/src/core/image';
import { psnr, ssim } from '../bridge-server/src/core/metrics';
import { TEXTURE_KINDS, type TextureKind } from '../bridge-server/src/core/textures';
import type { Mask, RgbaImage } from '../bridge-server/src/core/types';
import { fillPatchMatch, fillPushPull } from '../bridge-server/src/core/fill';
import { makeScene, type Scene } from '../bridge-server/src/core/fill/synthetic-scene';
import { blendSeams } from '../bridge-server/src/core/blend';
import { quantile } from '../bridge-server/src/bench/stats';

/** The OpenCV.js namespace, loosely typed (only `inpaint` and Mats are used). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Cv = any;

let cvPromise: Promise<{ cv: Cv }> | null = null;

/**
 * Load OpenCV.js once. The 4.x module object has an Emscripten `then`, so it is never returned
 * or awaited directly (STACK.md §4): it is wrapped in `{ cv }`.
 */
export function getCv(): Promise<{ cv: Cv }> {
  if (!cvPromise) {
    cvPromise = (async () => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const m: Cv = require('@techstark/opencv-js');
      if (m instanceof Promise) return { cv: await m };
      if (!m.Mat) await new Promise<void>((resolve) => { m.onRuntimeInitialized = () => resolve(); });
      return { cv: m };
    })();
  }
  return cvPromise;
}

/** Baseline: OpenCV Telea inpainting of `hole` > 0 (RGB; alpha left as is), radius 3. */
export function fillTelea(cv: Cv, image: RgbaImage, hole: Mask, radius = 3): void {
  const { width: w, height: h } = image;
  const rgb = new Uint8Array(w * h * 3), m = new Uint8Array(w * h);
  for (let p = 0; p < w * h; p++) {
    rgb[p * 3] = image.data[p * 4]!; rgb[p * 3 + 1] = image.data[p * 4 + 1]!; rgb[p * 3 + 2] = image.data[p * 4 + 2]!;
    m[p] = hole.data[p]! > 0 ? 255 : 0;
  }
  const src = cv.matFromArray(h, w, cv.CV_8UC3, rgb);
  const mask = cv.matFromArray(h, w, cv.CV_8UC1, m);
  const dst = new cv.Mat();
  try {
    cv.inpaint(src, mask, dst, radius, cv.INPAINT_TELEA);
    const out: Uint8Array = dst.data;
    for (let p = 0; p < w * h; p++) {
      if (m[p] === 0) continue;
      image.data[p * 4] = out[p * 3]!; image.data[p * 4 + 1] = out[p * 3 + 1]!; image.data[p * 4 + 2] = out[p * 3 + 2]!;
    }
  } finally {
    src.delete(); mask.delete(); dst.delete();
  }
}

/** Baseline: every hole pixel becomes the mean colour of the true hole content (an oracle mean). */
export function fillTruthMean(image: RgbaImage, hole: Mask, truth: RgbaImage): void {
  const n = image.width * image.height;
  let s0 = 0, s1 = 0, s2 = 0, k = 0;
  for (let p = 0; p < n; p++) {
    if (hole.data[p] === 0) continue;
    s0 += truth.data[p * 4]!; s1 += truth.data[p * 4 + 1]!; s2 += truth.data[p * 4 + 2]!; k++;
  }
  if (k === 0) return;
  for (let p = 0; p < n; p++) {
    if (hole.data[p] === 0) continue;
    image.data[p * 4] = s0 / k; image.data[p * 4 + 1] = s1 / k; image.data[p * 4 + 2] = s2 / k;
  }
}

/** The evaluation mask: every pixel with any hole coverage. */
export function holeEvalMask(hole: Mask): Mask {
  const m = createMask(hole.width, hole.height);
  for (let p = 0; p < m.data.length; p++) m.data[p] = hole.data[p]! > 0 ? 255 : 0;
  return m;
}

export type FillMethod = 'patchmatch' | 'pushpull' | 'mean' | 'telea';
export const FILL_METHODS: readonly FillMethod[] = ['patchmatch', 'pushpull', 'mean', 'telea'];

/** Fill a copy of the scene's edited image with `method`. */
export async function fillSceneWith(method: FillMethod, scene: Scene, seed = 1): Promise<RgbaImage> {
  const img = cloneImage(scene.edited);
  switch (method) {
    case 'patchmatch': await fillPatchMatch(img, scene.hole, scene.forbidden, { seed }); break;
    case 'pushpull': fillPushPull(img, scene.hole, scene.forbidden); break;
    case 'mean': fillTruthMean(img, scene.hole, scene.truth); break;
    case 'telea': fillTelea((await getCv()).cv, img, scene.hole); break;
  }
  return img;
}

export interface FillQualityRow {
  texture: TextureKind;
  method: FillMethod;
  psnr: number;
  ssim: number;
  holePixels: number;
}

/** PSNR/SSIM inside the hole for every texture and method. */
export async function runFillQuality(size: number, seed = 1): Promise<FillQualityRow[]> {
  const rows: FillQualityRow[] = [];
  for (const texture of TEXTURE_KINDS) {
    const scene = makeScene({ size, texture });
    const em = holeEvalMask(scene.hole);
    let holePixels = 0;
    for (const v of em.data) if (v) holePixels++;
    for (const method of FILL_METHODS) {
      const out = await fillSceneWith(method, scene, seed);
      rows.push({ texture, method, psnr: psnr(out, scene.truth, em), ssim: ssim(out, scene.truth, em), holePixels });
    }
  }
  return rows;
}

export interface FillTimingRow {
  texture: TextureKind;
  /** Median milliseconds over the runs (after one warm-up run). */
  patchmatchMs: number;
  pushpullMs: number;
  teleaMs: number;
  blendMs: number;
  holePixels: number;
}

/** Median wall times at `size`² (the scene's region is ~12.6% of the image; its hole similar). */
export async function runFillTiming(size: number, runs: number): Promise<FillTimingRow[]> {
  const { cv } = await getCv();
  const rows: FillTimingRow[] = [];
  for (const texture of TEXTURE_KINDS) {
    const scene = makeScene({ size, texture, rx: 0.22, ry: 0.22 });
    let holePixels = 0;
    for (const v of scene.hole.data) if (v) holePixels++;
    const t = { pm: [] as number[], pp: [] as number[], te: [] as number[], bl: [] as number[] };
    for (let i = 0; i <= runs; i++) {
      let img = cloneImage(scene.edited);
      let t0 = performance.now();
      await fillPatchMatch(img, scene.hole, scene.forbidden, { seed: 1 });
      const pm = performance.now() - t0;
      t0 = performance.now();
      blendSeams({ edited: img, original: scene.input, targetMask: scene.targetMask, holeMask: scene.hole, keepMask: createMask(size, size), quality: 'final' });
      const bl = performance.now() - t0;
      img = cloneImage(scene.edited);
      t0 = performance.now();
      fillPushPull(img, scene.hole, scene.forbidden);
      const pp = performance.now() - t0;
      img = cloneImage(scene.edited);
      t0 = performance.now();
      fillTelea(cv, img, scene.hole);
      const te = performance.now() - t0;
      if (i === 0) continue; // warm-up (JIT)
      t.pm.push(pm); t.pp.push(pp); t.te.push(te); t.bl.push(bl);
    }
    rows.push({ texture, patchmatchMs: quantile(t.pm, 0.5), pushpullMs: quantile(t.pp, 0.5), teleaMs: quantile(t.te, 0.5), blendMs: quantile(t.bl, 0.5), holePixels });
  }
  return rows;
}

async function main(): Promise<void> {
  const arg = (name: string, def: number): number => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? Number(process.argv[i + 1]) : def;
  };
  const size = arg('size', 1024), runs = arg('runs', 7), qsize = arg('quality-size', 256);
  const q = await runFillQuality(qsize);
  const lines: string[] = [];
  lines.push(`Quality at ${qsize}² (hole ${q[0]!.holePixels} px), PSNR dB / SSIM inside the hole:`, '');
  lines.push('| texture | ' + FILL_METHODS.join(' | ') + ' |', '|---|' + FILL_METHODS.map(() => '---').join('|') + '|');
  const mean: Record<string, number> = {};
  for (const texture of TEXTURE_KINDS) {
    const cells = FILL_METHODS.map((m) => {
      const r = q.find((x) => x.texture === texture && x.method === m)!;
      mean[m] = (mean[m] ?? 0) + r.ssim / TEXTURE_KINDS.length;
      return `${r.psnr.toFixed(2)} / ${r.ssim.toFixed(3)}`;
    });
    lines.push(`| ${texture} | ${cells.join(' | ')} |`);
  }
  lines.push(`| mean SSIM | ${FILL_METHODS.map((m) => mean[m]!.toFixed(3)).join(' | ')} |`, '');
  const t = await runFillTiming(size, runs);
  lines.push(`Timing at ${size}², median of ${runs} runs after a warm-up (ms):`, '');
  lines.push('| texture | hole px | patchmatch | blend | patchmatch+blend | pushpull | telea |', '|---|---|---|---|---|---|---|');
  for (const r of t) {
    lines.push(`| ${r.texture} | ${r.holePixels} | ${r.patchmatchMs.toFixed(1)} | ${r.blendMs.toFixed(1)} | ${(r.patchmatchMs + r.blendMs).toFixed(1)} | ${r.pushpullMs.toFixed(1)} | ${r.teleaMs.toFixed(1)} |`);
  }
  process.stdout.write(lines.join('\n') + '\n');
}

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`${String(err?.stack ?? err)}\n`);
    process.exitCode = 1;
  });
}
