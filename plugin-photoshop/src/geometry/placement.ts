/**
 * Placement math between the document, the crop sent to the bridge and the layer coming back.
 * Everything here is in document PIXELS (the Imaging API's unit) whatever the document's
 * resolution; see ./units.ts for the descriptor side.
 */
import type { PlacedPixels, Rect } from '@smartdrag/shared';


/** Photoshop-style bounds (`right`/`bottom` exclusive), as `selection.bounds` and the Imaging API use. */
export interface PsBounds {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

/** `PsBounds` -> `Rect`. */
export function boundsToRect(b: PsBounds): Rect {
  return { left: b.left, top: b.top, width: b.right - b.left, height: b.bottom - b.top };
}

/** `Rect` -> `PsBounds`. */
export function rectToBounds(r: Rect): PsBounds {
  return { left: r.left, top: r.top, right: r.left + r.width, bottom: r.top + r.height };
}

/** The edit area (regions, their moved copies and the arrows, plus margin): shared with the Photopea page. */
export { editRoi, type RoiInput } from '@smartdrag/shared';

/** Pixels as the Imaging API hands them over (chunky, 8-bit). */
export interface ChunkyPixels {
  width: number;
  height: number;
  /** 3 (RGB) or 4 (RGBA). */
  components: number;
  data: Uint8Array | Uint8ClampedArray;
}

/**
 * Place pixels read from `got` (document bounds the host actually returned — `getPixels` trims
 * transparent borders) into an RGBA buffer `out` covering `want`; RGB input gets alpha 255. Only
 * the pixels `got` covers inside `want` are written, the rest of `out` is left as it is (a new
 * buffer stays transparent there) — so an area read in bands is placed band by band into one
 * buffer (each band's bounds trimmed on their own).
 */
export function padInto(out: Uint8ClampedArray, want: Rect, src: ChunkyPixels, got: Rect): void {
  if (src.width !== got.width || src.height !== got.height) {
    throw new RangeError(`pixels are ${src.width}x${src.height} but bounds say ${got.width}x${got.height}`);
  }
  const c = src.components;
  if (c !== 3 && c !== 4) throw new RangeError(`expected 3 or 4 components, got ${c}`);
  if (src.data.length !== src.width * src.height * c) throw new RangeError('pixel buffer size does not match its shape');
  if (out.length !== want.width * want.height * 4) throw new RangeError('output buffer size does not match its rectangle');
  const x0 = Math.max(got.left, want.left), x1 = Math.min(got.left + got.width, want.left + want.width);
  const y0 = Math.max(got.top, want.top), y1 = Math.min(got.top + got.height, want.top + want.height);
  if (x1 <= x0 || y1 <= y0) return;
  const span = x1 - x0;
  for (let y = y0; y < y1; y++) {
    const s = ((y - got.top) * src.width + (x0 - got.left)) * c;
    const d = ((y - want.top) * want.width + (x0 - want.left)) * 4;
    if (c === 4) {
      out.set(src.data.subarray(s, s + span * 4), d);
    } else {
      for (let i = 0, si = s, di = d; i < span; i++, si += 3, di += 4) {
        out[di] = src.data[si]!; out[di + 1] = src.data[si + 1]!; out[di + 2] = src.data[si + 2]!; out[di + 3] = 255;
      }
    }
  }
}

/** A result layer as the bridge returns it (document pixels, RGBA straight alpha). */
export type LayerPixels = PlacedPixels;

/** Where and what to `putPixels`. */
export interface Placement {
  /** `targetBounds` for putPixels: the document pixel of the buffer's top-left. */
  targetBounds: { left: number; top: number };
  width: number;
  height: number;
  /** RGBA8, `width*height*4` bytes. */
  data: Uint8Array;
}

/**
 * Clip a result layer to the canvas and trim fully transparent borders, so `putPixels` writes the
 * smallest buffer at the exact integer document position. Returns null when nothing is visible
 * (an edit that changed no pixel). Fractional positions are a programmer error (the bridge sends
 * integer document pixels).
 */
export function placeLayer(layer: LayerPixels, docWidth: number, docHeight: number): Placement | null {
  if (!Number.isInteger(layer.left) || !Number.isInteger(layer.top)) {
    throw new RangeError(`layer position (${layer.left}, ${layer.top}) is not integer pixels`);
  }
  if (layer.data.length !== layer.width * layer.height * 4) throw new RangeError('layer buffer size does not match its shape');
  const cx0 = Math.max(0, layer.left), cy0 = Math.max(0, layer.top);
  const cx1 = Math.min(docWidth, layer.left + layer.width), cy1 = Math.min(docHeight, layer.top + layer.height);
  if (cx1 <= cx0 || cy1 <= cy0) return null;
  // Trim transparent borders inside the clipped area.
  let tx0 = cx1, ty0 = cy1, tx1 = cx0 - 1, ty1 = cy0 - 1;
  for (let y = cy0; y < cy1; y++) {
    const row = (y - layer.top) * layer.width - layer.left;
    for (let x = cx0; x < cx1; x++) {
      if (layer.data[(row + x) * 4 + 3]! !== 0) {
        if (x < tx0) tx0 = x;
        if (x > tx1) tx1 = x;
        if (y < ty0) ty0 = y;
        ty1 = y;
      }
    }
  }
  if (tx1 < tx0) return null;
  const width = tx1 - tx0 + 1, height = ty1 - ty0 + 1;
  // Nothing to clip or trim (the bridge sends its layers trimmed): the layer's own bytes, not a
  // copy — at 50 MP that copy was another 100–200 MB in the panel while Photoshop writes the layer.
  if (tx0 === layer.left && ty0 === layer.top && width === layer.width && height === layer.height) {
    const d = layer.data;
    return { targetBounds: { left: tx0, top: ty0 }, width, height, data: new Uint8Array(d.buffer, d.byteOffset, d.byteLength) };
  }
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    const s = ((ty0 + y - layer.top) * layer.width + (tx0 - layer.left)) * 4;
    data.set(layer.data.subarray(s, s + width * 4), y * width * 4);
  }
  return { targetBounds: { left: tx0, top: ty0 }, width, height, data };
}

/**
 * 8-bit -> Photoshop 16-bit (0..32768, the Imaging API's default range for 16-bit documents),
 * rounding to nearest.
 */
export function to16Bit(data: Uint8Array): Uint16Array {
  const out = new Uint16Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = Math.round((data[i]! * 32768) / 255);
  return out;
}

/** Longest layer name we create. */
export const MAX_LAYER_NAME = 64;

/** The new layer's name: "Smart Drag: <intent>", shortened with an ellipsis; "Smart Drag" without intent. */
export function layerNameFor(intent: string | undefined): string {
  const text = (intent ?? '').replace(/\s+/g, ' ').trim();
  if (!text) return 'Smart Drag';
  const name = `Smart Drag: ${text}`;
  return name.length <= MAX_LAYER_NAME ? name : `${name.slice(0, MAX_LAYER_NAME - 1).trimEnd()}…`;
}
