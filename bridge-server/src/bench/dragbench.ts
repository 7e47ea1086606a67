/**
 * DragBench adapter (../shared/data/dragbench/README.md, ALGORITHMS.md §2.1): reads
 * `<dir>/<category>/<sample>/{original_image.png, mask.png, drag_instruction.json}` and turns a
 * sample into a core request in "deform within the editable mask" mode:
 *
 * - each handle's region is the connected component of the editable mask that holds it;
 * - each point pair with handle ≠ target becomes a drag of kind `auto` on that region;
 * - each anchor pair (handle = target) keeps a small disc around its point and, when it lies in a
 *   dragged region, is also a zero-length drag there (a pin the deform keeps fixed);
 * - everything outside the editable mask is passed as `keep`, so the core may not change it.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { labelComponents as labelSharedComponents } from '@smartdrag/shared';
import { readImage, decodeMask, resizeImage } from '../io/image-io';
import { createMask } from '../core/image';
import type { Drag, EditRequest, Mask, PlacedMask, Point, Region, RgbaImage } from '../core/types';
import type { PointPair } from './metrics';

const InstructionSchema = z.object({
  prompt: z.string().optional(),
  points: z.array(z.tuple([z.number(), z.number()])),
});

/** One DragBench sample, decoded. */
export interface DragBenchSample {
  /** `<category>/<sample>`. */
  id: string;
  category: string;
  prompt: string;
  image: RgbaImage;
  /** Editable area, binarised: 255 where the image may change, 0 elsewhere. */
  mask: Mask;
  /** Pairs whose handle differs from the target. */
  pairs: PointPair[];
  /** Points of anchor pairs (handle = target): they must stay put. */
  anchors: Point[];
}

/** Options of {@link dragBenchToRequest}. */
export interface DragBenchRequestOptions {
  quality: 'preview' | 'final';
  seed?: number;
  /** Radius in pixels of the kept disc around each anchor (default 6). */
  anchorRadius?: number;
  /** Pass each anchor inside a dragged region as a zero-length drag (a pin) too (default true). */
  pinAnchors?: boolean;
  /**
   * Scale of the sample against DragBench's own (default 1; {@link scaleDragBenchSample}): the
   * pixel sizes above (anchor discs, the disc region of a handle outside every component and the
   * search for its component) grow with it.
   */
  pxScale?: number;
}

/** Result of {@link dragBenchToRequest}: the request and the region each pair was assigned to. */
export interface DragBenchRequest {
  request: EditRequest;
  /** Region id per entry of `sample.pairs` (the request's first `pairs.length` drags; pins follow). */
  regionOfPair: string[];
}

/**
 * Sample folders under a DragBench root, as `<category>/<sample>` ids sorted by name. A folder
 * counts when it holds `drag_instruction.json`.
 */
