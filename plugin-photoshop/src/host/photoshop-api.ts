/**
 * The slice of the `photoshop` and `uxp` modules SmartDrag uses, typed after the documented API
 * (AdobeDocs/uxp-photoshop: ps-reference/media/imaging.md, executeasmodal.md, classes/document.md,
 * selection.md, pathitem.md, channel.md, photoshopaction.md, eventcodes.md; uxp-api entry-points,
 * storage). Only these shapes are
 * relied on, so the fake host in test/photoshop implements exactly this interface.
 */
import type { PsBounds } from '../geometry/placement';

/** `PhotoshopImageData` (Imaging API). */
export interface PsImageData {
  readonly width: number;
  readonly height: number;
  readonly components: number;
  readonly componentSize: number;
  readonly colorSpace: string;
  readonly hasAlpha: boolean;
  readonly isChunky: boolean;
  /** imaging.md "getData": options `chunky` (default true) and `fullRange` (16-bit only). */
  getData(options?: { chunky?: boolean; fullRange?: boolean }): Promise<Uint8Array | Uint16Array | Float32Array>;
  dispose(): void;
}

/** What `imaging.getPixels` / `imaging.getSelection` resolve to. */
export interface PsImagingResult {
  imageData: PsImageData;
  /** The bounds actually returned (may be trimmed to the layer's non-transparent area). */
  sourceBounds: PsBounds;
  level: number;
}

/** `require('photoshop').imaging`. */
export interface PsImaging {
  /**
   * imaging.md "getPixels": with `targetSize` ("at least one of" width/height; one alone scales
   * proportionally) the image is scaled down, possibly from a pyramid cache level; the returned
   * `sourceBounds` are then "relative to the bounds of the source cache level (not relative to the
   * full resolution bounds)" and `level` says which (0 = full resolution, 1 = half, …).
   */
  getPixels(options: {
    documentID?: number;
    layerID?: number;
    sourceBounds?: PsBounds;
    targetSize?: { width?: number; height?: number };
    componentSize?: number;
    colorSpace?: string;
    colorProfile?: string;
    applyAlpha?: boolean;
  }): Promise<PsImagingResult>;
  getSelection(options: { documentID?: number; sourceBounds?: PsBounds }): Promise<PsImagingResult>;
  /**
   * imaging.md "createImageDataFromBuffer": there is NO `componentSize` option; the typed array's
   * type gives it (Uint8Array 8, Uint16Array 16 in 0..32768 unless `fullRange`, Float32Array 32).
   */
  createImageDataFromBuffer(
    buffer: Uint8Array | Uint16Array | Float32Array,
    options: { width: number; height: number; components: number; chunky?: boolean; colorSpace: string; colorProfile?: string; fullRange?: boolean },
  ): Promise<PsImageData>;
  /**
   * imaging.md "encodeImageData": JPEG for UXP `<img>` elements ("you must use jpeg/base64
   * encoding when assigning to an image element"); the data's colorSpace must be RGB. Options
   * `imageData` (required) and `base64` (a string instead of a number array).
   */
  encodeImageData(options: { imageData: PsImageData; base64?: boolean }): Promise<number[] | string>;
  putPixels(options: {
    documentID?: number;
    layerID: number;
    imageData: PsImageData;
    replace?: boolean;
    targetBounds?: { left: number; top: number };
    commandName?: string;
  }): Promise<void>;
}

/** A layer (subset). */
export interface PsLayer {
  readonly id: number;
  name: string;
  readonly kind?: string;
  /** Children of a group layer (absent or null otherwise). */
  readonly layers?: PsLayer[] | null;
  /** layer.md (22.5): "The master opacity of the layer, in percent." */
  readonly opacity?: number;
  /** layer.md (23.0): "The fill opacity of the layer, in percentage." */
  readonly fillOpacity?: number;
  /** layer.md (22.5): `constants.BlendMode` (NORMAL is "normal"). */
  readonly blendMode?: string;
  /** layer.md (22.5): "True when the layer is visible." */
  readonly visible?: boolean;
  /** layer.md (22.5): "The group layer that contains this layer. It will return null if the layer is a top layer in the document." */
  readonly parent?: PsLayer | null;
  move(relativeObject: PsLayer, insertLocation: string): Promise<void> | void;
}

/** A path item (subset). */
export interface PsPathItem {
  readonly id: number;
  readonly name: string;
  /**
   * `constants.PathKind`. The string values are NOT the constant names: WORKPATH is
   * "workPathIndex", NORMALPATH "normalPath", CLIPPINGPATH "clippingPathEPS", TEXTMASK "textShape"
   * (DefinitelyTyped types/photoshop/dom/Constants.d.ts). Compare against `constants.PathKind`.
   */
  readonly kind: string;
  /** pathitem.md (23.3) `remove`: "Deletes this object." */
  remove(): Promise<void>;
}

/** A channel (subset). */
export interface PsChannel {
  readonly name: string;
  /** `constants.ChannelType`: "component", "maskedAreas", "selectedAreas", "spot". */
  readonly kind: string;
}

/** `doc.selection` (PS 25.0+). */
export interface PsSelection {
  /** Selection bounds in pixels, or null when nothing is selected. May exceed the canvas. */
  readonly bounds: PsBounds | null;
}

