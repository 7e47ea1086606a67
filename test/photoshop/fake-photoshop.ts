/**
 * A fake `photoshop` module for tests: one in-memory document model behind the documented API
 * shapes the plugin uses (app/activeDocument, executeAsModal + hostControl.suspendHistory/
 * resumeHistory, imaging.getPixels/getSelection/createImageDataFromBuffer/putPixels, batchPlay
 * `get` of path descriptors and `set selection` from a channel). It enforces the rules that bite
 * on a real host:
 *
 * - imaging calls and mutations only inside executeAsModal; a second modal scope at the same
 *   time fails with error number 9;
 * - every mutation outside a history suspension adds a history state; a suspension adds exactly
 *   one on commit and restores the snapshot on rollback (or when the modal function throws);
 * - getPixels trims transparent borders (the returned sourceBounds must be honoured);
 * - getPixels `targetSize` scales down through a pyramid cache level, with `sourceBounds`
 *   relative to that level (see {@link FakePhotoshop.pyramidLevels} for what is assumed);
 * - encodeImageData returns a real JPEG (sharp), base64 text when `base64: true`, and wants RGB
 *   image data;
 * - path descriptors report lengths in `distanceUnit` (points), so resolution matters;
 * - every PhotoshopImageData must be disposed (leaks are counted), and the bytes of image data
 *   each imaging call has out at once are tracked with their peak ({@link FakePhotoshop.peakImageBytes});
 *   getData returns a copy (ASSUMED: imaging.md does not say whether getData's array outlives a
 *   dispose — AdobeDocs/uxp-photoshop#463 — so the plugin never uses one after its dispose);
 * - getPixels over an area where the layer has no pixels gives 0×0 image data (ASSUMED, VERIFY;
 *   {@link FakePhotoshop.emptyReadThrows} makes it throw instead);
 * - option objects are checked against the documented shapes (AdobeDocs/uxp-photoshop
 *   ps-reference/media/imaging.md, executeasmodal.md): unknown keys are rejected (e.g. a
 *   `componentSize` passed to createImageDataFromBuffer, whose array type sets the depth),
 *   bounds must be {left, top, right, bottom} (or width/height for getPixels), targetBounds
 *   {left, top}; getData honours `chunky: false` (planar);
 * - constants use Photoshop's real string values (PathKind.WORKPATH is "workPathIndex",
 *   ChannelType alpha channels "maskedAreas"), as DefinitelyTyped types/photoshop declares them;
 * - suspendHistory returns an opaque object, not a number;
 * - after a user cancel, further imaging/batchPlay calls in that scope throw;
 * - creating a layer makes it the active layer (as Photoshop's Layer ▸ New does);
 * - the Pen adds subpaths to the path targeted in the Paths panel, so a Work Path left in place
 *   keeps its old arrows ({@link FakeDocument.drawWithPen}); `PathItem.remove` (pathitem.md)
 *   deletes a path as a history-recorded change, rolled back with the suspension around it;
 * - history states have ids (historystate.md: an id "along with its document ID can be used to
 *   represent this history state for the lifetime of this document") and the document has an
 *   `activeHistoryState` and `historyStates` (document.md, 22.5): every change adds a state with a
 *   new id and makes it active; undo ({@link FakeDocument.undo}) makes the state before it active
 *   and restores the document (layers, selection, channels, paths, size), redo
 *   ({@link FakeDocument.redo}) goes forward again; a change made after an undo deletes the
 *   undone states (see {@link FakeDocument.redo} for what is assumed there);
 * - the user can change the document without changing its size while the plugin waits:
 *   Image ▸ Image Rotation ▸ 180° ({@link FakeDocument.rotate180}), Flip Canvas
 *   ({@link FakeDocument.flipCanvas}), the Move tool on a layer ({@link FakeDocument.moveLayerPixels}),
 *   Select ▸ Deselect ({@link FakeDocument.deselect}) — each one history state, undoable;
 * - layers carry opacity, fillOpacity and blendMode (layer.md) and, through a batchPlay `get` of
 *   the layer, `hasUserMask` / `hasVectorMask`;
 * - the canvas can change size while the plugin waits ({@link FakeDocument.resizeCanvas});
 * - another plugin can hold the modal state for the next few executeAsModal calls
 *   ({@link FakePhotoshop.collideNext}), each failing as a collision does;
 * - `action.addNotificationListener` / `removeNotificationListener` (photoshopaction.md, 23.0:
 *   `events: string[]`, the "String Code" column of eventcodes.md; the callback
 *   `(eventName, descriptor) => void`; both async): closing a document
 *   ({@link FakePhotoshop.closeDocument}) notifies `close`, deleting a layer
 *   ({@link FakeDocument.deleteLayer}) notifies `delete`, Merge Down ({@link FakeDocument.mergeDown})
 *   `mergeLayersNew`, Merge Visible `mergeVisible`, Flatten Image `flattenImage`, Rasterize
 *   `rasterizeLayer`, Convert to Smart Object `newPlacedLayer` — each changing the layer list as
 *   its method says (which ids survive is ASSUMED there). ASSUMED (VERIFY on a real host): the
 *   notification comes after the command, asynchronously, once the document has left
 *   `app.documents` (the layer its document's layers); the `close` descriptor's `documentID` is
 *   seen on real hosts but not documented (the plugin does not read it). A listener that throws is
 *   counted ({@link FakePhotoshop.listenerErrors}), never rethrown.
 */
import type {
  ActionDescriptor, PhotoshopModule, PsChannel, PsDocument, PsExecutionContext, PsImageData, PsImagingResult, PsLayer, PsNotificationListener, PsPathItem,
} from '../../plugin-photoshop/src/host/photoshop-api';
import type { PsBounds } from '../../plugin-photoshop/src/geometry/placement';
import { rasterizePolygon, type Point, type Subpath } from '@smartdrag/shared';
import sharp from 'sharp';

/** A layer of the fake document: full-canvas RGBA, straight alpha. */
export class FakeLayer implements PsLayer {
  layers: null = null;
  /** `constants.LayerKind`: "pixel" (NORMAL), "group", "text", … */
  kind = 'pixel';
  /** layer.md: master opacity, percent. getPixels returns the layer's pixels without it. */
  opacity = 100;
  /** layer.md: fill opacity, percent. */
  fillOpacity = 100;
  /** layer.md `blendMode` (constants.BlendMode; NORMAL = "normal"). */
  blendMode = 'normal';
  /**
   * A layer (pixel) mask / a vector mask. No DOM property says whether a layer has one: the layer's
   * action descriptor does (`hasUserMask`, `hasVectorMask`), which the fake answers to a batchPlay
   * `get` of the layer. getPixels returns the layer's pixels without the mask applied.
   */
  hasUserMask = false;
  hasVectorMask = false;
  /** 16-bit documents: the layer's true pixels, RGBA in Photoshop's 0..32768 range (`pixels` is their 8-bit view). */
  deep: Uint16Array | null = null;
  /** layer.md `visible`. getPixels reads a hidden layer's pixels all the same (the fake ASSUMES so; imaging.md is silent). */
  visible = true;
  /** layer.md `parent`: the group holding the layer, null at the top level (see {@link FakeGroup}). */
  parent: FakeGroup | null = null;
  constructor(private readonly doc: FakeDocument, public readonly id: number, public name: string, public pixels: Uint8ClampedArray, public isBackground = false) {}
  move(relativeObject: PsLayer, insertLocation: string): void {
    this.doc.host.requireModal('move');
    const list = this.doc.layers;
    const from = list.indexOf(this);
    if (from < 0) throw new Error('layer not in document');
    list.splice(from, 1);
    const at = list.findIndex((l) => l.id === relativeObject.id);
    if (at < 0) throw new Error('relative layer not found');
    list.splice(insertLocation === 'placeBefore' ? at : at + 1, 0, this);
    this.doc.mutated('Move Layer');
  }
}

/**
 * A layer group, as far as a layer's `parent` chain shows it (layer.md `parent`, `visible`, `kind`
 * "group"). The fake keeps its document's layers in one flat list (the grouped layers are in
 * `doc.layers` in stacking order, the group is not): enough for what the plugin reads of a group
 * (visibility up the chain), not a model of group stacking.
 */
export class FakeGroup {
  readonly kind = 'group';
  visible = true;
  parent: FakeGroup | null = null;
  constructor(readonly id: number, public name: string) {}
  move(): void {
    throw new Error('fake: moving a group is not modelled');
  }
}

/** A state of the History panel (historystate.md, 22.5). */
export class FakeHistoryState {
  /** Whether it is a snapshot (the fake makes none). */
  readonly snapshot = false;
  readonly typename = 'HistoryState';
  constructor(readonly docId: number, readonly id: number, readonly name: string) {}
}

/** A channel with its mask (full canvas gray8). */
export interface FakeChannel extends PsChannel {
  mask: Uint8Array;
}

/** A path: subpaths in PIXELS (the fake reports them in points through batchPlay). */
export interface FakePath extends PsPathItem {
  subpaths: Subpath[];
}

/** A path item of the fake document. */
export class FakePathItem implements FakePath {
  constructor(private readonly doc: FakeDocument, readonly id: number, public name: string, public kind: string, public subpaths: Subpath[]) {}

