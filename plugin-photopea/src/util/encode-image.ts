/**
 * JPEG and WebP for the playground's download, through the browser's own encoders
 * (`OffscreenCanvas.convertToBlob` in a worker, so a 24–48 MP photo is encoded off the page's
 * thread; `canvas.toBlob` where there is no OffscreenCanvas), with the opened file's ICC profile,
 * EXIF and XMP put back into the file (JPEG: APP2 `ICC_PROFILE` and APP1 `Exif` and XMP segments;
 * WebP: `ICCP`, `EXIF` and `XMP ` chunks): the browser encodes the numbers as they are and writes
 * no profile of its own, or sRGB's, and no EXIF or XMP.
 *
 * JPEG has no transparency: an image with transparent pixels is flattened onto white first (here,
 * exactly: c·a + 255·(1 − a)), and the result says so ({@link CanvasEncoded.flattened}). The
 * browser's encoder says nothing until it is done: {@link encodeWithCanvas} reports which stage
 * it is in ({@link EncodeStage}), with a fraction only where one is known.
 */
import { abortError, throwIfAborted } from './abort';
import { yieldToPage } from './yield';
import { appSegmentBody, concatBytes, JPEG_SEGMENT_MAX, jpegSegment, jpegSegments, riffChunk, webpChunks, webpFile, type RiffChunk } from './containers';
import { JPEG_XMP_EXT_ID, JPEG_XMP_EXT_PART_MAX, JPEG_XMP_ID, type ExtendedXmp } from './xmp';

/** Image formats the playground opens and saves. */
export type ImageFormat = 'png' | 'jpeg' | 'webp';

/** MIME type of each format. */
export const FORMAT_TYPE: Record<ImageFormat, string> = { png: 'image/png', jpeg: 'image/jpeg', webp: 'image/webp' };

/** Name of each format for the user. */
export const FORMAT_LABEL: Record<ImageFormat, string> = { png: 'PNG', jpeg: 'JPEG', webp: 'WebP' };

/** JPEG (and lossy WebP) quality of the download: 0.92, what browsers and most editors use for "high". */
export const JPEG_QUALITY = 0.92;

/** Largest width or height a WebP file can hold. */
export const WEBP_MAX_SIDE = 16383;

