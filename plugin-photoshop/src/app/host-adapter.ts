/**
 * The boundary between the plugin's logic and Photoshop. `src/host/photoshop-host.ts` implements
 * it over the `photoshop` module; tests implement it (or the module under it) with fakes.
 */
import type { PlacedMask } from '@smartdrag/shared';
import type { DragKindChoice, DragSpec, IdRegion } from '../geometry/assign-drags';
import type { LayerPixels, Placement } from '../geometry/placement';

/** Options of {@link HostAdapter.capture}. */
export interface CaptureOptions {
  /** The panel's type picker; put on every drag. */
  kind: DragKindChoice;
  /** Context margin around the edited area, px. Default 64. */
  marginPx?: number;
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
}

/** Where an accepted result goes. */
export interface ApplyTarget {
  documentId: number;
  /** The new layer is created directly above this layer, which is never modified. */
  sourceLayerId: number;
  /** The new layer's name. */
  name: string;
}

/** What {@link HostAdapter.applyLayer} did. */
export interface ApplyOutcome {
  /** Id of the created layer; null when the result changed no pixel (nothing created). */
  layerId: number | null;
  placement: Placement | null;
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
}
