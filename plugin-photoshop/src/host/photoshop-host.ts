/**
 * The Photoshop host adapter: the ONLY code that calls the `photoshop` module (besides
 * src/index.ts, which only passes it in). Short modal scopes only, holding nothing but host calls:
 * inside `executeAsModal` Photoshop is locked and Esc can only cancel at an `await` of a Photoshop
 * call (executeasmodal.md "User cancellation"), so the seconds of pure JS a large selection costs
 * (splitting it, placing hundreds of MB of pixels) run between and after the scopes.
 *
 * - capture, scope #1: the selection (soft mask) or the "region…" channels, the pen paths (read
 *   through batchPlay so units are explicit), the layer's checks. Then, outside: the selection
 *   split per disconnected part, open subpaths -> arrows, the edit's area, and the area checked
 *   against the bridge's image limits before a pixel is read. Scope #2: the source layer's pixels
 *   over that area and a keep mask from a channel named "keep"; outside again, the pixels are
 *   placed on the area. No scope is held while the bridge works, so Photoshop stays usable.
 * - preview capture: the same, but the pixels come through `getPixels` `targetSize` as a
 *   display-size proxy (≤ ~1 MP) of the edit's area; nothing is written. `encodePreview` turns
 *   the preview picture into a base64 JPEG for the panel's `<img>`.
 * - apply: history suspended -> new pixel layer above the source -> putPixels at the exact
 *   document position -> the Work Path the arrows came from deleted -> history resumed: one undo
 *   step. Any failure or cancel rolls back. A document whose size changed since capture is refused,
 *   and so is one changed at the same size (rotated 180°, flipped, undone, its layer edited or
 *   moved): see {@link requireAsRead}.
 * - watchDocument: while the bridge works (and its result waits for Apply), a notification
 *   listener (photoshopaction.md `addNotificationListener`; eventcodes.md `close`, `delete`,
 *   `mergeLayersNew`, `mergeVisible`, `flattenImage`, … see {@link WATCHED_EVENTS}) notices at
 *   once the edited document closed, or its source layer deleted, merged away, flattened or
 *   replaced by a conversion: see {@link watchDocument}.
 */
import type { PlacedMask, ProxyInfo, Rect } from '@smartdrag/shared';
import { DEFAULT_LIMITS, downscalePlacedMask, maskBounds, PROXY_MAX_PIXELS, proxyInfoFor } from '@smartdrag/shared';
import { assignDrags, type DragSpec, type IdRegion } from '../geometry/assign-drags';
import { splitMask } from '../geometry/mask-split';
import { parsePathDescriptor, type PathDescriptor } from '../geometry/path-descriptor';
import { pathsToArrows, subpathSignature, type Subpath } from '@smartdrag/shared';
import {
  boundsToRect, editRoi, padInto, placeLayer, rectToBounds, to16Bit, type ChunkyPixels, type LayerPixels, type PsBounds,
} from '../geometry/placement';
import { flattenOnWhite, readArea, resampleToProxy } from '../geometry/preview-proxy';
import { PluginError } from '../app/errors';
import type {
  ApplyOutcome, ApplyTarget, Capture, CaptureOptions, HostAdapter, ImageLimits, PreviewCapture, PreviewCaptureOptions, WorkPathRef,
} from '../app/host-adapter';
import type { PhotoshopModule, PsDocument, PsExecutionContext, PsImageData, PsLayer, PsNotificationListener } from './photoshop-api';

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

