/**
 * The playground's host: a document held in memory (loaded from a file or the bundled sample),
 * no host selection (regions are lassoed in the panel), no paths. Added layers are composited
 * into the document, so the next edit starts from the result and the download saves it; each
 * can be undone and redone (the pixels it covered are kept, not the whole image), with what the
 * panel had made it from (kept with the step for the page, {@link CanvasHost.keepWithStep}). The
 * file's ICC profile goes into the download: the numbers are edited as the file holds them (no
 * conversion), and the profile says what they mean. So does its EXIF, made true of the download
 * (a file is opened upright as its Orientation says, as viewers show it: the copy then says 1).
 * The download is PNG, or the opened file's format (JPEG, WebP), see {@link CanvasHost.exportImage}.
 */
import { compositeOver, type PlacedMask, type Point } from '@smartdrag/shared';
import { encodePng, type EncodePngOptions } from '../util/png';
import { canvasCanEncode, encodeWithCanvas, FORMAT_LABEL, FORMAT_TYPE, JPEG_QUALITY, JPEG_XMP_MAX, WEBP_MAX_SIDE, withJpegMetadata, withWebpMetadata, type EncodeStage, type FileMetadata, type ImageFormat } from '../util/encode-image';
import { isAbortError, throwIfAborted } from '../util/abort';
import { SLICE_MS, yieldToPage } from '../util/yield';
import { DecodeWorker, DecodeWorkerUnavailable } from '../util/decode-in-worker';
import { embeddedExif, exifForOutput, exifOrientation } from '../util/exif';
import { embeddedExtendedXmp, embeddedXmp, xmpForOutput, type ExtendedXmpRead } from '../util/xmp';
import { decodedByUpng, decodePixels, imagePixelCount, type DecodeEnv } from '../util/decode-image';
import { HostError, sameDocument, type HostAdapter, type HostDocument, type LayerPixels, type PlacedLayer, type RgbaPixels } from './host-adapter';

/** Decoded pixels of an image file, with what the download needs to know about it. */
export interface DecodedImageFile extends RgbaPixels {
  /** Bits per channel of the file when it had more than 8 (16-bit PNGs: edited and saved at 8). */
  sourceDepth?: number;
  /**
   * The file's EXIF as the download carries it: Orientation 1 where the pixels were turned upright
   * here, no thumbnail, the pixel size of these pixels ({@link exifForOutput}).
   */
  exif?: Uint8Array;
  /** Why the file's EXIF cannot go into the download (it cannot be read). */
  exifProblem?: string;
  /**
   * The file's XMP packet as the download carries it: Orientation 1 where the pixels were turned
   * upright here, the pixel size of these pixels ({@link xmpForOutput}).
   */
  xmp?: Uint8Array;
  /**
   * A JPEG's extended XMP, which `xmp` names: carried as it is into a JPEG download; or why it
   * cannot go into a download (parts missing).
   */
  xmpExtended?: ExtendedXmpRead;
}

/** Whether the first 256 KiB of a file hold an EXIF signature (JPEG "Exif\0\0", WebP "EXIF", PNG "eXIf"). */
function mentionsExif(bytes: Uint8Array): boolean {
  return /Exif\0\0|EXIF|eXIf/.test(new TextDecoder('latin1').decode(bytes.subarray(0, 256 << 10)));
}

/** What {@link decodeImageFile} may be told besides the file. */
export interface DecodeImageOptions {
  /**
   * Converted to sRGB by the browser through the file's profile (a CMYK or grey profile, which
   * cannot describe RGB pixels: the numbers are as the browser shows the file, and the profile is
   * not carried on) instead of its numbers as they are.
   */
  toSrgb?: boolean;
  /** On the page's thread, with no worker, whatever its size ({@link decodeImageFileOnPage}). */
  onPage?: boolean;
  /** Cancels it (the decode worker is terminated): it rejects with an `AbortError` (util/abort.ts). */
  signal?: AbortSignal;
  /**
   * The file (a Blob) the bytes were read from: handed to the decode worker as it is, which reads
   * it there (the bytes of a 150 MB PNG copied to it took ~100 ms of the page's thread).
   */
  file?: Blob;
}

/**
 * From this many pixels (2 MP) on, a file the browser decodes is decoded in the worker. Below, the
 * page's own decoding and canvas read stay short (a 2 MP JPEG: 20–30 ms of its thread, 3 MP ~30 ms,
 * headless Chromium) and the worker's start (~20 ms more) is spared.
 */
export const WORKER_MIN_PIXELS = 2 << 20;

/**
 * {@link WORKER_MIN_PIXELS} for PNGs UPNG.js decodes (0.25 MP): it is slower (0.5 MP with
 * transparency or 16 bits: 50–110 ms of the page's thread, 1 MP 70–120 ms).
 */
export const UPNG_WORKER_MIN_PIXELS = 1 << 18;