  /**
   * pathitem.md `remove` (23.3): "Deletes this object." A change to the document like any other:
   * inside executeAsModal only, one history state of its own, or part of the suspension around it
   * (rolled back with it, undone with it).
   */
  async remove(): Promise<void> {
    this.doc.host.requireModal('PathItem.remove');
    this.doc.host.record('pathItem.remove');
    this.doc.host.maybeFail('pathItem.remove');
    const at = this.doc.paths.indexOf(this);
    if (at < 0) throw new Error('PathItem.remove: the path is no longer in the document');
    this.doc.paths.splice(at, 1);
    if (this.doc.targetedPathId === this.id) this.doc.targetedPathId = null;
    this.doc.mutated(this.kind === PS_CONSTANTS.PathKind.WORKPATH ? 'Delete Work Path' : 'Delete Path');
  }
}

interface Snapshot {
  width: number;
  height: number;
  layers: Array<{ layer: FakeLayer; pixels: Uint8ClampedArray; deep: Uint16Array | null; name: string; kind: string }>;
  selection: Uint8Array | null;
  channels: Array<{ channel: FakeChannel; mask: Uint8Array }>;
  active: number[];
  paths: Array<{ path: FakePathItem; subpaths: Subpath[] }>;
  targetedPathId: number | null;
}

/** The fake document. */
export class FakeDocument implements PsDocument {
  layers: FakeLayer[] = [];
  activeLayers: FakeLayer[] = [];
  channelList: FakeChannel[];
  paths: FakePathItem[] = [];
  /** The path targeted (highlighted) in the Paths panel, where the Pen's next subpath goes; null when none. */
  targetedPathId: number | null = null;
  /** Full-canvas selection mask, or null. */
  selectionMask: Uint8Array | null = null;
  /** document.md `name`: what the document's tab shows (messages only). */
  name: string;

  /** Select a polygon (document pixels; a lasso, as the user makes it), clipped to the canvas. */
  selectPolygon(polygon: readonly Point[]): void {
    const poly = rasterizePolygon(polygon as Point[]);
    const W = this.width, H = this.height;
    const sel = new Uint8Array(W * H);
    for (let y = 0; y < poly.height; y++) for (let x = 0; x < poly.width; x++) {
      const dx = poly.left + x, dy = poly.top + y;
      if (dx >= 0 && dy >= 0 && dx < W && dy < H) sel[dy * W + dx] = poly.data[y * poly.width + x]!;
    }
    this.selectionMask = sel;
  }
  /**
   * The History panel, oldest first: each state with the document before it (`before`, for
   * {@link undo}; null: undoing it is not modelled) and, once undone, the document after it
   * (`after`, for {@link redo}). States after `activeIndex` are undone (redo-able).
   */
  private states: Array<{ state: FakeHistoryState; before: Snapshot | null; after: Snapshot | null }>;
  private activeIndex = 0;
  /** History state ids are unique within the document (historystate.md), so the fake counts per document. */
  private nextStateId = 1;
  private suspension: { id: number; name: string; snapshot: Snapshot } | null = null;

  constructor(
    readonly host: FakePhotoshop,
    readonly id: number,
    /** Pixels; changed only by {@link resizeCanvas} (and undo/redo of it). */
    public width: number,
    public height: number,
    readonly resolution = 72,
    readonly mode = 'RGBColorMode',
    readonly bitsPerChannel = 'bitDepth8',
    /** document.md `colorProfileName`: "None" for an untagged document (colorProfileType NONE). */
    readonly colorProfileName = 'sRGB IEC61966-2.1',
  ) {
    this.channelList = ['Red', 'Green', 'Blue'].map((name) => ({ name, kind: 'component', mask: new Uint8Array(0) }));
    this.name = `Untitled-${id}`;
    this.states = [{ state: new FakeHistoryState(id, this.nextStateId++, 'Open'), before: null, after: null }];
  }

  /** Names of the history states up to the active one (what undo steps back over), oldest first. */
  get history(): string[] {
    return this.states.slice(0, this.activeIndex + 1).map((e) => e.state.name);
  }

  /**
   * document.md `historyStates` (22.5): the History panel's states. Whether the undone (dimmed,
   * redo-able) states are in this collection is undocumented (HOSTS.md is silent too): the fake
   * lists them, as the panel shows them. Nothing in the plugin relies on it.
   */
  get historyStates(): FakeHistoryState[] {
    return this.states.map((e) => e.state);
  }

  /** document.md `activeHistoryState` (22.5): the current history state. */
  get activeHistoryState(): FakeHistoryState {
    return this.states[this.activeIndex]!.state;
  }

  /** document.md `colorProfileType` (constants ColorProfileType: "none" = not colour managed). */
  get colorProfileType(): string {
    return this.colorProfileName === 'None' ? 'none' : 'custom';
  }

  /** The profile the pixels are in: an untagged document's numbers are read in the RGB working space (sRGB here). */
  get pixelProfile(): string {
    return this.colorProfileName === 'None' ? 'sRGB IEC61966-2.1' : this.colorProfileName;
  }

  get selection(): { bounds: PsBounds | null } {
    const m = this.selectionMask;
    if (!m) return { bounds: null };
    let x0 = Infinity, y0 = Infinity, x1 = -1, y1 = -1;
    for (let y = 0; y < this.height; y++) for (let x = 0; x < this.width; x++) {
      if (m[y * this.width + x]! > 0) { x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = y; }
    }
    return { bounds: x1 < 0 ? null : { left: x0, top: y0, right: x1 + 1, bottom: y1 + 1 } };
  }

  get pathItems(): FakePath[] {
    return this.paths;
  }

  get channels(): FakeChannel[] {
    return this.channelList;
  }

  /**
   * Add a layer on top (test setup; no history). In a 16-bit document `deep` (0..32768) holds
   * the true values (default: `pixels` scaled up) and `pixels` becomes their 8-bit view.
   */
  addLayer(name: string, pixels: Uint8ClampedArray, opts: { background?: boolean; deep?: Uint16Array } = {}): FakeLayer {
    if (pixels.length !== this.width * this.height * 4) throw new RangeError('layer pixels must cover the canvas');
    const l = new FakeLayer(this, this.host.nextId++, name, pixels, opts.background ?? false);
    if (this.bitsPerChannel === PS_CONSTANTS.BitsPerChannelType.SIXTEEN) {
      // Loops, not TypedArray.from with a map function: that builds a plain array first, which a
      // 50 MP RGBA layer (201 M values) overflows ("invalid array length").
      l.deep = opts.deep ? opts.deep.slice() : mapTyped(new Uint16Array(pixels.length), pixels, (v) => Math.round((v * 32768) / 255));
      if (l.deep.length !== pixels.length) throw new RangeError('deep pixels must cover the canvas');
      l.pixels = mapTyped(new Uint8ClampedArray(l.deep.length), l.deep, (v) => Math.round((v * 255) / 32768));
    }
    this.layers.unshift(l);
    this.activeLayers = [l];
    return l;
  }

  /** Add an alpha channel (test setup). */
  addChannel(name: string, mask: Uint8Array): void {
    this.channelList.push({ name, kind: PS_CONSTANTS.ChannelType.MASKEDAREA, mask });
  }

  /**
   * Add a path given in pixels (test setup, no history). A Work Path is left targeted, as it is
   * after drawing it; a saved path is not.
   */
  addPath(name: string, kind: 'workPath' | 'normalPath', subpaths: Subpath[]): FakePathItem {
    const psKind = kind === 'workPath' ? PS_CONSTANTS.PathKind.WORKPATH : PS_CONSTANTS.PathKind.NORMALPATH;
    const p = new FakePathItem(this, this.host.nextId++, name, psKind, subpaths);
    this.paths.push(p);
    if (kind === 'workPath') this.targetedPathId = p.id;
    return p;
  }

  /** The Work Path, if the document has one. */
  get workPath(): FakePathItem | undefined {
    return this.paths.find((p) => p.kind === PS_CONSTANTS.PathKind.WORKPATH);
  }

  /**
   * The user draws subpaths with the Pen in Path mode (a user action: outside any modal scope, one
   * history state). Photoshop puts a pen stroke into the path targeted in the Paths panel: while
   * the Work Path (or a saved path) is targeted — as it stays after drawing — the new subpaths are
   * ADDED to it, next to the old ones (review item A; VERIFY on a real host). With no path
   * targeted a new Work Path is started, and an existing Work Path is replaced ("Unless you save
   * your path, it is deleted as soon as you start to create another path": Photoshop help on the
   * work path, as quoted at photoshopfaceoff.com). The path drawn into stays targeted.
   */
  drawWithPen(subpaths: Subpath[]): FakePathItem {
    if (this.host.inModalScope) throw new Error('the user cannot draw while a plugin is modal');
    const before = this.snapshot();
    const targeted = this.paths.find((p) => p.id === this.targetedPathId);
    let p: FakePathItem;
    if (targeted) {
      targeted.subpaths = [...targeted.subpaths, ...subpaths];
      p = targeted;
    } else {
      this.paths = this.paths.filter((x) => x.kind !== PS_CONSTANTS.PathKind.WORKPATH);
      p = new FakePathItem(this, this.host.nextId++, 'Work Path', PS_CONSTANTS.PathKind.WORKPATH, subpaths);
      this.paths.push(p);
      this.targetedPathId = p.id;
    }
    this.mutated('Pen', before);
    return p;
  }