/** ` "name"` for messages (document.md `name`), or nothing when the host does not report one. */
function docName(doc: { name?: unknown }): string {
  return typeof doc.name === 'string' && doc.name ? ` "${doc.name}"` : '';
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
  blendMode: { NORMAL: 'normal' },
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
  /** Most pixels per band when the source layer is read at full resolution — the capture's read and apply's re-read ({@link VERIFY_BAND_PIXELS}; tests set it small). */
  verifyBandPixels?: number;
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

/** What the panel says when Photoshop is busy (instead of its raw "host is in a modal state"). */
export const MODAL_BUSY_MESSAGE = 'Photoshop is busy with another plugin, a dialog or a running action.';

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
  const bandPixels = Math.max(1, opts.verifyBandPixels ?? VERIFY_BAND_PIXELS);
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
    normalBlend: constants.BlendMode?.NORMAL ?? PS_CONSTANT_FALLBACKS.blendMode.NORMAL,
  };

  /** The layers this adapter created (`documentId:layerId`); see {@link isSmartDragResult}. */
  const createdLayers = new Set<string>();
  const layerKey = (docId: number, layerId: number): string => `${docId}:${layerId}`;
  /**
   * A layer SmartDrag made: one created since the plugin loaded, or (made in an earlier session)
   * one whose name is a Smart Drag layer name (`layerNameFor`: "Smart Drag" or "Smart Drag: …").
   */
  function isSmartDragResult(docId: number, layer: PsLayer): boolean {
    return createdLayers.has(layerKey(docId, layer.id)) || /^Smart Drag(: |$)/.test(layer.name);
  }

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
      if (isModalBusy(e)) throw new PluginError('modal_busy', MODAL_BUSY_MESSAGE, { cause: e });
      throw new PluginError('host_error', e instanceof Error ? e.message : String(e), { cause: e });
    }
  }

  /**
   * Read the current selection over `bounds` into one 8-bit buffer of the plugin's own (the mask
   * the split then works in and gives its part): in bands of at most {@link VERIFY_BAND_PIXELS}
   * pixels, each placed where Photoshop says it is (its returned `sourceBounds`, clipped to the
   * band) and its image data disposed before the next. One read of the whole box held it three
   * times — Photoshop's image data, getData's array, the 8-bit copy (a 16-bit document's mask is
   * 0..32768, two bytes a pixel): 130 MB of a 50 MP selection, 220 MB at 16 bits — now the box once
   * and one band. A band Photoshop will not read (VERIFY: what getSelection does over a band with
   * nothing selected; the fake returns zeros) falls back to one read of the whole box, as before.
   */
  async function readSelectionRaw(ctx: PsExecutionContext, doc: PsDocument, bounds: PsBounds): Promise<RawMask> {
    const box = boundsToRect(bounds);
    const out = new Uint8Array(box.width * box.height);
    const rows = Math.max(1, Math.floor(bandPixels / Math.max(1, box.width)));
    try {
      for (let y = 0; y < box.height; y += rows) {
        await readSelectionBandInto(doc.id, { left: box.left, top: box.top + y, width: box.width, height: Math.min(rows, box.height - y) }, out, box);
      }
    } catch (e) {
      if (ctx.isCancelled || e instanceof PluginError || rows >= box.height) throw e;
      out.fill(0);
      await readSelectionBandInto(doc.id, box, out, box);
    }
    return { ...box, data: out };
  }

  /**
   * One band of the selection placed into `out` (8 bits over `box`, which holds `band`), its image
   * data disposed once copied out. 16-bit documents give 16-bit selections (imaging.md: 0..32768),
   * made 8 bits here as {@link from16Bit} does.
   */
  async function readSelectionBandInto(documentID: number, band: Rect, out: Uint8Array, box: Rect): Promise<void> {
    const res = await imaging.getSelection({ documentID, sourceBounds: rectToBounds(band) });
    try {
      const got = boundsToRect(res.sourceBounds);
      const data = await res.imageData.getData({ chunky: true });
      if (!(data instanceof Uint8Array || data instanceof Uint16Array) || data.length !== got.width * got.height) {
        throw new PluginError('host_error', `selection came back as ${data.constructor.name}[${data.length}] for ${got.width}x${got.height}`);
      }
      const x0 = Math.max(got.left, band.left), x1 = Math.min(got.left + got.width, band.left + band.width);
      const y0 = Math.max(got.top, band.top), y1 = Math.min(got.top + got.height, band.top + band.height);
      for (let y = y0; y < y1; y++) {
        const src = (y - got.top) * got.width + (x0 - got.left), dst = (y - box.top) * box.width + (x0 - box.left);
        if (data instanceof Uint8Array) out.set(data.subarray(src, src + x1 - x0), dst);
        else for (let x = 0; x < x1 - x0; x++) out[dst + x] = Math.min(255, Math.round((data[src + x]! * 255) / 32768));
      }
    } finally {
      res.imageData.dispose();
    }
  }

  /**
   * Read alpha channels as masks by loading each as the selection inside a suspended history
   * state that is then rolled back: no history entry, the user's selection restored. Each is read
   * over what it selects within `bounds` only (its selection's bounds there), not all of `bounds`.
   */
  async function readChannelsRaw(ctx: PsExecutionContext, doc: PsDocument, names: string[], bounds: PsBounds): Promise<Array<RawMask | null>> {
    if (names.length === 0) return [];
    // The `set selection` below names no document, so Photoshop runs it on the ACTIVE one. Photoshop
    // is usable between the capture's two scopes: a user who switched to another document then
    // would get THAT document's selection replaced (a "Load Selection" step in its history, or an
    // error when it has no such channel) while this one's own selection was read as the channel.
    const active = app.activeDocument;
    if (!active || active.id !== doc.id) {
      throw new PluginError('document_changed',
        `${active ? `Another document${docName(active)} became active` : 'The document was switched'} while SmartDrag was reading${docName(doc)}: its channel "${names[0]}" can only be read while that document is the active one.`,
        { hint: `Switch back to the document${docName(doc)} and run Smart Drag (or Preview) again; nothing was changed.` });
    }
    const out: Array<RawMask | null> = [];
    const hid = await ctx.hostControl.suspendHistory({ documentID: doc.id, name: 'SmartDrag read channels' });
    try {
      for (const name of names) {
        await action.batchPlay([{
          _obj: 'set',
          _target: [{ _ref: 'channel', _property: 'selection' }],
          to: { _ref: 'channel', _name: name },
        }], { synchronousExecution: false, modalBehavior: 'execute' });
        // An empty channel loads as "no selection": skip it rather than read an undefined mask.
        const within = clipBounds(doc.selection.bounds, bounds);
        out.push(within ? await readSelectionRaw(ctx, doc, within) : null);
      }
    } finally {
      await ctx.hostControl.resumeHistory(hid, false);
    }
    return out;
  }

  /** The descriptors of the paths arrows come from: the Work Path if there is one, else every saved (normal) path. */
  async function readPathsRaw(doc: PsDocument): Promise<RawPath[]> {
    const items = Array.from(doc.pathItems);
    const work = items.filter((p) => p.kind === K.workPath);
    const chosen = work.length > 0 ? work : items.filter((p) => p.kind === K.normalPath);
    const out: RawPath[] = [];
    for (const p of chosen) {
      // By id, never by name: path names are localised ("Work Path" / "工作路径"). The document is
      // named too: without it batchPlay reads the active document, which may be another one.
      const [desc] = await action.batchPlay([{ _obj: 'get', _target: [{ _ref: 'path', _id: p.id }, { _ref: 'document', _id: doc.id }] }], { synchronousExecution: false });
      out.push({ id: p.id, work: p.kind === K.workPath, desc: (desc ?? {}) as PathDescriptor });
    }
    return out;
  }

  /**
   * What the source layer shows that its pixels do not carry: getPixels returns the layer's own
   * pixels (imaging.md), without its opacity, fill opacity, blend mode or masks, and the new layer
   * is created Normal at 100 % with no mask. Said as a warning, not refused: often harmless (a
   * mask far from the edit), and the user sees the result before keeping it.
   * layer.md: `opacity`, `fillOpacity` (percent), `blendMode` (constants.BlendMode). No DOM property
   * says whether a layer has a mask: the layer's action descriptor does (`hasUserMask`,
   * `hasVectorMask`, read with a batchPlay `get`; VERIFY on a real host).
   */
  async function appearanceWarning(ctx: PsExecutionContext, doc: PsDocument, layer: PsLayer): Promise<string | null> {
    const odd: string[] = [];
    const pct = (v: number): string => `${Math.round(v * 10) / 10} %`;
    if (typeof layer.opacity === 'number' && layer.opacity < 100) odd.push(`opacity ${pct(layer.opacity)}`);
    if (typeof layer.fillOpacity === 'number' && layer.fillOpacity < 100) odd.push(`fill opacity ${pct(layer.fillOpacity)}`);
    if (typeof layer.blendMode === 'string' && layer.blendMode !== K.normalBlend) odd.push(`blend mode ${layer.blendMode}`);
    try {
      const [desc] = await action.batchPlay([{ _obj: 'get', _target: [{ _ref: 'layer', _id: layer.id }, { _ref: 'document', _id: doc.id }] }], { synchronousExecution: false });
      if (desc?.hasUserMask === true) odd.push('a layer mask');
      if (desc?.hasVectorMask === true) odd.push('a vector mask');
    } catch (e) {
      // Only a warning depends on it; but a cancel must still end the scope (executeasmodal.md).
      if (ctx.isCancelled) throw e;
    }
    if (odd.length === 0) return null;
    const list = odd.length === 1 ? odd[0]! : `${odd.slice(0, -1).join(', ')} and ${odd[odd.length - 1]}`;
    return `the layer "${layer.name}" has ${list}: Smart Drag reads its pixels without them, and the new layer is Normal at 100 % with no mask, so the result may look different where they matter`;
  }

  /**
   * What the user will not see as expected because of visibility (layer.md `visible`, `parent`):
   * getPixels reads a hidden layer's pixels all the same, and the new layer goes right above the
   * source, in its group, visible. So with the source hidden the result shows its moved pixels
   * over the layers below (often a slip: the wrong layer clicked in the Layers panel); with a
   * group holding it hidden the new layer is hidden too, and Smart Drag seems to do nothing.
   */
  function visibilityWarning(layer: PsLayer): string | null {
    const hiddenGroups: string[] = [];
    for (let g = layer.parent ?? null, depth = 0; g && depth < 64; g = g.parent ?? null, depth++) if (g.visible === false) hiddenGroups.push(g.name);
    if (hiddenGroups.length > 0) {
      return `the layer "${layer.name}" is inside the hidden group "${hiddenGroups[hiddenGroups.length - 1]}": the new layer goes into that group too, so it stays hidden until the group is shown (the eye in the Layers panel)`;
    }
    if (layer.visible === false) {
      return `the layer "${layer.name}" is hidden: Smart Drag reads its pixels all the same, and the new layer above it is visible, so the result shows its moved pixels over the layers below it`;
    }
    return null;
  }

  /**
   * Modal scope #1: every read that does not depend on the edit's area. Only host calls here;
   * what is done with what they return (splitting the selection, parsing the paths) happens after
   * the scope, while Photoshop is usable again.
   */
  async function readDocument(ctx: PsExecutionContext, limits: ImageLimits | undefined): Promise<RawEdit> {
    const doc = app.activeDocument;
    if (!doc) throw new PluginError('no_document', 'No document is open.');
    const depthOk = doc.bitsPerChannel === K.bits8 || doc.bitsPerChannel === K.bits16;
    if (doc.mode !== K.rgb || !depthOk) throw unsupportedDocument(doc, doc.mode === K.rgb, depthOk);
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
    // A result layer holds only the pixels an edit changed (transparent elsewhere): dragged again,
    // the object would lose its surroundings. Creating a layer makes it the active one in
    // Photoshop, and SmartDrag leaves it so — Photoshop users expect the layer an operation made to
    // be selected (to lower its opacity, mask it or hide it to compare), and setting
    // `doc.activeLayers` back is only possible since 26.9 (changelog) — so the next Smart Drag
    // would read it: refused here, saying which layer to select instead.
    if (isSmartDragResult(doc.id, layer)) {
      throw new PluginError('no_layer', `"${layer.name}" is a Smart Drag result: it holds only the pixels an edit changed, and Smart Drag reads the active layer.`, {
        hint: 'Select the layer that holds the object (usually the one right below this result). To drag what a result moved again, merge the result into that layer first (Layer ▸ Merge Down).',
      });
    }
    const warnings: string[] = [];
    const look = await appearanceWarning(ctx, doc, layer);
    if (look) warnings.push(look);
    const seen = visibilityWarning(layer);
    if (seen) warnings.push(seen);
    const canvas: PsBounds = { left: 0, top: 0, right: doc.width, bottom: doc.height };

    // Regions: the selection, else channels named "region…".
    let selection: RawMask | null = null, selectionOffCanvas = false;
    let regionChannels: Array<RawMask | null> = [];
    const sb = doc.selection.bounds;
    if (sb) {
      const clipped = clipBounds(sb, canvas);
      if (clipped) {
        // The edit's area holds the selection's parts: a selection already too large is refused
        // before its mask is read (a Select All on a large document is hundreds of MB).
        requireWithinLimits(boundsToRect(clipped), limits, 'The selection');
        selection = await readSelectionRaw(ctx, doc, clipped);
      } else selectionOffCanvas = true;
    } else {
      const names = Array.from(doc.channels).filter((c) => c.kind !== K.component && /^region/i.test(c.name.trim())).map((c) => c.name);
      regionChannels = await readChannelsRaw(ctx, doc, names, canvas);
    }
    const paths = await readPathsRaw(doc);
    // Keep mask: a channel named "keep" (case-insensitive), read over the edit's area in scope #2.
    const keepChannel = Array.from(doc.channels).find((c) => c.kind !== K.component && c.name.trim().toLowerCase() === 'keep')?.name;
    return {
      docId: doc.id, docWidth: doc.width, docHeight: doc.height, resolution: doc.resolution,
      // After the channel reads (their suspensions rolled back): the state the edit was read in.
      ...withHistoryState(doc),
      bits16: doc.bitsPerChannel === K.bits16, profile: profileOption(doc),
      layerId: layer.id, layerName: layer.name,
      selection, ...(selectionOffCanvas ? { selectionOffCanvas } : {}), regionChannels, paths, ...(keepChannel !== undefined ? { keepChannel } : {}), warnings,
    };
  }

  /**
   * Modal scope #2: the source layer's pixels over the edit's area (and the keep channel there).
   * Photoshop was usable since scope #1, so the document is looked up again: closed, resized or
   * its layer deleted in between is `document_changed`. `proxy` set: read through `targetSize`.
   */
  async function readPixels(ctx: PsExecutionContext, raw: RawEdit, roi: Rect, proxy: ProxyInfo | null, hold: PsImageData[]): Promise<RawPixels> {
    const doc = Array.from(app.documents).find((d) => d.id === raw.docId);
    if (!doc) throw documentClosed('while SmartDrag was reading it');
    requireSameSize(doc, raw.docWidth, raw.docHeight);
    const layer = findLayer(doc.layers, raw.layerId);
    if (!layer) throw layerDeleted(raw.layerName);
    // Photoshop was usable while the edit was computed: a document changed since scope #1 (a new
    // history state, or an undo) would give pixels that do not match the selection and arrows read.
    const now = historyStateOf(doc);
    if (raw.historyStateId !== undefined && now !== undefined && now !== raw.historyStateId) {
      throw new PluginError('document_changed', 'The document changed while Smart Drag was reading it (a new history state, or an undo).');
    }
    // 8 bits per channel in the document's own profile. A 16-bit document is converted to 8
    // bits here, once, by Photoshop (the bridge edits 8-bit pixels); the new layer is written
    // back at 16 bits, so its values sit on 8-bit steps. Said in the warnings.
    let read: Pick<RawPixels, 'area' | 'proxied'>;
    if (!proxy) {
      read = { area: await readAreaInBands(ctx, doc.id, layer.id, roi, raw.profile) };
    } else {
      // With `targetSize`, Photoshop scales (from a pyramid cache level when it has one): the
      // document is never read at full resolution for a proxy.
      const px = await imaging.getPixels({
        documentID: doc.id, layerID: layer.id, sourceBounds: rectToBounds(roi),
        targetSize: { width: proxy.width, height: proxy.height },
        componentSize: 8, colorSpace: 'RGB', ...raw.profile,
      });
      hold.push(px.imageData);
      const { width, height, components } = px.imageData;
      // Photoshop was asked for at most the budget; a build that ignored targetSize would hand back
      // the full area: refuse to hold more than a few times the budget in the panel.
      if (width * height > 4 * proxy.width * proxy.height + 4096) {
        throw new PluginError('host_error', `getPixels returned ${width}x${height} pixels for a ${proxy.width}x${proxy.height} preview (targetSize ignored?)`);
      }
      const data = await px.imageData.getData({ chunky: true });
      if (!(data instanceof Uint8Array)) throw new PluginError('host_error', 'expected 8-bit pixels');
      read = { proxied: { pixels: { width, height, components, data }, bounds: px.sourceBounds, level: px.level } };
    }
    const [keep] = raw.keepChannel !== undefined ? await readChannelsRaw(ctx, doc, [raw.keepChannel], rectToBounds(roi)) : [];
    // Read last (after the keep channel's suspension is rolled back): the state these pixels are of.
    return { ...read, keep: keep ?? null, ...withHistoryState(doc) };
  }

  /**
   * One band of the source layer at full resolution, placed into `out` (RGBA over `area`, which
   * holds `band`): read as the capture reads (8 bits, the document's profile), its trimmed bounds
   * honoured, and its image data disposed once its pixels are copied out — whatever the array
   * getData returned does after a dispose (imaging.md does not say) never matters.
   */
  async function readBandInto(documentID: number, layerID: number, band: Rect, profile: { colorProfile?: string }, out: Uint8ClampedArray, area: Rect): Promise<void> {
    const px = await imaging.getPixels({ documentID, layerID, sourceBounds: rectToBounds(band), componentSize: 8, colorSpace: 'RGB', ...profile });
    try {
      const got = await px.imageData.getData({ chunky: true });
      if (!(got instanceof Uint8Array)) throw new PluginError('host_error', 'expected 8-bit pixels');
      const { width, height, components } = px.imageData;
      padInto(out, area, { width, height, components, data: got }, boundsToRect(px.sourceBounds));
    } finally {
      px.imageData.dispose();
    }
  }

  /**
   * The source layer over the edit's area at full resolution, as the one RGBA buffer the bridge
   * gets (transparent where getPixels trimmed): read in bands of at most {@link VERIFY_BAND_PIXELS}
   * pixels, each copied into place and disposed before the next. One read of the whole area held
   * it three times at the peak — Photoshop's image data, getData's array, the padded copy: 600 MB
   * at 50 MP — now the area once and one band. A band Photoshop will not read (VERIFY: what
   * getPixels does over a band where the layer has no pixels at all; the fake returns 0×0 image
   * data) falls back to one read of the whole area, as before.
   */
  async function readAreaInBands(ctx: PsExecutionContext, documentID: number, layerID: number, area: Rect, profile: { colorProfile?: string }): Promise<Uint8ClampedArray> {
    const out = new Uint8ClampedArray(area.width * area.height * 4);
    const rows = Math.max(1, Math.floor(bandPixels / Math.max(1, area.width)));
    try {
      for (let y = 0; y < area.height; y += rows) {
        const band: Rect = { left: area.left, top: area.top + y, width: area.width, height: Math.min(rows, area.height - y) };
        await readBandInto(documentID, layerID, band, profile, out, area);
      }
      return out;
    } catch (e) {
      if (ctx.isCancelled || e instanceof PluginError || rows >= area.height) throw e;
      out.fill(0);
      await readBandInto(documentID, layerID, area, profile, out, area);
      return out;
    }
  }

  /** Read, compute the edit (outside any scope), check it against the limits, read its pixels. */
  async function readEditAndPixels(opts: CaptureOptions, hold: PsImageData[], proxyBudget?: number): Promise<{ raw: RawEdit; e: BuiltEdit; got: RawPixels; proxy: ProxyInfo | null }> {
    const raw = await modal((ctx) => readDocument(ctx, opts.limits));
    // Photoshop is free again: the seconds of pure JS a large selection takes happen here.
    const e = buildEdit(raw, opts);
    // The masks read (their image data was disposed band by band) are not needed any more; a
    // selection of one object IS its region's buffer now (see splitMask `reuseData`).
    raw.selection = null;
    raw.regionChannels = [];
    // Before any getPixels: an area the bridge would refuse is never read (hundreds of MB).
    requireWithinLimits(e.roi, opts.limits);
    let proxy: ProxyInfo | null = null;
    if (proxyBudget !== undefined) {
      const info = proxyInfoFor(e.roi.width, e.roi.height, proxyBudget);
      if (info.scaleX !== 1 || info.scaleY !== 1) proxy = info;
    }
    // Cancelled while the document was read or the edit computed: the pixels are not read (a
    // second modal scope now would also hold Photoshop against the user's next Smart Drag).
    if (opts.signal?.aborted) throw new PluginError('cancelled', 'Cancelled while reading the document.');
    const got = await modal((ctx) => readPixels(ctx, raw, e.roi, proxy, hold));
    return { raw, e, got, proxy };
  }

  async function capture(opts: CaptureOptions): Promise<Capture> {
    const hold: PsImageData[] = [];
    try {
      const { raw, e, got } = await readEditAndPixels(opts, hold);
      // Already placed on the edit's area (getPixels may trim transparent borders).
      const data = got.area!;
      requirePixelsUnder(data, e.roi, e.regions.map((r) => r.mask), raw.layerName);
      const keep = keepMasks(got.keep);
      return {
        documentId: raw.docId, sourceLayerId: raw.layerId, sourceLayerName: raw.layerName,
        docWidth: raw.docWidth, docHeight: raw.docHeight, resolution: raw.resolution,
        image: { width: e.roi.width, height: e.roi.height, data },
        imageOrigin: [e.roi.left, e.roi.top],
        regions: e.regions, drags: e.drags, ...(keep ? { keep } : {}), warnings: e.warnings,
        ...(e.workPath ? { workPath: e.workPath } : {}),
        ...(got.historyStateId !== undefined ? { historyStateId: got.historyStateId } : {}),
      };
    } finally {
      release(hold);
    }
  }

  async function capturePreview(opts: PreviewCaptureOptions): Promise<PreviewCapture> {
    // The same short read-only scopes as capture: no layer, no history state, nothing written.
    const hold: PsImageData[] = [];
    try {
      const { raw, e, got, proxy } = await readEditAndPixels(opts, hold, opts.maxPixels ?? PROXY_MAX_PIXELS);
      const keep = keepMasks(got.keep);
      const base = {
        documentId: raw.docId, sourceLayerId: raw.layerId, sourceLayerName: raw.layerName,
        docWidth: raw.docWidth, docHeight: raw.docHeight, resolution: raw.resolution,
        imageOrigin: [e.roi.left, e.roi.top] as [number, number], roi: e.roi, drags: e.drags,
        warnings: e.warnings, ...raw.profile, ...(e.workPath ? { workPath: e.workPath } : {}),
        ...(got.historyStateId !== undefined ? { historyStateId: got.historyStateId } : {}),
      };
      if (!proxy) {
        // Within the budget: the area itself, exactly as the final edit reads it.
        const data = got.area!;
        requirePixelsUnder(data, e.roi, e.regions.map((r) => r.mask), raw.layerName);
        return { ...base, image: { width: e.roi.width, height: e.roi.height, data }, regions: e.regions, ...(keep ? { keep } : {}) };
      }
      // What came back is placed on the exact proxy grid whatever its size and bounds (trimmed
      // borders, a level's rounding).
      const { pixels, bounds, level } = got.proxied!;
      const area = readArea(bounds, level, e.roi, raw.docWidth, raw.docHeight);
      const data = resampleToProxy(pixels, area, e.roi, proxy);
      // Masks in the proxy's pixels, relative to its top-left (job.submit proxyOf); area-averaged
      // as the bridge would (shared/src/proxy.ts). Drags stay in document pixels.
      const toProxy = (m: PlacedMask): PlacedMask => downscalePlacedMask({ ...m, left: m.left - e.roi.left, top: m.top - e.roi.top }, proxy);
      const proxied = e.regions.map((r) => ({ id: r.id, mask: toProxy(r.mask) }));
      requirePixelsUnder(data, { left: 0, top: 0, width: proxy.width, height: proxy.height }, proxied.map((r) => r.mask), raw.layerName);
      return {
        ...base,
        image: { width: proxy.width, height: proxy.height, data },
        regions: proxied,
        ...(keep ? { keep: keep.map(toProxy) } : {}),
        proxyOf: { width: e.roi.width, height: e.roi.height },
      };
    } finally {
      release(hold);
    }
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

  /**
   * Delete the Work Path the edit's arrows came from, inside the edit's suspended history: one
   * undo brings back both the pixels and the arrows (and an undo-then-rerun reads them again).
   * Left in place, the next arrow drawn with the Pen would be ADDED to it (the Pen draws into the
   * targeted path) and the next Smart Drag would drag the old arrows again. pathitem.md `remove`
   * (23.3): "Deletes this object". Only the Work Path, and only as it was read: a path saved since
   * (its kind is no longer WORKPATH), gone, or drawn on while the bridge worked is left alone.
   * Returns notes for the user.
   */
  async function deleteWorkPath(ctx: PsExecutionContext, doc: PsDocument, ref: WorkPathRef): Promise<string[]> {
    const p = Array.from(doc.pathItems).find((x) => x.id === ref.id);
    if (!p || p.kind !== K.workPath) return [];
    const [desc] = await action.batchPlay([{ _obj: 'get', _target: [{ _ref: 'path', _id: p.id }, { _ref: 'document', _id: doc.id }] }], { synchronousExecution: false });
    if (subpathSignature(parsePathDescriptor((desc ?? {}) as PathDescriptor, doc.resolution)) !== ref.signature) {
      return ['the Work Path changed while SmartDrag worked, so it was kept: delete the arrows already used (Paths panel) before the next Smart Drag, or they are dragged again'];
    }
    try {
      await p.remove();
    } catch (e) {
      if (ctx.isCancelled) throw e;
      return [`the Work Path could not be deleted (${e instanceof Error ? e.message : String(e)}): delete it in the Paths panel before the next Smart Drag, or its arrows are dragged again`];
    }
    return [];
  }

  /**
   * Whether the source layer still holds, over `src.area`, the pixels the edit was computed from:
   * read again exactly as the capture read it (same getPixels options, trimmed borders placed
   * back), in bands of at most {@link VERIFY_BAND_PIXELS} pixels, each disposed before the next
   * (an area can be tens of MP; the panel's memory is limited), stopping at the first band that
   * differs.
   */
  async function sourceAsRead(doc: PsDocument, layer: PsLayer, src: { area: Rect; data: Uint8ClampedArray }): Promise<boolean> {
    const { area, data } = src;
    if (data.length !== area.width * area.height * 4) return false;
    const rows = Math.max(1, Math.floor(bandPixels / Math.max(1, area.width)));
    for (let y = 0; y < area.height; y += rows) {
      const band: Rect = { left: area.left, top: area.top + y, width: area.width, height: Math.min(rows, area.height - y) };
      const now = new Uint8ClampedArray(band.width * band.height * 4);
      await readBandInto(doc.id, layer.id, band, profileOption(doc), now, band);
      const off = y * area.width * 4;
      if (!samePixels(now, data.subarray(off, off + now.length))) return false;
    }
    return true;
  }

  /**
   * Refuse a document that is no longer the one the result was computed from, at the same size
   * (the size is checked by {@link requireSameSize}): Image Rotation 180°, Flip Canvas, the source
   * layer painted, moved or transformed, an undo to an earlier state. Any change to a document in
   * Photoshop makes a new history state the active one, and an undo makes an earlier one active
   * (historystate.md: an id names one state for the document's lifetime), so the same active
   * state as at capture means the document is as read: applied without a read. Another state
   * may be a harmless change (Deselect, a new arrow, another layer edited): the source layer is
   * read again over the edit's area and compared with what was read; the same pixels, the result
   * still lines up with them. Layer visibility and layer selection (no history state by default)
   * do not move a pixel of the source layer. VERIFY on a real host that the capture's own
   * suspensions rolled back (the channel reads) leave the active state's id as it was; if they do
   * not, nothing is refused wrongly: apply just takes the re-read path.
   */
  async function requireAsRead(doc: PsDocument, layer: PsLayer, target: ApplyTarget): Promise<void> {
    if (target.historyStateId === undefined && !target.source) return; // nothing to compare with
    if (target.historyStateId !== undefined && historyStateOf(doc) === target.historyStateId) return;
    if (target.source && await sourceAsRead(doc, layer, target.source)) return;
    throw new PluginError('document_changed', target.source
      ? `The document changed while Smart Drag worked: the layer "${layer.name}" no longer holds the pixels the edit was made from (the image rotated or flipped, the layer edited or moved, or a step undone), so the result would not line up with the picture.`
      : 'The document changed while Smart Drag worked (the image rotated or flipped, the layer edited or moved, or a step undone), so the result might not line up with the picture.');
  }

  async function applyLayer(layer: LayerPixels, target: ApplyTarget, signal?: AbortSignal): Promise<ApplyOutcome> {
    if (signal?.aborted) throw new PluginError('cancelled', 'Cancelled before applying.');
    // Clipping and trimming the result is pure JS: done before Photoshop is locked. The size it
    // uses is the captured one, which the scope checks is still the document's.
    const placement = placeLayer(layer, target.docWidth, target.docHeight);
    return modal(async (ctx) => {
      const doc = Array.from(app.documents).find((d) => d.id === target.documentId);
      if (!doc) throw documentClosed('while SmartDrag worked');
      requireSameSize(doc, target.docWidth, target.docHeight);
      const source = findLayer(doc.layers, target.sourceLayerId);
      if (!source) throw layerDeleted();
      if (!placement) return { layerId: null, placement: null };
      // Before anything is written: a document rotated, flipped, undone or whose layer changed is refused.
      await requireAsRead(doc, source, target);
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
        const notes = target.workPath ? await deleteWorkPath(ctx, doc, target.workPath) : [];
        if (ctx.isCancelled || signal?.aborted) throw new PluginError('cancelled', 'Cancelled while applying.');
        await ctx.hostControl.resumeHistory(hid, true);
        committed = true;
        createdLayers.add(layerKey(doc.id, created.id));
        return { layerId: created.id, placement, ...(notes.length > 0 ? { notes } : {}) };
      } finally {
        if (!committed) await ctx.hostControl.resumeHistory(hid, false).catch(() => undefined);
      }
    });
  }

  /**
   * Notice at once that the edited document was closed, or its source layer removed (deleted,
   * merged, flattened, replaced by a conversion), while the bridge works: one listener
   * (photoshopaction.md `addNotificationListener`) for each of {@link WATCHED_EVENTS}. The
   * descriptors the events come with are not documented (a `documentID` is seen on `close`, not
   * promised), so none is read: after ANY of them the document is looked for among
   * `app.documents` and the source layer, by id, in it (`findLayer`). Gone → `onGone`, with the
   * words of the event that removed it. A document or layer still there leaves the edit alone,
   * also when its pixels may have changed (a layer merged INTO the source, a layer style
   * rasterized): what matters is the edit's area, which Apply reads again and compares
   * ({@link requireAsRead}) — a merge elsewhere on the layer must not throw a good result away.
   * ASSUMED (VERIFY on a real host): a notification comes once the command is done (the document
   * has left `app.documents`, the layer list is the new one). Each event is added in its own call,
   * so a name a Photoshop build does not know cannot cost the others. The listener never throws
   * into Photoshop; it is removed on the first hit or when the returned function is called (after
   * its adds settled: both are async).
   */
  function watchDocument(documentId: number, sourceLayerId: number, onGone: (error: PluginError) => void): () => void {
    if (typeof action.addNotificationListener !== 'function' || typeof action.removeNotificationListener !== 'function') return () => undefined;
    const find = (): PsDocument | undefined => Array.from(app.documents).find((d) => d.id === documentId);
    // The names, as they are now, for the message (after the close they cannot be read).
    let name = '', layerName: string | undefined;
    try {
      const doc = find();
      name = doc ? docName(doc) : '';
      layerName = doc ? findLayer(doc.layers, sourceLayerId)?.name : undefined;
    } catch { /* names are for the message only */ }
    let ended = false;
    let added: Promise<unknown> = Promise.resolve();
    const stop = (): void => {
      if (ended) return;
      ended = true;
      // Removed once the adds settled (removing a listener not yet added would leave it behind).
      void added.then(() => Promise.all(WATCHED_EVENTS.map((e) => Promise.resolve()
        .then(() => action.removeNotificationListener([e], listener)).catch(() => undefined)))).catch(() => undefined);
    };
    const listener: PsNotificationListener = (eventName) => {
      if (ended) return;
      try {
        const doc = find();
        let error: PluginError | null = null;
        if (!doc) error = documentClosedWhileWorking(name);
        else if (!findLayer(doc.layers, sourceLayerId)) {
          // Where the pixels went, for the hint: a merge or a conversion leaves its result active
          // (layer.md `merge`: "The merged layer will now be the active layer").
          let now: string | undefined;
          try { now = doc.activeLayers[0]?.name; } catch { /* the hint only */ }
          error = layerGoneWhileWorking(eventName, layerName, now);
        }
        if (!error) return;
        stop();
        onGone(error);
      } catch {
        // Never into Photoshop: the apply's own checks still refuse a document that is gone.
      }
    };
    const adds: Array<Promise<unknown>> = [];
    for (const e of WATCHED_EVENTS) {
      try {
        adds.push(Promise.resolve(action.addNotificationListener([e], listener)).catch(() => undefined));
      } catch { /* that one event is not watched; Apply still checks */ }
    }
    added = Promise.all(adds);
    return stop;
  }

  return { capture, applyLayer, capturePreview, encodePreview, watchDocument };
}