/** The page's own canvas, for {@link decodePixels} on the page's thread (as the playground always decoded). */
const PAGE_ENV: DecodeEnv = {
  read(bmp) {
    const c = document.createElement('canvas');
    c.width = bmp.width;
    c.height = bmp.height;
    const ctx = c.getContext('2d')!;
    ctx.drawImage(bmp, 0, 0);
    const id = ctx.getImageData(0, 0, bmp.width, bmp.height);
    bmp.close();
    return id;
  },
  encode(width, height, type) {
    const c = document.createElement('canvas');
    c.width = width;
    c.height = height;
    return new Promise<Blob | null>((resolve) => c.toBlob(resolve, type));
  },
};

/**
 * Decode any browser-readable image file to straight-alpha RGBA (PNG exactly, others via canvas),
 * turned upright as its EXIF Orientation says (as browsers and viewers show it), with its EXIF
 * made ready for the download ({@link DecodeImageOptions}: `toSrgb`, `signal`).
 *
 * A large file ({@link WORKER_MIN_PIXELS}; PNGs for UPNG.js {@link UPNG_WORKER_MIN_PIXELS}) is
 * decoded in a worker (util/decode-worker.ts), off the page's thread — the browser's decoding and
 * the canvas read (`getImageData`: ~1 s of a frozen page for a 48 MP JPEG), or UPNG.js's decoding
 * (seconds) — with the same steps and decoders, so the pixels are those of
 * {@link decodeImageFileOnPage}, to the byte. Smaller files, and every file where there is no
 * worker (no Worker or OffscreenCanvas, the worker's file not found, the worker failed), are
 * decoded on the page's thread as before.
 */
export async function decodeImageFile(bytes: Uint8Array, type = '', opts: DecodeImageOptions = {}): Promise<DecodedImageFile> {
  const pixels = imagePixelCount(bytes);
  const large = pixels === null || pixels >= (decodedByUpng(bytes, !!opts.toSrgb) ? UPNG_WORKER_MIN_PIXELS : WORKER_MIN_PIXELS);
  const worker = opts.onPage || !large ? null : DecodeWorker.start();
  if (!worker) return decodeWith(bytes, type, opts, null);
  try {
    return await decodeWith(bytes, type, opts, worker);
  } catch (e) {
    // The worker could not do it: on the page's thread, as before.
    if (e instanceof DecodeWorkerUnavailable) return decodeWith(bytes, type, opts, null);
    throw e;
  } finally {
    // (It closes itself once it has answered: stopped here only where it has not.)
    worker.end();
  }
}

/**
 * {@link decodeImageFile} all on the page's thread, whatever the file's size (the playground's
 * decoder before the worker, kept): what the worker's pixels are checked against.
 */
export function decodeImageFileOnPage(bytes: Uint8Array, type = '', opts: Omit<DecodeImageOptions, 'onPage'> = {}): Promise<DecodedImageFile> {
  return decodeWith(bytes, type, opts, null);
}

/** The toolbar's line while an image opens, `seconds` after it began (the whole seconds from 1 s on). */
export function openProgressText(name: string, seconds: number): string {
  return `Opening "${name}"…${seconds >= 1 ? ` ${Math.floor(seconds)} s` : ''}`;
}

const OPEN_CANCELLED = 'the opening was cancelled';

/** {@link decodeImageFile} in `worker`, or on the page's thread (null). */
async function decodeWith(bytes: Uint8Array, type: string, opts: DecodeImageOptions, worker: DecodeWorker | null): Promise<DecodedImageFile> {
  const { signal } = opts;
  throwIfAborted(signal, OPEN_CANCELLED);
  let tiff: Uint8Array | null = null, exifProblem: string | undefined;
  try {
    tiff = embeddedExif(bytes);
  } catch (e) {
    // Said only where the file seems to have EXIF (decoders tolerate some damage that stops the walk).
    if (mentionsExif(bytes)) exifProblem = `the file's structure cannot be followed (${e instanceof Error ? e.message : String(e)})`;
  }
  const orientation = tiff ? exifOrientation(tiff) ?? 1 : 1;
  // (A file whose structure cannot be followed: its EXIF says why; no XMP is taken from it.)
  const packet = await embeddedXmp(bytes).catch(() => null);
  let px: RgbaPixels & { sourceDepth?: number }, upright: boolean | null;
  if (worker) {
    const got = await worker.ask({ file: opts.file ?? bytes, type, toSrgb: !!opts.toSrgb, orientation }, signal);
    px = { width: got.width, height: got.height, data: got.data, ...(got.sourceDepth !== undefined ? { sourceDepth: got.sourceDepth } : {}) };
    upright = got.upright;
  } else {
    [px, upright] = await decodePixels(bytes, type, { toSrgb: !!opts.toSrgb, orientation }, PAGE_ENV);
  }
  throwIfAborted(signal, OPEN_CANCELLED);
  let exif: Uint8Array | undefined;
  if (tiff) {
    try {
      if (upright === null) throw new Error('this browser does not tell whether it turned the picture upright');
      exif = exifForOutput(tiff, { upright, width: px.width, height: px.height });
    } catch (e) {
      exifProblem = e instanceof Error ? e.message : String(e);
    }
  }
  const xmp = packet ? xmpForOutput(packet, { upright: upright === true && orientation !== 1, width: px.width, height: px.height }) : null;
  // (Kept as it is: its GUID is its MD5, which the main packet names.)
  let ext: ExtendedXmpRead | null = null;
  try {
    ext = packet ? embeddedExtendedXmp(bytes, packet) : null;
  } catch {
    ext = null; // the file's structure cannot be followed: said for its EXIF
  }
  return {
    ...px, ...(exif ? { exif } : {}), ...(exifProblem ? { exifProblem } : {}), ...(xmp ? { xmp } : {}),
    ...(ext ? { xmpExtended: ext } : {}),
  };
}