  /**
   * The user runs Image ▸ Canvas Size (document.md `resizeCanvas`: "Changes the size of the
   * document, but does not scale the image"; anchor by default in the centre) while no plugin is
   * modal. Layers, selection, channels and paths keep their place relative to the centre.
   */
  resizeCanvas(width: number, height: number): void {
    if (this.host.inModalScope) throw new Error('the user cannot resize the canvas while a plugin is modal');
    const before = this.snapshot();
    const dx = Math.floor((width - this.width) / 2), dy = Math.floor((height - this.height) / 2);
    const W0 = this.width, H0 = this.height;
    const relay = <T extends Uint8Array | Uint8ClampedArray | Uint16Array>(src: T, comps: number): T => {
      const out = new (src.constructor as new (n: number) => T)(width * height * comps);
      for (let y = 0; y < H0; y++) for (let x = 0; x < W0; x++) {
        const nx = x + dx, ny = y + dy;
        if (nx < 0 || ny < 0 || nx >= width || ny >= height) continue;
        for (let c = 0; c < comps; c++) out[(ny * width + nx) * comps + c] = src[(y * W0 + x) * comps + c]!;
      }
      return out;
    };
    for (const l of this.layers) { l.pixels = relay(l.pixels, 4); if (l.deep) l.deep = relay(l.deep, 4); }
    if (this.selectionMask) this.selectionMask = relay(this.selectionMask, 1);
    for (const c of this.channelList) if (c.kind !== 'component') c.mask = relay(c.mask, 1);
    const move = (q: [number, number] | undefined): [number, number] | undefined => (q ? [q[0] + dx, q[1] + dy] : undefined);
    for (const p of this.paths) {
      p.subpaths = p.subpaths.map((sp) => ({ closed: sp.closed, points: sp.points.map((pt) => ({ anchor: move(pt.anchor)!, ...(pt.forward ? { forward: move(pt.forward)! } : {}), ...(pt.backward ? { backward: move(pt.backward)! } : {}) })) }));
    }
    this.width = width;
    this.height = height;
    this.mutated('Canvas Size', before);
  }

  /**
   * The user runs Image ▸ Image Rotation ▸ 180° while no plugin is modal (document.md
   * `rotate(angles)`: "Rotates the image clockwise in given angle, expanding canvas if
   * necessary" — at 180° nothing needs expanding: the canvas keeps its size). Every layer, the
   * selection, the alpha channels and the paths turn with the image. One history state, undoable.
   * The state's name is Photoshop's as far as known (HOSTS.md is silent; nothing relies on it);
   * that the selection turns with the image is ASSUMED (VERIFY on a real host).
   */
  rotate180(): void {
    this.transformCanvas('Rotate Canvas', true, true);
  }

  /**
   * The user runs Image ▸ Image Rotation ▸ Flip Canvas Horizontal / Vertical (no plugin modal):
   * the canvas keeps its size and everything in it is mirrored, as in {@link rotate180} (same
   * assumptions; HOSTS.md is silent on both commands).
   */
  flipCanvas(direction: 'horizontal' | 'vertical'): void {
    const h = direction === 'horizontal';
    this.transformCanvas(h ? 'Flip Canvas Horizontal' : 'Flip Canvas Vertical', h, !h);
  }

