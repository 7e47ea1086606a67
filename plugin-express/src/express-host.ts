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
 * The target read first (the selection, or the page) stays the document until "Use selection" picks
 * another ({@link ExpressHost.unpin}): before every preview and Smart Drag the panel asks
 * {@link ExpressHost.docState} whether it changed (an Undo in Express, the image moved) and reads it
 * again if so; a result is added only where its image still is (else nothing is added, and the
 * panel says why).
 *
 * "Document pixels" here are the pixels of the rendition: `scale` rendition pixels per Express
 * unit, origin at the target's top-left on the page.
 */
import type { PlacedMask, Point } from '@smartdrag/shared';
import { trimLayer, type HostAdapter, type HostDocument, type LayerPixels, type PlacedLayer, type RgbaPixels } from '../../plugin-photopea/src/host/host-adapter';
import { decodePng, encodePng } from '../../plugin-photopea/src/util/png';
import type { HostDocState } from '../../plugin-photopea/src/host/host-adapter';
import type { EditTarget, NodeRendition, PageRect, SandboxApi, TargetError } from './sandbox-api';

/** The part of the Add-on UI SDK this adapter uses (typed from @adobe/ccweb-add-on-sdk-types). */
export interface UiSdkLike {
  app: {
    document: {
      createRenditions(opts: { range: 'currentPage'; format: 'image/png' }, intent?: 'preview' | 'export'): Promise<{ blob: Blob }[]>;
      getPagesMetadata(opts: { range: 'currentPage' }): Promise<{ hasPremiumContent: boolean }[]>;
    };
    currentUser: { isPremiumUser(): Promise<boolean> };
  };
}

/** Error codes of {@link ExpressError} (what the user is told, see `message` and `hint`). */
export type ExpressErrorCode = 'no_image_selected' | 'element_too_large' | 'sandbox_unavailable' | 'rendition_failed' | 'layer_placement_failed' | 'document_changed' | 'premium_content';

/** An expected Express failure with a user-facing hint. */
export class ExpressError extends Error {
  constructor(readonly code: ExpressErrorCode, message: string, readonly hint?: string) {
    super(message);
    this.name = 'ExpressError';
  }
}

/** Largest rendition the add-on sends (pixels); beyond this Express's rendition and the bridge get slow. */
export const MAX_PIXELS = 4096 * 4096;
/**
 * Largest side (pixels): what Adobe Express imports ("should not exceed 8000px", app-document
 * reference, Image requirements), so that any result fits back into the document.
 */
export const MAX_SIDE = 8000;

export interface ExpressHostOptions {
  sdk: UiSdkLike;
  sandbox: Promise<SandboxApi>;
  /** Rendition pixels per Express unit (default 1). */
  scale?: number;
  /**
   * Told after every read whether it was refused for premium content ({@link ExpressHost.checkPremium}):
   * the panel shows its Upgrade button while it is.
   */
  onPremium?: (blocked: boolean) => void;
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

  /**
   * The target being edited (read by the last {@link readDocument}): read again, by its id, until
   * {@link unpin}. Null before the first read and after "Use selection".
   */
  private pinned: EditTarget | null = null;

  /** "Use selection": the next read takes what is selected in Express now (or the page). */
  unpin(): void {
    this.pinned = null;
  }

  /** What would be edited now: the pinned target as it is now, else the selected image, or the page. */
  async describeTarget(): Promise<EditTarget> {
    const sb = await this.sandbox();
    const pinned = this.pinned;
    const t = pinned ? await sb.describeAgain(pinned) : await sb.describeTarget();
    if ('error' in t) throw targetError(t, pinned ? 'document_changed' : 'no_image_selected');
    if (pinned && (t.rotation !== pinned.rotation || Math.abs(t.bounds.width - pinned.bounds.width) > 1e-3 || Math.abs(t.bounds.height - pinned.bounds.height) > 1e-3)) {
      // Its arrows and lasso were drawn on the image as it was: they would land elsewhere on it now.
      throw new ExpressError('document_changed', `The ${pinned.kind} SmartDrag was editing was resized or rotated in Adobe Express after it was read: the lasso and arrows no longer match it.`,
        'Nothing was sent. Press "Use selection" to read it again, then lasso and draw the arrows again.');
    }
    return t;
  }

  /** Rendition size of `target` in pixels (what the size limits apply to). */
  private sizeOf(target: EditTarget): { w: number; h: number } {
    const scale = this.opts.scale ?? 1;
    return { w: Math.round(target.bounds.width * scale), h: Math.round(target.bounds.height * scale) };
  }

