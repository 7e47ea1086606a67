/**
 * The elastic reading of point drags on a loose selection (issue #13): when a region's arrows
 * were read from geometry alone (no kind set by the user, none from the intent) as moves or part
 * deforms, every arrow starts and ends inside the selection, and the selection's edge does not
 * follow the object's outline, the region is an editable AREA rather than the object itself —
 * so the arrows bend it elastically (nothing cut out, nothing filled) instead of moving a cut-out
 * blob and synthesizing the hole. The rigid reading stays available as an alternative.
 */
import { maskAt, type ElasticMap } from '@smartdrag/shared';
import { documentSide, type EditRequest, type Operation, type PlacedMask, type Plan, type Point } from '../types';
import { buildElasticField, elasticArea } from '../warp/elastic-field';
import { regionOcclusionField } from '../warp/elastic-occlusion';
import { describeOperation } from './describe';
import { readSelectionFit } from './object-cache';
import { attachedObject } from './object-reading';
import { backgroundKept, KEPT_BACKGROUND_REASON, withKeepBackground } from './background-kept';
import { parseIntent } from '../intent/parse';
import { pixelUnits } from './units';
import { roomAsked, roomFor, wantsRoom, withRoom } from './room';

/** What a plain elastic drag's reason ends with: the background bends too, and how to keep it. */
export const BENDS_BACKGROUND = 'the background inside the selection bends with it (pick the reading that keeps the background, or say "keep the background", to leave it where it is)';

/** Longest arrow (fraction of the room ahead of its handle, to the selection's edge) read with occlusion. */
export const OCCLUSION_MAX_REACH = 0.75;

const f2 = (x: number): string => (Math.round(x * 100) / 100).toString();

/** What the map built does, in the plan's words (the elastic field's own reading, not a guess); `partRadius` in document pixels. */
export function readingWords(reading: ElasticMap, partRadius: readonly number[]): string {
  const radii = `${partRadius.map((r) => Math.round(r)).join(', ')} px`;
  switch (reading) {
    case 'band': return 'the parallel arrows push an edge: a band through their targets moves with them and the content stretches or compresses along the drag only';
    case 'group': return `the arrows move one piece: everything between their targets moves as one and every handle lands, parts of ${radii} radius around them`;
    case 'turn': return 'the arrows move one piece on their best common turn (landing every handle exactly would fold the area)';
    case 'occlusion': return 'no fold-free map: the dragged part slides over what lies in front of it';
    default: return `parts of ${radii} radius move as a whole`;
  }
}

/** Whether the pixel under `p` is a solid (≥ 50%) pixel of `m`. */
const solidAt = (m: PlacedMask, p: Point): boolean => maskAt(m, Math.round(p[0]), Math.round(p[1])) >= 128;

/** Why a region is (or is not) read elastically, for the plan and the planner's decision table. */
export interface ElasticDecision {
  region: string;
  elastic: boolean;
  why: string;
}

/**
 * Apply the elastic reading to `plan` where it fits (see the module comment); returns the new
 * plan (the input plan, unchanged, becomes its first alternative when anything changed) and the
 * decision per region.
 */