  /**
   * The user drags a layer's pixels with the Move tool (layer.md `translate` does the same from a
   * script; no plugin modal): one history state ("Move"), undoable. Pixels moved past the canvas
   * edge are dropped here (Photoshop keeps them beyond the edge; not modelled).
   */
  moveLayerPixels(layer: FakeLayer, dx: number, dy: number): void {
    if (this.host.inModalScope) throw new Error('the user cannot move a layer while a plugin is modal');
    if (!this.layers.includes(layer)) throw new Error('layer not in document');
    const before = this.snapshot();
    const W = this.width, H = this.height;
    const shift = <T extends Uint8ClampedArray | Uint16Array>(src: T): T => {
      const out = new (src.constructor as new (n: number) => T)(src.length);
      for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
        const nx = x + dx, ny = y + dy;
        if (nx < 0 || ny < 0 || nx >= W || ny >= H) continue;
        for (let c = 0; c < 4; c++) out[(ny * W + nx) * 4 + c] = src[(y * W + x) * 4 + c]!;
      }
      return out;
    };
    layer.pixels = shift(layer.pixels);
    if (layer.deep) layer.deep = shift(layer.deep);
    this.mutated('Move', before);
  }

  /**
   * The user deletes a layer (the Layers panel's trash, Layer ▸ Delete; no plugin modal): one
   * history state ("Delete Layer"), undoable, and a `delete` notification (eventcodes.md Delete).
   */
  deleteLayer(layer: FakeLayer): void {
    if (this.host.inModalScope) throw new Error('the user cannot delete a layer while a plugin is modal');
    if (!this.layers.includes(layer)) throw new Error('layer not in document');
    const before = this.snapshot();
    this.layers = this.layers.filter((l) => l !== layer);
    this.activeLayers = this.activeLayers.filter((l) => l !== layer);
    this.mutated('Delete Layer', before);
    void this.host.notify('delete', { _target: [{ _ref: 'layer', _enum: 'ordinal', _value: 'targetEnum' }], layerID: [layer.id] });
  }

  /**
   * The user runs Layer ▸ Merge Down with `upper` selected (Ctrl+E; no plugin modal). layer.md
   * `merge`: "If one layer is selected, it is merged down with the layer beneath. In this case, the
   * layer below must be a pixel layer. The merged layer will now be the active layer." The merged
   * layer is the lower one: it keeps its name and blend mode ("the merged layers take on the name
   * and blending mode of the bottom layer": Photoshop help as quoted at photoshopfaceoff.com) and —
   * ASSUMED, VERIFY on a real host: no Adobe page says which ids survive — its id; the upper
   * layer's id is gone. The upper layer's pixels are composited over it (Normal, with the upper's
   * opacity × fill opacity; other blend modes are not modelled). One history state ("Merge
   * Down"), undoable, and a `mergeLayersNew` notification (eventcodes.md Merge Layers `Mrg2`).
   */
  mergeDown(upper: FakeLayer = this.activeLayers[0]!): FakeLayer {
    if (this.host.inModalScope) throw new Error('the user cannot merge layers while a plugin is modal');
    const at = this.layers.indexOf(upper);
    if (at < 0) throw new Error('layer not in document');
    const lower = this.layers[at + 1];
    if (!lower) throw new Error('Merge Down: there is no layer below');
    if (lower.kind !== 'pixel') throw new Error('Merge Down: the layer below must be a pixel layer (layer.md merge)');
    if (!upper.visible) throw new Error('fake: merging down a hidden layer is not modelled');
    const before = this.snapshot();
    this.composite(lower, [upper]);
    this.layers = this.layers.filter((l) => l !== upper);
    this.activeLayers = [lower];
    this.mutated('Merge Down', before);
    void this.host.notify('mergeLayersNew', {});
    return lower;
  }

  /**
   * The user runs Layer ▸ Merge Visible (Shift+Ctrl+E; no plugin modal): every visible layer is
   * composited, bottom to top, into one; hidden layers stay as they are. ASSUMED (VERIFY): the
   * merged layer is the bottom-most visible one (its id kept, a Background stays the Background:
   * "Merging any layer with the background creates a background layer", Photoshop Elements user
   * guide), named after the active layer when that one was visible ("The current, or active, layer
   * name is used when you combine layers using the Merge Visible command": How to Use Photoshop 7,
   * Task 8); the other visible layers' ids are gone. One history state, undoable, and a
   * `mergeVisible` notification (eventcodes.md Merge Visible `MrgV`).
   */
  mergeVisible(): FakeLayer {
    if (this.host.inModalScope) throw new Error('the user cannot merge layers while a plugin is modal');
    const visible = this.layers.filter((l) => l.visible);
    if (visible.length < 2) throw new Error('Merge Visible needs two visible layers');
    const before = this.snapshot();
    const into = visible[visible.length - 1]!;
    const active = this.activeLayers[0];
    this.composite(into, visible.slice(0, -1).reverse());
    if (active && active.visible) into.name = active.name;
    this.layers = this.layers.filter((l) => !l.visible || l === into);
    this.activeLayers = [into];
    this.mutated('Merge Visible', before);
    void this.host.notify('mergeVisible', {});
    return into;
  }

  /**
   * The user runs Layer ▸ Flatten Image (no plugin modal): "all visible layers are merged into the
   * background … Flattening an image discards all hidden layers and fills the remaining
   * transparent areas with white" (Photoshop Elements user guide; Photoshop asks before discarding
   * hidden layers, the user says Discard). ASSUMED (VERIFY): the result is a new layer, every old
   * id gone. One history state, undoable, and a `flattenImage` notification (eventcodes.md
   * Flatten Image `FltI`).
   */
  flatten(): FakeLayer {
    if (this.host.inModalScope) throw new Error('the user cannot flatten while a plugin is modal');
    const before = this.snapshot();
    const white = new Uint8ClampedArray(this.width * this.height * 4).fill(255);
    const bg = new FakeLayer(this, this.host.nextId++, 'Background', white, true);
    if (this.bitsPerChannel === PS_CONSTANTS.BitsPerChannelType.SIXTEEN) bg.deep = new Uint16Array(white.length);
    this.composite(bg, this.layers.filter((l) => l.visible).reverse());
    this.layers = [bg];
    this.activeLayers = [bg];
    this.mutated('Flatten Image', before);
    void this.host.notify('flattenImage', {});
    return bg;
  }

  /**
   * The user runs Layer ▸ Rasterize ▸ Layer on a type or Smart Object layer (no plugin modal):
   * layer.md `rasterize` "Converts the targeted contents in the layer into a flat, raster image".
   * Its pixels are what getPixels already returned for it (the fake's layers hold their rendered
   * pixels). ASSUMED (VERIFY): the layer keeps its id; `replace: true` models a build that makes a
   * new layer instead (the old id gone). One history state, undoable, and a `rasterizeLayer`
   * notification (the `_obj` of Photoshop's Rasterize descriptor; eventcodes.md lists `rasterize`).
   */
  rasterizeLayer(layer: FakeLayer, opts: { replace?: boolean; event?: string } = {}): FakeLayer {
    if (this.host.inModalScope) throw new Error('the user cannot rasterize while a plugin is modal');
    if (!this.layers.includes(layer)) throw new Error('layer not in document');
    if (layer.kind === 'pixel') throw new Error('Rasterize: the layer is already a pixel layer');
    const before = this.snapshot();
    let out = layer;
    if (opts.replace) {
      out = this.replaceLayer(layer, 'pixel');
    } else {
      layer.kind = 'pixel';
    }
    this.mutated('Rasterize Layer', before);
    void this.host.notify(opts.event ?? 'rasterizeLayer', {});
    return out;
  }

  /**
   * The user runs Layer ▸ Smart Objects ▸ Convert to Smart Object (no plugin modal). ASSUMED
   * (VERIFY): the layer is replaced by a new Smart Object layer (a new id) in its place, with its
   * name and the same rendered pixels, made active. One history state, undoable, and a
   * `newPlacedLayer` notification (the `_obj` of Photoshop's Convert to Smart Object descriptor).
   */
  convertToSmartObject(layer: FakeLayer): FakeLayer {
    if (this.host.inModalScope) throw new Error('the user cannot convert layers while a plugin is modal');
    if (!this.layers.includes(layer)) throw new Error('layer not in document');
    const before = this.snapshot();
    const so = this.replaceLayer(layer, 'smartObject');
    this.mutated('Convert to Smart Object', before);
    void this.host.notify('newPlacedLayer', {});
    return so;
  }

  /** A new layer (a new id) of `kind` in `old`'s place, with its name, pixels and properties, made active. */
  private replaceLayer(old: FakeLayer, kind: string): FakeLayer {
    const l = new FakeLayer(this, this.host.nextId++, old.name, old.pixels.slice(), old.isBackground);
    Object.assign(l, { kind, opacity: old.opacity, fillOpacity: old.fillOpacity, blendMode: old.blendMode, visible: old.visible, parent: old.parent, deep: old.deep ? old.deep.slice() : null });
    this.layers = this.layers.map((x) => (x === old ? l : x));
    this.activeLayers = [l];
    return l;
  }

  /**
   * Composite `layers` (bottom to top) over `into`, in place: Normal blending of straight-alpha
   * pixels, each layer's alpha scaled by its opacity × fill opacity (other blend modes not
   * modelled). A 16-bit document's `deep` values follow the 8-bit result.
   */
  private composite(into: FakeLayer, layers: FakeLayer[]): void {
    const d = into.pixels;
    for (const l of layers) {
      const k = (l.opacity / 100) * (l.fillOpacity / 100);
      const s = l.pixels;
      for (let i = 0; i < d.length; i += 4) {
        const as = (s[i + 3]! / 255) * k;
        if (as === 0) continue;
        const ad = d[i + 3]! / 255, ao = as + ad * (1 - as);
        for (let c = 0; c < 3; c++) d[i + c] = Math.round((s[i + c]! * as + d[i + c]! * ad * (1 - as)) / ao);
        d[i + 3] = Math.round(ao * 255);
      }
    }
    if (into.deep) for (let i = 0; i < d.length; i++) into.deep[i] = Math.round((d[i]! * 32768) / 255);
  }

  /** The user runs Select ▸ Deselect (no plugin modal): one history state ("Deselect"), undoable; no pixel changes. */
  deselect(): void {
    if (this.host.inModalScope) throw new Error('the user cannot deselect while a plugin is modal');
    const before = this.snapshot();
    this.selectionMask = null;
    this.mutated('Deselect', before);
  }

  /** Mirror the whole canvas (`fx` left-right, `fy` top-bottom; both: a 180° turn), one history state. */
  private transformCanvas(name: string, fx: boolean, fy: boolean): void {
    if (this.host.inModalScope) throw new Error(`the user cannot run ${name} while a plugin is modal`);
    const before = this.snapshot();
    const W = this.width, H = this.height;
    const remap = <T extends Uint8Array | Uint8ClampedArray | Uint16Array>(src: T, comps: number): T => {
      const out = new (src.constructor as new (n: number) => T)(src.length);
      for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
        const nx = fx ? W - 1 - x : x, ny = fy ? H - 1 - y : y;
        for (let c = 0; c < comps; c++) out[(ny * W + nx) * comps + c] = src[(y * W + x) * comps + c]!;
      }
      return out;
    };
    for (const l of this.layers) { l.pixels = remap(l.pixels, 4); if (l.deep) l.deep = remap(l.deep, 4); }
    if (this.selectionMask) this.selectionMask = remap(this.selectionMask, 1);
    for (const c of this.channelList) if (c.kind !== 'component') c.mask = remap(c.mask, 1);
    // Path coordinates are continuous (pixel edges): x -> W - x.
    const turn = (q: [number, number] | undefined): [number, number] | undefined => (q ? [fx ? W - q[0] : q[0], fy ? H - q[1] : q[1]] : undefined);
    for (const p of this.paths) {
      p.subpaths = p.subpaths.map((sp) => ({ closed: sp.closed, points: sp.points.map((pt) => ({ anchor: turn(pt.anchor)!, ...(pt.forward ? { forward: turn(pt.forward)! } : {}), ...(pt.backward ? { backward: turn(pt.backward)! } : {}) })) }));
    }
    this.mutated(name, before);
  }

  /**
   * Undo: step back over the active history state (Edit ▸ Undo, or a click on the state before
   * it in the History panel), restoring the document as it was before it; the state before it
   * becomes the active one (`activeHistoryState`). Modelled for the states a history suspension
   * made (what SmartDrag writes) and the user actions of this fake; other states throw.
   */
  undo(): void {
    if (this.host.inModalScope) throw new Error('the user cannot undo while a plugin is modal');
    if (this.activeIndex === 0) throw new Error('nothing to undo');
    const e = this.states[this.activeIndex]!;
    if (!e.before) throw new Error(`fake: undoing "${e.state.name}" is not modelled`);
    e.after = this.snapshot();
    this.activeIndex--;
    this.restore(e.before);
  }

  /**
   * Redo: the undone state after the active one becomes active again, and the document is as it
   * was in it. Photoshop keeps undone states (dimmed in the History panel) until the next change,
   * which deletes them — its default linear history; "Allow Non-Linear History" is not modelled.
   * HOSTS.md says nothing on undo/redo and history ids: this follows Photoshop's documented
   * History panel behaviour and historystate.md (an id names one state for the document's life).
   */
  redo(): void {
    if (this.host.inModalScope) throw new Error('the user cannot redo while a plugin is modal');
    const e = this.states[this.activeIndex + 1];
    if (!e?.after) throw new Error('nothing to redo');
    this.activeIndex++;
    this.restore(e.after);
  }

  async createPixelLayer(options: { name?: string } = {}): Promise<FakeLayer> {
    this.host.requireModal('createPixelLayer');
    this.host.record('createPixelLayer');
    this.host.maybeFail('createPixelLayer');
    const l = new FakeLayer(this, this.host.nextId++, options.name ?? 'Layer', new Uint8ClampedArray(this.width * this.height * 4));
    if (this.bitsPerChannel === PS_CONSTANTS.BitsPerChannelType.SIXTEEN) l.deep = new Uint16Array(this.width * this.height * 4);
    const above = this.activeLayers[0];
    const at = above ? this.layers.indexOf(above) : 0;
    this.layers.splice(Math.max(0, at), 0, l);
    // Like Layer ▸ New in Photoshop, the new layer becomes the active (selected) one.
    this.activeLayers = [l];
    this.mutated('New Layer');
    return l;
  }

  /**
   * Called by every mutation: outside a history suspension, a new history state (a new id) that
   * becomes the active one; undone states after the active one are deleted. `before`: the
   * document before the change, to undo it (null: undo not modelled).
   */
  mutated(what: string, before: Snapshot | null = null): void {
    if (!this.suspension) this.pushState(what, before);
  }

  private pushState(name: string, before: Snapshot | null): void {
    this.states.splice(this.activeIndex + 1);
    this.states.push({ state: new FakeHistoryState(this.id, this.nextStateId++, name), before, after: null });
    this.activeIndex = this.states.length - 1;
  }

  suspend(id: number, name: string): void {
    if (this.suspension) throw new Error('history already suspended');
    this.suspension = { id, name, snapshot: this.snapshot() };
  }

  resume(id: number, commit: boolean): void {
    if (!this.suspension || this.suspension.id !== id) throw new Error(`no suspension ${id}`);
    const s = this.suspension;
    this.suspension = null;
    if (commit) this.pushState(s.name, s.snapshot); else this.restore(s.snapshot);
  }

  /** Roll back an open suspension (the modal function threw). */
  abandonSuspension(commit: boolean): void {
    if (this.suspension) this.resume(this.suspension.id, commit);
  }

  private snapshot(): Snapshot {
    return {
      width: this.width,
      height: this.height,
      layers: this.layers.map((layer) => ({ layer, pixels: layer.pixels.slice(), deep: layer.deep ? layer.deep.slice() : null, name: layer.name, kind: layer.kind })),
      selection: this.selectionMask ? this.selectionMask.slice() : null,
      channels: this.channelList.map((channel) => ({ channel, mask: channel.mask.slice() })),
      active: this.activeLayers.map((l) => l.id),
      paths: this.paths.map((path) => ({ path, subpaths: structuredClone(path.subpaths) })),
      targetedPathId: this.targetedPathId,
    };
  }

  private restore(s: Snapshot): void {
    // Copies: a snapshot stays intact however the document is changed afterwards (redo, undo again).
    this.width = s.width;
    this.height = s.height;
    this.layers = s.layers.map(({ layer, pixels, deep, name, kind }) => { layer.pixels = pixels.slice(); layer.deep = deep ? deep.slice() : null; layer.name = name; layer.kind = kind; return layer; });
    this.selectionMask = s.selection ? s.selection.slice() : null;
    this.channelList = s.channels.map(({ channel, mask }) => { channel.mask = mask.slice(); return channel; });
    this.activeLayers = this.layers.filter((l) => s.active.includes(l.id));
    this.paths = s.paths.map(({ path, subpaths }) => { path.subpaths = structuredClone(subpaths); return path; });
    this.targetedPathId = s.targetedPathId;
  }

  findLayer(id: number): FakeLayer | undefined {
    return this.layers.find((l) => l.id === id);
  }
}

