/** Turning an edit's layer into the CLI's output files. */
import { existsSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { compositeOver as compositeLayerOver } from '@smartdrag/shared';
import { dirname, join, resolve } from 'node:path';
import { cloneImage, createImage } from '../core/image';
import type { RgbaImage } from '../core/types';
import { encodePng } from '../io/image-io';

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

/** Temporary files of a {@link writeOutputs} in progress (removed by {@link removePendingOutputs}). */
const pending = new Set<string>();

/** Remove the temporary files of a write in progress (an interrupted `edit` calls it). */
export function removePendingOutputs(): void {
  for (const p of pending) rmSync(p, { force: true });
  pending.clear();
}

/** How {@link writeOutputs} writes a file (tests make it fail). */
export interface OutputIo {
  writeFile?: (path: string, data: Uint8Array) => void;
}

/**
 * Write `edited.png` and `layer.png` into `dir`; returns their absolute paths. Never leaves a pair
 * that does not belong together: both PNGs are encoded first, then written under temporary names
 * in `dir` and renamed over the final names only when both are written — synchronously, so a
 * Ctrl-C (handled between event-loop turns) cannot fall between them. A failed write removes the
 * temporary files and leaves earlier outputs as they were.
 */
export async function writeOutputs(dir: string, edited: RgbaImage, layerDoc: RgbaImage, io: OutputIo = {}): Promise<{ edited: string; layer: string }> {
  const abs = resolve(dir);
  makeDirs(abs);
  const paths = { edited: join(abs, 'edited.png'), layer: join(abs, 'layer.png') };
  // A final name that is a folder would fail only at its rename, after the other was replaced.
  for (const p of [paths.edited, paths.layer]) {
    if (existsSync(p) && !statSync(p).isFile()) throw new Error(`${p} exists and is not a file`);
  }
  const editedPng = await encodePng(edited);
  const layerPng = await encodePng(layerDoc);
  const write = io.writeFile ?? writeFileSync;
  const temps = { edited: join(abs, `.edited.png.${process.pid}.tmp`), layer: join(abs, `.layer.png.${process.pid}.tmp`) };
  try {
    pending.add(temps.edited);
    write(temps.edited, editedPng);
    pending.add(temps.layer);
    write(temps.layer, layerPng);
    renameSync(temps.edited, paths.edited);
    renameSync(temps.layer, paths.layer);
  } finally {
    removePendingOutputs();
  }
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