/** Most pixels one band of a full-resolution read of the source layer holds (4 MB of RGBA): the capture's, and {@link requireAsRead}'s re-read. */
export const VERIFY_BAND_PIXELS = 1 << 20;

/** The id of the document's active history state (document.md `activeHistoryState`), when the host reports one. */
export function historyStateOf(doc: PsDocument): number | undefined {
  const id = doc.activeHistoryState?.id;
  return typeof id === 'number' ? id : undefined;
}

function withHistoryState(doc: PsDocument): { historyStateId?: number } {
  const id = historyStateOf(doc);
  return id === undefined ? {} : { historyStateId: id };
}

/**
 * Two RGBA buffers show the same pixels: equal bytes, except that two fully transparent pixels
 * are equal whatever their colour numbers (getPixels trims transparent borders, and what a read
 * returns for a transparent pixel's colour is not documented).
 */
export function samePixels(a: Uint8ClampedArray, b: Uint8ClampedArray): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i += 4) {
    if (a[i + 3] === 0 && b[i + 3] === 0) continue;
    if (a[i] !== b[i] || a[i + 1] !== b[i + 1] || a[i + 2] !== b[i + 2] || a[i + 3] !== b[i + 3]) return false;
  }
  return true;
}

/** A mask as read: 8 bits (a 16-bit document's 0..32768 made 8 bits band by band), in the plugin's own buffer. */
export type RawMask = Rect & { data: Uint8Array };