class FakeImageData implements PsImageData {
  disposed = false;
  readonly colorSpace: string;
  readonly isChunky = true;
  /** Which imaging call made it (for {@link FakePhotoshop.peakImageBytes}). */
  readonly from: string;
  constructor(private readonly host: FakePhotoshop, readonly width: number, readonly height: number, readonly components: number, readonly componentSize: number, private readonly data: Uint8Array | Uint16Array, colorSpace: string, readonly colorProfile?: string, from = 'createImageDataFromBuffer') {
    this.colorSpace = colorSpace;
    this.from = from;
    host.liveImageData++;
    host.holdImageBytes(from, data.byteLength);
  }
  get hasAlpha(): boolean {
    return this.components === 4 || this.components === 2;
  }
  async getData(options: { chunky?: boolean; fullRange?: boolean } = {}): Promise<Uint8Array | Uint16Array> {
    checkKeys('getData', options, ['chunky', 'fullRange']);
    if (this.disposed) throw new Error('image data used after dispose');
    if (options.chunky !== false) return this.data.slice();
    // Planar, as documented: [R1, R2, …, G1, G2, …].
    const n = this.width * this.height, c = this.components;
    const out = new (this.data.constructor as Uint8ArrayConstructor)(this.data.length) as Uint8Array | Uint16Array;
    for (let i = 0; i < n; i++) for (let k = 0; k < c; k++) out[k * n + i] = this.data[i * c + k]!;
    return out;
  }
  raw(): Uint8Array | Uint16Array {
    return this.data;
  }
  dispose(): void {
    if (!this.disposed) { this.disposed = true; this.host.liveImageData--; this.host.holdImageBytes(this.from, -this.data.byteLength); }
  }
}

/** Photoshop's constant values for the enumerations the plugin compares against. */
export const PS_CONSTANTS = {
  ElementPlacement: { PLACEBEFORE: 'placeBefore', PLACEAFTER: 'placeAfter' },
  PathKind: { WORKPATH: 'workPathIndex', NORMALPATH: 'normalPath', CLIPPINGPATH: 'clippingPathEPS', VECTORMASK: 'vectorMask', TEXTMASK: 'textShape' },
  DocumentMode: { RGB: 'RGBColorMode', CMYK: 'CMYKColorMode', LAB: 'labColorMode', GRAYSCALE: 'grayscaleMode' },
  BitsPerChannelType: { ONE: 'bitDepth1', EIGHT: 'bitDepth8', SIXTEEN: 'bitDepth16', THIRTYTWO: 'bitDepth32' },
  ChannelType: { COMPONENT: 'component', MASKEDAREA: 'maskedAreas', SELECTEDAREA: 'selectedAreas', SPOTCOLOR: 'spot' },
} as const;

const identity = (v: number): number => v;

/** `out[i] = f(src[i])` for every i; returns `out`. */
function mapTyped<T extends Uint8ClampedArray | Uint16Array>(out: T, src: ArrayLike<number>, f: (v: number) => number): T {
  for (let i = 0; i < src.length; i++) out[i] = f(src[i]!);
  return out;
}
/** A stand-in "gamma" per profile: converting between two profiles is a lossy, deterministic curve (not colorimetry). */
const PROFILE_GAMMA: Record<string, number> = { 'sRGB IEC61966-2.1': 1, 'Adobe RGB (1998)': 1.12, 'ProPhoto RGB': 1.3 };
/**
 * The conversion of 8-bit values between two named profiles (identity when they are the same).
 * imaging.md: profile names are those of `app.getColorProfiles`; a name Photoshop does not know —
 * such as "None", which document.md `colorProfileName` returns for an untagged document — is refused.
 */
export function profileConversion(from: string, to: string): (v: number) => number {
  const gf = PROFILE_GAMMA[from], gt = PROFILE_GAMMA[to];
  if (gf === undefined || gt === undefined) throw new Error(`fake: unknown colour profile "${gf === undefined ? from : to}"`);
  if (from === to) return identity;
  const e = gt / gf;
  return (v) => Math.round(255 * Math.pow(v / 255, e));
}

/** Reject option keys the documentation does not list (a misspelt or invented option is silently ignored by Photoshop). */
/** photoshopaction.md (23.0): `events` is a `string[]` (event string codes) and the listener a function. */
function checkEvents(api: string, events: unknown, listener: unknown): void {
  if (!Array.isArray(events) || events.length === 0 || events.some((e) => typeof e !== 'string' || e === '')) {
    throw new TypeError(`${api}: events must be a non-empty string[] (eventcodes.md string codes), got ${JSON.stringify(events)}`);
  }
  if (typeof listener !== 'function') throw new TypeError(`${api}: the listener must be a function`);
}

export function checkKeys(api: string, o: object, allowed: readonly string[]): void {
  for (const k of Object.keys(o)) if (!allowed.includes(k)) throw new TypeError(`${api}: "${k}" is not a documented option (${allowed.join(', ')})`);
}

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

/** imaging.md: bounds are {left, top, right, bottom}, or (getPixels) {left, top, width, height}. */
function normBounds(api: string, b: unknown, allowSize: boolean): PsBounds {
  const o = b as Record<string, unknown>;
  if (!o || typeof o !== 'object') throw new TypeError(`${api}: bounds must be an object`);
  if (!isInt(o.left) || !isInt(o.top)) throw new TypeError(`${api}: bounds need integer left and top`);
  if (isInt(o.right) && isInt(o.bottom)) {
    checkKeys(api, o, ['left', 'top', 'right', 'bottom']);
    return { left: o.left, top: o.top, right: o.right, bottom: o.bottom };
  }
  if (allowSize && isInt(o.width) && isInt(o.height)) {
    checkKeys(api, o, ['left', 'top', 'width', 'height']);
    return { left: o.left, top: o.top, right: o.left + o.width, bottom: o.top + o.height };
  }
  throw new TypeError(`${api}: bounds must be {left, top, right, bottom}${allowSize ? ' or {left, top, width, height}' : ''} with integers`);
}

/** imaging.md getPixels `targetSize`: "must have at least one of" `width`, `height` (positive integers here). */
function checkTargetSize(t: unknown): { width?: number; height?: number } {
  const o = t as Record<string, unknown>;
  if (!o || typeof o !== 'object') throw new TypeError('getPixels: targetSize must be an object');
  checkKeys('getPixels targetSize', o, ['width', 'height']);
  if (o.width === undefined && o.height === undefined) throw new TypeError('getPixels: targetSize needs width and/or height');
  for (const k of ['width', 'height'] as const) if (o[k] !== undefined && !(isInt(o[k]) && o[k] > 0)) throw new TypeError(`getPixels: targetSize.${k} must be a positive integer`);
  return { ...(o.width !== undefined ? { width: o.width as number } : {}), ...(o.height !== undefined ? { height: o.height as number } : {}) };
}

function clipBounds(b: PsBounds, w: number, h: number): PsBounds {
  return { left: Math.max(0, b.left), top: Math.max(0, b.top), right: Math.min(w, b.right), bottom: Math.min(h, b.bottom) };
}