/** Bytes of covered pixels the undo steps may keep together (older steps are dropped first). */
export const UNDO_BUDGET_BYTES = 512 * 1024 * 1024;

/**
 * One undoable (or, once undone, redoable) result: the pixels its layer covered as they were
 * before it (an undo step) or with it (a redo step).
 */
interface UndoStep {
  left: number;
  top: number;
  width: number;
  height: number;
  pixels: Uint8ClampedArray;
  /** The layer the result added. */
  layer: PlacedLayer;
  /** What the page keeps with the step ({@link CanvasHost.keepWithStep}): what the result was made from. */
  made?: unknown;
  /** The content key ({@link CanvasHost.contentKey}) of the document the step's pixels give back. */
  content?: number;
  /** A redo step: what the page had when the result was undone (given back by {@link CanvasHost.redo}). */
  after?: unknown;
}

/** A rectangle of the document (document pixels); empty (0×0) where nothing changed. */
export interface ChangedRect {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** How many changes of the document {@link CanvasHost.changedArea} can join (older: the whole document). */
const CHANGE_LOG = 64;

/** A download made by {@link CanvasHost.exportImage}. */
export interface ExportedImage {
  bytes: Uint8Array;
  format: ImageFormat;
  /** MIME type. */
  type: string;
  /** File name: the opened file's, with "-smartdrag" and the format's extension. */
  name: string;
  /** The image had transparent pixels and the format (JPEG) has none: they were flattened onto white. */
  flattened?: boolean;
  /** The format asked for could not be written (why): this is a PNG instead. */
  fellBack?: string;
  /** The opened file had EXIF, and why it is not in this file. */
  exifLeftOut?: string;
  /** The opened file had XMP, and why it is not in this file. */
  xmpLeftOut?: string;
  /**
   * The image changed while the file was made (a Smart Drag result added, an Undo, a Redo): the
   * file has it as it was when the download began, and the change stays unsaved.
   */
  changedMeanwhile?: boolean;
}

/**
 * Where {@link CanvasHost.exportImage} is, for the page to show: the browser's stages
 * ({@link EncodeStage}: a `fraction` while the pixels are copied, none while it encodes), PNG's
 * encoding with its `fraction`, then `writing` the profile and EXIF into the file.
 */
export interface ExportProgress {
  /** The format being written (PNG where the one asked for could not be). */
  format: ImageFormat;
  stage: EncodeStage | 'writing';
  /** How much of the stage is done, 0..1, where that is known. */
  fraction?: number;
  /** What `writing` puts in. */
  icc?: boolean;
  exif?: boolean;
  xmp?: boolean;
}

/**
 * The toolbar's line for a download under way, `seconds` after it began: PNG's fraction (encoded
 * here, in slices); for the browser's encoder, which says nothing until it is done, the stage it
 * is in and the whole seconds so far (from 1 s on) — no made-up percentage.
 */
export function exportProgressText(p: ExportProgress, seconds: number): string {
  const label = FORMAT_LABEL[p.format];
  const pct = p.fraction !== undefined ? ` ${Math.round(p.fraction * 100)}%` : '';
  const elapsed = seconds >= 1 ? ` ${Math.floor(seconds)} s` : '';
  switch (p.stage) {
    case 'copying': return `Preparing the ${label}: handing the pixels to the browser's encoder…${pct}`;
    case 'flattening': return `Preparing the ${label}: flattening transparent pixels onto white…${elapsed}`;
    case 'encoding': return p.fraction !== undefined ? `Preparing the ${label}…${pct}` : `Preparing the ${label}: the browser is encoding it (it shows no progress)…${elapsed}`;
    case 'writing': {
      const what = [p.icc ? 'colour profile' : '', p.exif ? 'EXIF' : '', p.xmp ? 'XMP' : ''].filter(Boolean);
      return `Preparing the ${label}: writing its ${what.length > 1 ? `${what.slice(0, -1).join(', ')} and ${what[what.length - 1]}` : what[0] ?? 'metadata'} into the file…`;
    }
  }
}

/** {@link HostAdapter} over an in-memory image. */
export class CanvasHost implements HostAdapter {
  readonly label = 'Playground';
  readonly hasSelection = false;
  private doc: HostDocument | null = null;
  /** Images opened so far: each gets its own document id (a result of the previous one is refused). */
  private opened = 0;
  /** Layers added so far (newest last). */
  readonly layers: PlacedLayer[] = [];
  private readonly listeners = new Set<() => void>();