export async function listDragBench(root: string): Promise<string[]> {
  const ids: string[] = [];
  const cats = (await fs.readdir(root, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  for (const cat of cats) {
    const samples = (await fs.readdir(path.join(root, cat), { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name).sort();
    for (const s of samples) {
      try {
        await fs.access(path.join(root, cat, s, 'drag_instruction.json'));
        ids.push(`${cat}/${s}`);
      } catch {
        // not a sample folder
      }
    }
  }
  return ids;
}

/** Split DragBench's flat `[h1, t1, h2, t2, …]` point list into drag pairs and anchors. */
export function splitPoints(points: readonly (readonly [number, number])[]): { pairs: PointPair[]; anchors: Point[] } {
  if (points.length % 2 !== 0) throw new RangeError(`drag_instruction.json has an odd number of points (${points.length})`);
  const pairs: PointPair[] = [];
  const anchors: Point[] = [];
  for (let i = 0; i < points.length; i += 2) {
    const h = points[i]!, t = points[i + 1]!;
    if (h[0] === t[0] && h[1] === t[1]) anchors.push([h[0], h[1]]);
    else pairs.push({ handle: [h[0], h[1]], target: [t[0], t[1]] });
  }
  return { pairs, anchors };
}

/** Read one sample folder `<root>/<id>`. */
export async function loadDragBenchSample(root: string, id: string): Promise<DragBenchSample> {
  const dir = path.join(root, id);
  const json = InstructionSchema.parse(JSON.parse(await fs.readFile(path.join(dir, 'drag_instruction.json'), 'utf8')));
  const image = await readImage(path.join(dir, 'original_image.png'));
  const raw = await decodeMask(await fs.readFile(path.join(dir, 'mask.png')));
  if (raw.width !== image.width || raw.height !== image.height) {
    throw new RangeError(`${id}: mask is ${raw.width}x${raw.height}, image ${image.width}x${image.height}`);
  }
  const mask = createMask(raw.width, raw.height);
  for (let p = 0; p < mask.data.length; p++) mask.data[p] = raw.data[p]! >= 128 ? 255 : 0;
  const { pairs, anchors } = splitPoints(json.points);
  return { id, category: id.split('/')[0]!, prompt: json.prompt ?? '', image, mask, pairs, anchors };
}

/**
 * The sample at `factor` × its size, as a larger (or smaller) photo of the same scene: the image
 * resampled (Lanczos 3), the mask by nearest neighbour (still binary), points scaled about the
 * pixel grid's origin. DragBench's photos are ~512 px; the documents users open are 10–50× larger
 * in area — `smartdrag bench --scale` shows how the edits look there.
 */
export async function scaleDragBenchSample(sample: DragBenchSample, factor: number): Promise<DragBenchSample> {
  if (!(factor > 0) || !Number.isFinite(factor)) throw new RangeError(`scale must be a positive number, got ${factor}`);
  if (factor === 1) return sample;
  const W = Math.max(1, Math.round(sample.image.width * factor)), H = Math.max(1, Math.round(sample.image.height * factor));
  const fx = W / sample.image.width, fy = H / sample.image.height;
  const image = await resizeImage(sample.image, W, H);
  const mask = createMask(W, H);
  const sw = sample.mask.width, sh = sample.mask.height;
  for (let y = 0; y < H; y++) {
    const sy = Math.min(sh - 1, Math.floor((y + 0.5) / fy));
    for (let x = 0; x < W; x++) mask.data[y * W + x] = sample.mask.data[sy * sw + Math.min(sw - 1, Math.floor((x + 0.5) / fx))]!;
  }
  const at = (p: Point): Point => [p[0] * fx, p[1] * fy];
  return { ...sample, image, mask, pairs: sample.pairs.map((p) => ({ handle: at(p.handle), target: at(p.target) })), anchors: sample.anchors.map(at) };
}

/**
 * Label the 8-connected components of the non-zero pixels of `mask` (labels from 1; 0 is
 * background), with the shared geometry kernel.
 */
export function labelComponents(mask: Mask): { labels: Int32Array; count: number } {
  const { labels, count } = labelSharedComponents(mask.data, mask.width, mask.height);
  return { labels, count };
}

/** Label of the component at (x, y), or of the nearest labelled pixel within `searchRadius`; 0 if none. */
export function componentAt(labels: Int32Array, width: number, height: number, pt: Point, searchRadius = 16): number {
  const x = Math.round(pt[0]), y = Math.round(pt[1]);
  let best = 0, bestD = Infinity;
  for (let dy = -searchRadius; dy <= searchRadius; dy++) {
    const yy = y + dy;
    if (yy < 0 || yy >= height) continue;
    for (let dx = -searchRadius; dx <= searchRadius; dx++) {
      const xx = x + dx;
      if (xx < 0 || xx >= width) continue;
      const l = labels[yy * width + xx]!;
      const d = dx * dx + dy * dy;
      if (l !== 0 && d < bestD) { bestD = d; best = l; }
    }
  }
  return best;
}

/** The pixels with `labels === label` as a placed mask cropped to their bounds. */
export function componentMask(labels: Int32Array, width: number, height: number, label: number): PlacedMask {
  let x0 = width, y0 = height, x1 = -1, y1 = -1;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      if (labels[row + x] !== label) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
  }
  if (x1 < 0) return { left: 0, top: 0, width: 0, height: 0, data: new Uint8Array(0) };
  const w = x1 - x0 + 1, h = y1 - y0 + 1;
  const data = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    const src = (y0 + y) * width + x0;
    for (let x = 0; x < w; x++) if (labels[src + x] === label) data[y * w + x] = 255;
  }
  return { left: x0, top: y0, width: w, height: h, data };
}

/** A filled disc of `radius` around `c` as a placed mask (pixel centres within the radius). */
export function discMask(c: Point, radius: number): PlacedMask {
  const cx = Math.round(c[0]), cy = Math.round(c[1]);
  const size = 2 * radius + 1;
  const data = new Uint8Array(size * size);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const dx = x - radius, dy = y - radius;
      if (dx * dx + dy * dy <= radius * radius) data[y * size + x] = 255;
    }
  }
  return { left: cx - radius, top: cy - radius, width: size, height: size, data };
}