/** A path's batchPlay descriptor, as read. */
interface RawPath {
  id: number;
  /** The Work Path (else a saved path). */
  work: boolean;
  desc: PathDescriptor;
}

/** What modal scope #1 brings back: host data only, processed after the scope. */
interface RawEdit {
  docId: number;
  docWidth: number;
  docHeight: number;
  /** The active history state at the end of scope #1 (absent: not reported). */
  historyStateId?: number;
  resolution: number;
  bits16: boolean;
  /** `{colorProfile}` to read and write in (see {@link workingProfile}). */
  profile: { colorProfile?: string };
  layerId: number;
  layerName: string;
  /** The selection over its bounds; null without one (then `regionChannels`). */
  selection: RawMask | null;
  /** A selection was there, but nothing of it on the canvas. */
  selectionOffCanvas?: boolean;
  /** Channels named "region…" over the canvas (null: an empty channel). */
  regionChannels: Array<RawMask | null>;
  paths: RawPath[];
  keepChannel?: string;
  warnings: string[];
}

/** What modal scope #2 brings back. */
interface RawPixels {
  /** Full resolution (no proxy): the source layer over the edit's area, RGBA, transparent where getPixels trimmed. */
  area?: Uint8ClampedArray;
  /** A proxy: what getPixels returned with `targetSize`, and its `sourceBounds` (trimmed; relative to cache level `level`). */
  proxied?: { pixels: ChunkyPixels; bounds: PsBounds; level: number };
  keep: RawMask | null;
  /** The active history state the pixels are of (absent: not reported). */
  historyStateId?: number;
}