export function applyElasticReading(req: EditRequest, plan: Plan, signal?: AbortSignal): { plan: Plan; decisions: ElasticDecision[] } {
  const decisions: ElasticDecision[] = [];
  const replaced = new Map<string, Operation>();
  const warnings: string[] = [];
  const roomy = new Map<string, number>();
  const regionIds = [...new Set(plan.operations.map((o) => o.region))];
  const shape = intentShape(req.intent);
  const keepsBackground = backgroundKept(req.intent) !== null;
  // Words that ask for more room ("more room", "a larger area"): the first reading takes it.
  const asked = roomAsked(req.intent);
  // (The radii it says, and the field's warnings, are document pixels: the request may be a proxy, plan/units.ts.)
  const units = pixelUnits(req);
  for (const id of regionIds) {
    const region = req.regions.find((r) => r.id === id);
    if (!region) continue;
    const decide = (elastic: boolean, why: string): void => { decisions.push({ region: id, elastic, why }); };
    const ops = plan.operations.filter((o) => o.region === id);
    if (ops.some((o) => o.source === 'user')) { decide(false, 'the kind was set by the user'); continue; }
    // An intent that names a part ("turn the head", "raise the arm", "close the mouth") asks for
    // the part to move on its object, and one that reshapes ("stretch it", "bend the branch",
    // "make the dog look up"): elastic. One that moves, turns or scales a whole ("move the cup") is rigid.
    const fromIntent = ops.some((o) => o.source === 'intent');
    if (fromIntent && !shape) { decide(false, 'the intent moves a whole object, not a part of it'); continue; }
    const drags = req.drags.filter((d) => d.region === id);
    // One arrow read as a scale towards or away from the centre guesses the pivot; on an editable
    // area it is a pull of the part under the handle (a crown shortened, a lid closed).
    const loneScale = drags.length === 1 && ops.length === 1 && ops[0]!.kind === 'scale';
    if (!fromIntent && !loneScale && ops.some((o) => o.kind !== 'translate' && o.kind !== 'deform')) { decide(false, `read as ${ops.map((o) => o.kind).join(' + ')}`); continue; }
    if (drags.some((d) => d.kind !== undefined && d.kind !== 'auto')) { decide(false, 'a drag has a kind set'); continue; }
    const handles: Point[] = [], targets: Point[] = [];
    for (const d of drags) { handles.push(d.points[0]!); targets.push(d.points[d.points.length - 1]!); }
    const moving = handles.filter((h, i) => Math.hypot(targets[i]![0] - h[0], targets[i]![1] - h[1]) >= 1e-6).length;
    if (moving === 0) { decide(false, 'nothing moves'); continue; }
    if (!handles.every((h) => solidAt(region.mask, h)) || !targets.every((t) => solidAt(region.mask, t))) {
      decide(false, 'an arrow leaves the selection: the object moves to a new place');
      continue;
    }
    const fit = readSelectionFit(req.image, region.mask, documentSide(req), signal);
    let attachedWhy = '';
    if (fit.tight) { decide(false, `the selection follows the object's outline (edge contrast ${f2(fit.edgeRatio)}× its surroundings)`); continue; }
    const area = elasticArea(region.mask, req.keep ?? [], req.image);
    let res: { field: unknown; warnings: string[]; partRadius: number[]; maxStretch: number; reading: ElasticMap } = buildElasticField({ mask: area.mask, handles, targets, keep: area.keep, preview: req.quality === 'preview', ...(signal ? { signal } : {}), units });
    if (!res.field) {
      // No fold-free map: the occlusion reading (the part slides over what is in front of it) —
      // unless an arrow crosses most of the room ahead of it (≥ OCCLUSION_MAX_REACH of the way to
      // the selection's edge): that is a move of the object to a new place (rigid reading).
      const far = handles.some((h, i) => {
        const t = targets[i]!, len = Math.hypot(t[0] - h[0], t[1] - h[1]);
        if (len < 1e-6) return false;
        let room = 0;
        while (room < 4096 && solidAt(region.mask, [h[0] + ((t[0] - h[0]) / len) * room, h[1] + ((t[1] - h[1]) / len) * room])) room += 1;
        return len > OCCLUSION_MAX_REACH * room;
      });
      // ...unless that move would cut out an object attached to something outside the selection
      // (a tail on its fish, a tower top on its tower): cut out along the selection's edge, it
      // would come off and float; sliding it keeps it joined.
      const joined = far && ops.every((o) => o.kind === 'translate' || o.kind === 'rotate' || o.kind === 'scale') ? attachedObject(req, region.mask, handles, signal) : null;
      if (far && !joined?.attached) { decide(false, `no fold-free elastic map and an arrow crosses most of the selection: ${res.warnings.join('; ')}`); continue; }
      if (joined?.attached) attachedWhy = `the object it grabs continues past the selection's edge (${Math.round(joined.share * 100)}% of its outline): moved as a cut-out it would come off; `;
      // The warp's own call (warp-regions.ts prepareElastic), so that it reuses this field.
      const occ = regionOcclusionField(area, region.mask, handles, targets, req.image.width, req.image.height, req.quality === 'preview', signal, units);
      if (!occ.field) { decide(false, `no fold-free elastic map: ${res.warnings.join('; ')}`); continue; }
      res = { field: occ.field, warnings: [...occ.warnings, 'no fold-free map: the dragged part slides over what lies in front of it'], partRadius: [], maxStretch: occ.maxStretch, reading: 'occlusion' };
    }
    warnings.push(...res.warnings.map((w) => `region ${id}: ${w}`));
    // Where the map says the selection is too small for the drag, the same drag on the selection
    // grown outward is one more reading (plan/room.ts); one region only (a grown one would reach
    // into the others).
    if (!keepsBackground && req.regions.length === 1 && (asked !== null || wantsRoom(res.reading, res.maxStretch))) {
      const r = roomFor(region.mask, req.image.width, req.image.height);
      if (r > 0) roomy.set(id, r);
    }
    const params = { kind: 'deform' as const, handles, targets, elastic: true, map: res.reading };
    const named = !fromIntent || !shape ? ''
      : shape.parts.length > 0 ? `the intent names a part (${shape.parts.join(', ')}), `
        : `the intent reshapes (${shape.verbs.join(', ')}), `;
    const why = `${named}${attachedWhy}the selection is an editable area, not the object's outline (edge contrast ${f2(fit.edgeRatio)}× its surroundings) ` +
      `and every arrow stays inside it: elastic drag (${readingWords(res.reading, res.partRadius.map((r) => units.docLen(r)))}, largest stretch ${f2(res.maxStretch)}×)` +
      // (The object reading answers an intent that keeps the background: plan/background-kept.ts.)
      (keepsBackground ? '' : `; ${BENDS_BACKGROUND}`);
    replaced.set(id, { region: id, kind: 'deform', params, source: fromIntent ? 'intent' : 'geometry', description: describeOperation(id, params), reason: why });
    decide(true, why);
  }
  // Asked for and not given: said, with why.
  const unused = asked === null || (replaced.size > 0 && roomy.size > 0) ? null
    : `The intent asks for more room ("${asked}"), which grows the area an elastic drag bends: not used here — ${
      keepsBackground ? 'the intent keeps the background too, so only the object found inside the selection bends'
        : req.regions.length > 1 ? 'there are several selections, and a grown one would reach into the others'
          : replaced.size === 0 ? 'the plan does not bend the selection (it moves, turns or scales it as drawn)'
            : 'the selection already covers the picture'}.`;
  if (replaced.size === 0) return { plan: unused ? { ...plan, warnings: [...plan.warnings, unused] } : plan, decisions };
  const operations: Operation[] = [];
  for (const o of plan.operations) {
    const r = replaced.get(o.region);
    if (!r) operations.push(o);
    else if (!operations.includes(r)) operations.push(r);
  }
  const { alternatives, ...rigid } = plan;
  const rigidReading: Plan = { ...rigid, warnings: [...rigid.warnings, 'Rigid reading: the selection is cut out and moved, the hole filled.'] };
  // Unless the intent keeps the background already: the same elastic drag bending only the object
  // found inside the selection (plan/background-kept.ts), what "keep the background" asks for —
  // offered as a reading to pick, since the background bent with the object shows as swirls and
  // streaks on a textured backdrop. (Not found here — that costs the object reading of a final — but
  // when it is carried out: if no object can be told, it says so and the whole selection bends.)
  const kept: Plan[] = keepsBackground ? [] : [{
    ...rigid,
    operations: operations.map((o) => (o.params.kind === 'deform' && o.params.elastic ? withKeptBackground(o) : o)),
    warnings: [...plan.warnings, ...warnings],
  }];
  // Where the selection is too small for the drag: the same drag with room (plan/room.ts). Its
  // warnings are the plan's own: the field's were read on the selection as drawn.
  const roomier: Plan[] = roomy.size === 0 ? [] : [{
    ...rigid,
    operations: operations.map((o) => (roomy.has(o.region) ? withRoom(o, roomy.get(o.region)!, asked ?? undefined) : o)),
    warnings: [...plan.warnings, ...[...roomy].map(([id, r]) => `region ${id}: More room: the drag bends the selection grown by ${Math.round(units.docLen(r))} px, so pixels just outside it change too.`)],
  }];
  const plain: Plan = { ...plan, operations, warnings: [...plan.warnings, ...warnings, ...(unused ? [unused] : [])] };
  // The intent asked for room: that is the first reading, and the selection as drawn an alternative.
  if (asked !== null && roomier.length > 0) {
    return { plan: { ...roomier[0]!, alternatives: [rigidReading, ...kept, plain].slice(0, 3) }, decisions };
  }
  return {
    plan: { ...plain, alternatives: [rigidReading, ...kept, ...roomier, ...(alternatives ?? [])].slice(0, roomier.length > 0 ? 3 : 2) },
    decisions,
  };
}

