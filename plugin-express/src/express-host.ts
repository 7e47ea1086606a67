/**
 * {@link HostAdapter} for Adobe Express. The panel edits either the selected image element (rendered
 * by the document sandbox, `VisualNode.createRendition`) or, when nothing is selected, the current
 * page (`addOnUISdk.app.document.createRenditions`, PNG). Express has no pixel selection and no pen
 * paths, so regions are lassoed and arrows drawn in the panel. The result layer goes back as a new
 * image placed over its spot in the original (document sandbox: loadBitmapImage +
 * createImageContainer + setPositionInParent); the original element is never modified. A selected
 * image is read as the user sees it: the element with the results placed over it (still in the
 * document) drawn on top, so the picture after an edit, and the next edit, start from the edited
 * pixels.
 *
 * "Document pixels" here are the pixels of the rendition: `scale` rendition pixels per Express
 * unit, origin at the target's top-left on the page.
 */
import type { PlacedMask, Point } from '@smartdrag/shared';
import { trimLayer, type HostAdapter, type HostDocument, type LayerPixels, type PlacedLayer, type RgbaPixels } from '../../plugin-photopea/src/host/host-adapter';
import { decodePng, encodePng } from '../../plugin-photopea/src/util/png';
import type { EditTarget, NodeRendition, PageRect, SandboxApi } from './sandbox-api';

/** The part of the Add-on UI SDK this adapter uses (typed from @adobe/ccweb-add-on-sdk-types). */
export interface UiSdkLike {
  app: { document: { createRenditions(opts: { range: 'currentPage'; format: 'image/png' }, intent?: 'preview' | 'export'): Promise<{ blob: Blob }[]> } };
}

/** Error codes of {@link ExpressError} (what the user is told, see `message` and `hint`). */
export type ExpressErrorCode = 'no_image_selected' | 'element_too_large' | 'sandbox_unavailable' | 'rendition_failed' | 'layer_placement_failed';

/** An expected Express failure with a user-facing hint. */
export class ExpressError extends Error {
  constructor(readonly code: ExpressErrorCode, message: string, readonly hint?: string) {
    super(message);
    this.name = 'ExpressError';
  }
}

/** Largest rendition the add-on sends (pixels); beyond this Express's rendition and the bridge get slow. */
export const MAX_PIXELS = 4096 * 4096;
/** Largest side (pixels). */
export const MAX_SIDE = 8192;

export interface ExpressHostOptions {
  sdk: UiSdkLike;
  sandbox: Promise<SandboxApi>;
  /** Rendition pixels per Express unit (default 1). */
  scale?: number;
}

/** Where the current document (rendition) lies on the page. */
interface Frame {
  target: EditTarget;
  bounds: PageRect;
  /** Rendition pixels per Express unit, per axis (measured from the rendition's size). */
  sx: number;
  sy: number;
}

export class ExpressHost implements HostAdapter {
  readonly label = 'Adobe Express';
  readonly hasSelection = false;
  /** The frame of the last document read (the layer positions refer to it). */
  frame: Frame | null = null;
  /** Images this adapter added (newest last). */
  readonly added: { id: string; bounds: PageRect }[] = [];
  private readonly opts: ExpressHostOptions;

  constructor(opts: ExpressHostOptions) {
    this.opts = opts;
  }

  private async sandbox(): Promise<SandboxApi> {
    try {
      return await this.opts.sandbox;
    } catch (e) {
      throw new ExpressError('sandbox_unavailable', `The add-on's document sandbox did not start: ${(e as Error).message}`, 'Reload the add-on (Add-on Development panel ▸ Refresh).');
    }
  }

  /** What would be edited now (selected image, or the page). */
  async describeTarget(): Promise<EditTarget> {
    const sb = await this.sandbox();
    const t = await sb.describeTarget();
    if ('error' in t) {
      throw new ExpressError('no_image_selected', t.error === 'not_an_image' ? `No image selected. ${t.message}` : t.message,
        'Select one image on the page (or deselect everything to edit the whole page), then press "Use selection".');
    }
    return t;
  }

  async readDocument(): Promise<HostDocument> {
    const target = await this.describeTarget();
    const scale = this.opts.scale ?? 1;
    const w = Math.round(target.bounds.width * scale), h = Math.round(target.bounds.height * scale);
    if (w * h > MAX_PIXELS || w > MAX_SIDE || h > MAX_SIDE) {
      throw new ExpressError('element_too_large', `The ${target.kind === 'page' ? 'page' : 'image'} is too large to edit (${w}×${h} px; at most ${MAX_SIDE} px a side and ${MAX_PIXELS / 1e6} MP).`,
        'Scale the element down in Adobe Express, or crop it, and try again.');
    }
    let blob: Blob, bounds: PageRect, overlays: NodeRendition[] = [];
    if (target.kind === 'page') {
      const r = await this.opts.sdk.app.document.createRenditions({ range: 'currentPage', format: 'image/png' }, 'preview');
      if (!r[0]) throw new ExpressError('rendition_failed', 'Adobe Express returned no rendition of the page.');
      blob = r[0].blob;
      bounds = target.bounds;
    } else {
      const sb = await this.sandbox();
      const r = await sb.renderTarget(target.id, scale);
      if ('error' in r) throw new ExpressError('no_image_selected', r.message, 'Select the image again and press "Use selection".');
      blob = r.blob;
      bounds = r.bounds;
      overlays = r.overlays ?? [];
    }
    const png = new Uint8Array(await blob.arrayBuffer());
    const rgba = await readRendition(png);
    const sx = rgba.width / bounds.width, sy = rgba.height / bounds.height;
    this.frame = { target, bounds, sx, sy };
    // The results placed over the element, drawn over it where they lie (bottom to top): the
    // picture is what the page shows there, and the next edit is made from it.
    for (const o of overlays) {
      const layer = await readRendition(new Uint8Array(await o.blob.arrayBuffer()));
      drawOver(rgba, layer, Math.round((o.bounds.x - bounds.x) * sx), Math.round((o.bounds.y - bounds.y) * sy));
    }
    // The rendition's own PNG goes to the bridge as-is only when it is the whole picture.
    return { name: target.label, width: rgba.width, height: rgba.height, rgba, ...(overlays.length === 0 ? { png } : {}) };
  }

