/**
 * "Keep the background" said of an elastic drag (issue #13, natural drags). An elastic drag bends
 * its whole selection — the background inside it too, which on a textured backdrop shows as
 * swirls and streaks around the object (a brick wall bent round a turned head, the sky dragged
 * down with a silo's roof). A user who says the background must stay ("keep the background",
 * "the background stays", "don't move the sky") gets the object-aware reading instead: the object
 * found inside the selection (GrabCut, plan/object-reading.ts) bends with the same elastic field,
 * the rest of the selection stays, and what the object uncovers is filled like a move's vacated
 * area. It is not the default: on DragBench it tore what the segmentation left out (a frame's thin
 * bar, daffodil stems, a statue's beard around its face) where the plain elastic drag keeps every
 * part attached.
 */
import type { IntentConstraint } from '../intent/parse';
import { parseIntent } from '../intent/parse';
import type { Operation } from '../types';
import { describeOperation } from './describe';

/** Words that name what lies behind the dragged object. */
const BACKGROUND_WORDS = new Set(['background', 'backdrop', 'backgrounds', 'surroundings', 'surrounding', 'rest', 'sky', 'wall', 'ground', 'floor', 'scene']);

/** Whether a keep constraint names the background ("keep the background", "the sky stays", "don't move the wall"). */
export function namesBackground(c: IntentConstraint): boolean {
  return c.kind === 'keep' && c.object.parts.length === 0 && c.object.words.some((w) => BACKGROUND_WORDS.has(w));
}

/** The intent's words asking that the background stay ("keep the background"), or null. */
export function backgroundKept(intent: string | undefined): { text: string; said: string } | null {
  if (!intent || !intent.trim()) return null;
  const c = parseIntent(intent).constraints.find(namesBackground);
  return c ? { text: c.object.text || 'the background', said: c.text } : null;
}

/**
 * An elastic field's warning in the words of a drag that keeps the background: what stretches is
 * the object, not its surroundings (the warp and the plan say it alike, so the edit's warnings
 * stay one of each).
 */
export function keptBackgroundWording(warning: string): string {
  return warning.replace('the drag stretches the surroundings', 'the drag stretches the object');
}

/**
 * The planner's warning for an intent that keeps `what` unchanged (rule-reasoner.ts): with keep
 * masks, that they protect it; without, that none was drawn (`tail`: what changes then). One
 * wording, so that the object reading, which answers it for an elastic drag (the background stays,
 * or a warning says why not), finds it by {@link warnsKeepUnchanged} rather than by a copy of its text.
 */
export function keepUnchangedWarning(what: string, keepMasks: number, tail = ''): string {
  return keepMasks > 0
    ? `Keeping "${what}" unchanged: ${keepMasks} keep mask(s) protect it.`
    : `The intent asks to keep "${what}" unchanged, but no keep mask was drawn${tail}.`;
}

/** Whether `warning` is {@link keepUnchangedWarning}'s for `what` with no keep mask drawn. */
export function warnsKeepUnchanged(warning: string, what: string): boolean {
  return warning.startsWith(keepUnchangedWarning(what, 0).slice(0, -1));
}

/** What the reason of an elastic operation that keeps the background says (plan/elastic-reading.ts `withKeptBackground`). */
export const KEPT_BACKGROUND_REASON = 'only the object found inside the selection bends, the background stays';

/**
 * An elastic operation whose background stays (`on`: deform `keepBackground`) or bends with the
 * object: its parameters and the description that says which (the reason is the caller's).
 */
export function withKeepBackground(o: Operation, on: boolean): Operation {
  if (o.params.kind !== 'deform') return o;
  const { keepBackground: _was, ...rest } = o.params;
  const params = on ? { ...rest, keepBackground: true } : rest;
  return { ...o, params, description: describeOperation(o.region, params) };
}