  /** Results that can be undone, oldest first. */
  private undoSteps: UndoStep[] = [];
  /** Results undone that can be redone, the last undone last (emptied by a new result or image). */
  private redoSteps: UndoStep[] = [];
  /** The opened file's format (from its bytes; null when the page set pixels without a file). */
  private format: ImageFormat | null = null;
  /** The opened file's ICC profile (null: none, or sRGB). */
  private icc: Uint8Array | null = null;
  /** The opened file's EXIF, made true of the download (null: none). */
  private exif: Uint8Array | null = null;
  /** Why the opened file's EXIF cannot go into the download (null: it can, or there is none). */
  private exifProblem: string | null = null;
  /** The opened file's XMP packet, made true of the download (null: none). */
  private xmp: Uint8Array | null = null;
  /** The opened JPEG's extended XMP (null: none), or why what its packet names cannot be carried. */
  private xmpExtended: ExtendedXmpRead | null = null;
  /** Results added since the image was opened or last downloaded. */
  private unsaved = 0;
  /**
   * The pixel memory of documents a download is still reading (how many downloads): a change then
   * copies the document first ({@link change}), so the download keeps the pixels it began with.
   */
  private readonly reading = new Map<ArrayBufferLike, number>();
  /** Each document given out: its change number and its content key ({@link changedArea}, {@link contentKey}). */
  private version = new WeakMap<HostDocument, { serial: number; content: number }>();
  /** The last {@link CHANGE_LOG} changes of the document: their numbers and rectangles. */
  private changes: { serial: number; rect: ChangedRect }[] = [];
  private serials = 0;
  private contents = 0;

  /**
   * Replace the document (`icc`: the file's embedded profile, kept for the download; `format`: the
   * file's, offered for the download besides PNG; `exif`: the file's EXIF as the download carries
   * it, or `exifProblem`: why it cannot, as {@link decodeImageFile} gives them). `rgba` becomes the
   * document's own: results, Undo and Redo write into its array (only the rectangles they change).
   */
  setImage(name: string, rgba: RgbaPixels, opts: { png?: Uint8Array; icc?: Uint8Array | null; format?: ImageFormat | null; exif?: Uint8Array | null; exifProblem?: string | null; xmp?: Uint8Array | null; xmpExtended?: ExtendedXmpRead | null } = {}): void {
    this.doc = { id: `image-${++this.opened}`, name, width: rgba.width, height: rgba.height, rgba, ...(opts.png ? { png: opts.png } : {}) };
    this.version.set(this.doc, { serial: ++this.serials, content: ++this.contents });
    this.changes = [];
    this.icc = opts.icc ?? null;
    this.exif = opts.exif ?? null;
    this.exifProblem = opts.exifProblem ?? null;
    this.xmp = opts.xmp ?? null;
    this.xmpExtended = this.xmp ? opts.xmpExtended ?? null : null;
    this.format = opts.format ?? null;
    this.layers.length = 0;
    this.undoSteps = [];
    this.redoSteps = [];
    this.unsaved = 0;
    for (const l of this.listeners) l();
  }

  /** The open image's name (its file's), or null when none is open. */
  get documentName(): string | null {
    return this.doc?.name ?? null;
  }

  /** Whether there are results not downloaded yet (a page closed now would lose them). */
  get hasUnsavedChanges(): boolean {
    return this.unsaved > 0;
  }

  /** Whether the last result can be undone. */
  get canUndo(): boolean {
    return this.undoSteps.length > 0;
  }

  /** Whether a result undone can be redone. */
  get canRedo(): boolean {
    return this.redoSteps.length > 0;
  }

  /** Forget the results undone (the page's state moved on from where Undo left it). */
  clearRedo(): void {
    if (this.redoSteps.length === 0) return;
    this.redoSteps = [];
    for (const l of this.listeners) l();
  }

  /** The name the download gets: the opened file's, with "-smartdrag.png". */
  get downloadName(): string {
    return this.downloadNameFor('png');
  }

