/**
 * EXIF for the playground's download: the opened file's EXIF (camera, lens, date, GPS, copyright…)
 * is copied into the file saved, made true of it first. The pixels the user edited are the
 * decoded ones: where the decoder already turned them upright (browsers do for JPEG), the copy's
 * Orientation says 1, or viewers would turn the picture a second time. The embedded thumbnail
 * (IFD1) is dropped: it shows the picture before the edit, and file browsers show it instead of
 * the file. PixelXDimension / PixelYDimension say the saved size.
 *
 * EXIF is a TIFF structure (byte order "II" little-endian or "MM" big-endian, IFD0 with its
 * sub-IFDs: Exif, GPS, Interoperability; IFD1 the thumbnail). Only the few values above are
 * rewritten, in place, in a copy; everything else (maker notes included) goes as it was.
 */
import { appSegmentBody, jpegSegments, pngChunks, webpChunks } from './containers';

/** An EXIF that cannot be copied as it is (its structure cannot be followed). */
export class ExifError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExifError';
  }
}

/**
 * The EXIF an image file carries — JPEG: the first APP1 `Exif\0\0` segment; WebP: the `EXIF`
 * chunk; PNG: the `eXIf` chunk — as its TIFF bytes (a copy, from the byte-order mark), or null
 * when it has none. Throws {@link ContainerError} when the file's segments or chunks cannot be
 * followed (whether it has EXIF cannot be told).
 */
export function embeddedExif(bytes: Uint8Array): Uint8Array | null {
  const b = bytes;
  if (b[0] === 0xff && b[1] === 0xd8) {
    for (const seg of jpegSegments(b).segments) {
      const body = appSegmentBody(b, seg, 0xe1, 'Exif\0\0');
      if (body) return body.slice();
    }
    return null;
  }
  if (b[0] === 0x52 && b[1] === 0x49 && b[2] === 0x46 && b[3] === 0x46) {
    const c = webpChunks(b).find((x) => x.tag === 'EXIF');
    if (!c) return null;
    // Some writers keep JPEG's "Exif\0\0" before the TIFF bytes: not part of them.
    const at = c.size >= 6 && String.fromCharCode(...b.subarray(c.body, c.body + 6)) === 'Exif\0\0' ? c.body + 6 : c.body;
    return b.slice(at, c.body + c.size);
  }
  if (b[0] === 0x89 && b[1] === 0x50) {
    const c = pngChunks(b).find((x) => x.type === 'eXIf');
    return c ? b.slice(c.body, c.body + c.size) : null;
  }
  return null;
}

/** Tags rewritten or followed. */
const TAG = {
  orientation: 0x0112,
  exifIfd: 0x8769,
  gpsIfd: 0x8825,
  interopIfd: 0xa005,
  pixelX: 0xa002,
  pixelY: 0xa003,
} as const;

/** Bytes per value of each TIFF field type (1 BYTE … 13 IFD); 0: unknown type. */
const TYPE_SIZE = [0, 1, 1, 2, 4, 8, 1, 1, 2, 4, 8, 4, 8, 4];

/** One IFD entry: its tag, type, count, where it lies, and where its value lies (inline or at its offset). */
interface Entry {
  tag: number;
  type: number;
  count: number;
  at: number;
  value: number;
  /** Bytes of the value; NaN for a type not known here. */
  size: number;
}

