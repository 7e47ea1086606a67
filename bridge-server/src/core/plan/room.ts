/**
 * "More room": the same elastic drag on the selection grown outward, offered as a reading to pick
 * where the plan already advises a larger area — the drag has no fold-free map inside the
 * selection (the occlusion reading: the dragged part slides over what lies in front of it and its
 * end is squashed against the fixed edge), or it stretches the surroundings past
 * {@link ELASTIC_STRETCH_WARN}×. A quick lasso drawn close around a head whose nose is pulled
 * towards its edge: the words said "draw a larger area"; this reading does it in one click.
 *
 * The selection is the user's statement of what may change, so the grown area is not the first
 * reading unless the intent asks for it in words ("more room", "a larger area": intent/parse.ts
 * `roomWords`) — pixels outside the selection stay unless the user picks or asks; picked (deform
 * `room`, request pixels), the region is the selection grown by that many pixels (clipped to the
 * picture), and its description says how far the edit may reach past the selection. Offered
 * without being tried at plan time (a second elastic field on every preview frame of such a drag):
 * a larger area usually lowers the largest stretch sharply where it was extreme, but not always
 * (docs/benchmarks/review.md, session 15 (4) and session 37).
 */
import { maskBounds } from '@smartdrag/shared';
import { documentRect, type EditRequest, type Operation, type PlacedMask, type Plan, type Rect } from '../types';
import { chamfer34 } from '../distance-transform';
import { ELASTIC_STRETCH_WARN } from '../warp/elastic-field';
import { describeOperation } from './describe';
import { parseIntent } from '../intent/parse';

/** The growth offered: this share of the selection's equivalent radius (√(area / π)). */
export const ROOM_SHARE = 0.25;
/** Smallest growth offered (request pixels). */
const ROOM_MIN_PX = 2;

/** What the reason of an operation on the grown area adds. */
export const ROOM_REASON = 'the selection grown outward to give the drag room: pixels just outside it change too';

/**
 * Whether an elastic reading's map asks for the room this module offers: no fold-free map
 * (`occlusion`), or a largest stretch over the one the field warns about.
 */
export function wantsRoom(reading: string, maxStretch: number): boolean {
  return reading === 'occlusion' || maxStretch > ELASTIC_STRETCH_WARN;
}

/**
 * The growth (request pixels) offered for a selection in a `width` × `height` picture:
 * {@link ROOM_SHARE} of its equivalent radius, at least {@link ROOM_MIN_PX}; 0 when the
 * selection already covers the picture's every side (there is nowhere to grow).
 */
export function roomFor(mask: PlacedMask, width: number, height: number): number {
  let area = 0;
  for (let i = 0; i < mask.data.length; i++) if (mask.data[i]! >= 128) area++;
  if (area === 0) return 0;
  const b = maskBounds(mask, 128);
  if (b.left <= 0 && b.top <= 0 && b.left + b.width >= width && b.top + b.height >= height) return 0;
  return Math.max(ROOM_MIN_PX, Math.round(ROOM_SHARE * Math.sqrt(area / Math.PI)));
}

/**
 * `mask` grown by `room` pixels (3-4 chamfer distance from its solid pixels, within 6% of the
 * Euclidean), clipped to the `width` × `height` picture, or to `within` inside it (only that part
 * of the selection grows); every pixel keeps at least its own coverage (a soft edge stays as drawn
 * where the growth does not reach past it).
 */
export function growMask(mask: PlacedMask, room: number, width: number, height: number, within?: Rect): PlacedMask {
  // (Past the picture's size a growth adds nothing more.)
  const r = Math.ceil(Math.min(room, Math.max(width, height)));
  if (!(r > 0)) return mask;
  const L = Math.max(0, within?.left ?? 0), T = Math.max(0, within?.top ?? 0);
  const R = Math.min(width, within ? within.left + within.width : width), B = Math.min(height, within ? within.top + within.height : height);
  const left = Math.max(L, mask.left - r), top = Math.max(T, mask.top - r);
  const right = Math.min(R, mask.left + mask.width + r), bottom = Math.min(B, mask.top + mask.height + r);
  const w = Math.max(0, right - left), h = Math.max(0, bottom - top), n = w * h;
  const own = new Uint8Array(n);
  const d = new Int32Array(n).fill(1 << 29);
  for (let y = Math.max(0, top - mask.top); y < Math.min(mask.height, bottom - mask.top); y++) {
    for (let x = Math.max(0, left - mask.left); x < Math.min(mask.width, right - mask.left); x++) {
      const v = mask.data[y * mask.width + x]!, q = (y + mask.top - top) * w + x + mask.left - left;
      own[q] = v;
      if (v >= 128) d[q] = 0;
    }
  }
  chamfer34(d, w, h);
  const reach = 3 * Math.min(room, r);
  for (let q = 0; q < n; q++) if (d[q]! <= reach) own[q] = 255;
  return { left, top, width: w, height: h, data: own };
}

/** The intent's words asking for more room ("more room", "a larger area"), as typed, or null. */
export function roomAsked(intent: string | undefined): string | null {
  return intent && intent.trim() ? parseIntent(intent).room?.said ?? null : null;
}

/**
 * An elastic operation on its selection grown by `room` request pixels: parameters, description
 * and reason say so (`asked`: the intent's words that asked for it).
 */
export function withRoom(o: Operation, room: number, asked?: string): Operation {
  if (o.params.kind !== 'deform' || !o.params.elastic) return o;
  const params = { ...o.params, room };
  // (What the map inside the selection as drawn did — its reading, its largest stretch — is not
  // what the grown area's map does: the result's warnings say that.)
  const reason = o.reason.replace(/elastic drag \([^()]*\)/, 'elastic drag');
  return { ...o, params, description: describeOperation(o.region, params), reason: `${reason}; ${ROOM_REASON}${asked ? ` (as the intent asks: "${asked}")` : ''}` };
}

/**
 * The request the plan's operations are carried out on: each region whose operation has a room
 * (deform `room`) grown by it ({@link growMask}); `req` itself when none has.
 */
export function requestWithRoom(req: EditRequest, plan: Plan): EditRequest {
  const rooms = new Map<string, number>();
  for (const o of plan.operations) {
    if (o.params.kind === 'deform' && o.params.room !== undefined && o.params.room > 0) rooms.set(o.region, Math.max(rooms.get(o.region) ?? 0, o.params.room));
  }
  if (rooms.size === 0) return req;
  const { width, height } = req.image;
  // Where the image is a crop of a larger document (a host sends the edit's area), the growth
  // stops a pixel short of the crop's edge: an area that reaches the image's frame continues past
  // it and slides along it (warp/elastic-field.ts extendPastFrame), which is right at the
  // document's edge and a seam at a crop's.
  const d = documentRect(req);
  const within: Rect = {
    left: d.left < 0 ? 1 : 0, top: d.top < 0 ? 1 : 0,
    width: width - (d.left < 0 ? 1 : 0) - (d.left + d.width > width ? 1 : 0),
    height: height - (d.top < 0 ? 1 : 0) - (d.top + d.height > height ? 1 : 0),
  };
  return { ...req, regions: req.regions.map((r) => (rooms.has(r.id) ? { ...r, mask: growMask(r.mask, rooms.get(r.id)!, width, height, within) } : r)) };
}
