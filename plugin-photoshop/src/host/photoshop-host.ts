/**
 * The Photoshop host adapter: the ONLY code that calls the `photoshop` module (besides
 * src/index.ts, which only passes it in). Two short modal scopes per edit:
 *
 * - capture: selection (soft mask, split per disconnected part), pen paths (open subpaths ->
 *   arrows, read through batchPlay so units are explicit), a keep mask from a channel named
 *   "keep", and the source layer's pixels over the edit area. The scope ends before the bridge
 *   works, so Photoshop stays usable.
 * - preview capture: the same reads in the same kind of scope, but the pixels come through
 *   `getPixels` `targetSize` as a display-size proxy (≤ ~1 MP) of the edit's area; nothing is
 *   written. `encodePreview` turns the preview picture into a base64 JPEG for the panel's `<img>`.
 * - apply: history suspended -> new pixel layer above the source -> putPixels at the exact
 *   document position -> history resumed: one undo step. Any failure or cancel rolls back.
 */
import type { PlacedMask, Point, ProxyInfo, Rect } from '@smartdrag/shared';
import { downscalePlacedMask, maskBounds, PROXY_MAX_PIXELS, proxyInfoFor } from '@smartdrag/shared';
import { assignDrags, type DragSpec, type IdRegion } from '../geometry/assign-drags';
import { splitMask } from '../geometry/mask-split';
import { parsePathDescriptor, type PathDescriptor } from '../geometry/path-descriptor';
import { pathsToArrows, type Subpath } from '../geometry/paths-to-arrows';
import {
  boundsToRect, editRoi, padToRect, placeLayer, rectToBounds, to16Bit, type LayerPixels, type PsBounds,
} from '../geometry/placement';
import { flattenOnWhite, readArea, resampleToProxy } from '../geometry/preview-proxy';
import { PluginError } from '../app/errors';
import type { ApplyOutcome, ApplyTarget, Capture, CaptureOptions, HostAdapter, PreviewCapture, PreviewCaptureOptions } from '../app/host-adapter';
import type { PhotoshopModule, PsDocument, PsExecutionContext, PsLayer } from './photoshop-api';

/**
 * The profile pixels are read AND written in: the document's own. imaging.md: "Photoshop will
 * perform color conversions when needed", so asking for sRGB on an Adobe RGB / ProPhoto
 * document converts on read and converts back on write — two lossy conversions (rounding,
 * clipping to sRGB's gamut) on every pixel of the new layer. Moving pixels does not need a
 * particular RGB space, so SmartDrag works on the document's own numbers: no conversion at all.
 *
 * An untagged document (colorProfileType NONE — screenshots and web images under default colour
 * settings) has no profile to name: document.md, `colorProfileName` "returns "None" otherwise",
 * and "None" is no profile Photoshop knows. Then no profile is named (undefined): imaging.md,
 * getPixels "If omitted … If the requested color space matches the source document, then the
 * returned data will use the color profile of the source document", createImageDataFromBuffer
 * "If the color profile is empty, then the profile of a target document will be used".
 */
export function workingProfile(doc: { colorProfileName?: string; colorProfileType?: string }): string | undefined {
  const p = typeof doc.colorProfileName === 'string' ? doc.colorProfileName.trim() : '';
  if (!p || p === 'None' || doc.colorProfileType === 'none') return undefined;
  return p;
}

/** `{colorProfile}` when the document has one to name (see {@link workingProfile}), else nothing. */
function profileOption(doc: { colorProfileName?: string; colorProfileType?: string }): { colorProfile?: string } {
  const p = workingProfile(doc);
  return p ? { colorProfile: p } : {};
}

/** imaging.md: 16-bit data is 0..32768 unless `fullRange`. One explicit conversion to 8 bits. */
export function from16Bit(data: Uint16Array): Uint8Array {
  const out = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = Math.min(255, Math.round((data[i]! * 255) / 32768));
  return out;
}
/** Name of the history step an edit creates. */
export const HISTORY_NAME = 'Smart Drag';