  async readSelection(): Promise<PlacedMask | null> {
    return null; // Express has no pixel selection: the panel's lasso gives the region.
  }

  async readPaths(): Promise<Point[][] | null> {
    return null; // Express has no pen paths: arrows are drawn in the panel.
  }

  /** Page rectangle a layer (in rendition pixels of the current frame) covers. */
  layerRect(layer: Pick<LayerPixels, 'left' | 'top' | 'width' | 'height'>, f: Frame | null = this.frame): PageRect {
    if (!f) throw new ExpressError('layer_placement_failed', 'No document was read before placing the result.');
    return { x: f.bounds.x + layer.left / f.sx, y: f.bounds.y + layer.top / f.sy, width: layer.width / f.sx, height: layer.height / f.sy };
  }

  async addLayer(full: LayerPixels, name: string): Promise<PlacedLayer> {
    // Only the changed pixels travel: the layer's transparent margin is cut off first.
    const layer = trimLayer(full);
    if (!layer) throw new ExpressError('layer_placement_failed', 'The result is empty (fully transparent): nothing to add.');
    // The frame the result was made in (a read of another element may replace this.frame meanwhile).
    const frame = this.frame;
    const rect = this.layerRect(layer, frame);
    const png = await encodePng({ width: layer.width, height: layer.height, data: layer.data });
    const blob = new Blob([png as Uint8Array<ArrayBuffer>], { type: 'image/png' });
    const sb = await this.sandbox();
    let added;
    try {
      added = await sb.addImageAt(blob, rect, name, frame!.target.kind === 'image' ? frame!.target.id : undefined);
    } catch (e) {
      throw new ExpressError('layer_placement_failed', `Adobe Express did not add the result: ${(e as Error).message}`);
    }
    const tol = 0.5 / Math.min(frame!.sx, frame!.sy);
    const b = added.bounds;
    if (Math.abs(b.x - rect.x) > tol || Math.abs(b.y - rect.y) > tol || Math.abs(b.width - rect.width) > tol || Math.abs(b.height - rect.height) > tol) {
      throw new ExpressError('layer_placement_failed', `The result landed at (${b.x}, ${b.y}) ${b.width}×${b.height}, not at (${rect.x}, ${rect.y}) ${rect.width}×${rect.height}.`);
    }
    this.added.push(added);
    // Appended last to the artboard, at 100 % and unrotated: the page shows its opaque pixels as they
    // are over the element (the panel updates its picture itself; a fresh read draws it over too).
    return { name, left: layer.left, top: layer.top, width: layer.width, height: layer.height, plainTop: true };
  }

  async cleanup(): Promise<void> {}
}

/** Decode a rendition PNG (Express's renditions are PNG blobs). */
async function readRendition(png: Uint8Array): Promise<RgbaPixels> {
  try {
    return await decodePng(png);
  } catch (e) {
    throw new ExpressError('rendition_failed', `The rendition is not a PNG this add-on can read: ${(e as Error).message}`);
  }
}

/** Draw `layer` (straight alpha) over `base` in place, its top-left at (`left`, `top`) of `base`; what lies outside is clipped. */
export function drawOver(base: RgbaPixels, layer: RgbaPixels, left: number, top: number): void {
  const W = base.width, H = base.height, d = base.data, s = layer.data;
  for (let y = Math.max(0, -top); y < layer.height && top + y < H; y++) {
    for (let x = Math.max(0, -left); x < layer.width && left + x < W; x++) {
      const i = (y * layer.width + x) * 4, o = ((top + y) * W + left + x) * 4;
      const as = s[i + 3]!;
      if (as === 0) continue;
      if (as === 255) { d[o] = s[i]!; d[o + 1] = s[i + 1]!; d[o + 2] = s[i + 2]!; d[o + 3] = 255; continue; }
      const a = as / 255, ad = (d[o + 3]! / 255) * (1 - a), out = a + ad;
      for (let c = 0; c < 3; c++) d[o + c] = Math.round((s[i + c]! * a + d[o + c]! * ad) / out);
      d[o + 3] = Math.round(out * 255);
    }
  }
}