/** A TIFF structure read in place: its byte order and bounds-checked reads and writes. */
class Tiff {
  readonly le: boolean;
  /** The furthest byte that anything reached so far lies before. */
  reach = 8;
  /** Whether every value reached is known and lies inside (then whatever lies after {@link reach} is not referenced). */
  sure = true;
  constructor(readonly b: Uint8Array) {
    if (b.length < 8) throw new ExifError('its TIFF header is cut short');
    const bo = String.fromCharCode(b[0]!, b[1]!);
    if (bo !== 'II' && bo !== 'MM') throw new ExifError('it does not start with a TIFF byte-order mark (II or MM)');
    this.le = bo === 'II';
    if (this.u16(2) !== 42) throw new ExifError('its TIFF header is not one (no 42)');
  }
  u16(p: number): number {
    const b = this.b;
    return this.le ? b[p]! | (b[p + 1]! << 8) : (b[p]! << 8) | b[p + 1]!;
  }
  u32(p: number): number {
    const b = this.b;
    return (this.le ? b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24) : (b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;
  }
  set16(p: number, v: number): void {
    const b = this.b;
    if (this.le) { b[p] = v & 255; b[p + 1] = v >> 8; } else { b[p] = v >> 8; b[p + 1] = v & 255; }
  }
  set32(p: number, v: number): void {
    const b = this.b;
    if (this.le) { b[p] = v & 255; b[p + 1] = (v >> 8) & 255; b[p + 2] = (v >> 16) & 255; b[p + 3] = (v >>> 24) & 255; }
    else { b[p] = (v >>> 24) & 255; b[p + 1] = (v >> 16) & 255; b[p + 2] = (v >> 8) & 255; b[p + 3] = v & 255; }
  }

  /**
   * The entries of the IFD at `off` (`what` names it in the error) and where its next-IFD offset
   * lies (-1 when the IFD ends the data without one). Out-of-line values are not read, only noted
   * for {@link reach}.
   */
  ifd(off: number, what: string): { entries: Entry[]; nextAt: number } {
    const n = this.b.length;
    if (off < 8 || off + 2 > n) throw new ExifError(`its ${what} lies outside its data`);
    const count = this.u16(off), end = off + 2 + 12 * count;
    if (end > n) throw new ExifError(`its ${what} runs past the end of its data`);
    const nextAt = end + 4 <= n ? end : -1;
    this.reach = Math.max(this.reach, nextAt < 0 ? end : end + 4);
    const entries: Entry[] = [];
    for (let at = off + 2; at < end; at += 12) {
      const tag = this.u16(at), type = this.u16(at + 2), count = this.u32(at + 4);
      const size = (TYPE_SIZE[type] || NaN) * count;
      const value = size <= 4 ? at + 8 : this.u32(at + 8);
      if (!(size <= 4)) {
        if (Number.isNaN(size) || value + size > n) this.sure = false;
        else this.reach = Math.max(this.reach, value + size);
      }
      entries.push({ tag, type, count, at, value, size });
    }
    return { entries, nextAt };
  }

  /** The offset a sub-IFD pointer (LONG or IFD, count 1) holds. */
  pointer(e: Entry, what: string): number {
    if (!((e.type === 4 || e.type === 13) && e.count === 1)) throw new ExifError(`its ${what} pointer is malformed`);
    return this.u32(e.value);
  }
}

/** The Orientation (1–8) of an EXIF's IFD0: 1 when it has none; null when it cannot be read. */
export function exifOrientation(tiff: Uint8Array): number | null {
  try {
    const t = new Tiff(tiff);
    const e = t.ifd(t.u32(4), 'IFD0').entries.find((x) => x.tag === TAG.orientation);
    if (!e) return 1;
    if (!(e.type === 3 && e.count === 1)) return null;
    const o = t.u16(e.value);
    return o >= 1 && o <= 8 ? o : null;
  } catch {
    return null;
  }
}

/** What the saved file is, for {@link exifForOutput}. */
export interface ExifOutput {
  /** The pixels saved are upright (the decoder turned them as the Orientation said): the copy says 1. */
  upright: boolean;
  /** The saved image's size (PixelXDimension, PixelYDimension). */
  width: number;
  height: number;
}

/**
 * A copy of an EXIF (TIFF bytes) made true of the saved file: Orientation 1 when `upright`, IFD1
 * (the thumbnail) unlinked — IFD0's next-IFD offset cleared, and the bytes cut off where the
 * thumbnail begins when nothing IFD0 reaches lies after it — and PixelXDimension /
 * PixelYDimension set to the saved size. Throws {@link ExifError} when its structure cannot be
 * followed (IFD0, the Exif sub-IFD, the Orientation entry): then it is better left out.
 */
export function exifForOutput(tiff: Uint8Array, out: ExifOutput): Uint8Array {
  const t = new Tiff(tiff.slice());
  const ifd0 = t.ifd(t.u32(4), 'IFD0');
  for (const e of ifd0.entries) {
    if (e.tag === TAG.orientation) {
      if (!(e.type === 3 && e.count === 1)) throw new ExifError('its Orientation tag is malformed');
      if (out.upright) t.set16(e.value, 1);
    } else if (e.tag === TAG.exifIfd) {
      const sub = t.ifd(t.pointer(e, 'Exif sub-IFD'), 'Exif sub-IFD');
      for (const s of sub.entries) {
        if ((s.tag === TAG.pixelX || s.tag === TAG.pixelY) && s.count === 1) {
          const v = s.tag === TAG.pixelX ? out.width : out.height;
          if (s.type === 4) t.set32(s.value, v);
          else if (s.type === 3 && v <= 0xffff) t.set16(s.value, v);
        } else if (s.tag === TAG.interopIfd) {
          // Followed only so that what it reaches counts (the bytes are not cut off under it).
          try { t.ifd(t.pointer(s, 'Interoperability IFD'), 'Interoperability IFD'); } catch { t.sure = false; }
        }
      }
    } else if (e.tag === TAG.gpsIfd) {
      try { t.ifd(t.pointer(e, 'GPS IFD'), 'GPS IFD'); } catch { t.sure = false; }
    }
  }
  let bytes = t.b;
  const next = ifd0.nextAt >= 0 ? t.u32(ifd0.nextAt) : 0;
  if (next !== 0) {
    t.set32(ifd0.nextAt, 0);
    // The thumbnail usually ends the data: cut it off, unless something IFD0 reaches lies after it.
    if (t.sure && next >= t.reach && next < bytes.length) bytes = bytes.slice(0, next);
  }
  return bytes;
}

/** The smallest EXIF with an Orientation (big-endian, IFD0 with that one entry): to probe a decoder, and for tests. */
export function exifWithOrientation(orientation: number): Uint8Array {
  // "MM", 42, IFD0 at 8; 1 entry: 0x0112 SHORT ×1 = orientation; next IFD 0.
  return new Uint8Array([0x4d, 0x4d, 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, orientation, 0, 0, 0, 0, 0, 0]);
}

/**
 * RGBA pixels turned upright as an EXIF Orientation says (2 mirrored, 3 turned 180°, 4 upside
 * down, 5 transposed, 6 turned 90° clockwise to show, 7 transversed, 8 turned 90° anticlockwise);
 * the same object for 1. One pass over 32-bit pixels, no allocation per pixel.
 */
export function orientRgba<T extends { width: number; height: number; data: Uint8ClampedArray }>(img: T, orientation: number): T {
  if (!(orientation >= 2 && orientation <= 8)) return img;
  const { width: w, height: h } = img;
  const src32 = new Uint32Array(img.data.byteOffset % 4 === 0 ? img.data.buffer : img.data.slice().buffer, img.data.byteOffset % 4 === 0 ? img.data.byteOffset : 0, w * h);
  const swap = orientation >= 5;
  const W = swap ? h : w, H = swap ? w : h;
  const out = new Uint8ClampedArray(w * h * 4), dst = new Uint32Array(out.buffer);
  // Source index of displayed (X, Y) = base + X·dx + Y·dy.
  const steps: Record<number, readonly [number, number, number]> = {
    2: [w - 1, -1, w],
    3: [w * h - 1, -1, -w],
    4: [(h - 1) * w, 1, -w],
    5: [0, w, 1],
    6: [(h - 1) * w, -w, 1],
    7: [w * h - 1, -w, -1],
    8: [w - 1, w, -1],
  };
  const [base, dx, dy] = steps[orientation]!;
  for (let Y = 0, d = 0; Y < H; Y++) {
    for (let X = 0, s = base + Y * dy; X < W; X++, s += dx, d++) dst[d] = src32[s]!;
  }
  return { ...img, width: W, height: H, data: out };
}
