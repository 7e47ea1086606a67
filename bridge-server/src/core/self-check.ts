/**
 * The edit's self-check: the look measures (core/look.ts — synthesized share, smeared block, tear,
 * seam, stretch) computed on the result a user is about to see, and a plain-words warning when they
 * add up to a result a person would likely throw away.
 *
 * How well this agrees with the eye (docs/benchmarks/review-auc.md, sessions 38–39): on the shared
 * DragBench half, of the 43 results it flags (badness ≥ {@link DOUBTFUL_BADNESS}), 41 were rejected
 * by the lead's review and 42 by the blind review of session 38; it flags a little over half of all
 * the rejected results (the rest look wrong in ways these measures do not see: a sheared house, a
 * face stretched taller). On the tight-selection photo cases it flags 1, rejected; on the photos the
 * project never tuned on 11 of 75, 9 of them rejected by a blind review, which rejects 56. It is a
 * warning, never a refusal: the result is delivered either way.
 *
 * It runs on every final the bridge makes (core/edit.ts `bridgeEditOptions`), whatever the
 * document's size: an edited crop of at most {@link SELF_CHECK_PROXY_PIXELS} pixels is measured as
 * it is; a larger one (any selection on a 24–50 MP photo) on a box-averaged proxy of at most that
 * many pixels (images averaged, the source map, hole and target read at each block's centre pixel),
 * so its cost and memory stay those of a small edit. The measures were set on DragBench's ~512 px
 * photos; on the same samples enlarged 2× and 4× the proxy agrees with the reviews better than the
 * full-size measures do (ROC AUC 0.800 / 0.796 against 0.792 / 0.774; docs/BENCHMARKS.md,
 * "Self-check"). A rigid plan of one region (moved, turned or scaled) is read from its backward
 * transform instead of a per-pixel source map (8 bytes a pixel): the same measures, to the bit.
 */
import { badness, computeLook, STRETCH_FOLD, STRETCH_NATURAL, type LookMeasures } from './look';
import { unionOver } from './image';
import { boxReduce, type SelfCheckInfo } from '@smartdrag/shared';
import type { EditRequest, EditResult, Mask, RgbaImage, SelfCheck } from './types';
import { checkRow, throwIfCancelled } from './cancel';

export type { SelfCheck };

/** Above this badness (sum of the measures' excesses, see core/look.ts `badness`) a result is doubtful. */
export const DOUBTFUL_BADNESS = 2;
/** Largest edited crop (px) measured as it is; a larger one is measured on a proxy of at most this size. */
export const SELF_CHECK_PROXY_PIXELS = 250_000;

/** The plain-words findings behind a doubtful badness, largest contribution first. */
export function findingsOf(m: LookMeasures): string[] {
  const parts: { v: number; text: string }[] = [];
  const fill = m.synthesized + m.smearedBlock;
  if (fill > 0) {
    parts.push({ v: fill, text: `${Math.round(m.synthesized * 100)}% of the selection is filled in${m.smearedBlock >= 0.25 ? ' and the fill looks smeared' : ''}` });
  }
  if (m.tear > 0) parts.push({ v: m.tear, text: 'edges the photo never had: a part may look cut off or torn' });
  if (m.seam > 0) parts.push({ v: m.seam, text: 'a visible seam where the change meets the rest of the picture (an edge or a shade the photo did not have there)' });
  const st = Math.max(0, Math.log(m.stretch / STRETCH_NATURAL));
  if (st > 0) {
    parts.push({
      v: st,
      text: m.stretch >= STRETCH_FOLD - 0.5
        ? 'content folded over itself or stretched more than 15× in one direction: it may look streaked or doubled'
        : `content stretched up to ${m.stretch.toFixed(1)}× in one direction: texture may look streaked`,
    });
  }
  parts.sort((a, b) => b.v - a.v);
  // The contributions that make up most of the excess (at least the largest).
  const total = parts.reduce((s, p) => s + p.v, 0);
  const out: string[] = [];
  let acc = 0;
  for (const p of parts) {
    if (out.length > 0 && (acc >= 0.75 * total || p.v < 0.3)) break;
    out.push(p.text);
    acc += p.v;
  }
  return out;
}

/** What the check reads of a finished edit: its crop and masks, and its source map or rigid backward map. */
export type CheckedEdit = Pick<EditResult, 'crop' | 'holeMask' | 'targetMask' | 'sourceMap' | 'edited' | 'movedBackward'>;