/** The edit computed from {@link RawEdit}: regions, drags, area. */
interface BuiltEdit {
  regions: IdRegion[];
  drags: DragSpec[];
  roi: Rect;
  warnings: string[];
  workPath?: WorkPathRef;
}

/** Dispose the image data a capture held (emptying the list). */
function release(hold: PsImageData[]): void {
  for (const d of hold.splice(0)) d.dispose();
}

/** The keep mask to send: the channel within the area, when it marks anything. */
function keepMasks(m: RawMask | null): PlacedMask[] | undefined {
  return m && m.data.some((v) => v > 0) ? [m] : undefined;
}

/**
 * `b` (a selection's bounds, possibly fractional or beyond the canvas) in whole pixels, clipped
 * to `within`; null when nothing of it is left (or there is no `b`).
 */
function clipBounds(b: PsBounds | null | undefined, within: PsBounds): PsBounds | null {
  if (!b) return null;
  const c: PsBounds = {
    left: Math.max(within.left, Math.floor(b.left)), top: Math.max(within.top, Math.floor(b.top)),
    right: Math.min(within.right, Math.ceil(b.right)), bottom: Math.min(within.bottom, Math.ceil(b.bottom)),
  };
  return c.right > c.left && c.bottom > c.top ? c : null;
}

/**
 * The edit from what scope #1 read — pure JS, run while Photoshop is free: regions (the selection
 * split into parts, else one region per "region…" channel), arrows (open subpaths), drags, and
 * the edit's area (regions, their moved copies and the arrows, plus the margin).
 */