  /** The name a download in `format` gets: "IMG_0042.jpg" → "IMG_0042-smartdrag.jpg" (a ".jpeg" stays ".jpeg"). */
  downloadNameFor(format: ImageFormat, name = this.doc?.name ?? 'image'): string {
    const ext = /\.([a-z0-9]{1,5})$/i.exec(name)?.[1]?.toLowerCase();
    const base = name.replace(/\.[a-z0-9]{1,5}$/i, '') || 'image';
    return `${base}-smartdrag.${format === 'jpeg' ? (ext === 'jpeg' || ext === 'jpg' ? ext : 'jpg') : format}`;
  }

  /**
   * The format the download is offered in besides PNG: the opened file's, where it is JPEG, or
   * WebP and this browser writes WebP; null otherwise (a PNG, a WebP the browser cannot write).
   */
  get originalFormat(): Exclude<ImageFormat, 'png'> | null {
    if (this.format === 'jpeg') return 'jpeg';
    if (this.format === 'webp' && canvasCanEncode(FORMAT_TYPE.webp)) return 'webp';
    return null;
  }

  /** Keep `made` (what the result was made from) with the undo step of the result added as `layer`. */
  keepWithStep(layer: PlacedLayer, made: unknown): void {
    const step = this.undoSteps.find((u) => u.layer === layer);
    if (step) step.made = made;
  }

  /**
   * Take back the last result: the pixels its layer covered, as they were before it. Null when
   * there is none; else what was kept with it ({@link keepWithStep}) as `made`. `now`: what the
   * page has now, given back by a {@link redo} of it. (The document stays the same one: a job
   * still running lands on the undone image.)
   */
  undo(now?: unknown): { made?: unknown } | null {
    const step = this.undoSteps.pop();
    if (!step || !this.doc) return null;
    const { was, content } = this.swap(step);
    this.redoSteps.push({ ...step, pixels: was, content, after: now });
    this.trimSteps();
    this.layers.pop();
    this.unsaved = Math.max(0, this.unsaved - 1);
    for (const l of this.listeners) l();
    return { made: step.made };
  }

  /**
   * Put back the last result undone. Null when there is none; else what the page had when it was
   * undone (`now` of that {@link undo}) as `after`.
   */
  redo(): { after?: unknown } | null {
    const step = this.redoSteps.pop();
    if (!step || !this.doc) return null;
    const { was, content } = this.swap(step);
    const { after, ...rest } = step;
    this.undoSteps.push({ ...rest, pixels: was, content });
    this.trimSteps();
    this.layers.push(step.layer);
    this.unsaved++;
    for (const l of this.listeners) l();
    return { after };
  }

  /**
   * Write a step's pixels into the document (only its rectangle, {@link change}); returns the
   * pixels they replaced and the content key of the document before (see {@link contentKey}).
   */
  private swap(step: UndoStep): { was: Uint8ClampedArray; content: number } {
    const rect = { left: step.left, top: step.top, width: step.width, height: step.height };
    let was = null as Uint8ClampedArray | null;
    const content = this.change(rect, (rgba) => {
      const rowBytes = step.width * 4;
      was = new Uint8ClampedArray(step.pixels.length);
      for (let y = 0; y < step.height; y++) {
        const at = ((step.top + y) * rgba.width + step.left) * 4;
        was.set(rgba.data.subarray(at, at + rowBytes), y * rowBytes);
        rgba.data.set(step.pixels.subarray(y * rowBytes, (y + 1) * rowBytes), at);
      }
    }, step.content);
    return { was: was!, content };
  }

  /**
   * Change the document's pixels in `rect` (`edit` writes them into `rgba`, the whole document)
   * and make the result the document: a new {@link HostDocument} over a new array object, so what
   * keys on the array (the panel's preview proxy) sees another image, but over the same memory —
   * the 192 MB of a 48 MP photo are not copied for every result, Undo and Redo (that took 200–500 ms
   * of the page's thread). Where a download is still reading the document, it is copied first as
   * before: the download keeps the pixels it began with. The panel's copy (the previous
   * HostDocument, over the same memory) is read again by the panel, which redraws only `rect`
   * ({@link changedArea}). `content`: the key of the pixels this makes, where they are known to be
   * those of an earlier state (an Undo, a Redo); else a new one.
   */
  private change(rect: ChangedRect, edit: (rgba: RgbaPixels) => void, content?: number): number {
    const doc = this.doc!;
    const held = this.reading.has(doc.rgba.data.buffer);
    const data = held ? new Uint8ClampedArray(doc.rgba.data) : new Uint8ClampedArray(doc.rgba.data.buffer, doc.rgba.data.byteOffset, doc.rgba.data.length);
    const rgba = { width: doc.width, height: doc.height, data };
    const from = this.version.get(doc);
    const before = from?.content ?? ++this.contents;
    edit(rgba);
    // The same document with the change in: it keeps its id.
    const next: HostDocument = { ...(doc.id ? { id: doc.id } : {}), name: doc.name, width: rgba.width, height: rgba.height, rgba };
    const serial = ++this.serials;
    this.changes.push({ serial, rect });
    if (this.changes.length > CHANGE_LOG) this.changes.shift();
    this.version.set(next, { serial, content: content ?? ++this.contents });
    this.doc = next;
    return before;
  }