/** The measures' inputs on a proxy `k` times smaller (crop at the proxy's origin). */
function proxyLookInput(req: EditRequest, res: CheckedEdit, editable: Mask, k: number, signal?: AbortSignal): Parameters<typeof computeLook>[0] {
  const { crop } = res, w = crop.width, h = crop.height;
  const toImage = (r: ReturnType<typeof boxReduce>): RgbaImage => {
    const data = new Uint8ClampedArray(r.data.length);
    for (let i = 0; i < data.length; i++) data[i] = Math.round(r.data[i]!);
    return { width: r.w, height: r.h, data };
  };
  const input = toImage(boxReduce(req.image, k, crop));
  throwIfCancelled(signal);
  const result = toImage(boxReduce(res.edited, k));
  throwIfCancelled(signal);
  const pw = input.width, ph = input.height, pn = pw * ph;
  const hole: Mask = { width: pw, height: ph, data: new Uint8Array(pn) };
  const target: Mask = { width: pw, height: ph, data: new Uint8Array(pn) };
  const edProxy: Mask = { width: pw, height: ph, data: new Uint8Array(pn) };
  const map = new Float32Array(2 * pn);
  const sm = res.sourceMap, B = res.movedBackward;
  const hd = res.holeMask.data, td = res.targetMask.data, ed = editable.data;
  // The editable area by coverage (a block at least half editable), as box sums of rows.
  const cover = new Int32Array(pw), blk = new Int32Array(w);
  for (let x = 0; x < w; x++) blk[x] = (x / k) | 0;
  for (let by = 0; by < ph; by++) {
    checkRow(signal, by);
    cover.fill(0);
    const y0 = by * k, y1 = Math.min(h, y0 + k);
    for (let y = y0; y < y1; y++) for (let x = 0, r = y * w; x < w; x++) cover[blk[x]!]! += ed[r + x]! > 0 ? 1 : 0;
    for (let bx = 0; bx < pw; bx++) {
      const area = (y1 - y0) * (Math.min(w, bx * k + k) - bx * k);
      if (2 * cover[bx]! >= area) edProxy.data[by * pw + bx] = 255;
    }
  }
  // Hole, target and displacement at each block's centre pixel; the displacement in proxy pixels.
  const half = k >> 1;
  for (let by = 0; by < ph; by++) {
    const Y = Math.min(h - 1, by * k + half), cy = Y + crop.top;
    for (let bx = 0; bx < pw; bx++) {
      const X = Math.min(w - 1, bx * k + half), q = Y * w + X, p = by * pw + bx, cx = X + crop.left;
      hole.data[p] = hd[q]!;
      target.data[p] = td[q]!;
      let dx = 0, dy = 0;
      if (sm) { dx = sm[2 * q]! - cx; dy = sm[2 * q + 1]! - cy; } else if (B && td[q]! > 0 && hd[q]! < 128) {
        dx = Math.fround(B[0] * cx + B[1] * cy + B[2]) - cx; dy = Math.fround(B[3] * cx + B[4] * cy + B[5]) - cy;
      }
      map[2 * p] = bx + dx / k; map[2 * p + 1] = by + dy / k;
    }
  }
  return { input, result, edit: { crop: { left: 0, top: 0, width: pw, height: ph }, holeMask: hole, targetMask: target, sourceMap: map }, editable: edProxy };
}

/**
 * Run the self-check on a finished edit, which must carry its `sourceMap` or (one region moved,
 * turned or scaled rigidly) its `movedBackward`. Returns null without either, or for an empty crop.
 * `maxPixels` (default {@link SELF_CHECK_PROXY_PIXELS}): crops larger than this are measured on a
 * box proxy of at most this many pixels. `signal` is checked between the check's steps
 * (`CancelledError` once it has fired: core/cancel.ts).
 */
export function selfCheck(req: EditRequest, res: CheckedEdit, maxPixels = SELF_CHECK_PROXY_PIXELS, signal?: AbortSignal): SelfCheck | null {
  const { crop } = res;
  const n = crop.width * crop.height;
  if ((!res.sourceMap && !res.movedBackward) || n === 0) return null;
  const t = performance.now();
  // The editable area = the union of the regions, over the crop.
  const editable = unionOver(req.regions.map((r) => r.mask), crop);
  throwIfCancelled(signal);
  const k = n <= maxPixels ? 1 : Math.ceil(Math.sqrt(n / maxPixels));
  const m = k === 1 && res.sourceMap
    ? computeLook({ input: req.image, result: res.edited, resultOrigin: crop, edit: res, editable, editableOrigin: crop })
    : computeLook(proxyLookInput(req, res, editable, k, signal));
  const b = badness(m);
  const doubtful = b >= DOUBTFUL_BADNESS;
  return {
    synthesized: m.synthesized, smearedBlock: m.smearedBlock, tear: m.tear, seam: m.seam, stretch: m.stretch, badness: b,
    doubtful, findings: doubtful ? findingsOf(m) : [], ms: performance.now() - t,
  };
}

/** The warning a doubtful check adds to the result's plan. */
export function selfCheckWarning(c: SelfCheck, opts: { elastic?: boolean } = {}): string {
  // (An elastic drag that bent its whole selection: the object-aware reading is one more way out.)
  const ways = opts.elastic
    ? 'a selection closer around the object, a shorter arrow, another reading of the plan — the one that keeps the background, where only the object bends ("keep the background" in the intent says the same) —'
    : 'a selection closer around the object, a shorter arrow or another reading of the plan';
  return `Self-check: this result may not look right — ${c.findings.join('; ')}. Look at it before keeping it; ${ways} may do better.`;
}

/** The check as the protocol carries it (job.result `check`): the measures, verdict and findings. */
export function wireCheck(c: SelfCheck): SelfCheckInfo {
  return { synthesized: c.synthesized, smearedBlock: c.smearedBlock, tear: c.tear, ...(c.seam !== undefined ? { seam: c.seam } : {}), stretch: c.stretch, badness: c.badness, doubtful: c.doubtful, findings: [...c.findings] };
}