/** The fake `photoshop` module plus test controls. */
export class FakePhotoshop implements PhotoshopModule {
  nextId = 1;
  documents: FakeDocument[] = [];
  activeDocument: FakeDocument | null = null;
  /** Ordered log of the host calls that matter (for call-order assertions). */
  calls: string[] = [];
  /** Messages shown with app.showAlert, in order. */
  alerts: string[] = [];
  /** Number of executeAsModal scopes entered. */
  modalScopes = 0;
  /** Undisposed PhotoshopImageData objects. */
  liveImageData = 0;
  /** Bytes of undisposed image data, by the imaging call that made it (getPixels, getSelection, createImageDataFromBuffer). */
  liveImageBytes: Record<string, number> = {};
  /** The most bytes of image data from each imaging call that were undisposed at once (tests may reset it). */
  peakImageBytes: Record<string, number> = {};
  /**
   * What getPixels does over an area where the layer has no pixels at all (imaging.md only says
   * the bounds are "trimmed to only that region that contains pixel data"). false (the fake's
   * assumption): 0×0 image data at the requested corner; true: it throws (VERIFY which).
   */
  emptyReadThrows = false;
  /** Set to make the next call of that operation throw. */
  failNext: { op: string; error: Error } | null = null;
  /** Set to make the execution context report a user cancel once the named operation ran. */
  cancelAfter: string | null = null;
  /** Descriptors passed to putPixels, for assertions. */
  putLog: Array<{ layerID: number; targetBounds?: { left: number; top: number }; componentSize: number }> = [];
  /** The sourceBounds requested by the last getPixels call. */
  lastGetPixelsRequest: PsBounds | null = null;
  /** Every getPixels call: what was asked and what came back (for assertions). */
  getPixelsLog: Array<{ sourceBounds: PsBounds; targetSize?: { width?: number; height?: number }; width: number; height: number; level: number; returnedBounds: PsBounds }> = [];
  /**
   * Pyramid cache levels a scaled getPixels may use (Photoshop's "Performance Cache Levels"
   * preference; 4 is its default for most documents). imaging.md says a `targetSize` smaller
   * than the source "may" be served from level L (a cache 1/2^L the size) and that the returned
   * `sourceBounds` are then "relative to the bounds of the source cache level". It leaves open how
   * the bounds are rounded and what size comes back when the level does not divide the bounds;
   * the fake ASSUMES (VERIFY on a real host): the deepest level not smaller than the target is
   * used; the returned bounds are the (trimmed) area in level pixels, rounded outward; the image
   * covers exactly those level pixels (× 2^L, clipped to the canvas) at the requested scale, so
   * its size may differ from `targetSize` by a pixel or so; values are area averages. 0 = never
   * use a level (full-resolution bounds, image exactly `targetSize` when nothing is trimmed).
   */
  pyramidLevels = 4;
  /** What a colliding executeAsModal throws: the pre-25.10 message with number 9 by default. */
  busyMessage = 'host is in a modal state';
  busyNumber: number | null = 9;
  /**
   * Another plugin holds the modal state for the next N executeAsModal calls: each fails as a
   * collision does (error number 9, executeasmodal.md), without running its function.
   */
  collideNext = 0;
  /** Errors thrown by notification listeners (Photoshop would swallow them; a plugin must not throw there). */
  listenerErrors: unknown[] = [];
  /** Registered notification listeners: one entry per (event, listener) pair. */
  private notificationListeners: Array<{ event: string; listener: PsNotificationListener }> = [];
  private inModal = false;
  private ctx: (PsExecutionContext & { isCancelled: boolean }) | null = null;
  private nextSuspension = 100;

  readonly app: PhotoshopModule['app'];
  readonly core: PhotoshopModule['core'];
  readonly action: PhotoshopModule['action'];
  readonly imaging: PhotoshopModule['imaging'];
  readonly constants: PhotoshopModule['constants'] = PS_CONSTANTS;

  constructor() {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const self = this;
    this.app = {
      get activeDocument() { return self.activeDocument; },
      get documents() { return self.documents; },
      // app.md showAlert: a modal message box; the promise settles when the user dismisses it.
      showAlert: async (message: string) => { this.alerts.push(message); },
    };
    this.core = { executeAsModal: (fn, opts) => this.executeAsModal(fn, opts) };
    this.action = {
      batchPlay: (d, o) => this.batchPlay(d, o),
      addNotificationListener: async (events, listener) => {
        this.record('addNotificationListener');
        checkEvents('addNotificationListener', events, listener);
        for (const event of events) {
          // Adding the same listener to an event again does not add a second call.
          if (!this.notificationListeners.some((x) => x.event === event && x.listener === listener)) this.notificationListeners.push({ event, listener });
        }
      },
      removeNotificationListener: async (events, listener) => {
        this.record('removeNotificationListener');
        checkEvents('removeNotificationListener', events, listener);
        this.notificationListeners = this.notificationListeners.filter((x) => !(x.listener === listener && events.includes(x.event)));
      },
    };
    this.imaging = {
      getPixels: (o) => this.getPixels(o),
      getSelection: (o) => this.getSelection(o),
      createImageDataFromBuffer: async (buffer, o) => {
        this.record('createImageDataFromBuffer');
        checkKeys('createImageDataFromBuffer', o, ['width', 'height', 'components', 'chunky', 'colorProfile', 'colorSpace', 'fullRange']);
        if (!o.colorSpace) throw new TypeError('createImageDataFromBuffer: colorSpace is required');
        // A named profile must be one Photoshop knows (an empty one means the target document's).
        if (o.colorProfile) profileConversion(o.colorProfile, o.colorProfile);
        // "The array type will indicate the componentSize": Uint8Array, Uint16Array or Float32Array only.
        const componentSize = buffer instanceof Uint16Array ? 16 : buffer instanceof Float32Array ? 32 : buffer instanceof Uint8Array && !(buffer instanceof Uint8ClampedArray) && buffer.constructor === Uint8Array ? 8 : 0;
        if (componentSize === 0) throw new TypeError(`createImageDataFromBuffer: ${(buffer as object).constructor.name} is not an accepted array type`);
        if (componentSize === 32) throw new Error('fake supports 8/16-bit buffers only');
        if (buffer.length !== o.width * o.height * o.components) throw new RangeError('buffer size does not match width*height*components');
        if (o.chunky === false) throw new Error('fake stores chunky buffers only');
        return new FakeImageData(this, o.width, o.height, o.components, componentSize, buffer.slice() as Uint8Array | Uint16Array, o.colorSpace, o.colorProfile);
      },
      putPixels: (o) => this.putPixels(o),
      encodeImageData: (o) => this.encodeImageData(o),
    };
  }

  /** The user clicks another document's tab (no plugin modal): it becomes the active document. */
  activate(doc: FakeDocument): void {
    if (this.inModal) throw new Error('the user cannot switch documents while a plugin is modal');
    if (!this.documents.includes(doc)) throw new Error('no such document');
    this.activeDocument = doc;
  }

  /** The user closes a document (File ▸ Close, no plugin modal): the last other one opened becomes active, or none. */
  closeDocument(doc: FakeDocument): void {
    if (this.inModal) throw new Error('the user cannot close a document while a plugin is modal');
    this.documents = this.documents.filter((d) => d !== doc);
    if (this.activeDocument === doc) this.activeDocument = this.documents[this.documents.length - 1] ?? null;
    this.notify('close', { documentID: doc.id });
  }

  /** How many (event, listener) pairs are registered with `action.addNotificationListener`. */
  notificationListenerCount(event?: string): number {
    return this.notificationListeners.filter((x) => event === undefined || x.event === event).length;
  }

  /**
   * Photoshop notifies the listeners of `event` after the command, asynchronously (a microtask
   * here): the listeners registered then are called with `(event, descriptor)`; what they throw is
   * kept in {@link listenerErrors}. Resolves once they were called.
   */
  notify(event: string, descriptor: Record<string, unknown>): Promise<void> {
    return new Promise((resolve) => queueMicrotask(() => {
      for (const { listener } of this.notificationListeners.filter((x) => x.event === event)) {
        try {
          listener(event, { ...descriptor });
        } catch (e) {
          this.listenerErrors.push(e);
        }
      }
      resolve();
    }));
  }

  /** A layer group (see {@link FakeGroup}). */
  makeGroup(name: string): FakeGroup {
    return new FakeGroup(this.nextId++, name);
  }

  /** Open a document and make it active. */
  openDocument(width: number, height: number, opts: { resolution?: number; mode?: string; bitsPerChannel?: string; colorProfile?: string } = {}): FakeDocument {
    const d = new FakeDocument(this, this.nextId++, width, height, opts.resolution ?? 72, opts.mode ?? 'RGBColorMode', opts.bitsPerChannel ?? 'bitDepth8', opts.colorProfile ?? 'sRGB IEC61966-2.1');
    this.documents.push(d);
    this.activeDocument = d;
    return d;
  }

  record(what: string): void {
    this.calls.push(what);
  }

  /** Image data of `bytes` made (negative: disposed) by the imaging call `from`. */
  holdImageBytes(from: string, bytes: number): void {
    const now = (this.liveImageBytes[from] ?? 0) + bytes;
    this.liveImageBytes[from] = now;
    if (now > (this.peakImageBytes[from] ?? 0)) this.peakImageBytes[from] = now;
  }

  /** Whether an executeAsModal scope is open now (Photoshop locked, the user's Esc cancels it). */
  get inModalScope(): boolean {
    return this.inModal;
  }

  requireModal(what: string): void {
    if (!this.inModal) throw new Error(`${what} outside executeAsModal`);
    // executeasmodal.md: after a user cancel, Photoshop APIs raise instead of running.
    if (this.ctx?.isCancelled) throw new Error(`${what}: the user cancelled the operation`);
  }