/** The format of an image file from its first bytes; null when it is none of PNG, JPEG, WebP. */
export function imageFormatOf(bytes: Uint8Array): ImageFormat | null {
  const b = bytes;
  if (b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return 'png';
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (b.length >= 12 && String.fromCharCode(b[0]!, b[1]!, b[2]!, b[3]!) === 'RIFF' && String.fromCharCode(b[8]!, b[9]!, b[10]!, b[11]!) === 'WEBP') return 'webp';
  return null;
}

const canEncodeCache = new Map<string, boolean>();

/** Whether this browser's canvas writes `type` (every browser writes PNG and JPEG; WebP not Safari before 17). */
export function canvasCanEncode(type: string): boolean {
  let ok = canEncodeCache.get(type);
  if (ok === undefined) {
    try {
      const c = document.createElement('canvas');
      c.width = c.height = 1;
      ok = c.toDataURL(type).startsWith(`data:${type}`);
    } catch {
      ok = false;
    }
    canEncodeCache.set(type, ok);
  }
  return ok;
}

/** What {@link encodeWithCanvas} made. */
export interface CanvasEncoded {
  bytes: Uint8Array;
  /** The type the browser wrote (a browser that cannot write the one asked for writes PNG). */
  type: string;
  /** Whether the image had transparent pixels (a JPEG's were flattened onto white). */
  transparent: boolean;
  /** Whether they were flattened onto white (JPEG). */
  flattened: boolean;
}

/**
 * Where {@link encodeWithCanvas} is: `copying` the pixels to the worker (`fraction` of them sent;
 * then the worker's look for transparent pixels), `flattening` transparent pixels onto white,
 * `encoding` in the browser's encoder (which reports no progress: no fraction).
 */
export type EncodeStage = 'copying' | 'flattening' | 'encoding';

/** Bytes of pixels handed to the worker per message (each copy is one short task on the page's thread). */
const BAND_BYTES = 16 << 20;

/**
 * The worker: gathers the pixel bands, flattens transparent pixels onto white when asked, and
 * encodes through an OffscreenCanvas. Plain JavaScript, so it runs from a blob URL as it is.
 */
const WORKER_SOURCE = `
let data = null, width = 0, height = 0;
onmessage = async (e) => {
  const m = e.data;
  try {
    if (m.op === 'begin') { width = m.width; height = m.height; data = new Uint8ClampedArray(width * height * 4); return; }
    if (m.op === 'band') { data.set(new Uint8ClampedArray(m.buffer), m.offset); return; }
    let transparent = false;
    for (let i = 3; i < data.length; i += 4) if (data[i] !== 255) { transparent = true; break; }
    const flattened = transparent && m.flatten;
    if (flattened) {
      postMessage({ stage: 'flattening' });
      for (let i = 0; i < data.length; i += 4) {
        const a = data[i + 3];
        if (a === 255) continue;
        const w = 255 * (255 - a);
        data[i] = (data[i] * a + w) / 255; data[i + 1] = (data[i + 1] * a + w) / 255; data[i + 2] = (data[i + 2] * a + w) / 255;
        data[i + 3] = 255;
      }
    }
    postMessage({ stage: 'encoding' });
    const c = new OffscreenCanvas(width, height);
    c.getContext('2d').putImageData(new ImageData(data, width, height), 0, 0);
    data = null;
    const blob = await c.convertToBlob({ type: m.type, quality: m.quality });
    postMessage({ blob, transparent, flattened });
  } catch (err) {
    postMessage({ error: String((err && err.message) || err) });
  }
};
`;

let workerUrl: string | null = null;

/**
 * Encode straight-alpha RGBA8 pixels with the browser's encoder (`type` image/jpeg or image/webp,
 * `quality` 0..1). `flatten`: transparent pixels onto white first (JPEG). The pixels go to a worker
 * in bands, the page staying responsive while a large image is encoded. `onStage`: each stage as
 * it begins (and the copy's fraction as it goes). `signal`: aborting it terminates the worker
 * (also in the middle of the browser's encoding) and rejects with an `AbortError` at once.
 */
export async function encodeWithCanvas(img: { width: number; height: number; data: Uint8ClampedArray }, type: string, quality: number, flatten = type === 'image/jpeg', onStage?: (stage: EncodeStage, fraction?: number) => void, signal?: AbortSignal): Promise<CanvasEncoded> {
  const { width, height, data } = img;
  throwIfAborted(signal);
  if (typeof Worker === 'function' && typeof OffscreenCanvas === 'function') {
    workerUrl ??= URL.createObjectURL(new Blob([WORKER_SOURCE], { type: 'text/javascript' }));
    const worker = new Worker(workerUrl);
    let onAbort: (() => void) | undefined;
    try {
      const done = new Promise<{ blob?: Blob; transparent?: boolean; flattened?: boolean; error?: string }>((resolve, reject) => {
        worker.onmessage = (e) => {
          const m = e.data as { stage?: EncodeStage; blob?: Blob; error?: string };
          if (signal?.aborted) return;
          if (m.stage) onStage?.(m.stage);
          else resolve(m);
        };
        worker.onerror = (e) => reject(new Error(e.message || 'the encoder stopped'));
        // Cancelled: the worker goes at once (the browser's encoder with it), whatever stage it is in.
        onAbort = () => {
          worker.terminate();
          reject(abortError());
        };
        signal?.addEventListener('abort', onAbort, { once: true });
      });
      done.catch(() => undefined); // a cancel while the pixels are still sent is thrown by the loop below

      worker.postMessage({ op: 'begin', width, height });
      for (let off = 0; off < data.length; off += BAND_BYTES) {
        throwIfAborted(signal);
        onStage?.('copying', off / data.length);
        const band = data.slice(off, Math.min(data.length, off + BAND_BYTES));
        worker.postMessage({ op: 'band', offset: off, buffer: band.buffer }, [band.buffer]);
        // Between bands the page gets its turn (input, painting, the progress line, Cancel): a
        // timer, or in a hidden page a message (yieldToPage: there timers run once a second, a
        // second a band).
        await yieldToPage();
      }
      throwIfAborted(signal);
      // All sent (the worker then looks for transparent pixels: up to 0.3 s at 48 MP).
      onStage?.('copying', 1);
      worker.postMessage({ op: 'encode', type, quality, flatten });
      const out = await done;
      if (!out.blob) throw new Error(out.error ?? 'the encoder gave nothing');
      const bytes = new Uint8Array(await out.blob.arrayBuffer());
      throwIfAborted(signal);
      return { bytes, type: out.blob.type, transparent: !!out.transparent, flattened: !!out.flattened };
    } finally {
      if (onAbort) signal?.removeEventListener('abort', onAbort);
      worker.terminate();
    }
  }
  // No OffscreenCanvas: the page's own canvas (browsers encode toBlob's JPEG off the thread too;
  // it cannot be stopped: a cancel is taken when it is done).
  let transparent = false;
  for (let i = 3; i < data.length; i += 4) if (data[i] !== 255) { transparent = true; break; }
  const px = new Uint8ClampedArray(data);
  if (transparent && flatten) {
    onStage?.('flattening');
    for (let i = 0; i < px.length; i += 4) {
      const a = px[i + 3]!;
      if (a === 255) continue;
      const w = 255 * (255 - a);
      px[i] = (px[i]! * a + w) / 255; px[i + 1] = (px[i + 1]! * a + w) / 255; px[i + 2] = (px[i + 2]! * a + w) / 255;
      px[i + 3] = 255;
    }
  }
  onStage?.('encoding');
  const c = document.createElement('canvas');
  c.width = width;
  c.height = height;
  c.getContext('2d')!.putImageData(new ImageData(px, width, height), 0, 0);
  const blob = await new Promise<Blob | null>((resolve) => c.toBlob(resolve, type, quality));
  throwIfAborted(signal);
  if (!blob) throw new Error('the browser could not encode the image');
  return { bytes: new Uint8Array(await blob.arrayBuffer()), type: blob.type, transparent, flattened: transparent && flatten };
}


/** Bytes of profile one APP2 segment holds (the segment's body less "ICC_PROFILE\0", sequence, count). */
const ICC_SEGMENT_MAX = JPEG_SEGMENT_MAX - 14;

/** Largest EXIF (TIFF bytes) a JPEG holds: one APP1 segment, less "Exif\0\0". */
export const JPEG_EXIF_MAX = JPEG_SEGMENT_MAX - 6;

/** What goes into a saved file besides its pixels (each left as the encoder wrote it when absent). */
export interface FileMetadata {
  /** ICC profile. */
  icc?: Uint8Array | null;
  /** EXIF: TIFF bytes, from the byte-order mark (as {@link exifForOutput} makes them). */
  exif?: Uint8Array | null;
  /** XMP: the packet's UTF-8 bytes (as `xmpForOutput`, util/xmp.ts, makes them). */
  xmp?: Uint8Array | null;
  /** A JPEG's extended XMP, which `xmp` names (written only into a JPEG, and only with `xmp`). */
  xmpExtended?: ExtendedXmp | null;
}

const ICC_ID = 'ICC_PROFILE\0', EXIF_ID = 'Exif\0\0';

/** Largest XMP packet a JPEG holds: one APP1 segment, less its identifier (a larger one would need "extended XMP"). */
export const JPEG_XMP_MAX = JPEG_SEGMENT_MAX - JPEG_XMP_ID.length;
const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

/**
 * A JPEG with `meta` put in: the EXIF as an APP1 `Exif\0\0` segment right after the leading APP0
 * (JFIF) ones, the XMP as an APP1 `http://ns.adobe.com/xap/1.0/` segment after it (and its extended
 * XMP, when it names one, in APP1 `http://ns.adobe.com/xmp/extension/` parts after that), the ICC profile
 * after the leading APP0/APP1 segments, split into as many APP2 segments as it needs (ICC.1 Annex
 * B.4). Segments of the same kind the JPEG had are dropped; the rest, and the image data, are kept
 * as they are. Throws when the JPEG's header cannot be followed, the EXIF is larger than
 * {@link JPEG_EXIF_MAX} or the XMP larger than {@link JPEG_XMP_MAX}.
 */
export function withJpegMetadata(jpeg: Uint8Array, meta: FileMetadata): Uint8Array {
  const { icc, exif, xmp } = meta;
  if (!icc?.length && !exif?.length && !xmp?.length) return jpeg;
  const b = jpeg;
  const { segments, scan } = jpegSegments(b);
  const kept = segments.filter((seg) => !(icc?.length && appSegmentBody(b, seg, 0xe2, ICC_ID)) && !(exif?.length && appSegmentBody(b, seg, 0xe1, EXIF_ID))
    && !(xmp?.length && (appSegmentBody(b, seg, 0xe1, JPEG_XMP_ID) || appSegmentBody(b, seg, 0xe1, JPEG_XMP_EXT_ID))));
  let app0 = 0;
  while (app0 < kept.length && kept[app0]!.marker === 0xe0) app0++;
  let app01 = app0;
  while (app01 < kept.length && (kept[app01]!.marker === 0xe0 || kept[app01]!.marker === 0xe1)) app01++;
  const parts = (from: number, to: number) => kept.slice(from, to).map((seg) => b.subarray(seg.at, seg.end));
  const exifSegs: Uint8Array[] = [];
  if (exif?.length) {
    if (exif.length > JPEG_EXIF_MAX) throw new Error(`EXIF too large for a JPEG (${exif.length} bytes; ${JPEG_EXIF_MAX} at most)`);
    exifSegs.push(jpegSegment(0xe1, ascii(EXIF_ID), exif));
  }
  if (xmp?.length) {
    if (xmp.length > JPEG_XMP_MAX) throw new Error(`XMP too large for a JPEG (${xmp.length} bytes; ${JPEG_XMP_MAX} at most)`);
    exifSegs.push(jpegSegment(0xe1, ascii(JPEG_XMP_ID), xmp));
    const ext = meta.xmpExtended;
    if (ext?.data.length) {
      // Each part: the GUID, the whole extended XMP's length and this part's offset (big-endian), the part.
      const n = ext.data.length;
      for (let at = 0; at < n; at += JPEG_XMP_EXT_PART_MAX) {
        const head = new Uint8Array(8);
        new DataView(head.buffer).setUint32(0, n);
        new DataView(head.buffer).setUint32(4, at);
        exifSegs.push(jpegSegment(0xe1, ascii(JPEG_XMP_EXT_ID), ascii(ext.guid), head, ext.data.subarray(at, Math.min(n, at + JPEG_XMP_EXT_PART_MAX))));
      }
    }
  }
  const iccSegs: Uint8Array[] = [];
  if (icc?.length) {
    const count = Math.ceil(icc.length / ICC_SEGMENT_MAX);
    if (count > 255) throw new Error('ICC profile too large for a JPEG');
    for (let k = 0; k < count; k++) {
      iccSegs.push(jpegSegment(0xe2, ascii(ICC_ID), new Uint8Array([k + 1, count]), icc.subarray(k * ICC_SEGMENT_MAX, Math.min(icc.length, (k + 1) * ICC_SEGMENT_MAX))));
    }
  }
  return concatBytes([b.subarray(0, 2), ...parts(0, app0), ...exifSegs, ...parts(app0, app01), ...iccSegs, ...parts(app01, kept.length), b.subarray(scan)]);
}

/** VP8X flags: ICC profile, alpha, EXIF, XMP. */
const VP8X_ICC = 0x20, VP8X_ALPHA = 0x10, VP8X_EXIF = 0x08, VP8X_XMP = 0x04;

/**
 * A WebP with `meta` put in: an `ICCP` chunk after `VP8X`, an `EXIF` chunk after the image data,
 * an `XMP ` chunk last, and their flags set in `VP8X`. A simple file (one `VP8 ` or `VP8L` chunk)
 * becomes an extended one (`VP8X`, its canvas `width`×`height`, the alpha flag where the image has
 * an alpha channel); chunks of the same kind it had are replaced.
 */
export function withWebpMetadata(webp: Uint8Array, meta: FileMetadata, size: { width: number; height: number }): Uint8Array {
  const { icc, exif, xmp } = meta;
  if (!icc?.length && !exif?.length && !xmp?.length) return webp;
  const b = webp;
  const chunks = webpChunks(b);
  const whole = (c: RiffChunk) => b.subarray(c.at, c.end);
  const flags = (icc?.length ? VP8X_ICC : 0) | (exif?.length ? VP8X_EXIF : 0) | (xmp?.length ? VP8X_XMP : 0);
  const had = chunks.find((c) => c.tag === 'VP8X');
  let vp8x: Uint8Array;
  if (had) {
    vp8x = whole(had).slice();
    vp8x[8] = vp8x[8]! | flags;
  } else {
    const body = new Uint8Array(10);
    // Alpha: a lossless stream's header says whether it uses alpha (bit 28 after the signature byte).
    const vp8l = chunks.find((c) => c.tag === 'VP8L');
    const alpha = chunks.some((c) => c.tag === 'ALPH') || (!!vp8l && vp8l.size >= 5 && ((b[vp8l.body + 4]! >> 4) & 1) === 1);
    body[0] = flags | (alpha ? VP8X_ALPHA : 0);
    const w = size.width - 1, h = size.height - 1;
    body[4] = w & 255; body[5] = (w >> 8) & 255; body[6] = (w >> 16) & 255;
    body[7] = h & 255; body[8] = (h >> 8) & 255; body[9] = (h >> 16) & 255;
    vp8x = riffChunk('VP8X', body);
  }
  const rest = chunks.filter((c) => c.tag !== 'VP8X' && !(icc?.length && c.tag === 'ICCP') && !(exif?.length && c.tag === 'EXIF') && !(xmp?.length && c.tag === 'XMP '));
  return webpFile([
    vp8x,
    ...(icc?.length ? [riffChunk('ICCP', icc)] : []),
    ...rest.filter((c) => c.tag !== 'XMP ').map(whole),
    ...(exif?.length ? [riffChunk('EXIF', exif)] : []),
    ...rest.filter((c) => c.tag === 'XMP ').map(whole),
    ...(xmp?.length ? [riffChunk('XMP ', xmp)] : []),
  ]);
}