/**
 * Documented string values of the `constants` we compare against, used when the module does not
 * expose them (fakes, older builds). Source: DefinitelyTyped types/photoshop/dom/Constants.d.ts
 * (generated from Photoshop's DOM). Note PathKind.WORKPATH is "workPathIndex", not "workPath".
 */
export const PS_CONSTANT_FALLBACKS = {
  pathKind: { WORKPATH: 'workPathIndex', NORMALPATH: 'normalPath' },
  documentMode: { RGB: 'RGBColorMode' },
  bitsPerChannel: { EIGHT: 'bitDepth8', SIXTEEN: 'bitDepth16' },
  channelType: { COMPONENT: 'component' },
  layerKind: { NORMAL: 'pixel', SMARTOBJECT: 'smartObject', TEXT: 'text', GROUP: 'group' },
} as const;

/**
 * How long executeAsModal keeps retrying while another plugin is modal (`timeOut`, PS 25.10+,
 * default 1 s; ignored by older builds). executeasmodal.md "Options".
 */
export const MODAL_TIMEOUT_MS = 3000;

/** Options of {@link createPhotoshopHost}. */
export interface PhotoshopHostOptions {
  /** The `photoshop` module; defaults to `require('photoshop')` (a webpack external). */
  photoshop?: PhotoshopModule;
}

/** Find a layer by id anywhere in the layer tree. */
export function findLayer(layers: readonly PsLayer[] | null | undefined, id: number): PsLayer | undefined {
  for (const l of layers ?? []) {
    if (l.id === id) return l;
    const inner = findLayer(l.layers, id);
    if (inner) return inner;
  }
  return undefined;
}

/**
 * A modal-state collision. executeasmodal.md: before 25.10 the error says "host is in a modal
 * state"; since 25.10 "Plugin: <id> is running a modal command". Error number 9 per HOSTS.md §1.4.
 */
export function isModalBusy(e: unknown): boolean {
  const o = e as { number?: unknown; message?: unknown } | null;
  if (!o) return false;
  if (o.number === 9) return true;
  const m = typeof o.message === 'string' ? o.message : '';
  return /in a modal state|running a modal command|modal.*(busy|another)/i.test(m);
}