/** A document (subset). */
export interface PsDocument {
  readonly id: number;
  /** document.md `name` (22.5): the document's name, as its tab shows it (for messages only). */
  readonly name?: string;
  /** Width in pixels. */
  readonly width: number;
  /** Height in pixels. */
  readonly height: number;
  /** Pixels per inch. */
  readonly resolution: number;
  /** `constants.DocumentMode`, e.g. "RGBColorMode". */
  readonly mode: string;
  /** `constants.BitsPerChannelType`: "bitDepth8", "bitDepth16", "bitDepth32". */
  readonly bitsPerChannel: string;
  /** Name of the document's colour profile, e.g. "Adobe RGB (1998)"; document.md: "None" unless colorProfileType is CUSTOM or WORKING. */
  readonly colorProfileName?: string;
  /** constants.ColorProfileType: "none" (not colour managed), "working", "custom" (document.md, 23.0). */
  readonly colorProfileType?: string;
  readonly activeLayers: PsLayer[];
  readonly layers: PsLayer[];
  /**
   * document.md `activeHistoryState` (22.5): the current state of the History panel.
   * historystate.md: its `id`, "along with its document ID can be used to represent this history
   * state for the lifetime of this document". Optional here: older fakes do not model it.
   */
  readonly activeHistoryState?: { readonly id: number } | null;
  readonly selection: PsSelection;
  readonly pathItems: ArrayLike<PsPathItem> & Iterable<PsPathItem>;
  readonly channels: ArrayLike<PsChannel> & Iterable<PsChannel>;
  createPixelLayer(options?: { name?: string; opacity?: number }): Promise<PsLayer | null>;
}

/** `executeAsModal`'s execution context. */
export interface PsExecutionContext {
  readonly isCancelled: boolean;
  onCancel?: () => void;
  reportProgress?(info: { value: number; commandName?: string }): void;
  readonly hostControl: {
    /**
     * executeasmodal.md "suspendHistory": returns an opaque suspension identifier (documented as
     * an object, with an optional `finalName`), to be passed back unchanged to resumeHistory.
     */
    suspendHistory(options: { documentID: number; name: string }): Promise<unknown>;
    /** executeasmodal.md "resumeHistory": `commit` defaults to true; false rolls back. */
    resumeHistory(suspensionID: unknown, commit?: boolean): Promise<void>;
  };
}

/** A batchPlay descriptor (loosely typed: Photoshop action descriptors). */
export type ActionDescriptor = Record<string, unknown> & { _obj: string };

/**
 * photoshopaction.md `NotificationListener`: "The callback has the form
 * `(eventName: string, descriptor: ActionDescriptor) => void`". What the descriptor of a given
 * event holds is not documented (a `close` is seen to carry `documentID`, but nothing promises it),
 * so it is typed loosely and never relied on.
 */
export type PsNotificationListener = (eventName: string, descriptor?: Record<string, unknown>) => void;

/** The `photoshop` module (subset). */
export interface PhotoshopModule {
  app: {
    readonly activeDocument: PsDocument | null;
    readonly documents: ArrayLike<PsDocument> & Iterable<PsDocument>;
    showAlert?(message: string): Promise<void>;
  };
  core: {
    executeAsModal<T>(fn: (ctx: PsExecutionContext, descriptor?: unknown) => Promise<T>, options: { commandName: string; interactive?: boolean; timeOut?: number }): Promise<T>;
  };
  action: {
    batchPlay(descriptors: ActionDescriptor[], options: Record<string, unknown>): Promise<Array<Record<string, unknown>>>;
    /**
     * photoshopaction.md `addNotificationListener` (23.0): "Attach a callback function to one or
     * more Photoshop events" — `events: string[]`, the "String Code" column of eventcodes.md
     * ("Action Events": Close `close`, Delete `delete`, …). Async (`Promise<void>`).
     */
    addNotificationListener(events: string[], listener: PsNotificationListener): Promise<void>;
    /** photoshopaction.md `removeNotificationListener` (23.0): "Detaches a listener from a Photoshop event." */
    removeNotificationListener(events: string[], listener: PsNotificationListener): Promise<void>;
  };
  imaging: PsImaging;
  /**
   * `constants` (ps-reference/modules/constants.md). Only ElementPlacement is relied on; the
   * others are read when present, with the documented string values as fallbacks.
   */
  constants: {
    ElementPlacement: { PLACEBEFORE: string; PLACEAFTER: string };
    PathKind?: { WORKPATH: string; NORMALPATH: string };
    /** constants.md LayerKind (22.5): NORMAL "pixel", GROUP "group", TEXT "text", SMARTOBJECT "smartObject", adjustment and fill kinds. */
    LayerKind?: { NORMAL: string; GROUP: string; TEXT: string; SMARTOBJECT: string };
    DocumentMode?: { RGB: string };
    /** constants.md BlendMode (22.5); NORMAL is "normal" (DefinitelyTyped Constants.d.ts). */
    BlendMode?: { NORMAL: string };
    BitsPerChannelType?: { EIGHT: string; SIXTEEN: string };
    ChannelType?: { COMPONENT: string };
  };
}

/** The `uxp` module (subset). */
export interface UxpModule {
  entrypoints: {
    setup(config: {
      plugin?: { create?(): void; destroy?(): void | Promise<void> };
      panels?: Record<string, { create?(root: unknown): void; show?(root: unknown, data?: unknown): void; hide?(): void; destroy?(): void; invokeMenu?(id: string): void }>;
      commands?: Record<string, { run(): unknown }>;
    }): void;
  };
  storage?: {
    secureStorage?: {
      getItem(key: string): Promise<Uint8Array | null>;
      setItem(key: string, value: string | Uint8Array): Promise<void>;
      removeItem(key: string): Promise<void>;
    };
  };
  versions?: { plugin?: string; uxp?: string };
}