function buildEdit(raw: RawEdit, opts: CaptureOptions): BuiltEdit {
  const warnings = [...raw.warnings];
  let parts: PlacedMask[] = [];
  if (raw.selection) {
    // The mask is the plugin's own buffer (read band by band), given to the split: one part of
    // it is moved in place rather than copied.
    parts = splitMask(raw.selection, { reuseData: true });
  } else {
    // One region per channel: its parts move together.
    for (const m of raw.regionChannels) {
      const c = m ? cropToContent(m) : null;
      if (c) parts.push(c);
    }
  }
  if (parts.length === 0) {
    // Said as it is: a selection whose every part is a speck (below splitMask's minPixels, 16 px)
    // or one wholly off the canvas is not "nothing".
    if (raw.selection && raw.selection.data.some((v) => v > 0)) {
      throw new PluginError('no_selection', 'The selection holds only specks (parts under 16 pixels), which Smart Drag leaves out.', {
        hint: 'Select the object itself, a little larger (Select ▸ Modify ▸ Expand), and run Smart Drag again.',
      });
    }
    if (raw.selectionOffCanvas) {
      throw new PluginError('no_selection', 'The selection lies outside the canvas: nothing of the picture is selected.', {
        hint: 'Move the selection onto the picture (or select the object again) and run Smart Drag again.',
      });
    }
    throw new PluginError('no_selection', 'Nothing is selected.');
  }
  let regions: IdRegion[] = parts.map((mask, i) => ({ id: `r${i + 1}`, mask }));

  const subpaths: Subpath[] = [];
  let workPath: WorkPathRef | undefined;
  for (const p of raw.paths) {
    const sp = parsePathDescriptor(p.desc, raw.resolution);
    subpaths.push(...sp);
    if (p.work) workPath = { id: p.id, signature: subpathSignature(sp) };
  }
  const res = pathsToArrows(subpaths);
  if (res.closedSkipped > 0) warnings.push(`${res.closedSkipped} closed subpath(s) ignored (arrows are open paths)`);
  if (res.degenerateSkipped > 0) warnings.push(`${res.degenerateSkipped} path(s) with a single point ignored`);
  if (res.arrows.length === 0) throw new PluginError('no_arrows', 'No open pen path to use as an arrow.');
  // More parts than the bridge takes in one edit (a selection of many specks, stars, letters):
  // an arrow drags the part under its handle and the others stay, so only the dragged parts go.
  const maxRegions = opts.limits?.maxRegions ?? DEFAULT_LIMITS.maxRegions;
  if (regions.length > maxRegions) {
    const dragged = new Set(assignDrags(res.arrows, regions, opts.kind).drags.map((d) => d.region));
    if (dragged.size > maxRegions) {
      throw new PluginError('too_many_regions', `The arrows drag ${dragged.size} separate parts of the selection; the bridge takes at most ${maxRegions} in one edit.`);
    }
    const total = regions.length;
    parts = parts.filter((_, i) => dragged.has(`r${i + 1}`));
    regions = parts.map((mask, i) => ({ id: `r${i + 1}`, mask }));
    warnings.push(`the selection has ${total} separate parts, more than the ${maxRegions} the bridge takes: the ${total - parts.length} no arrow starts on stay as they are`);
  }
  const assigned = assignDrags(res.arrows, regions, opts.kind);
  warnings.push(...assigned.warnings);

  const roi = editRoi({ regions: parts, arrows: res.arrows, docWidth: raw.docWidth, docHeight: raw.docHeight, marginPx: opts.marginPx });
  if (raw.bits16) warnings.push('16-bit document: edited at 8 bits per channel (the new layer is written at 16 bits; its values sit on 8-bit steps)');
  return { regions, drags: assigned.drags, roi, warnings, ...(workPath ? { workPath } : {}) };
}