/** Create the adapter over the real (or an injected) `photoshop` module. */
export function createPhotoshopHost(opts: PhotoshopHostOptions = {}): HostAdapter {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ps: PhotoshopModule = opts.photoshop ?? (require('photoshop') as PhotoshopModule);
  const { app, core, action, imaging, constants } = ps;
  const K = {
    workPath: constants.PathKind?.WORKPATH ?? PS_CONSTANT_FALLBACKS.pathKind.WORKPATH,
    normalPath: constants.PathKind?.NORMALPATH ?? PS_CONSTANT_FALLBACKS.pathKind.NORMALPATH,
    rgb: constants.DocumentMode?.RGB ?? PS_CONSTANT_FALLBACKS.documentMode.RGB,
    bits8: constants.BitsPerChannelType?.EIGHT ?? PS_CONSTANT_FALLBACKS.bitsPerChannel.EIGHT,
    bits16: constants.BitsPerChannelType?.SIXTEEN ?? PS_CONSTANT_FALLBACKS.bitsPerChannel.SIXTEEN,
    component: constants.ChannelType?.COMPONENT ?? PS_CONSTANT_FALLBACKS.channelType.COMPONENT,
    pixelKinds: [
      constants.LayerKind?.NORMAL ?? PS_CONSTANT_FALLBACKS.layerKind.NORMAL,
      constants.LayerKind?.SMARTOBJECT ?? PS_CONSTANT_FALLBACKS.layerKind.SMARTOBJECT,
      constants.LayerKind?.TEXT ?? PS_CONSTANT_FALLBACKS.layerKind.TEXT,
    ] as string[],
    group: constants.LayerKind?.GROUP ?? PS_CONSTANT_FALLBACKS.layerKind.GROUP,
  };

  async function modal<T>(fn: (ctx: PsExecutionContext) => Promise<T>): Promise<T> {
    let cancelled = false;
    try {
      return await core.executeAsModal(async (ctx) => {
        try {
          return await fn(ctx);
        } catch (e) {
          // After a user cancel (Esc / progress dialog) Photoshop APIs throw: report it as a cancel.
          if (ctx.isCancelled) cancelled = true;
          throw e;
        }
      }, { commandName: HISTORY_NAME, timeOut: MODAL_TIMEOUT_MS });
    } catch (e) {
      if (e instanceof PluginError) throw e;
      if (cancelled) throw new PluginError('cancelled', 'Cancelled in Photoshop.', { cause: e });
      if (isModalBusy(e)) throw new PluginError('modal_busy', String((e as Error).message ?? e), { cause: e });
      throw new PluginError('host_error', e instanceof Error ? e.message : String(e), { cause: e });
    }
  }

  /** Read the current selection over `bounds` as a placed gray8 mask (null if nothing selected). */
  async function readSelection(doc: PsDocument, bounds: PsBounds): Promise<PlacedMask | null> {
    const res = await imaging.getSelection({ documentID: doc.id, sourceBounds: bounds });
    try {
      const got = boundsToRect(res.sourceBounds);
      const data = await res.imageData.getData({ chunky: true });
      // 16-bit documents give 16-bit selections (0..32768): converted once to 8 bits here.
      if (!(data instanceof Uint8Array || data instanceof Uint16Array) || data.length !== got.width * got.height) {
        throw new PluginError('host_error', `selection came back as ${data.constructor.name}[${data.length}] for ${got.width}x${got.height}`);
      }
      return { ...got, data: data instanceof Uint16Array ? from16Bit(data) : new Uint8Array(data) };
    } finally {
      res.imageData.dispose();
    }
  }

  /**
   * Read alpha channels as masks by loading each as the selection inside a suspended history
   * state that is then rolled back: no history entry, the user's selection restored.
   */
  async function readChannels(ctx: PsExecutionContext, doc: PsDocument, names: string[], bounds: PsBounds): Promise<Array<PlacedMask | null>> {
    if (names.length === 0) return [];
    const out: Array<PlacedMask | null> = [];
    const hid = await ctx.hostControl.suspendHistory({ documentID: doc.id, name: 'SmartDrag read channels' });
    try {
      for (const name of names) {
        await action.batchPlay([{
          _obj: 'set',
          _target: [{ _ref: 'channel', _property: 'selection' }],
          to: { _ref: 'channel', _name: name },
        }], { synchronousExecution: false, modalBehavior: 'execute' });
        // An empty channel loads as "no selection": skip it rather than read an undefined mask.
        out.push(doc.selection.bounds ? await readSelection(doc, bounds) : null);
      }
    } finally {
      await ctx.hostControl.resumeHistory(hid, false);
    }
    return out;
  }

  /** Arrows from the Work Path if there is one, else from every saved (normal) path. */
  async function readArrows(doc: PsDocument): Promise<{ arrows: Point[][]; warnings: string[] }> {
    const items = Array.from(doc.pathItems);
    const work = items.filter((p) => p.kind === K.workPath);
    const chosen = work.length > 0 ? work : items.filter((p) => p.kind === K.normalPath);
    const subpaths: Subpath[] = [];
    for (const p of chosen) {
      // By id, never by name: path names are localised ("Work Path" / "工作路径").
      const [desc] = await action.batchPlay([{ _obj: 'get', _target: [{ _ref: 'path', _id: p.id }] }], { synchronousExecution: false });
      subpaths.push(...parsePathDescriptor((desc ?? {}) as PathDescriptor, doc.resolution));
    }
    const res = pathsToArrows(subpaths);
    const warnings: string[] = [];
    if (res.closedSkipped > 0) warnings.push(`${res.closedSkipped} closed subpath(s) ignored (arrows are open paths)`);
    if (res.degenerateSkipped > 0) warnings.push(`${res.degenerateSkipped} path(s) with a single point ignored`);
    return { arrows: res.arrows, warnings };
  }

  /** Everything one edit reads besides the pixels: document, layer, regions, arrows, area, keep. */
  interface EditRead {
    doc: PsDocument;
    layer: PsLayer;
    parts: PlacedMask[];
    regions: IdRegion[];
    drags: DragSpec[];
    roi: Rect;
    keep?: PlacedMask[];
    warnings: string[];
  }

  async function readEdit(ctx: PsExecutionContext, opts: CaptureOptions): Promise<EditRead> {
    const doc = app.activeDocument;
    if (!doc) throw new PluginError('no_document', 'No document is open.');
    if (doc.mode !== K.rgb || (doc.bitsPerChannel !== K.bits8 && doc.bitsPerChannel !== K.bits16)) {
      throw new PluginError('unsupported_document', `SmartDrag edits RGB 8/16-bit documents; this one is ${doc.mode}, ${doc.bitsPerChannel}.`);
    }
    const layer = doc.activeLayers[0];
    if (!layer) throw new PluginError('no_layer', 'No layer is selected.');
    // getPixels reads a layer's own pixels; a group has none (constants.LayerKind.GROUP = "group"),
    // nor has an adjustment or fill layer (constants.md LayerKind: Curves, Levels, … Solid Color,
    // Gradient, Pattern — a Pen in Shape mode makes a Solid Color layer with the arrow as its
    // vector mask). Pixel, smart object and text layers have pixels to move.
    if (layer.kind === K.group) throw new PluginError('no_layer', `"${layer.name}" is a group; select a layer inside it.`);
    if (layer.kind !== undefined && !K.pixelKinds.includes(layer.kind)) {
      throw new PluginError('no_layer', `"${layer.name}" is an adjustment or fill layer (${layer.kind}): it has no pixels of its own to move.`, {
        hint: 'Select the pixel layer that holds the object. (A Pen in Shape mode makes a fill layer: draw arrows with the Pen in Path mode.)',
      });
    }
    const canvas: PsBounds = { left: 0, top: 0, right: doc.width, bottom: doc.height };
    const warnings: string[] = [];

    // Regions: the selection split into parts, else channels named "region…".
    let parts: PlacedMask[] = [];
    const sb = doc.selection.bounds;
    if (sb) {
      const clipped: PsBounds = {
        left: Math.max(0, Math.floor(sb.left)), top: Math.max(0, Math.floor(sb.top)),
        right: Math.min(doc.width, Math.ceil(sb.right)), bottom: Math.min(doc.height, Math.ceil(sb.bottom)),
      };
      if (clipped.right > clipped.left && clipped.bottom > clipped.top) {
        const sel = await readSelection(doc, clipped);
        if (sel) parts = splitMask(sel);
      }
    } else {
      const names = Array.from(doc.channels).filter((c) => c.kind !== K.component && /^region/i.test(c.name.trim())).map((c) => c.name);
      const masks = await readChannels(ctx, doc, names, canvas);
      // One region per channel: its parts move together.
      for (const m of masks) {
        const c = m ? cropToContent(m) : null;
        if (c) parts.push(c);
      }
    }
    if (parts.length === 0) throw new PluginError('no_selection', 'Nothing is selected.');
    const regions: IdRegion[] = parts.map((mask, i) => ({ id: `r${i + 1}`, mask }));

    const { arrows, warnings: pathWarnings } = await readArrows(doc);
    warnings.push(...pathWarnings);
    if (arrows.length === 0) throw new PluginError('no_arrows', 'No open pen path to use as an arrow.');
    const assigned = assignDrags(arrows, regions, opts.kind);
    warnings.push(...assigned.warnings);

    const roi = editRoi({ regions: parts, arrows, docWidth: doc.width, docHeight: doc.height, marginPx: opts.marginPx });

    // Keep mask: a channel named "keep" (case-insensitive).
    let keep: PlacedMask[] | undefined;
    const keepChannel = Array.from(doc.channels).find((c) => c.kind !== K.component && c.name.trim().toLowerCase() === 'keep');
    if (keepChannel) {
      const [m] = await readChannels(ctx, doc, [keepChannel.name], rectToBounds(roi));
      if (m && m.data.some((v) => v > 0)) keep = [m];
    }
    if (doc.bitsPerChannel === K.bits16) warnings.push('16-bit document: edited at 8 bits per channel (the new layer is written at 16 bits; its values sit on 8-bit steps)');
    return { doc, layer, parts, regions, drags: assigned.drags, roi, ...(keep ? { keep } : {}), warnings };
  }

  /** The source layer's pixels over `roi` at full resolution, RGBA (transparent where the layer has none). */
  async function readFullPixels(doc: PsDocument, layer: PsLayer, roi: Rect): Promise<Uint8ClampedArray> {
    // 8 bits per channel in the document's own profile. A 16-bit document is converted to 8
    // bits here, once, by Photoshop (the bridge edits 8-bit pixels); the new layer is written
    // back at 16 bits, so its values sit on 8-bit steps. Said in the warnings.
    const px = await imaging.getPixels({
      documentID: doc.id, layerID: layer.id, sourceBounds: rectToBounds(roi),
      componentSize: 8, colorSpace: 'RGB', ...profileOption(doc),
    });
    try {
      const raw = await px.imageData.getData({ chunky: true });
      if (!(raw instanceof Uint8Array)) throw new PluginError('host_error', 'expected 8-bit pixels');
      // getPixels may trim transparent borders: place what came back into the requested area.
      return padToRect(
        { width: px.imageData.width, height: px.imageData.height, components: px.imageData.components, data: raw },
        boundsToRect(px.sourceBounds), roi,
      );
    } finally {
      px.imageData.dispose();
    }
  }

  /**
   * The source layer's pixels over `roi` as the proxy `info` (RGBA, `info.width × info.height`),
   * read with `targetSize` so that Photoshop scales it (from a pyramid cache level when it has
   * one): the document is never read at full resolution. What comes back is placed on the exact
   * proxy grid whatever its size and bounds (trimmed borders, a level's rounding).
   */
  async function readProxyPixels(doc: PsDocument, layer: PsLayer, roi: Rect, info: ProxyInfo): Promise<Uint8ClampedArray> {
    const px = await imaging.getPixels({
      documentID: doc.id, layerID: layer.id, sourceBounds: rectToBounds(roi),
      targetSize: { width: info.width, height: info.height },
      componentSize: 8, colorSpace: 'RGB', ...profileOption(doc),
    });
    try {
      const { width, height, components } = px.imageData;
      // Photoshop was asked for at most the budget; a build that ignored targetSize would hand back
      // the full area: refuse to hold more than a few times the budget in the panel.
      if (width * height > 4 * info.width * info.height + 4096) {
        throw new PluginError('host_error', `getPixels returned ${width}x${height} pixels for a ${info.width}x${info.height} preview (targetSize ignored?)`);
      }
      const raw = await px.imageData.getData({ chunky: true });
      if (!(raw instanceof Uint8Array)) throw new PluginError('host_error', 'expected 8-bit pixels');
      const area = readArea(px.sourceBounds, px.level, roi, doc.width, doc.height);
      return resampleToProxy({ width, height, components, data: raw }, area, roi, info);
    } finally {
      px.imageData.dispose();
    }
  }

  async function capture(opts: CaptureOptions): Promise<Capture> {
    return modal(async (ctx) => {
      const e = await readEdit(ctx, opts);
      const data = await readFullPixels(e.doc, e.layer, e.roi);
      requirePixelsUnder(data, e.roi, e.regions.map((r) => r.mask), e.layer.name);
      return {
        documentId: e.doc.id, sourceLayerId: e.layer.id, sourceLayerName: e.layer.name,
        docWidth: e.doc.width, docHeight: e.doc.height, resolution: e.doc.resolution,
        image: { width: e.roi.width, height: e.roi.height, data },
        imageOrigin: [e.roi.left, e.roi.top],
        regions: e.regions, drags: e.drags, ...(e.keep ? { keep: e.keep } : {}), warnings: e.warnings,
      };
    });
  }

  async function capturePreview(opts: PreviewCaptureOptions): Promise<PreviewCapture> {
    // The same short read-only scope as capture: no layer, no history state, nothing written.
    return modal(async (ctx) => {
      const e = await readEdit(ctx, opts);
      const info = proxyInfoFor(e.roi.width, e.roi.height, opts.maxPixels ?? PROXY_MAX_PIXELS);
      const base = {
        documentId: e.doc.id, sourceLayerId: e.layer.id, sourceLayerName: e.layer.name,
        docWidth: e.doc.width, docHeight: e.doc.height, resolution: e.doc.resolution,
        imageOrigin: [e.roi.left, e.roi.top] as [number, number], roi: e.roi, drags: e.drags,
        warnings: e.warnings, ...profileOption(e.doc),
      };
      if (info.scaleX === 1 && info.scaleY === 1) {
        // Within the budget: the area itself, exactly as the final edit reads it.
        const data = await readFullPixels(e.doc, e.layer, e.roi);
        requirePixelsUnder(data, e.roi, e.regions.map((r) => r.mask), e.layer.name);
        return { ...base, image: { width: e.roi.width, height: e.roi.height, data }, regions: e.regions, ...(e.keep ? { keep: e.keep } : {}) };
      }
      const data = await readProxyPixels(e.doc, e.layer, e.roi, info);
      // Masks in the proxy's pixels, relative to its top-left (job.submit proxyOf); area-averaged
      // as the bridge would (shared/src/proxy.ts). Drags stay in document pixels.
      const toProxy = (m: PlacedMask): PlacedMask => downscalePlacedMask({ ...m, left: m.left - e.roi.left, top: m.top - e.roi.top }, info);
      const proxied = e.regions.map((r) => ({ id: r.id, mask: toProxy(r.mask) }));
      requirePixelsUnder(data, { left: 0, top: 0, width: info.width, height: info.height }, proxied.map((r) => r.mask), e.layer.name);
      return {
        ...base,
        image: { width: info.width, height: info.height, data },
        regions: proxied,
        ...(e.keep ? { keep: e.keep.map(toProxy) } : {}),
        proxyOf: { width: e.roi.width, height: e.roi.height },
      };
    });
  }

  async function encodePreview(picture: { width: number; height: number; data: Uint8ClampedArray }, colorProfile?: string): Promise<string> {
    // No modal scope: this makes image data from the panel's own buffer and encodes it; the
    // document is not involved (VERIFY on a real host that encodeImageData runs outside one).
    const img = await imaging.createImageDataFromBuffer(flattenOnWhite(picture), {
      width: picture.width, height: picture.height, components: 3, chunky: true, colorSpace: 'RGB',
      ...(colorProfile ? { colorProfile } : {}),
    });
    try {
      const out = await imaging.encodeImageData({ imageData: img, base64: true });
      if (typeof out !== 'string' || out.length === 0) throw new PluginError('preview_failed', 'encodeImageData returned no base64 text.');
      return out;
    } catch (e) {
      if (e instanceof PluginError) throw e;
      throw new PluginError('preview_failed', `Could not encode the preview: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    } finally {
      img.dispose();
    }
  }

  async function applyLayer(layer: LayerPixels, target: ApplyTarget, signal?: AbortSignal): Promise<ApplyOutcome> {
    if (signal?.aborted) throw new PluginError('cancelled', 'Cancelled before applying.');
    return modal(async (ctx) => {
      const doc = Array.from(app.documents).find((d) => d.id === target.documentId);
      if (!doc) throw new PluginError('document_changed', 'The document was closed.');
      const source = findLayer(doc.layers, target.sourceLayerId);
      if (!source) throw new PluginError('document_changed', 'The source layer was deleted.');
      const placement = placeLayer(layer, doc.width, doc.height);
      if (!placement) return { layerId: null, placement: null };
      const is16 = doc.bitsPerChannel === K.bits16;

      const hid = await ctx.hostControl.suspendHistory({ documentID: doc.id, name: HISTORY_NAME });
      let committed = false;
      try {
        const created = await doc.createPixelLayer({ name: target.name });
        if (!created) throw new PluginError('host_error', 'Photoshop did not create the layer.');
        await created.move(source, constants.ElementPlacement.PLACEBEFORE);
        // imaging.md "createImageDataFromBuffer": the array type sets the component size
        // (Uint16Array = 16-bit in Photoshop's 0..32768 range, fullRange false); no componentSize option.
        const img = await imaging.createImageDataFromBuffer(is16 ? to16Bit(placement.data) : placement.data, {
          width: placement.width, height: placement.height, components: 4, chunky: true,
          colorSpace: 'RGB', ...profileOption(doc),
        });
        try {
          // targetBounds is in pixels whatever the document resolution (no point conversion).
          await imaging.putPixels({ documentID: doc.id, layerID: created.id, imageData: img, targetBounds: placement.targetBounds, replace: true });
        } finally {
          img.dispose();
        }
        if (ctx.isCancelled || signal?.aborted) throw new PluginError('cancelled', 'Cancelled while applying.');
        await ctx.hostControl.resumeHistory(hid, true);
        committed = true;
        return { layerId: created.id, placement };
      } finally {
        if (!committed) await ctx.hostControl.resumeHistory(hid, false).catch(() => undefined);
      }
    });
  }

  return { capture, applyLayer, capturePreview, encodePreview };
}

/**
 * Refuse an edit whose layer is empty under every selected part (`data`: RGBA over `area`, masks
 * in the same coordinates): the usual slip of selecting the object while an empty layer — or
 * another layer than the one holding it — is active. Edited, it would move nothing and fill
 * nothing; said plainly instead.
 */
export function requirePixelsUnder(data: Uint8ClampedArray, area: Rect, masks: readonly PlacedMask[], layerName: string): void {
  for (const m of masks) {
    const x0 = Math.max(m.left, area.left), x1 = Math.min(m.left + m.width, area.left + area.width);
    const y0 = Math.max(m.top, area.top), y1 = Math.min(m.top + m.height, area.top + area.height);
    for (let y = y0; y < y1; y++) {
      const mr = (y - m.top) * m.width - m.left, ar = (y - area.top) * area.width - area.left;
      for (let x = x0; x < x1; x++) if (m.data[mr + x]! > 0 && data[4 * (ar + x) + 3]! > 0) return;
    }
  }
  throw new PluginError('no_layer', `The layer "${layerName}" has no pixels inside the selection.`, {
    hint: 'Select the layer that holds the object (Smart Drag reads the active layer, not the whole picture).',
  });
}

/** Crop a mask to its non-zero pixels (null when empty). */
export function cropToContent(m: PlacedMask): PlacedMask | null {
  const b = maskBounds(m);
  if (b.width === 0 || b.height === 0) return null;
  const data = new Uint8Array(b.width * b.height);
  for (let y = 0; y < b.height; y++) {
    const s = (b.top - m.top + y) * m.width + (b.left - m.left);
    data.set(m.data.subarray(s, s + b.width), y * b.width);
  }
  return { ...b, data };
}
