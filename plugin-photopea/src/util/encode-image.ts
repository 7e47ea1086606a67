/**
 * JPEG and WebP for the playground's download, through the browser's own encoders
 * (`OffscreenCanvas.convertToBlob` in a worker, so a 24–48 MP photo is encoded off the page's
 * thread; `canvas.toBlob` where there is no OffscreenCanvas), with the opened file's ICC profile
 * put back into the file (JPEG: APP2 `ICC_PROFILE` segments; WebP: an `ICCP` chunk): the browser
 * encodes the numbers as they are and writes no profile of its own, or sRGB's.
 *
 * JPEG has no transparency: an image with transparent pixels is flattened onto white first (here,
 * exactly: c·a + 255·(1 − a)), and the result says so ({@link CanvasEncoded.flattened}).
 */

/** Image formats the playground opens and saves. */
export type ImageFormat = 'png' | 'jpeg' | 'webp';

/** MIME type of each format. */
export const FORMAT_TYPE: Record<ImageFormat, string> = { png: 'image/png', jpeg: 'image/jpeg', webp: 'image/webp' };

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
      for (let i = 0; i < data.length; i += 4) {
        const a = data[i + 3];
        if (a === 255) continue;
        const w = 255 * (255 - a);
        data[i] = (data[i] * a + w) / 255; data[i + 1] = (data[i + 1] * a + w) / 255; data[i + 2] = (data[i + 2] * a + w) / 255;
        data[i + 3] = 255;
      }
    }
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
 * in bands, the page staying responsive while a large image is encoded.
 */
export async function encodeWithCanvas(img: { width: number; height: number; data: Uint8ClampedArray }, type: string, quality: number, flatten = type === 'image/jpeg'): Promise<CanvasEncoded> {
  const { width, height, data } = img;
  if (typeof Worker === 'function' && typeof OffscreenCanvas === 'function') {
    workerUrl ??= URL.createObjectURL(new Blob([WORKER_SOURCE], { type: 'text/javascript' }));
    const worker = new Worker(workerUrl);
    try {
      const done = new Promise<{ blob?: Blob; transparent?: boolean; flattened?: boolean; error?: string }>((resolve, reject) => {
        worker.onmessage = (e) => resolve(e.data as { blob?: Blob; error?: string });
        worker.onerror = (e) => reject(new Error(e.message || 'the encoder stopped'));
      });
      worker.postMessage({ op: 'begin', width, height });
      for (let off = 0; off < data.length; off += BAND_BYTES) {
        const band = data.slice(off, Math.min(data.length, off + BAND_BYTES));
        worker.postMessage({ op: 'band', offset: off, buffer: band.buffer }, [band.buffer]);
        // Between bands the page gets its turn (input, painting, the progress line).
        await new Promise((r) => setTimeout(r, 0));
      }
      worker.postMessage({ op: 'encode', type, quality, flatten });
      const out = await done;
      if (!out.blob) throw new Error(out.error ?? 'the encoder gave nothing');
      return { bytes: new Uint8Array(await out.blob.arrayBuffer()), type: out.blob.type, transparent: !!out.transparent, flattened: !!out.flattened };
    } finally {
      worker.terminate();
    }
  }
  // No OffscreenCanvas: the page's own canvas (browsers encode toBlob's JPEG off the thread too).
  let transparent = false;
  for (let i = 3; i < data.length; i += 4) if (data[i] !== 255) { transparent = true; break; }
  const px = new Uint8ClampedArray(data);
  if (transparent && flatten) {
    for (let i = 0; i < px.length; i += 4) {
      const a = px[i + 3]!;
      if (a === 255) continue;
      const w = 255 * (255 - a);
      px[i] = (px[i]! * a + w) / 255; px[i + 1] = (px[i + 1]! * a + w) / 255; px[i + 2] = (px[i + 2]! * a + w) / 255;
      px[i + 3] = 255;
    }
  }
  const c = document.createElement('canvas');
  c.width = width;
  c.height = height;
  c.getContext('2d')!.putImageData(new ImageData(px, width, height), 0, 0);
  const blob = await new Promise<Blob | null>((resolve) => c.toBlob(resolve, type, quality));
  if (!blob) throw new Error('the browser could not encode the image');
  return { bytes: new Uint8Array(await blob.arrayBuffer()), type: blob.type, transparent, flattened: transparent && flatten };
}

/** Bytes of profile one APP2 segment holds (65535 − length field − "ICC_PROFILE\0" − sequence, count). */
const ICC_SEGMENT_MAX = 65535 - 2 - 14;

/**
 * A JPEG with `icc` as its colour profile: any `ICC_PROFILE` APP2 segments it had are dropped, and
 * the profile goes in after the leading APP0 (JFIF) / APP1 (Exif) segments, split into as many APP2
 * segments as it needs (ICC.1 Annex B.4).
 */