  maybeFail(op: string): void {
    if (this.failNext?.op === op) {
      const e = this.failNext.error;
      this.failNext = null;
      throw e;
    }
    if (this.cancelAfter === op && this.ctx) this.ctx.isCancelled = true;
  }

  private async executeAsModal<T>(fn: (ctx: PsExecutionContext) => Promise<T>, opts: { commandName: string }): Promise<T> {
    if (this.inModal || this.collideNext > 0) {
      if (!this.inModal) this.collideNext--;
      this.record('executeAsModal(busy)');
      throw Object.assign(new Error(this.busyMessage), this.busyNumber === null ? {} : { number: this.busyNumber });
    }
    if (!opts?.commandName) throw new Error('executeAsModal needs a commandName');
    checkKeys('executeAsModal', opts, ['commandName', 'descriptor', 'interactive', 'timeOut']);
    this.record('executeAsModal');
    this.modalScopes++;
    this.inModal = true;
    const suspended = new Map<number, FakeDocument>();
    const ctx = {
      isCancelled: false,
      hostControl: {
        suspendHistory: async (o: { documentID: number; name: string }) => {
          this.record('suspendHistory');
          checkKeys('suspendHistory', o, ['documentID', 'name']);
          const doc = this.documents.find((d) => d.id === o.documentID);
          if (!doc) throw new Error('no such document');
          const id = this.nextSuspension++;
          doc.suspend(id, o.name);
          suspended.set(id, doc);
          // Documented as an opaque object (HistorySuspension {historySuspensionID}), not a number.
          return { historySuspensionID: id };
        },
        resumeHistory: async (token: unknown, commit = true) => {
          this.record(commit ? 'resumeHistory(commit)' : 'resumeHistory(rollback)');
          const id = (token as { historySuspensionID?: unknown } | null)?.historySuspensionID;
          if (typeof id !== 'number') throw new TypeError('resumeHistory: pass the object suspendHistory returned');
          const doc = suspended.get(id);
          if (!doc) throw new Error(`no suspension ${id}`);
          suspended.delete(id);
          doc.resume(id, commit);
        },
      },
    };
    this.ctx = ctx;
    try {
      const out = await fn(ctx);
      for (const doc of suspended.values()) doc.abandonSuspension(true);
      return out;
    } catch (e) {
      // Photoshop rolls back a suspension left open by a throwing modal function.
      for (const doc of suspended.values()) doc.abandonSuspension(false);
      throw e;
    } finally {
      this.inModal = false;
      this.ctx = null;
    }
  }

  private doc(id?: number): FakeDocument {
    const d = id === undefined ? this.activeDocument : this.documents.find((x) => x.id === id);
    if (!d) throw new Error('no such document');
    return d;
  }

  private async getPixels(o: Parameters<PhotoshopModule['imaging']['getPixels']>[0]): Promise<PsImagingResult> {
    this.requireModal('getPixels');
    this.record('getPixels');
    this.maybeFail('getPixels');
    checkKeys('getPixels', o, ['documentID', 'layerID', 'historyStateID', 'sourceBounds', 'targetSize', 'colorSpace', 'colorProfile', 'componentSize', 'applyAlpha']);
    const doc = this.doc(o.documentID);
    if (o.componentSize !== undefined && ![-1, 8, 16, 32].includes(o.componentSize)) throw new TypeError('getPixels: componentSize must be -1, 8, 16 or 32');
    if (o.componentSize !== 8) throw new Error('fake supports componentSize 8 reads only');
    // imaging.md: "Photoshop will perform color conversions when needed".
    const convert = profileConversion(doc.pixelProfile, o.colorProfile ?? doc.pixelProfile);
    if (o.colorSpace !== undefined && !['RGB', 'Grayscale', 'Lab'].includes(o.colorSpace)) throw new TypeError(`getPixels: colorSpace "${o.colorSpace}"`);
    const layer = o.layerID === undefined ? doc.layers[doc.layers.length - 1] : doc.findLayer(o.layerID);
    if (!layer) throw new Error('no such layer');
    // imaging.md speaks of pixel layers only; an adjustment or fill layer has no pixels of its own
    // (what the real host returns is undocumented: the fake refuses, so a plugin must not ask).
    if (!['pixel', 'smartObject', 'text'].includes(layer.kind)) throw new Error(`getPixels: a ${layer.kind} layer has no pixels`);
    const src = o.sourceBounds === undefined ? { left: 0, top: 0, right: doc.width, bottom: doc.height } : normBounds('getPixels', o.sourceBounds, true);
    const want = clipBounds(src, doc.width, doc.height);
    this.lastGetPixelsRequest = { ...want };
    const target = o.targetSize === undefined ? undefined : checkTargetSize(o.targetSize);
    // Trim to the layer's non-transparent pixels, like Photoshop does.
    let x0 = want.right, y0 = want.bottom, x1 = want.left - 1, y1 = want.top - 1;
    for (let y = want.top; y < want.bottom; y++) for (let x = want.left; x < want.right; x++) {
      if (layer.pixels[(y * doc.width + x) * 4 + 3]! > 0) { x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = y; }
    }
    if (x1 < x0) {
      if (this.emptyReadThrows) throw new Error('getPixels: the layer has no pixels in the requested area (fake: emptyReadThrows)');
      x0 = want.left; y0 = want.top; x1 = want.left - 1; y1 = want.top - 1;
    }
    const comps = layer.isBackground ? 3 : 4;
    // A 16-bit document read at componentSize 8: Photoshop converts its 0..32768 values once.
    const deep = layer.deep;
    const value = (s: number, c: number): number => {
      const v = deep ? Math.round((deep[s + c]! * 255) / 32768) : layer.pixels[s + c]!;
      return c < 3 ? convert(v) : v;
    };
    let area: PsBounds = { left: x0, top: y0, right: x1 + 1, bottom: y1 + 1 };
    let reported = area, level = 0, w = area.right - area.left, h = area.bottom - area.top;
    let sx = 1, sy = 1;
    if (target) {
      const ww = want.right - want.left, wh = want.bottom - want.top;
      // imaging.md: "If only one dimension is included, then the returned image data is scaled proportionally".
      const tw = target.width ?? Math.max(1, Math.round((ww * target.height!) / wh));
      const th = target.height ?? Math.max(1, Math.round((wh * target.width!) / ww));
      if (tw > ww || th > wh) throw new Error(`fake: targetSize ${tw}x${th} is larger than the source ${ww}x${wh} (only scaling down is documented)`);
      sx = tw / ww; sy = th / wh;
      level = Math.max(0, Math.min(this.pyramidLevels, Math.floor(Math.log2(1 / Math.max(sx, sy)) + 1e-9)));
      if (w > 0 && h > 0) {
        const k = 2 ** level;
        reported = { left: Math.floor(area.left / k), top: Math.floor(area.top / k), right: Math.ceil(area.right / k), bottom: Math.ceil(area.bottom / k) };
        area = clipBounds({ left: reported.left * k, top: reported.top * k, right: reported.right * k, bottom: reported.bottom * k }, doc.width, doc.height);
        w = Math.max(1, Math.round((area.right - area.left) * sx));
        h = Math.max(1, Math.round((area.bottom - area.top) * sy));
      } else {
        reported = area;
      }
    }
    const aw = area.right - area.left, ah = area.bottom - area.top;
    const data = new Uint8Array(Math.max(0, w * h * comps));
    // One document row of the area as `comps`-component 8-bit values (fast path: 8-bit RGBA, same profile).
    const rowBuf = new Uint8Array(Math.max(0, aw * comps));
    const readRow = (y: number): Uint8Array => {
      const s0 = (y * doc.width + area.left) * 4;
      if (!deep && convert === identity && comps === 4) return layer.pixels.subarray(s0, s0 + aw * 4) as unknown as Uint8Array;
      for (let x = 0; x < aw; x++) for (let c = 0; c < comps; c++) rowBuf[x * comps + c] = value(s0 + x * 4, c);
      return rowBuf;
    };
    if (!target || (w === aw && h === ah)) {
      for (let y = 0; y < h; y++) data.set(readRow(area.top + y), y * w * comps);
    } else {
      // Area average: each output pixel is the mean of the document pixels whose centres fall in its footprint.
      const xa = new Int32Array(w), xb = new Int32Array(w);
      for (let x = 0; x < w; x++) { xa[x] = Math.floor((x * aw) / w); xb[x] = Math.max(xa[x]! + 1, Math.floor(((x + 1) * aw) / w)); }
      const acc = new Float64Array(w * comps);
      for (let y = 0; y < h; y++) {
        const ya = Math.floor((y * ah) / h), yb = Math.max(ya + 1, Math.floor(((y + 1) * ah) / h));
        acc.fill(0);
        for (let yy = ya; yy < yb; yy++) {
          const row = readRow(area.top + yy);
          for (let x = 0; x < w; x++) for (let xx = xa[x]!; xx < xb[x]!; xx++) for (let c = 0; c < comps; c++) acc[x * comps + c]! += row[xx * comps + c]!;
        }
        for (let x = 0; x < w; x++) {
          const n = (yb - ya) * (xb[x]! - xa[x]!);
          for (let c = 0; c < comps; c++) data[(y * w + x) * comps + c] = Math.round(acc[x * comps + c]! / n);
        }
      }
    }
    this.getPixelsLog.push({ sourceBounds: { ...want }, ...(target ? { targetSize: { ...o.targetSize } } : {}), width: w, height: h, level, returnedBounds: { ...reported } });
    return { imageData: new FakeImageData(this, w, h, comps, 8, data, 'RGB', o.colorProfile ?? doc.pixelProfile, 'getPixels'), sourceBounds: reported, level };
  }