  /**
   * The rectangle in which the pixels of `to` can differ from those of `from` (two documents
   * {@link readDocument} gave, `from` first: the results, Undos and Redos between them, joined),
   * or null where that is not known (another image, too many changes between): the panel then
   * takes the whole document again.
   */
  changedArea(from: HostDocument, to: HostDocument): ChangedRect | null {
    const a = this.version.get(from), b = this.version.get(to);
    if (!a || !b || from.id !== to.id || b.serial < a.serial) return null;
    if (a.serial === b.serial) return { left: 0, top: 0, width: 0, height: 0 };
    const log = this.changes.filter((c) => c.serial > a.serial && c.serial <= b.serial);
    if (log.length !== b.serial - a.serial) return null;
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    for (const { rect: r } of log) {
      if (r.width <= 0 || r.height <= 0) continue;
      x0 = Math.min(x0, r.left); y0 = Math.min(y0, r.top); x1 = Math.max(x1, r.left + r.width); y1 = Math.max(y1, r.top + r.height);
    }
    return x1 > x0 ? { left: x0, top: y0, width: x1 - x0, height: y1 - y0 } : { left: 0, top: 0, width: 0, height: 0 };
  }

  /**
   * A key of the pixels of `doc` (a document {@link readDocument} gave): equal for two documents
   * with the same pixels where this host can tell (an Undo gives back the pixels of the state
   * before the result, a Redo those with it), so what was made from them (the panel's preview
   * proxy) can be used again. Null for a document this host did not give.
   */
  contentKey(doc: HostDocument): string | null {
    const v = this.version.get(doc);
    return v ? `${doc.id ?? ''}#${v.content}` : null;
  }

  /** Keep the undo and redo steps within {@link UNDO_BUDGET_BYTES}: the oldest undo steps go first, then the furthest redo ones. */
  private trimSteps(): void {
    let bytes = 0;
    for (const u of this.undoSteps) bytes += u.pixels.length;
    for (const u of this.redoSteps) bytes += u.pixels.length;
    while (bytes > UNDO_BUDGET_BYTES && this.undoSteps.length + this.redoSteps.length > 1) {
      bytes -= (this.undoSteps.length > 1 || this.redoSteps.length === 0 ? this.undoSteps.shift()! : this.redoSteps.shift()!).pixels.length;
    }
  }