/** constants.md DocumentMode values as Image ▸ Mode names them. */
const MODE_NAMES: Record<string, string> = {
  RGBColorMode: 'RGB Color', CMYKColorMode: 'CMYK Color', labColorMode: 'Lab Color', grayscaleMode: 'Grayscale',
  bitmapMode: 'Bitmap', indexedColorMode: 'Indexed Color', duotoneMode: 'Duotone', multichannelMode: 'Multichannel',
};
/** constants.md BitsPerChannelType values as Image ▸ Mode names them. */
const DEPTH_NAMES: Record<string, string> = { bitDepth1: '1 Bit', bitDepth8: '8 Bits/Channel', bitDepth16: '16 Bits/Channel', bitDepth32: '32 Bits/Channel' };

/**
 * `unsupported_document` in the words of Photoshop's Image ▸ Mode menu (not "CMYKColorMode,
 * bitDepth8"), with the menu items that make the document editable.
 */
function unsupportedDocument(doc: PsDocument, rgb: boolean, depthOk: boolean): PluginError {
  const mode = MODE_NAMES[doc.mode] ?? doc.mode, depth = DEPTH_NAMES[doc.bitsPerChannel] ?? doc.bitsPerChannel;
  const steps = [
    ...(rgb ? [] : ['Image ▸ Mode ▸ RGB Color']),
    ...(depthOk ? [] : ['Image ▸ Mode ▸ 16 Bits/Channel (or 8)']),
  ];
  return new PluginError('unsupported_document', `SmartDrag edits RGB documents at 8 or 16 bits per channel; this one is ${mode}, ${depth}.`, {
    hint: `Convert it with ${steps.join(', then ')} — on a copy (Image ▸ Duplicate) if this document must stay ${rgb ? depth : mode} — and run Smart Drag again.`,
  });
}

/** "12 MP", "0.005 MP". */
function megapixels(n: number): string {
  return n >= 1e6 ? (n / 1e6).toFixed(1).replace(/\.0$/, '') : String(Number((n / 1e6).toFixed(3)));
}