/** An elastic operation that bends only the object found inside its selection: parameters, description and reason say so. */
export function withKeptBackground(o: Operation): Operation {
  if (o.params.kind !== 'deform' || o.params.keepBackground) return o;
  const reason = o.reason.endsWith(`; ${BENDS_BACKGROUND}`) ? o.reason.slice(0, -(BENDS_BACKGROUND.length + 2)) : o.reason;
  return { ...withKeepBackground(o, true), reason: `${reason}; ${KEPT_BACKGROUND_REASON}` };
}

/** What makes an intent a reshaping one: the parts it names and the reshaping verbs used on wholes. */
export interface IntentShape {
  parts: string[];
  verbs: string[];
}

/**
 * Whether EVERY action of an intent reshapes rather than moves a whole: it names a part ("turn the
 * head", "raise its left arm", "close the mouth") or its verb is a deformation of the object itself
 * ("stretch it", "bend the branch", "make the dog look up": verb class deform — a direction-only
 * verb like "lift it" or "pull it up" moves the whole, but "look", "face", "point" turn the object
 * that way, so they count). Null when there is no intent or an
 * action moves, turns or scales a whole object ("move the cup", "rotate the pencil 20°", "make the
 * tree taller").
 */
export function intentShape(intent: string | undefined): IntentShape | null {
  if (!intent || !intent.trim()) return null;
  const parse = parseIntent(intent);
  if (parse.actions.length === 0) return null;
  const parts: string[] = [], verbs: string[] = [];
  for (const a of parse.actions) {
    if (a.object.parts.length > 0) {
      for (const p of a.object.parts) if (!parts.includes(p)) parts.push(p);
    } else if (a.cls === 'deform' && (!a.soft || /\b(look|gaze|face|point|aim)$/.test(a.verb))) {
      if (!verbs.includes(a.verb)) verbs.push(a.verb);
    } else return null;
  }
  return { parts, verbs };
}
