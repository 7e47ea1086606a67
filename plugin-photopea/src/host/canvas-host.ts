/**
 * The playground's host: a document held in memory (loaded from a file or the bundled sample),
 * no host selection (regions are lassoed in the panel), no paths. Added layers are composited
 * into the document, so the next edit starts from the result and "Download PNG" saves it; each
 * can be undone (the pixels it covered are kept, not the whole image). The file's ICC profile
 * goes into the download: the numbers are edited as the file holds them (no conversion), and the
 * profile says what they mean.
 */
import { compositeOver, type PlacedMask, type Point } from '@smartdrag/shared';
import { decodePng, encodePng, type EncodePngOptions } from '../util/png';
import { HostError, sameDocument, type HostAdapter, type HostDocument, type LayerPixels, type PlacedLayer, type RgbaPixels } from './host-adapter';

/** Decoded pixels of an image file, with what the download needs to know about it. */
export interface DecodedImageFile extends RgbaPixels {
  /** Bits per channel of the file when it had more than 8 (16-bit PNGs: edited and saved at 8). */
  sourceDepth?: number;
}

/** Decode any browser-readable image file to straight-alpha RGBA (PNG exactly, others via canvas). */
export async function decodeImageFile(bytes: Uint8Array, type = ''): Promise<DecodedImageFile> {
  const isPng = bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47;
  if (isPng) {
    try {
      const png = await decodePng(bytes);
      return { width: png.width, height: png.height, data: png.data, ...(png.sourceDepth && png.sourceDepth > 8 ? { sourceDepth: png.sourceDepth } : {}) };
    } catch {
      // Interlaced 1-bit PNGs: fall through to the browser's decoder.
    }
  }
  // colorSpaceConversion 'none': the file's own numbers (its profile travels to the download).
  const bmp = await createImageBitmap(new Blob([bytes as Uint8Array<ArrayBuffer>], { type }), { premultiplyAlpha: 'none', colorSpaceConversion: 'none' });
  const c = document.createElement('canvas');
  c.width = bmp.width;
  c.height = bmp.height;
  const ctx = c.getContext('2d')!;
  ctx.drawImage(bmp, 0, 0);
  const id = ctx.getImageData(0, 0, bmp.width, bmp.height);
  bmp.close();
  return { width: id.width, height: id.height, data: id.data };
}

/** Bytes of covered pixels the undo steps may keep together (older steps are dropped first). */
export const UNDO_BUDGET_BYTES = 512 * 1024 * 1024;

/** One undoable result: the pixels its layer covered, as they were. */
interface UndoStep {
  left: number;
  top: number;
  width: number;
  height: number;
  before: Uint8ClampedArray;
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
  /** The opened file's ICC profile (null: none, or sRGB). */
  private icc: Uint8Array | null = null;
  /** Results added since the image was opened or last downloaded. */
  private unsaved = 0;

  /** Replace the document (`icc`: the file's embedded profile, kept for the download). */
  setImage(name: string, rgba: RgbaPixels, opts: { png?: Uint8Array; icc?: Uint8Array | null } = {}): void {
    this.doc = { id: `image-${++this.opened}`, name, width: rgba.width, height: rgba.height, rgba, ...(opts.png ? { png: opts.png } : {}) };
    this.icc = opts.icc ?? null;
    this.layers.length = 0;
    this.undoSteps = [];
    this.unsaved = 0;
    for (const l of this.listeners) l();
  }

  /** Whether there are results not downloaded yet (a page closed now would lose them). */
  get hasUnsavedChanges(): boolean {
    return this.unsaved > 0;
  }

  /** Whether the last result can be undone. */
  get canUndo(): boolean {
    return this.undoSteps.length > 0;
  }

  /** The name the download gets: the opened file's, with "-smartdrag.png". */
  get downloadName(): string {
    const base = (this.doc?.name ?? 'image').replace(/\.[a-z0-9]{1,5}$/i, '') || 'image';
    return `${base}-smartdrag.png`;
  }

  /**
   * Take back the last result: the pixels its layer covered, as they were before it. False when
   * there is none. (The document stays the same one: a job still running lands on the undone image.)
   */
  undo(): boolean {
    const step = this.undoSteps.pop();
    if (!step || !this.doc) return false;
    const rgba = { width: this.doc.width, height: this.doc.height, data: new Uint8ClampedArray(this.doc.rgba.data) };
    for (let y = 0; y < step.height; y++) {
      rgba.data.set(step.before.subarray(y * step.width * 4, (y + 1) * step.width * 4), ((step.top + y) * rgba.width + step.left) * 4);
    }
    this.doc = { ...(this.doc.id ? { id: this.doc.id } : {}), name: this.doc.name, width: rgba.width, height: rgba.height, rgba };
    this.layers.pop();
    this.unsaved = Math.max(0, this.unsaved - 1);
    for (const l of this.listeners) l();
    return true;
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

  async addLayer(layer: LayerPixels, name: string, from?: HostDocument): Promise<PlacedLayer> {
    if (!this.doc) throw new HostError('no_document', 'no image is open', 'Open an image or load the sample first.');
    if (from && !sameDocument(from, this.doc)) {
      // Another image was opened while the edit ran: its coordinates mean nothing here.
      throw new HostError('document_changed', `the edit was made on "${from.name}", but "${this.doc.name}" is open now`, 'Nothing was added. Run Smart Drag again on this image.');
    }
    const rgba = { width: this.doc.width, height: this.doc.height, data: new Uint8ClampedArray(this.doc.rgba.data) };
    // The covered pixels as they were (clipped to the image), for Undo.
    const l0 = Math.max(0, layer.left), t0 = Math.max(0, layer.top);
    const l1 = Math.min(rgba.width, layer.left + layer.width), t1 = Math.min(rgba.height, layer.top + layer.height);
    if (l1 > l0 && t1 > t0) {
      const w = l1 - l0, before = new Uint8ClampedArray(w * (t1 - t0) * 4);
      for (let y = t0; y < t1; y++) before.set(rgba.data.subarray((y * rgba.width + l0) * 4, (y * rgba.width + l1) * 4), (y - t0) * w * 4);
      this.undoSteps.push({ left: l0, top: t0, width: w, height: t1 - t0, before });
      let bytes = 0;
      for (const u of this.undoSteps) bytes += u.before.length;
      while (this.undoSteps.length > 1 && bytes > UNDO_BUDGET_BYTES) bytes -= this.undoSteps.shift()!.before.length;
    }
    compositeOver(rgba, layer);
    // The same document with the layer composited in: it keeps its id.
    this.doc = { ...(this.doc.id ? { id: this.doc.id } : {}), name: this.doc.name, width: rgba.width, height: rgba.height, rgba };
    const placed = { name, left: layer.left, top: layer.top, width: layer.width, height: layer.height };
    this.layers.push(placed);
    this.unsaved++;
    for (const l of this.listeners) l();
    return placed;
  }

  async cleanup(): Promise<void> {}

  /**
   * The current document as PNG bytes (for download), with the opened file's ICC profile; the
   * results so far count as saved once it is made.
   */
  async exportPng(onProgress?: EncodePngOptions['onProgress']): Promise<Uint8Array> {
    if (!this.doc) throw new HostError('no_document', 'no image is open');
    const doc = this.doc, saved = this.unsaved;
    const png = await encodePng(doc.rgba, { icc: this.icc, ...(onProgress ? { onProgress } : {}) });
    // (A result added while it encoded is not in this file: it stays unsaved.)
    if (this.doc === doc) this.unsaved = Math.max(0, this.unsaved - saved);
    return png;
  }
}
