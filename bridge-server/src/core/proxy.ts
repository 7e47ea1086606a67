/**
 * Preview at display resolution: a preview of a large document runs on a proxy of at most
 * {@link PROXY_MAX_PIXELS} pixels (area-averaged image, masks and keep areas; drags, pivots and
 * handles mapped to proxy coordinates) and returns a proxy-scale layer. Its cost depends on the
 * proxy, not on the document: a 36 MP document previews at the cost of a 1 MP one.
 *
 * Coordinates: document pixel `i` covers `[i, i+1)` (centre `i + 0.5`); the proxy has `pw × ph`
 * pixels over the same area, so a document position `x` (pixel-centre convention, as drags use)
 * maps to `(x + 0.5)·pw/W − 0.5`. The result's `proxy` says the factors; a host shows the layer
 * scaled by `1/scaleX × 1/scaleY` at `layer.left / scaleX`, `layer.top / scaleY` document pixels.
 */
import { downscaleImage, downscalePlacedMask, fromProxyPoint, toProxyPoint, type ProxyInfo } from '@smartdrag/shared';
import { describeOperation } from './plan/describe';
import type { Drag, EditRequest, Operation, OperationParams, Plan, Point, Rect, Region } from './types';

// The proxy kernels live in shared/ (hosts make the same proxy when they send their own display image).
export { downscaleImage, downscalePlacedMask, fromProxyPoint, PROXY_MAX_PIXELS, proxyInfoFor, sentProxyInfo, toProxyPoint, usesProxy, type ProxyInfo } from '@smartdrag/shared';

/**
 * The request on the proxy: image, regions, keep areas and drags in proxy coordinates. With
 * `proxyImage` the image is that proxy already (a host sent its display image) and only the masks
 * and positions are mapped.
 */
export function proxyRequest(req: EditRequest, info: ProxyInfo, proxyImage?: EditRequest['image']): EditRequest {
  if (proxyImage && (proxyImage.width !== info.width || proxyImage.height !== info.height)) {
    throw new RangeError(`proxy image ${proxyImage.width}x${proxyImage.height} is not the proxy's ${info.width}x${info.height}`);
  }
  if (info.scaleX === 1 && info.scaleY === 1) return proxyImage ? { ...req, image: proxyImage } : req;
  const regions: Region[] = req.regions.map((r) => ({ id: r.id, mask: downscalePlacedMask(r.mask, info) }));
  const drags: Drag[] = req.drags.map((d) => ({
    ...d, points: d.points.map((p) => toProxyPoint(p, info)), ...(d.center ? { center: toProxyPoint(d.center, info) } : {}),
  }));
  return {
    ...req, image: proxyImage ?? downscaleImage(req.image, info), regions, drags,
    ...(req.keep ? { keep: req.keep.map((k) => downscalePlacedMask(k, info)) } : {}),
    // The document (when the image is a crop of it) in the proxy's pixels, like every position.
    ...(req.document ? { document: proxyRect(req.document, info) } : {}),
    // The intent's pixel quantities are the document's: the planner converts them (plan/units.ts).
    pixelScale: { x: (req.pixelScale?.x ?? 1) * info.scaleX, y: (req.pixelScale?.y ?? 1) * info.scaleY },
    // A reading chosen by the user (plan/pinned-reading.ts): its positions and moves, like the drags.
    ...(req.reading ? { reading: req.reading.map((o) => ({ ...o, params: paramsToProxy(o.params, info) })) } : {}),
  };
}

/**
 * An operation with new parameters, its description said again: the plain description of the new
 * parameters, and whatever the planner added to the old one's (the words of its amount, "right by
 * half its width = 120 px (its box is 240 px wide)", already in document pixels).
 */
function withParams(o: Operation, params: OperationParams): Operation {
  const plain = describeOperation(o.region, o.params);
  const added = o.description.startsWith(plain) ? o.description.slice(plain.length) : '';
  return { ...o, params, description: describeOperation(o.region, params) + added };
}

/** `plan` with `f` applied to every operation and `said` to every warning, its alternatives' too. */
function mapOperations(plan: Plan, f: (o: Operation) => Operation, said?: (text: string) => string): Plan {
  const map = (pl: Plan): Plan => ({ ...pl, operations: pl.operations.map(f), ...(said ? { warnings: pl.warnings.map(said) } : {}) });
  const out = map(plan);
  return plan.alternatives ? { ...out, alternatives: plan.alternatives.map(map) } : out;
}

/**
 * The positions a plan's words give in its image's pixels: the centre a reading turns or scales
 * about, "sweeps 90° about (800,900)", "the given centre (800,900)" (plan/infer.ts and the rule
 * reasoner write them as `pt` of a `fullPoint`, plan/units.ts: no space after the comma) — and,
 * to be skipped, the user's own words the plan quotes ("…"). The document positions the planner
 * says ("its box centre (800, 900) goes there", "at (800, 900)": `docPoint`, a space after the
 * comma) and vectors ("(−680, −780)") are not image positions and do not match.
 */