/** The complement of a full-size mask (255 where `mask` is 0) as a placed mask over the image. */
export function complementMask(mask: Mask): PlacedMask {
  const data = new Uint8Array(mask.data.length);
  for (let p = 0; p < data.length; p++) data[p] = mask.data[p] === 0 ? 255 : 0;
  return { left: 0, top: 0, width: mask.width, height: mask.height, data };
}

/**
 * Build the core request for a DragBench sample. Regions come from the mask's components (one
 * region per component that holds a handle, id `m<label>`); a handle outside every component
 * (within 16 px) gets a 16 px disc region of its own. Keep = outside the mask ∪ anchor discs.
 */
export function dragBenchToRequest(sample: DragBenchSample, opts: DragBenchRequestOptions): DragBenchRequest {
  const { width, height } = sample.mask;
  const { labels } = labelComponents(sample.mask);
  const regions: Region[] = [];
  const byLabel = new Map<number, string>();
  const regionOfPair: string[] = [];
  const drags: Drag[] = [];
  const px = opts.pxScale ?? 1;
  sample.pairs.forEach((pair, i) => {
    const label = componentAt(labels, width, height, pair.handle, Math.round(16 * px));
    let id: string;
    if (label === 0) {
      id = `d${i + 1}`;
      regions.push({ id, mask: discMask(pair.handle, Math.round(16 * px)) });
    } else {
      id = byLabel.get(label) ?? `m${label}`;
      if (!byLabel.has(label)) {
        byLabel.set(label, id);
        regions.push({ id, mask: componentMask(labels, width, height, label) });
      }
    }
    regionOfPair.push(id);
    drags.push({ region: id, kind: 'auto', points: [[pair.handle[0], pair.handle[1]], [pair.target[0], pair.target[1]]] });
  });
  // Anchors inside a dragged region also become zero-length drags on it: the planner reads them
  // as pins, so the region is deformed around them (rather than moved as a whole).
  if (opts.pinAnchors !== false) {
    for (const a of sample.anchors) {
      const id = byLabel.get(componentAt(labels, width, height, a, 0));
      if (id) drags.push({ region: id, kind: 'auto', points: [[a[0], a[1]], [a[0], a[1]]] });
    }
  }
  const keep: PlacedMask[] = [complementMask(sample.mask)];
  for (const a of sample.anchors) keep.push(discMask(a, opts.anchorRadius ?? Math.round(6 * px)));
  return {
    request: { image: sample.image, regions, drags, keep, intent: '', quality: opts.quality, seed: opts.seed ?? 1 },
    regionOfPair,
  };
}
