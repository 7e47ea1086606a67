/**
 * Plain data types of the editing core. Images are RGBA8 with straight (non-premultiplied)
 * alpha, row-major, index `(y*width + x)*4`. Everything is in document pixels unless the name
 * says otherwise. The core never does I/O and never imports server code.
 */
import type { ElasticMap, PlacedMask, Point, Rect, SelfCheckInfo } from '@smartdrag/shared';

export type { PlacedMask, Point, Rect };

/** An RGBA8 image, straight alpha. */
export interface RgbaImage {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

/** A gray8 mask the size of some image or crop: 0 = out, 255 = fully in. */
export interface Mask {
  width: number;
  height: number;
  data: Uint8Array;
}

/** Transform type a user or the planner chooses for a drag. */
export type DragKind = 'translate' | 'rotate' | 'scale' | 'deform';
export type DragKindOrAuto = DragKind | 'auto';

/** A handle region: a soft mask placed in the document, with a stable id. */
export interface Region {
  id: string;
  mask: PlacedMask;
  /**
   * Set by the planner's object reading when a tight selection was grown by the object's cast
   * shadow and its faint fringe (plan/cast-shadow.ts; `mask` then includes them). The vacated
   * area's outline there lies on the backdrop, not on the object, so the reading of the object's
   * soft edge (edit.ts `rimReach`) is not made there: the area is grown by `growPx` (the fringe's
   * width: the shadow fades on past it by about as much again), and never into `stop` (other
   * objects next to the shadow with their rims, document pixels).
   */
  castShadow?: { growPx: number; stop?: PlacedMask };
  /**
   * Set by the planner's object reading for an elastic drag on a loose selection whose object was
   * told from its background (plan/object-reading.ts): the selection, on which the elastic field
   * is built; `mask` is then the object found inside it, the only content the field moves — the
   * selection's background stays, and what the object leaves uncovered is filled.
   */
  area?: PlacedMask;
  /**
   * Set by the object reading with a soft rim (segment/grabcut.ts `rimColours`): rim pixels whose
   * colour, with the backdrop's share replaced by the object's, the warp takes instead of the
   * image's where `mask` is partial (document indices y × width + x, ascending; RGB).
   */
  rimColour?: { index: Int32Array; rgb: Uint8Array };
}

/**
 * One drag: a polyline in document pixels. `points[0]` is the handle, the last point the target,
 * middle points shape the arc (rotate) or path. `region` names the region it belongs to.
 */
export interface Drag {
  region: string;
  points: Point[];
  kind?: DragKindOrAuto;
  /** Pivot for rotate, fixed point for scale. Defaults to the region centroid. */
  center?: Point;
}

/** What the user asked for, as the core receives it (already decoded and validated). */
export interface EditRequest {
  image: RgbaImage;
  regions: Region[];
  drags: Drag[];
  /** Pixels that must never change (union of keep masks). */
  keep?: PlacedMask[];
  /** Free-text intent (used by the intent reasoner; may be empty). */
  intent?: string;
  /** `preview`: bilinear + fast fill; `final`: bicubic + exemplar fill + seam blend. */
  quality: 'preview' | 'final';
  /** Seed for every random choice (fill); the same seed gives the same pixels. */
  seed?: number;
  /**
   * The whole document in this request's image pixels, when `image` is a crop (or a proxy) of a
   * larger document (left/top ≤ 0: where the document starts relative to the image); default the
   * image itself. The readings that depend on the document rather than the edited area — the
   * selection-fit offsets that grow with the document's side, an intent's "top-left corner" or
   * "half the image" — read it, so a crop takes the same reading as a whole-document edit.
   */
  document?: Rect;
  /**
   * Pixels of `image` per document pixel, when the image is a proxy of the document (a preview
   * of a large document: core/proxy.ts `proxyRequest`, or a host's display image, `sentProxy`);
   * absent = 1. Every position and mask of the request is in the image's pixels, but the intent's
   * words are about the document: "40 px", "to (400, 300)", "200px wide" are document pixels, and
   * the planner converts them with this (plan/units.ts) and speaks in document pixels.
   */
  pixelScale?: { x: number; y: number };
  /**
   * A reading the planner proposed for these regions and arrows — its plan's operations or an
   * alternative's — to carry out as given instead of the planner's first reading (plan/pinned-reading.ts):
   * what a panel sends when the user picks "Or did you mean …", and for the full edit after a
   * preview. Positions and amounts in the image's pixels, like the drags.
   */
  reading?: Operation[];
}

/** The document of `req` in its image's pixels ({@link EditRequest.document}, default the image). */
export function documentRect(req: Pick<EditRequest, 'image' | 'document'>): Rect {
  return req.document ?? { left: 0, top: 0, width: req.image.width, height: req.image.height };
}

/** √(width × height) of the document of `req`, in its image's pixels. */
export function documentSide(req: Pick<EditRequest, 'image' | 'document'>): number {
  const d = documentRect(req);
  return Math.sqrt(d.width * d.height);
}

/** Parameters of one planned operation, by kind. Angles in degrees, positive = clockwise on screen. */
export type OperationParams =
  | { kind: 'translate'; dx: number; dy: number }
  | { kind: 'rotate'; angleDeg: number; center: Point }
  | { kind: 'scale'; sx: number; sy: number; center: Point }
  /**
   * `elastic`: the drags bend the editable area smoothly (zero displacement on its boundary, keep
   * and pins; nothing is cut out or filled) — the reading of point drags on a loose selection.
   * Otherwise the rigid-MLS part deform anchored on the far part of the region. `map`: which map
   * the elastic drag built (the planner's words for it are in the operation's reason); informative,
   * the warp builds the map again. `keepBackground` (elastic only): only the object found inside
   * the selection bends, the background stays and what the object uncovers is filled
   * (plan/background-kept.ts) — asked by the intent ("keep the background") or by choosing the
   * plan's alternative that says so. `room` (elastic only, pixels > 0): the selection grown outward
   * by that much is the area that bends (plan/room.ts) — the plan's alternative where the drag has
   * too little room inside the selection; pixels just outside the selection change too.
   */
  | { kind: 'deform'; handles: Point[]; targets: Point[]; elastic?: boolean; map?: ElasticMap; keepBackground?: boolean; room?: number };

/** One region-level operation of a plan, with the reason it was chosen. */
export interface Operation {
  region: string;
  kind: DragKind;
  params: OperationParams;
  /** Where the kind came from. */
  source: 'user' | 'intent' | 'geometry';
  /** Plain-words description, e.g. "Rotate region h1 by 25° clockwise about (197,173)". */
  description: string;
  /** Why this kind was chosen (geometry figures, intent words). */
  reason: string;
}

/** The readable interpretation of arrows + intent. */
export interface Plan {
  operations: Operation[];
  warnings: string[];
  /** Other readings of an ambiguous request, best first (at most 3 in total with this one). */
  alternatives?: Plan[];
  /** Confidence 0..1 of this reading. */
  confidence?: number;
  /** Which reasoner read the intent: "rules", or the name of an optional reasoner (e.g. a local LLM). */
  reasoner?: string;
}

/** Per-stage wall times in milliseconds (plan, warp, fill, blend, refine, layer, total). */
export type Timings = Record<string, number>;

/** Progress callback: stage name and fraction 0..1 of that stage. */
export type ProgressFn = (stage: string, fraction: number) => void;

/** The result of an edit. */
export interface EditResult {
  plan: Plan;
  /** Document rectangle the core worked on (bounding crop of source ∪ target + margin). */
  crop: Rect;
  /** Edited pixels of `crop` (RGBA, straight alpha). */
  edited: RgbaImage;
  /** Target coverage (where moved content lands), crop-sized. */
  targetMask: Mask;
  /** Vacated area = source − target − keep, crop-sized. */
  holeMask: Mask;
  /**
   * The changed-pixels layer: pixels of `edited` that differ from the input, alpha 0 elsewhere;
   * `left/top` place it in the document.
   */
  layer: { left: number; top: number; image: RgbaImage };
  timings: Timings;
  /**
   * Only when asked for (`runEdit(…, {withSourceMap: true})`): for every crop pixel the document
   * position its content was sampled from, interleaved `[x, y, …]` (crop-sized × 2); untouched
   * pixels hold their own position; pixels of `holeMask` are synthesized by the fill.
   */
  sourceMap?: Float32Array;
  /**
   * Only with `runEdit(…, {forOutline: true})` when every region was only translated: the
   * smallest region shift in px (the source map is then not built; every rendered pixel moved by
   * its region's shift).
   */
  movedShiftPx?: number;
  /**
   * Only with `runEdit(…, {forOutline: true})` when one region was moved by rigid operations only
   * (rotate, scale, translate; not all translations, which give `movedShiftPx`): the warp's
   * backward map `[a, b, c, d, e, f]` (target (x, y) shows the content at (a·x + b·y + c,
   * d·x + e·y + f), document pixels of this result); the source map is then not built.
   */
  movedBackward?: readonly [number, number, number, number, number, number];
  /**
   * Only with `runEdit(…, {selfCheck: true})`: the look measures of this result and whether it is
   * doubtful (core/self-check.ts; a large crop is measured on a proxy); null for an empty crop.
   */
  check?: SelfCheck | null;
  /**
   * Set when a preview ran on a proxy (`runEdit(…, {proxyMaxPixels})`): every pixel field of this
   * result (crop, masks, layer) is in proxy pixels; `scaleX/scaleY` proxy pixels per document pixel.
   */
  proxy?: { width: number; height: number; scaleX: number; scaleY: number };
}

/** Thrown by a cancellable stage when its AbortSignal fires. */
export class CancelledError extends Error {
  constructor() {
    super('cancelled');
    this.name = 'CancelledError';
  }
}

/**
 * A hole filler (classical exemplar, fast preview fill, or a learned model). It fills `hole`
 * pixels of `image` in place, never reading pixels marked in `forbidden` (the hole itself and
 * the moved content's new position) as sources.
 */
export interface Filler {
  readonly name: string;
  fill(image: RgbaImage, hole: Mask, forbidden: Mask, opts: FillOptions): Promise<void> | void;
}

export interface FillOptions {
  seed: number;
  signal?: AbortSignal;
  onProgress?: (fraction: number) => void;
}

/**
 * An optional learned refinement over the edited crop (e.g. a few diffusion steps). It may only
 * change pixels where `allowed` > 0 (hole + seam band). Injected by the server; the core runs
 * without one.
 */
export interface Refiner {
  readonly name: string;
  refine(input: RefineInput): Promise<void>;
}

export interface RefineInput {
  /** The edited crop, modified in place. */
  image: RgbaImage;
  /** Where the refiner may change pixels (hole ∪ seam band), crop-sized. */
  allowed: Mask;
  intent: string;
  seed: number;
  signal?: AbortSignal;
  onProgress?: (fraction: number) => void;
}

/**
 * What the self-check of a result found (core/self-check.ts): the protocol's fields (shared
 * `SelfCheckSchema`: measures, badness, doubtful, findings) and the check's wall time.
 */
export type SelfCheck = SelfCheckInfo & {
  /** Wall time of the check, ms. */
  ms: number;
};