/**
 * Refuse an edit area the bridge would refuse (`image_too_large`: `maxImagePixels` /
 * `maxImageSidePx`, shared/src/protocol/limits.ts), before any pixel is read: reading it would
 * hold hundreds of MB in the panel for nothing. `limits`: the bridge's, from its welcome.
 */
export function requireWithinLimits(roi: Rect, limits: ImageLimits = DEFAULT_LIMITS, what = 'The edit\'s area'): void {
  const n = roi.width * roi.height;
  if (n <= limits.maxImagePixels && roi.width <= limits.maxImageSidePx && roi.height <= limits.maxImageSidePx) return;
  throw new PluginError('image_too_large',
    `${what} is ${roi.width}×${roi.height} px (${megapixels(n)} MP); the bridge takes at most ${megapixels(limits.maxImagePixels)} MP and ${limits.maxImageSidePx} px a side.`);
}

/** The edited document is no longer open: said as such (the generic hint speaks of selections and arrows). */
function documentClosed(when: string): PluginError {
  return new PluginError('document_changed', `The document was closed ${when}, so the result has nowhere to go.`, {
    hint: 'Nothing was added. Open the document again, select the object, draw the arrow and run Smart Drag again.',
  });
}

/** The edited document was closed while the bridge worked (noticed at once): the edit is stopped, nothing added. */
function documentClosedWhileWorking(name: string): PluginError {
  return new PluginError('document_changed', `The document${name} was closed while Smart Drag worked on it, so the edit was stopped.`, {
    hint: 'Nothing was added. Open the document again, select the object, draw the arrow and run Smart Drag again.',
  });
}

/** The source layer was deleted while the bridge worked (noticed at once): the edit is stopped, nothing added. */
function layerDeletedWhileWorking(name?: string): PluginError {
  return new PluginError('document_changed', `The layer${name ? ` "${name}"` : ' the edit was made from'} was deleted while Smart Drag worked on it, so the edit was stopped.`, {
    hint: 'Nothing was added. Undo the deletion (Edit ▸ Undo), or select the layer that holds the object, and run Smart Drag again.',
  });
}

/**
 * The events {@link createPhotoshopHost}'s `watchDocument` listens to while the bridge works: the
 * "String Code" column of eventcodes.md ("Action Events") for what can close the edited document
 * or take its source layer away. Close `close`; Delete `delete` (a layer; paths and channels too);
 * Merge Layers `mergeLayersNew` (Layer ▸ Merge Down and Merge Layers; Ctrl+E) and its old code
 * Merge Layers Old `mergeLayers`; Merge Visible `mergeVisible`; Flatten Image `flattenImage`;
 * Rasterize `rasterize` and Rasterize Type Sheet `rasterizeTypeLayer`. Not in that table, taken
 * from the descriptors Photoshop records (the `_obj` of the same commands run through batchPlay,
 * and what public UXP plugins listen to): Layer ▸ Rasterize `rasterizeLayer`, Convert to Smart
 * Object `newPlacedLayer`, Smart Object ▸ Convert to Layers `placedLayerConvertToLayers`. VERIFY
 * on a real host which of `rasterize` / `rasterizeLayer` a Rasterize sends.
 */
export const WATCHED_EVENTS: readonly string[] = [
  'close', 'delete', 'mergeLayersNew', 'mergeLayers', 'mergeVisible', 'flattenImage',
  'rasterizeLayer', 'rasterize', 'rasterizeTypeLayer', 'newPlacedLayer', 'placedLayerConvertToLayers',
];

/**
 * The source layer is no longer in the document after `event` while the bridge worked (noticed at
 * once): the edit is stopped, nothing added; said in the words of what the user did. `now`: the
 * active layer after it (where a merge or a conversion put the pixels).
 */
export function layerGoneWhileWorking(event: string, name: string | undefined, now: string | undefined): PluginError {
  const layer = name ? `The layer "${name}"` : 'The layer the edit was made from';
  const on = name ? ` the layer "${name}"` : '';
  const there = now ? ` "${now}"` : '';
  const stopped = 'so the edit was stopped.';
  const select = (what: string): string => `Nothing was added. Select ${what} and run Smart Drag again, or undo (Edit ▸ Undo) and run it again.`;
  switch (event) {
    case 'mergeLayersNew':
    case 'mergeLayers':
      return new PluginError('document_changed', `${layer} was merged into ${now ? `"${now}"` : 'another layer'} while Smart Drag worked on it, ${stopped}`, {
        hint: select(now ? `"${now}" (it holds the merged pixels now)` : 'the merged layer'),
      });
    case 'mergeVisible':
      return new PluginError('document_changed', `The visible layers were merged (Merge Visible) while Smart Drag worked on${on || ' the document'}, ${stopped}`, {
        hint: select(now ? `"${now}" (it holds the merged pixels now)` : 'the merged layer'),
      });
    case 'flattenImage':
      return new PluginError('document_changed', `The image was flattened while Smart Drag worked on${on || ' it'}, ${stopped}`, {
        hint: 'Nothing was added. Run Smart Drag again on the flattened image, or undo the flattening (Edit ▸ Undo) and run it again.',
      });
    case 'rasterizeLayer':
    case 'rasterize':
    case 'rasterizeTypeLayer':
      return new PluginError('document_changed', `${layer} was rasterized while Smart Drag worked on it and is now another layer for Photoshop, ${stopped}`, {
        hint: select(`the rasterized layer${there}`),
      });
    case 'newPlacedLayer':
      return new PluginError('document_changed', `${layer} was converted to a Smart Object while Smart Drag worked on it, ${stopped}`, {
        hint: select(`the Smart Object${there}`),
      });
    case 'placedLayerConvertToLayers':
      return new PluginError('document_changed', `The Smart Object${name ? ` "${name}"` : ''} was converted to layers while Smart Drag worked on it, ${stopped}`, {
        hint: select('the layer that holds the object'),
      });
    default:
      return layerDeletedWhileWorking(name);
  }
}

/** The source layer is gone (deleted, or merged into another). */
function layerDeleted(name?: string): PluginError {
  return new PluginError('document_changed', `The layer${name ? ` "${name}"` : ' the edit was made from'} was deleted (or merged) while SmartDrag worked.`, {
    hint: 'Nothing was added. Undo the deletion (Edit ▸ Undo), or select the layer that holds the object, and run Smart Drag again.',
  });
}

/**
 * Refuse a document whose canvas changed size since it was read (Crop, Canvas Size, Image Size
 * while the bridge worked): the result's document coordinates would put it in the wrong place.
 */
function requireSameSize(doc: PsDocument, width: number, height: number): void {
  if (doc.width === width && doc.height === height) return;
  throw new PluginError('document_changed',
    `The canvas is now ${doc.width}×${doc.height} px; it was ${width}×${height} px when Smart Drag read it (Crop, Canvas Size or Image Size since?), so the result would land in the wrong place.`);
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