  /** Throws when `w`×`h` is over the add-on's limits (said in what the user can change). */
  private checkSize(target: EditTarget, w: number, h: number): void {
    if (w * h <= MAX_PIXELS && w <= MAX_SIDE && h <= MAX_SIDE) return;
    const what = target.kind === 'page' ? 'page' : 'image';
    throw new ExpressError('element_too_large', `The ${what} is too large to edit (${w}×${h} px; SmartDrag edits at most ${MAX_SIDE} px a side and ${(MAX_PIXELS / 1e6).toFixed(1)} MP).`,
      target.kind === 'page'
        ? 'Select one image on the page instead (SmartDrag then reads only that image), or make the page smaller (Resize), then press "Use selection".'
        : 'Make the image smaller on the page (or crop it) in Adobe Express, then press "Use selection".');
  }

  /**
   * Premium content and a free user: Adobe Express lets such a user preview premium content but not
   * export it, and a preview rendition "must not be downloaded or persisted on a backend" (Manage
   * Premium Content). SmartDrag would send the pixels to its bridge and add the edited picture to
   * the page as a new image the user could then export, so nothing is rendered or sent. An image
   * says itself whether the user may export its media (`canExportMedia`, read by the sandbox);
   * for a page — or an image where Express does not say — the page's metadata
   * (`hasPremiumContent`) and the user (`isPremiumUser`) are asked first, as the guide advises.
   */
  private async checkPremium(target: EditTarget): Promise<void> {
    const { app } = this.opts.sdk;
    const own = target.kind === 'image' && target.exportable !== undefined;
    const where = target.kind === 'page' ? `the page "${target.label}"` : own ? 'the selected image' : 'the page of the selected image';
    let premium: boolean;
    try {
      if (own) premium = target.exportable === false;
      else {
        const pages = await app.document.getPagesMetadata({ range: 'currentPage' });
        premium = pages.some((p) => p.hasPremiumContent === true) && !(await app.currentUser.isPremiumUser());
      }
    } catch (e) {
      throw new ExpressError('rendition_failed', `Adobe Express did not say whether ${where} holds premium content: ${(e as Error).message ?? String(e)}`,
        'Nothing was read. Press "Use selection" again; if it keeps failing, reload the add-on.');
    }
    this.opts.onPremium?.(premium);
    if (!premium) return;
    throw new ExpressError('premium_content',
      `${where[0]!.toUpperCase()}${where.slice(1)} ${own ? 'is' : 'holds'} premium content, which your Adobe Express plan lets you see but not export: SmartDrag would send its pixels to the bridge and add the edited picture as a new image, so it read nothing.`,
      own ? 'Press "Upgrade" to get Adobe Express Premium (then SmartDrag reads it), or select an image that is not premium content and press "Use selection".'
        : 'Press "Upgrade" to get Adobe Express Premium (then SmartDrag reads it), or select one image on the page that is not premium content (SmartDrag then reads only that image) and press "Use selection".');
  }

  async readDocument(): Promise<HostDocument> {
    const target = await this.describeTarget();
    const scale = this.opts.scale ?? 1;
    const size = this.sizeOf(target);
    this.checkSize(target, size.w, size.h);
    await this.checkPremium(target);
    let blob: Blob, bounds: PageRect, overlays: NodeRendition[] = [];
    const what = target.kind === 'page' ? `the page "${target.label}"` : 'the image';
    const renderFailed = (e: unknown) => new ExpressError('rendition_failed', `Adobe Express could not render ${what}: ${(e as Error).message ?? String(e)}`,
      'Wait until every image on it has finished loading in Adobe Express, then press "Use selection" again.');
    if (target.kind === 'page') {
      let r;
      try {
        r = await this.opts.sdk.app.document.createRenditions({ range: 'currentPage', format: 'image/png' }, 'preview');
      } catch (e) {
        throw renderFailed(e);
      }
      if (!r[0]) throw renderFailed(new Error('it returned no rendition'));
      blob = r[0].blob;
      bounds = target.bounds;
    } else {
      const sb = await this.sandbox();
      let r;
      try {
        r = await sb.renderTarget(target.id, scale);
      } catch (e) {
        throw renderFailed(e);
      }
      if ('error' in r) throw targetError(r, 'document_changed');
      blob = r.blob;
      bounds = r.bounds;
      overlays = r.overlays ?? [];
    }
    const png = new Uint8Array(await blob.arrayBuffer());
    const rgba = await readRendition(png);
    // The rendition itself may be larger than the element's bounds (effects, a page's resolution).
    this.checkSize(target, rgba.width, rgba.height);
    const sx = rgba.width / bounds.width, sy = rgba.height / bounds.height;
    this.frame = { target, bounds, sx, sy };
    this.pinned = target;
    // The results placed over the element, drawn over it where they lie (bottom to top): the
    // picture is what the page shows there, and the next edit is made from it.
    for (const o of overlays) {
      const layer = await readRendition(new Uint8Array(await o.blob.arrayBuffer()));
      drawOver(rgba, layer, Math.round((o.bounds.x - bounds.x) * sx), Math.round((o.bounds.y - bounds.y) * sy));
    }
    // The rendition's own PNG goes to the bridge as-is only when it is the whole picture.
    return { id: docId(target), name: target.label, width: rgba.width, height: rgba.height, rgba, signature: target.signature, ...(overlays.length === 0 ? { png } : {}) };
  }

