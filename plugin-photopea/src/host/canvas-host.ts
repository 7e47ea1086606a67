/**
 * The playground's host: a document held in memory (loaded from a file or the bundled sample),
 * no host selection (regions are lassoed in the panel), no paths. Added layers are composited
 * into the document, so the next edit starts from the result and "Download PNG" saves it.
 */
import { compositeOver, type PlacedMask, type Point } from '@smartdrag/shared';
import { decodePng, encodePng } from '../util/png';
import { HostError, sameDocument, type HostAdapter, type HostDocument, type LayerPixels, type PlacedLayer, type RgbaPixels } from './host-adapter';

/** Decode any browser-readable image file to straight-alpha RGBA (PNG exactly, others via canvas). */
export async function decodeImageFile(bytes: Uint8Array, type = ''): Promise<RgbaPixels> {
  const isPng = bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47;
  if (isPng) {
    try {
      return await decodePng(bytes);
    } catch {
      // 16-bit or interlaced PNGs: fall through to the browser's decoder.
    }
  }
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

  /** Replace the document. */
  setImage(name: string, rgba: RgbaPixels, png?: Uint8Array): void {
    this.doc = { id: `image-${++this.opened}`, name, width: rgba.width, height: rgba.height, rgba, ...(png ? { png } : {}) };
    this.layers.length = 0;
    for (const l of this.listeners) l();
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
    compositeOver(rgba, layer);
    // The same document with the layer composited in: it keeps its id.
    this.doc = { ...(this.doc.id ? { id: this.doc.id } : {}), name: this.doc.name, width: rgba.width, height: rgba.height, rgba };
    const placed = { name, left: layer.left, top: layer.top, width: layer.width, height: layer.height };
    this.layers.push(placed);
    for (const l of this.listeners) l();
    return placed;
  }

  async cleanup(): Promise<void> {}

  /** The current document as PNG bytes (for download). */
  async exportPng(): Promise<Uint8Array> {
    if (!this.doc) throw new HostError('no_document', 'no image is open');
    return encodePng(this.doc.rgba);
  }
}
