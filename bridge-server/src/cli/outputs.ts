/** Turning an edit's layer into the CLI's output files. */
import { existsSync, mkdirSync } from 'node:fs';
import { compositeOver as compositeLayerOver } from '@smartdrag/shared';
import { dirname, join, resolve } from 'node:path';
import { cloneImage, createImage, pasteImage } from '../core/image';
import type { RgbaImage } from '../core/types';
import { writePng } from '../io/image-io';

/** A layer placed in document pixels. */
export interface PlacedLayer {
  left: number;
  top: number;
  image: RgbaImage;
}

/** The layer drawn at document size (alpha 0 outside it); clips what lies outside the document. */
export function layerAtDocumentSize(doc: { width: number; height: number }, layer: PlacedLayer): RgbaImage {
  const out = createImage(doc.width, doc.height);
  const { image: l } = layer;
  for (let y = 0; y < l.height; y++) {
    const dy = layer.top + y;
    if (dy < 0 || dy >= doc.height) continue;
    const x0 = Math.max(0, -layer.left), x1 = Math.min(l.width, doc.width - layer.left);
    if (x1 <= x0) continue;
    const src = (y * l.width + x0) * 4;
    out.data.set(l.data.subarray(src, src + (x1 - x0) * 4), (dy * doc.width + layer.left + x0) * 4);
  }
  return out;
}

/** Straight-alpha "over" composite of a document-size layer onto the original (what a host shows). */
export function compositeOver(original: RgbaImage, layer: RgbaImage): RgbaImage {
  const out = cloneImage(original);
  compositeLayerOver(out, { left: 0, top: 0, ...layer });
  return out;
}

/** Paste an edited crop into a copy of the document. */
export function pasteCrop(original: RgbaImage, crop: RgbaImage, left: number, top: number): RgbaImage {
  const out = cloneImage(original);
  pasteImage(out, crop, left, top);
  return out;
}

/**
 * `mkdir -p` one level at a time from the nearest existing folder: Node's own recursive mkdir
 * loops forever under a folder that refuses new entries with ENOENT (`--out /proc/x` spun at
 * 100 % CPU); made level by level, the refusal is an error.
 */
export function makeDirs(abs: string): void {
  const missing: string[] = [];
  for (let p = abs; !existsSync(p); p = dirname(p)) {
    missing.push(p);
    if (dirname(p) === p) break;
  }
  for (const p of missing.reverse()) mkdirSync(p);
}

/** Write `edited.png` and `layer.png` into `dir`; returns their absolute paths. */
export async function writeOutputs(dir: string, edited: RgbaImage, layerDoc: RgbaImage): Promise<{ edited: string; layer: string }> {
  const abs = resolve(dir);
  makeDirs(abs);
  const paths = { edited: join(abs, 'edited.png'), layer: join(abs, 'layer.png') };
  await writePng(paths.edited, edited);
  await writePng(paths.layer, layerDoc);
  return paths;
}

/**
 * Stage timings as one line, `name ms, …`: `segment` (the object reading) is part of `plan` and is
 * shown inside it, so the stages that follow one another add up to the total.
 */
export function formatTimings(timings: Readonly<Record<string, number>>, digits = 1): string {
  return Object.entries(timings).filter(([k]) => k !== 'segment')
    .map(([k, v]) => `${k} ${v.toFixed(digits)}${k === 'plan' && timings.segment !== undefined ? ` (object reading ${timings.segment.toFixed(digits)})` : ''}`).join(', ');
}