  /** Called when the document changes (new image, added layer). */
  onChange(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Whether an image is loaded. */
  get hasDocument(): boolean {
    return this.doc !== null;
  }

  async readDocument(): Promise<HostDocument> {
    if (!this.doc) throw new HostError('no_document', 'no image is open', 'Open an image or load the sample first.');
    return this.doc;
  }

  async readSelection(): Promise<PlacedMask | null> {
    return null;
  }

  async readPaths(): Promise<Point[][] | null> {
    return null;
  }

  /**
   * Composite `layer` into the document (its rectangle only) as an undoable result. The pixels it
   * covers are copied and composited in slices of rows of at most {@link SLICE_MS} ms each, the
   * page's other work (input, painting) in between — on a 48 MP photo a result's box of a few MP
   * had held the page's thread ~70 ms — into a copy of the box, not the document: a download or a
   * preview reading the document meanwhile sees it whole, as it was. The document then takes the
   * composited box in one step (its rows copied in: a few ms).
   */
  async addLayer(layer: LayerPixels, name: string, from?: HostDocument): Promise<PlacedLayer> {
    const doc = this.checkAdd(from);
    // The covered pixels as they were (clipped to the image), for Undo, and as they will be.
    const l0 = Math.max(0, layer.left), t0 = Math.max(0, layer.top);
    const l1 = Math.min(doc.width, layer.left + layer.width), t1 = Math.min(doc.height, layer.top + layer.height);
    const rect = l1 > l0 && t1 > t0 ? { left: l0, top: t0, width: l1 - l0, height: t1 - t0 } : { left: 0, top: 0, width: 0, height: 0 };
    const w = rect.width, rowBytes = w * 4;
    const before = rect.width > 0 ? new Uint8ClampedArray(rowBytes * rect.height) : null;
    const after = rect.width > 0 ? new Uint8ClampedArray(rowBytes * rect.height) : null;
    /** Copy and composite the box's rows [ya, yb) from `src` (the whole document's pixels). */
    const band = (src: Uint8ClampedArray, ya: number, yb: number): void => {
      for (let y = ya; y < yb; y++) {
        const at = ((t0 + y) * doc.width + l0) * 4;
        before!.set(src.subarray(at, at + rowBytes), y * rowBytes);
      }
      after!.set(before!.subarray(ya * rowBytes, yb * rowBytes), ya * rowBytes);
      compositeOver({ width: w, height: yb - ya, data: after!.subarray(ya * rowBytes, yb * rowBytes) }, { ...layer, left: layer.left - l0, top: layer.top - t0 - ya });
    };
    if (before) {
      let slice = performance.now();
      const rows = Math.max(1, Math.floor((1 << 18) / Math.max(1, w)));
      for (let y = 0; y < rect.height; y += rows) {
        if (performance.now() - slice > SLICE_MS) {
          await yieldToPage();
          // Another image opened, or the document changed, meanwhile: made again from it below.
          if (this.doc !== doc) break;
          slice = performance.now();
        }
        band(doc.rgba.data, y, Math.min(rect.height, y + rows));
      }
      if (this.doc !== doc) {
        const now = this.checkAdd(from);
        if (now.width !== doc.width || now.height !== doc.height) throw new HostError('document_changed', 'the image changed while the result was added', 'Nothing was added. Run Smart Drag again.');
        band(now.rgba.data, 0, rect.height);
      }
    }
    const content = this.change(rect, (rgba) => {
      if (!after) return;
      for (let y = 0; y < rect.height; y++) rgba.data.set(after.subarray(y * rowBytes, (y + 1) * rowBytes), ((t0 + y) * rgba.width + l0) * 4);
    });
    const placed: PlacedLayer = { name, left: layer.left, top: layer.top, width: layer.width, height: layer.height };
    // (Undo gives back the pixels before it: the content key of the document it was added to.)
    if (before) this.undoSteps.push({ ...rect, pixels: before, layer: placed, content });
    // A new result: what was undone before it cannot come back.
    this.redoSteps = [];
    this.trimSteps();
    this.layers.push(placed);
    this.unsaved++;
    for (const l of this.listeners) l();
    return placed;
  }

  /** The document a result made from `from` may be added to (the open one), or why not. */
  private checkAdd(from?: HostDocument): HostDocument {
    if (!this.doc) throw new HostError('no_document', 'no image is open', 'Open an image or load the sample first.');
    if (from && !sameDocument(from, this.doc)) {
      // Another image was opened while the edit ran: its coordinates mean nothing here.
      throw new HostError('document_changed', `the edit was made on "${from.name}", but "${this.doc.name}" is open now`, 'Nothing was added. Run Smart Drag again on this image.');
    }
    return this.doc;
  }

  async cleanup(): Promise<void> {}

  /** The opened file's profile and EXIF, as every download carries them. */
  private get metadata(): FileMetadata {
    return { icc: this.icc, exif: this.exif, xmp: this.xmp };
  }

  /**
   * The current document as PNG bytes (for download), with the opened file's ICC profile and
   * EXIF; the results so far count as saved once it is made.
   */
  async exportPng(onProgress?: EncodePngOptions['onProgress']): Promise<Uint8Array> {
    if (!this.doc) throw new HostError('no_document', 'no image is open');
    const doc = this.doc, saved = this.unsaved;
    const png = await this.holding(doc, () => encodePng(doc.rgba, { ...this.metadata, ...(onProgress ? { onProgress } : {}) }));
    // (A result added while it encoded is not in this file: it stays unsaved.)
    if (this.doc === doc) this.unsaved = Math.max(0, this.unsaved - saved);
    return png;
  }

  /**
   * The current document as a file in `format`, with the opened file's ICC profile and EXIF; the
   * results so far count as saved once it is made. PNG as {@link exportPng}; JPEG (quality
   * {@link JPEG_QUALITY}, transparent pixels flattened onto white: `flattened` says so) and WebP
   * through the browser's encoder, off the page's thread. Where the browser cannot write the
   * format (WebP in an old Safari, WebP over {@link WEBP_MAX_SIDE} px, a canvas too large), it is a
   * PNG instead and `fellBack` says why. EXIF that cannot be put in is left out (`exifLeftOut`
   * says why): never the download. `onProgress`: each stage as it begins ({@link ExportProgress}).
   * `signal`: cancels it (the browser's encoder is stopped, PNG's between slices): it rejects with
   * an `AbortError` (util/abort.ts) and the results stay unsaved.
   */
  async exportImage(format: ImageFormat, onProgress?: (p: ExportProgress) => void, signal?: AbortSignal): Promise<ExportedImage> {
    if (!this.doc) throw new HostError('no_document', 'no image is open');
    const doc = this.doc;
    return this.holding(doc, () => this.exportOf(doc, format, onProgress, signal));
  }

  /**
   * Run `read` (a download of `doc`) with `doc`'s pixels held: a result, Undo or Redo meanwhile
   * writes into a copy ({@link change}), not into the pixels being encoded.
   */
  private async holding<T>(doc: HostDocument, read: () => Promise<T>): Promise<T> {
    const buf = doc.rgba.data.buffer;
    this.reading.set(buf, (this.reading.get(buf) ?? 0) + 1);
    try {
      return await read();
    } finally {
      const n = this.reading.get(buf)! - 1;
      if (n > 0) this.reading.set(buf, n);
      else this.reading.delete(buf);
    }
  }

  private async exportOf(doc: HostDocument, format: ImageFormat, onProgress?: (p: ExportProgress) => void, signal?: AbortSignal): Promise<ExportedImage> {
    // The metadata of the image it is made of, as it is now: another image opened while it encodes
    // has its own (a PNG instead, after the browser's encoder failed, took the new image's EXIF).
    const saved = this.unsaved, icc = this.icc, fileExif = this.exif, fileXmp = this.xmp, exifProblem = this.exifProblem ?? undefined;
    let exif = fileExif, exifLeftOut = exifProblem, xmp = fileXmp, xmpLeftOut: string | undefined;
    let out: ExportedImage | null = null, fellBack: string | undefined;
    // A JPEG's extended XMP goes only into a JPEG (PNG and WebP hold one packet: the main one is kept).
    const read = this.xmpExtended, ext = read && 'guid' in read ? read : null;
    const extendedLeftOut = (f: ImageFormat): string | undefined => (read && 'problem' in read ? `in part — ${read.problem}`
      : ext && f !== 'jpeg' ? `in part — its extended part (${ext.data.length} bytes), which only a JPEG holds beside the main packet: Download JPEG keeps it` : undefined);
    if (format !== 'png') {
      const type = FORMAT_TYPE[format], label = FORMAT_LABEL[format];
      if (format === 'webp' && Math.max(doc.width, doc.height) > WEBP_MAX_SIDE) fellBack = `a WebP cannot be wider or taller than ${WEBP_MAX_SIDE} px`;
      else if (!canvasCanEncode(type)) fellBack = `this browser cannot write ${label}`;
      else {
        try {
          const enc = await encodeWithCanvas(doc.rgba, type, JPEG_QUALITY, format === 'jpeg', (stage, fraction) => onProgress?.({ format, stage, ...(fraction !== undefined ? { fraction } : {}) }), signal);
          if (enc.type !== type) fellBack = `this browser cannot write ${label}`;
          else {
            // XMP too large for one JPEG segment (it would need "extended XMP"): saved without it.
            if (format === 'jpeg' && xmp && xmp.length > JPEG_XMP_MAX) {
              xmpLeftOut = `it is too large for a JPEG (${xmp.length} bytes; ${JPEG_XMP_MAX} at most): Download PNG keeps it`;
              xmp = null;
            } else if (xmp) xmpLeftOut = extendedLeftOut(format);
            if (icc?.length || exif?.length || xmp?.length) onProgress?.({ format, stage: 'writing', icc: !!icc?.length, exif: !!exif?.length, xmp: !!xmp?.length });
            const put = (meta: FileMetadata) => (format === 'jpeg' ? withJpegMetadata(enc.bytes, meta) : withWebpMetadata(enc.bytes, meta, doc));
            let bytes: Uint8Array;
            try {
              bytes = put({ icc, exif, xmp, xmpExtended: xmp ? ext : null });
            } catch (e) {
              // EXIF that does not fit (over 64 KB in a JPEG) must not cost the download: saved without it.
              if (!exif) throw e;
              bytes = put({ icc, xmp, xmpExtended: xmp ? ext : null });
              exifLeftOut = e instanceof Error ? e.message : String(e);
              exif = null;
            }
            out = { bytes, format, type, name: this.downloadNameFor(format, doc.name), ...(enc.flattened ? { flattened: true } : {}) };
          }
        } catch (e) {
          if (isAbortError(e)) throw e; // cancelled: no PNG instead
          fellBack = `the browser could not write it as ${label} (${e instanceof Error ? e.message : String(e)})`;
        }
      }
    }
    if (!out) {
      const bytes = await encodePng(doc.rgba, { icc, exif: fileExif, xmp: fileXmp, onProgress: (fraction) => onProgress?.({ format: 'png', stage: 'encoding', fraction }), ...(signal ? { signal } : {}) });
      exifLeftOut = exifProblem;
      xmpLeftOut = fileXmp ? extendedLeftOut('png') : undefined;
      // (Named after the image it was made of: another one opened while it encoded has its own name.)
      out = { bytes, format: 'png', type: FORMAT_TYPE.png, name: this.downloadNameFor('png', doc.name), ...(fellBack ? { fellBack } : {}) };
    }
    if (exifLeftOut) out.exifLeftOut = exifLeftOut;
    if (xmpLeftOut) out.xmpLeftOut = xmpLeftOut;
    // Cancelled as it ended: nothing is saved.
    throwIfAborted(signal);
    // (A result added while it encoded is not in this file: it stays unsaved.)
    if (this.doc === doc) this.unsaved = Math.max(0, this.unsaved - saved);
    else if (this.doc && this.doc.id === doc.id) out.changedMeanwhile = true;
    return out;
  }
}
