/**
 * The edit's self-check: the look measures (core/look.ts — synthesized share, smeared block, tear,
 * stretch) computed on the result a user is about to see, and a plain-words warning when they add
 * up to a result a person would likely throw away.
 *
 * How well this agrees with the eye (docs/BENCHMARKS.md, "Self-check"): on the shared DragBench
 * half, of the results it flags (badness ≥ {@link DOUBTFUL_BADNESS}), 35 of 41 were rejected by
 * the lead's review and 37 of 41 by the blind second review; it flags a little over half of all the
 * rejected results (the rest look wrong in ways these measures do not see: a sheared house, a face
 * stretched taller). On the tight-selection photo cases it flags 5, 3 of them rejected. It is a
 * warning, never a refusal: the result is delivered either way.
 *
 * The check needs the edit's source map; it runs when the edited crop has at most
 * {@link SELF_CHECK_MAX_PIXELS} pixels, otherwise the result says it was not checked. The bridge
 * asks for it on finals only (core/edit.ts `bridgeEditOptions`).
 */
import { badness, computeLook, STRETCH_FOLD, STRETCH_NATURAL, type LookMeasures } from './look';
import { unionOver } from './image';
import type { SelfCheckInfo } from '@smartdrag/shared';
import type { EditRequest, EditResult, SelfCheck } from './types';

export type { SelfCheck };

/** Above this badness (sum of the measures' excesses, see core/look.ts `badness`) a result is doubtful. */
export const DOUBTFUL_BADNESS = 2;
/** Largest edited crop (px) the check runs on (its source map is 8 bytes per pixel). */
export const SELF_CHECK_MAX_PIXELS = 4_000_000;

/** The plain-words findings behind a doubtful badness, largest contribution first. */
export function findingsOf(m: LookMeasures): string[] {
  const parts: { v: number; text: string }[] = [];
  const fill = m.synthesized + m.smearedBlock;
  if (fill > 0) {
    parts.push({ v: fill, text: `${Math.round(m.synthesized * 100)}% of the selection is filled in${m.smearedBlock >= 0.25 ? ' and the fill looks smeared' : ''}` });
  }
  if (m.tear > 0) parts.push({ v: m.tear, text: 'edges the photo never had: a part may look cut off or torn' });
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

/**
 * Run the self-check on a finished edit (which must carry its `sourceMap`). Returns null without
 * a source map, for an empty crop, or when the crop is larger than {@link SELF_CHECK_MAX_PIXELS}.
 */
export function selfCheck(req: EditRequest, res: Pick<EditResult, 'crop' | 'holeMask' | 'targetMask' | 'sourceMap' | 'edited'>): SelfCheck | null {
  const { crop } = res;
  if (!res.sourceMap || crop.width * crop.height === 0 || crop.width * crop.height > SELF_CHECK_MAX_PIXELS) return null;
  const t = performance.now();
  // The editable area = the union of the regions, over the crop.
  const editable = unionOver(req.regions.map((r) => r.mask), crop);
  const m = computeLook({ input: req.image, result: res.edited, resultOrigin: crop, edit: res, editable, editableOrigin: crop });
  const b = badness(m);
  const doubtful = b >= DOUBTFUL_BADNESS;
  return {
    synthesized: m.synthesized, smearedBlock: m.smearedBlock, tear: m.tear, stretch: m.stretch, badness: b,
    doubtful, findings: doubtful ? findingsOf(m) : [], ms: performance.now() - t,
  };
}

/** The warning a doubtful check adds to the result's plan. */
export function selfCheckWarning(c: SelfCheck): string {
  return `Self-check: this result may not look right — ${c.findings.join('; ')}. Look at it before keeping it; a selection closer around the object, a shorter arrow or another reading of the plan may do better.`;
}

/** The check as the protocol carries it (job.result `check`): the measures, verdict and findings. */
export function wireCheck(c: SelfCheck): SelfCheckInfo {
  return { synthesized: c.synthesized, smearedBlock: c.smearedBlock, tear: c.tear, stretch: c.stretch, badness: c.badness, doubtful: c.doubtful, findings: [...c.findings] };
}