  private async encodeImageData(o: { imageData: PsImageData; base64?: boolean }): Promise<number[] | string> {
    this.record('encodeImageData');
    checkKeys('encodeImageData', o, ['imageData', 'base64']);
    const img = o.imageData as FakeImageData;
    if (!(img instanceof FakeImageData)) throw new TypeError('encodeImageData: imageData must be a PhotoshopImageData');
    if (img.disposed) throw new Error('encodeImageData: image data already disposed');
    // imaging.md: "The data colorSpace must be RGB."
    if (img.colorSpace !== 'RGB') throw new TypeError(`encodeImageData: the data colorSpace must be RGB, not ${img.colorSpace}`);
    if (img.componentSize !== 8) throw new Error('fake encodes 8-bit image data only');
    if (o.base64 !== undefined && typeof o.base64 !== 'boolean') throw new TypeError('encodeImageData: base64 must be a boolean');
    const raw = img.raw() as Uint8Array;
    let pipeline = sharp(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength), { raw: { width: img.width, height: img.height, channels: img.components as 3 | 4 } });
    if (img.components === 4) pipeline = pipeline.removeAlpha();
    const jpeg = await pipeline.jpeg({ quality: 90 }).toBuffer();
    // "Return value: Promise<Number[] | string>": a string when base64 is set.
    return o.base64 ? jpeg.toString('base64') : Array.from(jpeg);
  }

  private async getSelection(o: { documentID?: number; sourceBounds?: PsBounds }): Promise<PsImagingResult> {
    this.requireModal('getSelection');
    this.record('getSelection');
    this.maybeFail('getSelection');
    checkKeys('getSelection', o, ['documentID', 'sourceBounds', 'targetSize']);
    const doc = this.doc(o.documentID);
    const src = o.sourceBounds === undefined ? { left: 0, top: 0, right: doc.width, bottom: doc.height } : normBounds('getSelection', o.sourceBounds, false);
    const b = clipBounds(src, doc.width, doc.height);
    const w = b.right - b.left, h = b.bottom - b.top;
    const data = new Uint8Array(w * h);
    const m = doc.selectionMask;
    // ASSUMED (VERIFY on a real host): the mask comes back over the requested bounds (clipped to
    // the canvas), untrimmed, zeros where nothing is selected — also over a band with nothing
    // selected at all (the plugin reads the selection in bands; it honours trimmed bounds and
    // falls back to one read if a band throws, should Photoshop do either).
    if (m) for (let y = 0; y < h; y++) data.set(m.subarray((b.top + y) * doc.width + b.left, (b.top + y) * doc.width + b.left + w), y * w);
    // imaging.md getSelection: the mask has the document's depth; 16-bit is 0..32768.
    if (doc.bitsPerChannel === PS_CONSTANTS.BitsPerChannelType.SIXTEEN) {
      return { imageData: new FakeImageData(this, w, h, 1, 16, mapTyped(new Uint16Array(data.length), data, (v) => Math.round((v * 32768) / 255)), 'Grayscale', undefined, 'getSelection'), sourceBounds: b, level: 0 };
    }
    return { imageData: new FakeImageData(this, w, h, 1, 8, data, 'Grayscale', undefined, 'getSelection'), sourceBounds: b, level: 0 };
  }

  private async putPixels(o: Parameters<PhotoshopModule['imaging']['putPixels']>[0]): Promise<void> {
    this.requireModal('putPixels');
    this.record('putPixels');
    checkKeys('putPixels', o, ['documentID', 'layerID', 'imageData', 'replace', 'targetBounds', 'commandName']);
    if (o.targetBounds !== undefined) {
      const t = o.targetBounds as Record<string, unknown>;
      if (!isInt(t.left) || !isInt(t.top)) throw new TypeError('putPixels: targetBounds needs integer left and top');
    }
    this.maybeFail('putPixels');
    const doc = this.doc(o.documentID);
    const layer = doc.findLayer(o.layerID);
    if (!layer) throw new Error('no such layer');
    if (layer.kind !== 'pixel') throw new Error('putPixels: the target layer must be a pixel layer');
    const img = o.imageData as FakeImageData;
    if (img.disposed) throw new Error('image data already disposed');
    if (img.components !== 4) throw new Error('fake putPixels takes RGBA');
    this.putLog.push({ layerID: o.layerID, targetBounds: o.targetBounds, componentSize: img.componentSize });
    const left = o.targetBounds?.left ?? 0, top = o.targetBounds?.top ?? 0;
    const raw = img.raw();
    const scale = img.componentSize === 16 ? 255 / 32768 : 1;
    // Data tagged with another profile than the document's is converted into the document's.
    const convert = profileConversion(img.colorProfile ?? doc.pixelProfile, doc.pixelProfile);
    if (o.replace !== false) { layer.pixels.fill(0); layer.deep?.fill(0); }
    for (let y = 0; y < img.height; y++) for (let x = 0; x < img.width; x++) {
      const dx = left + x, dy = top + y;
      if (dx < 0 || dy < 0 || dx >= doc.width || dy >= doc.height) continue;
      const s = (y * img.width + x) * 4, d = (dy * doc.width + dx) * 4;
      for (let c = 0; c < 4; c++) {
        const v8 = Math.round(raw[s + c]! * scale);
        layer.pixels[d + c] = c < 3 ? convert(v8) : v8;
        if (layer.deep) layer.deep[d + c] = img.componentSize === 16 && (c === 3 || convert === identity) ? raw[s + c]! : Math.round((layer.pixels[d + c]! * 32768) / 255);
      }
    }
    doc.mutated('Put Pixels');
  }

  private async batchPlay(descriptors: ActionDescriptor[], _options: Record<string, unknown>): Promise<Array<Record<string, unknown>>> {
    const out: Array<Record<string, unknown>> = [];
    for (const d of descriptors) {
      this.record(`batchPlay:${d._obj}`);
      if (this.inModal && this.ctx?.isCancelled) throw new Error('batchPlay: the user cancelled the operation');
      const target = (d._target as Array<Record<string, unknown>> | undefined)?.[0];
      if (d._obj === 'get' && target?._ref === 'layer') {
        // A layer's action descriptor (the keys Photoshop's own descriptors carry; only those read here).
        if (target._name !== undefined) throw new Error('refer to layers by _id (names are not unique)');
        const docRef = (d._target as Array<Record<string, unknown>>)[1];
        const doc = this.doc(docRef?._ref === 'document' ? docRef._id as number : undefined);
        const l = doc.findLayer(target._id as number);
        if (!l) { out.push({ _obj: 'error', message: 'no such layer' }); continue; }
        out.push({ _obj: 'layer', layerID: l.id, name: l.name, hasUserMask: l.hasUserMask, hasVectorMask: l.hasVectorMask });
      } else if (d._obj === 'get' && target?._ref === 'path') {
        // Like Photoshop: without a document reference the active document's paths are read.
        const docRef = (d._target as Array<Record<string, unknown>>)[1];
        const doc = this.doc(docRef?._ref === 'document' ? docRef._id as number : undefined);
        const p = target._property === 'workPath' ? doc.paths.find((x) => x.kind === PS_CONSTANTS.PathKind.WORKPATH) : doc.paths.find((x) => x.id === target._id);
        if (target._name !== undefined) throw new Error('refer to paths by _id (names are localised)');
        if (!p) { out.push({ _obj: 'error', message: 'no such path' }); continue; }
        out.push(pathDescriptor(p, doc.resolution));
      } else if (d._obj === 'set' && target?._ref === 'channel' && target._property === 'selection') {
        this.requireModal('set selection');
        const doc = this.doc();
        const to = d.to as { _ref: string; _name?: string };
        const ch = doc.channelList.find((c) => c.name === to._name && c.kind !== 'component');
        if (!ch) throw new Error(`no channel ${to._name}`);
        doc.selectionMask = ch.mask.slice();
        doc.mutated('Load Selection');
        out.push({});
      } else {
        throw new Error(`fake batchPlay does not know ${JSON.stringify(d)}`);
      }
    }
    return out;
  }
}

/** Photoshop's descriptor of a path: lengths in points (distanceUnit). */
export function pathDescriptor(p: FakePath, resolution: number): Record<string, unknown> {
  const pt = ([x, y]: [number, number]) => ({
    _obj: 'paint',
    horizontal: { _unit: 'distanceUnit', _value: (x * 72) / resolution },
    vertical: { _unit: 'distanceUnit', _value: (y * 72) / resolution },
  });
  return {
    _obj: 'path',
    pathName: p.name,
    pathContents: {
      _obj: 'pathClass',
      pathComponents: [{
        _obj: 'pathComponent',
        shapeOperation: { _enum: 'shapeOperation', _value: 'add' },
        subpathListKey: p.subpaths.map((sp) => ({
          _obj: 'subpathsList',
          ...(sp.closed ? { closedSubpath: true } : {}),
          points: sp.points.map((q) => ({
            _obj: 'pathPoint',
            anchor: pt(q.anchor),
            ...(q.forward ? { forward: pt(q.forward) } : {}),
            ...(q.backward ? { backward: pt(q.backward) } : {}),
          })),
        })),
      }],
    },
  };
}