export function withJpegIcc(jpeg: Uint8Array, icc: Uint8Array): Uint8Array {
  const b = jpeg;
  if (!(b[0] === 0xff && b[1] === 0xd8)) throw new Error('not a JPEG file');
  const kept: Uint8Array[] = [];
  let p = 2, insertAt = 0, leading = true;
  // Header segments up to the scan: the ICC ones are dropped, the rest kept as they are.
  for (;;) {
    if (p + 4 > b.length || b[p] !== 0xff) throw new Error('JPEG header cannot be read');
    const m = b[p + 1]!;
    if (m === 0xda) break;
    const len = (b[p + 2]! << 8) | b[p + 3]!;
    const seg = b.subarray(p, p + 2 + len);
    const isIcc = m === 0xe2 && len >= 16 && String.fromCharCode(...seg.subarray(4, 16)) === 'ICC_PROFILE\0';
    if (!isIcc) kept.push(seg);
    if (leading && (m === 0xe0 || m === 0xe1)) insertAt = kept.length;
    else if (!isIcc) leading = false;
    p += 2 + len;
  }
  const count = Math.ceil(icc.length / ICC_SEGMENT_MAX);
  if (count > 255) throw new Error('ICC profile too large for a JPEG');
  const segments: Uint8Array[] = [];
  for (let k = 0; k < count; k++) {
    const part = icc.subarray(k * ICC_SEGMENT_MAX, Math.min(icc.length, (k + 1) * ICC_SEGMENT_MAX));
    const seg = new Uint8Array(4 + 14 + part.length);
    const len = seg.length - 2;
    seg[0] = 0xff; seg[1] = 0xe2; seg[2] = len >> 8; seg[3] = len & 255;
    for (let i = 0; i < 12; i++) seg[4 + i] = 'ICC_PROFILE\0'.charCodeAt(i);
    seg[16] = k + 1; seg[17] = count;
    seg.set(part, 18);
    segments.push(seg);
  }
  const parts = [b.subarray(0, 2), ...kept.slice(0, insertAt), ...segments, ...kept.slice(insertAt), b.subarray(p)];
  let total = 0;
  for (const x of parts) total += x.length;
  const out = new Uint8Array(total);
  let o = 0;
  for (const x of parts) { out.set(x, o); o += x.length; }
  return out;
}

/**
 * A WebP with `icc` as its colour profile (an `ICCP` chunk after `VP8X`, whose ICC flag is set):
 * a simple file (one `VP8 ` or `VP8L` chunk) becomes an extended one (`VP8X`, its canvas
 * `width`×`height`, the alpha flag where the image has an alpha channel); an `ICCP` it had is replaced.
 */
export function withWebpIcc(webp: Uint8Array, icc: Uint8Array, size: { width: number; height: number }): Uint8Array {
  const b = webp;
  const tag = (p: number) => String.fromCharCode(b[p]!, b[p + 1]!, b[p + 2]!, b[p + 3]!);
  if (!(b.length >= 12 && tag(0) === 'RIFF' && tag(8) === 'WEBP')) throw new Error('not a WebP file');
  const chunks: { tag: string; bytes: Uint8Array }[] = [];
  for (let p = 12; p + 8 <= b.length;) {
    const len = (b[p + 4]! | (b[p + 5]! << 8) | (b[p + 6]! << 16) | (b[p + 7]! << 24)) >>> 0;
    const end = Math.min(b.length, p + 8 + len + (len & 1));
    chunks.push({ tag: tag(p), bytes: b.subarray(p, end) });
    p = end;
  }
  const chunk = (t: string, body: Uint8Array): Uint8Array => {
    const out = new Uint8Array(8 + body.length + (body.length & 1));
    for (let i = 0; i < 4; i++) out[i] = t.charCodeAt(i);
    new DataView(out.buffer).setUint32(4, body.length, true);
    out.set(body, 8);
    return out;
  };
  let vp8x = chunks.find((c) => c.tag === 'VP8X')?.bytes;
  if (vp8x) {
    vp8x = vp8x.slice();
    vp8x[8] = vp8x[8]! | 0x20;
  } else {
    const body = new Uint8Array(10);
    // Alpha: a lossless stream's header says whether it uses alpha (bit 28 after the signature byte).
    const vp8l = chunks.find((c) => c.tag === 'VP8L')?.bytes;
    const alpha = chunks.some((c) => c.tag === 'ALPH') || (!!vp8l && vp8l.length >= 13 && ((vp8l[12]! >> 4) & 1) === 1);
    body[0] = 0x20 | (alpha ? 0x10 : 0);
    const w = size.width - 1, h = size.height - 1;
    body[4] = w & 255; body[5] = (w >> 8) & 255; body[6] = (w >> 16) & 255;
    body[7] = h & 255; body[8] = (h >> 8) & 255; body[9] = (h >> 16) & 255;
    vp8x = chunk('VP8X', body);
  }
  const rest = chunks.filter((c) => c.tag !== 'VP8X' && c.tag !== 'ICCP').map((c) => c.bytes);
  const parts = [vp8x, chunk('ICCP', icc), ...rest];
  let total = 12;
  for (const x of parts) total += x.length;
  const out = new Uint8Array(total);
  out.set(b.subarray(0, 12), 0);
  new DataView(out.buffer).setUint32(4, total - 8, true);
  let o = 12;
  for (const x of parts) { out.set(x, o); o += x.length; }
  return out;
}
