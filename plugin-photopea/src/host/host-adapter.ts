/**
 * The interface between the panel and a host (Photopea through postMessage, or the playground's
 * local canvas). Only `host/` talks to a host API; the panel sees this interface, so a simulator
 * or a fake can stand in for the host.
 */
import type { PlacedMask, PlacedPixels, Point, Rect } from '@smartdrag/shared';

/** Straight-alpha RGBA8 pixels. */
export interface RgbaPixels {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

/** The host's current document as the panel sees it. */
export interface HostDocument {
  /**
   * Which document this is, where the host can tell (the playground numbers the images it opens):
   * a result is added only to the document with the same id. Hosts without one are told apart by
   * name and size ({@link sameDocument}).
   */
  id?: string;
  name: string;
  width: number;
  height: number;
  /** The flattened document, straight-alpha RGBA8, document pixels. */
  rgba: RgbaPixels;
  /** The same pixels as the host exported them (sent to the bridge as-is when present). */
  png?: Uint8Array;
  /**
   * The document's change signature when these pixels were read ({@link HostDocState.signature}),
   * where the host gives one: the panel compares it with the host's current one to tell whether
   * its copy is still the document as it is.
   */
  signature?: string;
}

/**
 * The open document's identity and a change signature, read without exporting anything
 * ({@link HostAdapter.docState}).
 */
export interface HostDocState {
  id?: string;
  name: string;
  width: number;
  height: number;
  /**
   * Changes with any change of the document the host can tell (an edit, an Undo, a new selection):
   * equal signatures mean the panel's copy read with it is the document as it is now.
   */
  signature: string;
}

/** A result layer in document pixels (straight-alpha RGBA8). */
export type LayerPixels = PlacedPixels;

/** Where a layer ended up, in document pixels. */
export interface PlacedLayer {
  name: string;
  left: number;
  top: number;
  width: number;
  height: number;
  /**
   * The layer is the document's topmost top-level layer, visible, Normal at 100 % opacity and fill,
   * not clipped, in an RGB document: where its pixels are opaque the document shows them as they
   * are, whatever the host's blending arithmetic, and where they are transparent what was there.
   * The panel then updates its copy of the document itself instead of reading it again.
   */
  plainTop?: boolean;
}

/** What a host can do for the panel. */
export interface HostAdapter {
  /** Shown in the panel ("Photopea", "Playground"). */
  readonly label: string;
  /** Whether the host has its own pixel selection (otherwise regions are lassoed in the panel). */
  readonly hasSelection: boolean;
  /** Read the flattened document. */
  readDocument(): Promise<HostDocument>;
  /** The selection as a soft mask placed in the document, or null when nothing is selected. */
  readSelection(): Promise<PlacedMask | null>;
  /** Open pen paths as polylines (first point = handle, last = target); null when the host has no path API. */
  readPaths(): Promise<Point[][] | null>;
  /**
   * Add `layer` as a new layer at its exact document position. `from` is the document the result
   * was made from: a host that can tell which document is open now refuses (HostError
   * `document_changed`) to add it to another one, where it would land at meaningless coordinates.
   */
  addLayer(layer: LayerPixels, name: string, from?: HostDocument): Promise<PlacedLayer>;
  /**
   * Optional: the flattened document's pixels in `rect` only (document pixels), for hosts where
   * reading the whole document is slow (Photopea exports it as a PNG). Null when the host cannot
   * read an area now, or `from` is no longer the open document: the caller reads the whole one.
   */
  readArea?(rect: Rect, from?: HostDocument): Promise<RgbaPixels | null>;
  /**
   * Optional: which document is open and its change signature, cheaply (no export), or null when
   * none is open. Where a host has it, the panel checks it before every preview and Smart Drag:
   * another document than the one the arrows were drawn on is refused, a changed one read again,
   * an unchanged one not exported again.
   */
  docState?(): Promise<HostDocState | null>;
  /** Remove anything temporary the adapter may have left in the host. */
  cleanup(): Promise<void>;
}

/** Error codes of {@link HostError}. */
export const HostErrorCode = {
  /** The host has no open document. */
  no_document: 'no_document',
  /** The selection could not be exported (e.g. the exported mask was empty). */
  selection_export_failed: 'selection_export_failed',
  /** The new layer did not appear, or landed at the wrong place. */
  layer_placement_failed: 'layer_placement_failed',
  /** Another document is open than the one the result was made from: nothing was added. */
  document_changed: 'document_changed',
} as const;
export type HostErrorCode = (typeof HostErrorCode)[keyof typeof HostErrorCode];

/** An expected host failure, with a user-facing hint. */
export class HostError extends Error {
  constructor(
    readonly code: HostErrorCode,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'HostError';
  }
}

/**
 * Whether two reads are of the same document: by id where the host gives one, else by name and
 * size (all Photopea's scripting tells; two same-named documents of one size are not told apart).
 */
export function sameDocument(a: Pick<HostDocument, 'id' | 'name' | 'width' | 'height'>, b: Pick<HostDocument, 'id' | 'name' | 'width' | 'height'>): boolean {
  if (a.id !== undefined || b.id !== undefined) return a.id === b.id;
  return a.name === b.name && a.width === b.width && a.height === b.height;
}

/**
 * Crop a layer to the bounding box of its non-transparent pixels, so hosts that place pasted
 * images by their visible bounds put it at the right spot. Returns null for a fully transparent
 * layer.
 */
export function trimLayer(layer: LayerPixels): LayerPixels | null {
  const { width, height, data } = layer;
  let x0 = width, y0 = height, x1 = -1, y1 = -1;
  for (let y = 0; y < height; y++) {
    const row = y * width * 4;
    for (let x = 0; x < width; x++) {
      if (data[row + x * 4 + 3] !== 0) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        y1 = y;
      }
    }
  }
  if (x1 < 0) return null;
  if (x0 === 0 && y0 === 0 && x1 === width - 1 && y1 === height - 1) return layer;
  const w = x1 - x0 + 1, h = y1 - y0 + 1;
  const out = new Uint8ClampedArray(w * h * 4);
  for (let y = 0; y < h; y++) {
    const s = ((y0 + y) * width + x0) * 4;
    out.set(data.subarray(s, s + w * 4), y * w * 4);
  }
  return { left: layer.left + x0, top: layer.top + y0, width: w, height: h, data: out };
}

/** Base64 of bytes (browser-safe, chunked). */
export function bytesToBase64(bytes: Uint8Array): string {
  let s = '';
  const CHUNK = 0x8000;
  for (let i = 0; i < bytes.length; i += CHUNK) {
    s += String.fromCharCode.apply(null, Array.from(bytes.subarray(i, i + CHUNK)));
  }
  return btoa(s);
}