  /**
   * The target as it is now, without rendering: the panel reads it again when the signature
   * changed (an Undo in Express took a result away, the image was moved), and refuses (the error
   * says why) when it is gone, or resized or rotated (the arrows no longer match it).
   */
  async docState(): Promise<HostDocState | null> {
    if (!this.pinned) return null;
    const t = await this.describeTarget();
    const { w, h } = this.sizeOf(t);
    return { id: docId(t), name: t.label, width: w, height: h, signature: t.signature };
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

  async addLayer(full: LayerPixels, name: string, from?: HostDocument): Promise<PlacedLayer> {
    // Only the changed pixels travel: the layer's transparent margin is cut off first.
    const layer = trimLayer(full);
    if (!layer) throw new ExpressError('layer_placement_failed', 'The result is empty (fully transparent): nothing to add.');
    // The frame the result was made in (a read of another element may replace this.frame meanwhile).
    const frame = this.frame;
    if (from?.id !== undefined && frame && from.id !== docId(frame.target)) {
      throw new ExpressError('document_changed', `Nothing was added: the result was made for "${from.name}", but SmartDrag reads "${frame.target.label}" now.`, 'Press Smart Drag again.');
    }
    const rect = this.layerRect(layer, frame);
    // createImageContainer's initialSize "must have the same aspect ratio as bitmapData": the
    // height follows the width exactly (a rendition's rounded size can scale x and y a hair apart).
    rect.height = (rect.width * layer.height) / layer.width;
    const png = await encodePng({ width: layer.width, height: layer.height, data: layer.data });
    const blob = new Blob([png as Uint8Array<ArrayBuffer>], { type: 'image/png' });
    const sb = await this.sandbox();
    let added;
    try {
      added = await sb.addImageAt(blob, rect, name, frame!.target);
    } catch (e) {
      throw new ExpressError('layer_placement_failed', `Adobe Express did not add the result: ${(e as Error).message}`,
        'Nothing was added. Press Smart Drag again; if it keeps failing, reload the add-on.');
    }
    if ('error' in added) {
      // The image is gone, or no longer where the result was made for: nothing was added.
      const e = targetError(added, 'document_changed');
      throw new ExpressError('document_changed', `Nothing was added: ${e.message[0]!.toLowerCase()}${e.message.slice(1)}`, e.hint);
    }
    const tol = 0.5 / Math.min(frame!.sx, frame!.sy);
    const b = added.bounds;
    if (Math.abs(b.x - rect.x) > tol || Math.abs(b.y - rect.y) > tol || Math.abs(b.width - rect.width) > tol || Math.abs(b.height - rect.height) > tol) {
      throw new ExpressError('layer_placement_failed', `The result landed at (${b.x}, ${b.y}) ${b.width}×${b.height}, not at (${rect.x}, ${rect.y}) ${rect.width}×${rect.height}.`,
        'Move it in Adobe Express, or Undo it there and press Smart Drag again.');
    }
    this.added.push(added);
    // Appended last to the artboard, at 100 % and unrotated: the page shows its opaque pixels as they
    // are over the element (the panel updates its picture itself; a fresh read draws it over too).
    return { name, left: layer.left, top: layer.top, width: layer.width, height: layer.height, plainTop: true };
  }

  async cleanup(): Promise<void> {}
}

/** The panel's id of a target's document: one per element or page. */
function docId(t: EditTarget): string {
  return `${t.kind}:${t.id}`;
}

/** An error the sandbox described (in the user's words) as an {@link ExpressError}. */
function targetError(t: TargetError, changed: ExpressErrorCode): ExpressError {
  const code: ExpressErrorCode = t.error === 'gone' || t.error === 'moved' ? changed : 'no_image_selected';
  return new ExpressError(code, t.message, t.hint);
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
