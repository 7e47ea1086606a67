/**
 * The boundary between the plugin's logic and Photoshop. `src/host/photoshop-host.ts` implements
 * it over the `photoshop` module; tests implement it (or the module under it) with fakes.
 */
import type { Limits, PlacedMask, Rect } from '@smartdrag/shared';
import type { DragKindChoice, DragSpec, IdRegion } from '../geometry/assign-drags';
import type { LayerPixels, Placement } from '../geometry/placement';
import type { PluginError } from './errors';

/** Options of {@link HostAdapter.capture}. */
export interface CaptureOptions {
  /** The panel's type picker; put on every drag. */
  kind: DragKindChoice;
  /** Context margin around the edited area, px. Default 64. */
  marginPx?: number;
  /**
   * The bridge's image limits (its `welcome`): an edit area beyond them is refused before any
   * pixel is read. Default: the protocol's defaults (`DEFAULT_LIMITS`).
   */
  limits?: ImageLimits;
  /** The user's Cancel: a capture not yet at its pixel read stops before it (no second modal scope). */
  signal?: AbortSignal;
}

/** The image limits of the bridge that a capture must fit (shared/src/protocol/limits.ts). */
export type ImageLimits = Pick<Limits, 'maxImagePixels' | 'maxImageSidePx'> & Partial<Pick<Limits, 'maxRegions'>>;

/**
 * The Work Path the arrows were read from: apply deletes it in the edit's own undo step if it
 * still holds exactly these subpaths (`signature`), so the next arrow drawn starts a new one.
 */
export interface WorkPathRef {
  id: number;
  /** The subpaths read, in document pixels (see `pathSignature`). */
  signature: string;
}

/** Everything read from the document for one edit, in document pixels. */
export interface Capture {
  documentId: number;
  sourceLayerId: number;
  sourceLayerName: string;
  docWidth: number;
  docHeight: number;
  /** Pixels per inch (informational: all coordinates here are already pixels). */
  resolution: number;
  /** The source layer's pixels over the edit area, RGBA8 straight alpha (transparent outside the layer). */
  image: { width: number; height: number; data: Uint8ClampedArray };
  /** Document pixel of `image`'s top-left. */
  imageOrigin: [number, number];
  regions: IdRegion[];
  drags: DragSpec[];
  /** Mask of pixels that must not change (from a channel named "keep"), cropped to the edit area. */
  keep?: PlacedMask[];
  /** Notes for the user (closed subpaths skipped, arrows outside the selection…). */
  warnings: string[];
  /** Set when the arrows came from the Work Path (not from saved paths). */
  workPath?: WorkPathRef;
  /**
   * Id of the document's active history state when the pixels were read (document.md
   * `activeHistoryState`); absent when the host does not report one. Apply compares it.
   */
  historyStateId?: number;
}

/** Options of {@link HostAdapter.capturePreview}. */
export interface PreviewCaptureOptions extends CaptureOptions {
  /** Most pixels the preview image may have (default `PROXY_MAX_PIXELS`, about 1 MP). */
  maxPixels?: number;
}

/**
 * What a preview reads: the same edit (regions, arrows, keep, area) as {@link Capture}, but when
 * the edit's area is larger than the budget, `image` is a display-size proxy of it (read with
 * `getPixels` `targetSize`) and `proxyOf` is set: the area's size in document pixels (job.submit
 * `proxyOf`). Then the region and keep masks are in `image`'s pixels, placed relative to its
 * top-left; drags stay in document pixels (protocol). Without `proxyOf`, everything is as in a
 * {@link Capture} (document pixels, `image` = the area at full resolution).
 */
export interface PreviewCapture extends Capture {
  /** The document area the preview shows (the edit's area, document pixels). */
  roi: Rect;
  /** Set when `image` is a proxy of `roi`: `{width: roi.width, height: roi.height}`. */
  proxyOf?: { width: number; height: number };
  /** Profile `image`'s numbers are in (the document's own), for encoding the preview picture; absent for an untagged document. */
  colorProfile?: string;
}

/** Where an accepted result goes. */
export interface ApplyTarget {
  documentId: number;
  /** The new layer is created directly above this layer, which is never modified. */
  sourceLayerId: number;
  /** The new layer's name. */
  name: string;
  /** The document's size at capture: a document whose canvas changed since is refused (`document_changed`). */
  docWidth: number;
  docHeight: number;
  /** The Work Path the arrows came from (the capture's), deleted with the edit. */
  workPath?: WorkPathRef;
  /**
   * The capture's history state ({@link Capture.historyStateId}). Still the active one at apply:
   * the document is as read, and the layer is added. Another one (the image rotated or flipped,
   * the layer edited, an undo, or only a Deselect): the source layer is compared with `source`,
   * and a layer that changed is refused (`document_changed`), nothing added.
   */
  historyStateId?: number;
  /**
   * The source layer's pixels the edit was computed from (the capture's `image`, RGBA, over
   * `area` in document pixels, transparent where the layer had none). Without it a changed
   * history state is refused outright; without both, only size and layer are checked.
   */
  source?: { area: Rect; data: Uint8ClampedArray };
}

/** What {@link HostAdapter.applyLayer} did. */
export interface ApplyOutcome {
  /** Id of the created layer; null when the result changed no pixel (nothing created). */
  layerId: number | null;
  placement: Placement | null;
  /** Notes for the user about what apply did besides the layer (a Work Path kept, …). */
  notes?: string[];
}

/** The host as the plugin logic sees it. */
export interface HostAdapter {
  /** Read selection, arrows, keep mask and pixels in ONE short modal scope. */
  capture(opts: CaptureOptions): Promise<Capture>;
  /**
   * Write a result as a new layer in ONE short modal scope with history suspended: exactly one
   * undo step on success, the document untouched on failure or cancel.
   */
  applyLayer(layer: LayerPixels, target: ApplyTarget, signal?: AbortSignal): Promise<ApplyOutcome>;
  /**
   * Read the edit at display resolution for a preview, in ONE short modal scope that writes
   * nothing (no layer, no history step).
   */
  capturePreview(opts: PreviewCaptureOptions): Promise<PreviewCapture>;
  /**
   * Encode an RGBA picture (straight alpha, matted on white) as a base64 JPEG for an `<img>`
   * (`imaging.encodeImageData`); never touches the document.
   */
  encodePreview(picture: { width: number; height: number; data: Uint8ClampedArray }, colorProfile?: string): Promise<string>;
  /**
   * Watch the document an edit was read from while the bridge works and its result waits: when
   * the user closes it (or the source layer leaves it: deleted, merged into another layer,
   * flattened, replaced by a conversion), `onGone` is called once, with the error to
   * show, and the watch ends by itself. Returns the function that ends the watch (idempotent);
   * it must be called when the edit ends, however it ends. Never throws, and `onGone` is never
   * called after the watch ended. Optional: a host without it is only checked at apply.
   */
  watchDocument?(documentId: number, sourceLayerId: number, onGone: (error: PluginError) => void): () => void;
}