const IMAGE_POSITION = /"[^"]*"|\b(about|centre) \((-?\d+),(-?\d+)\)/g;

/** `text` with its image positions ({@link IMAGE_POSITION}) moved by (`left`, `top`). */
function saidAtOrigin(text: string, left: number, top: number): string {
  return text.replace(IMAGE_POSITION, (m: string, w?: string, x?: string, y?: string) => (w === undefined ? m : `${w} (${Number(x) + left},${Number(y) + top})`));
}

/** A document rectangle in proxy pixels (edges scaled as the pixel grid is). */
function proxyRect(r: Rect, info: ProxyInfo): Rect {
  const left = Math.round(r.left * info.scaleX), top = Math.round(r.top * info.scaleY);
  return { left, top, width: Math.max(1, Math.round((r.left + r.width) * info.scaleX) - left), height: Math.max(1, Math.round((r.top + r.height) * info.scaleY) - top) };
}

/**
 * Operation parameters with every position (centre, handles, targets) through `point` and a move
 * through `move` (a translate's amount: positions and moves map differently, a move has no origin;
 * without `move` the parameters of a translate are returned as they are).
 */
export function mapOperationParams(p: OperationParams, point: (q: Point) => Point, move?: (dx: number, dy: number) => [number, number]): OperationParams {
  switch (p.kind) {
    case 'translate': { if (!move) return p; const [dx, dy] = move(p.dx, p.dy); return { ...p, dx, dy }; }
    case 'rotate': return { ...p, center: point(p.center) };
    case 'scale': return { ...p, center: point(p.center) };
    case 'deform': {
      const q = { ...p, handles: p.handles.map(point), targets: p.targets.map(point) };
      // (The room is a length: scaled as the moves are, by the mean of the two axes.)
      if (p.room === undefined || !move) return q;
      const [rx, ry] = move(p.room, p.room);
      return { ...q, room: (Math.abs(rx) + Math.abs(ry)) / 2 };
    }
  }
}

/** Operation parameters in proxy pixels (the inverse of {@link paramsFromProxy}): positions as {@link toProxyPoint}, moves scaled. */
export function paramsToProxy(p: OperationParams, info: ProxyInfo): OperationParams {
  return mapOperationParams(p, (q) => toProxyPoint(q, info), (dx, dy) => [dx * info.scaleX, dy * info.scaleY]);
}

function paramsFromProxy(p: OperationParams, info: ProxyInfo): OperationParams {
  return mapOperationParams(p, (q) => fromProxyPoint(q, info), (dx, dy) => [dx / info.scaleX, dy / info.scaleY]);
}

/**
 * A plan made on an image that is a crop of the document at (`left`, `top`): centres, handles and
 * targets moved into document pixels and the descriptions rewritten (the protocol's coordinates are
 * the document's; a host showed "pull (160, 400)" for an arrow it drew at (480, 400)), and so are
 * the positions its reasons and warnings give in the image's pixels (a reading's centre, "sweeps
 * 90° about (800,900)": {@link IMAGE_POSITION}), so that a reason names the point its description
 * does. Amounts (moves, angles, factors, lengths) do not depend on the origin; the positions the
 * planner and the warp already say from the document's corner (EditRequest `document`:
 * `docPoint`, plan/units.ts) stay.
 */
export function planAtOrigin(plan: Plan, left: number, top: number): Plan {
  if (left === 0 && top === 0) return plan;
  // (Moves do not depend on the origin: a translate keeps its parameters.)
  const shift = (p: OperationParams): OperationParams => mapOperationParams(p, (q) => [q[0] + left, q[1] + top]);
  const said = (text: string): string => saidAtOrigin(text, left, top);
  return mapOperations(plan, (o) => {
    const params = shift(o.params);
    const op = params === o.params ? o : withParams(o, params);
    const reason = said(o.reason);
    return reason === o.reason ? op : { ...op, reason };
  }, said);
}

/**
 * The plan a proxy preview made, in document coordinates: amounts, centres, handles and targets
 * mapped back and the descriptions rewritten, so that the host shows "move by (87, −148) px" for
 * an arrow of that length, not its proxy-scale length. The words the planner added about an
 * amount ("= 120 px (its box is 240 px wide)") are kept: it said them in document pixels already
 * (the request carried its `pixelScale`; plan/units.ts), as it said the lengths, positions and
 * areas of its reasons and warnings ("depth 118 px; arrow 200 px", "about (800,900)"), kept too.
 */
export function planFromProxy(plan: Plan, info: ProxyInfo): Plan {
  if (info.scaleX === 1 && info.scaleY === 1) return plan;
  return mapOperations(plan, (o) => withParams(o, paramsFromProxy(o.params, info)));
}
