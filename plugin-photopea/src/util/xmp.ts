/**
 * XMP for the playground's download: the opened file's XMP packet (Lightroom's and Photoshop's
 * edits, ratings, keywords, captions, rights…) is copied into the file saved, as EXIF is (see
 * exif.ts), made true of it first: where the pixels were turned upright, its `tiff:Orientation`
 * says 1, and the pixel sizes it gives (`tiff:ImageWidth`/`ImageLength`,
 * `exif:PixelXDimension`/`PixelYDimension`) are the saved ones. Nothing else in it is changed.
 *
 * Where a file holds it — JPEG: an APP1 segment `http://ns.adobe.com/xap/1.0/\0` (the main packet),
 * and when the XMP was too large for one segment, its "extended XMP" in APP1 segments
 * `http://ns.adobe.com/xmp/extension/\0` (carried as they are into a JPEG, {@link embeddedExtendedXmp});
 * PNG: an `iTXt` chunk with the
 * keyword `XML:com.adobe.xmp` (read from `tEXt` and `zTXt` too, as ImageMagick and libvips write
 * it; always written as an uncompressed `iTXt`, as Adobe's XMP specification says); WebP: the
 * `XMP ` chunk.
 */
import { appSegmentBody, JPEG_SEGMENT_MAX, jpegSegments, pngChunks, webpChunks } from './containers';

/** The identifier before the packet in a JPEG's APP1 segment. */
export const JPEG_XMP_ID = 'http://ns.adobe.com/xap/1.0/\0';
/** The identifier before each part of a JPEG's extended XMP (XMP Specification Part 3, 1.1.3.1). */
export const JPEG_XMP_EXT_ID = 'http://ns.adobe.com/xmp/extension/\0';
/** Bytes of extended XMP one segment holds: a segment's body less the identifier, the GUID (32), the full length and the offset (4 each). */
export const JPEG_XMP_EXT_PART_MAX = JPEG_SEGMENT_MAX - JPEG_XMP_EXT_ID.length - 32 - 8;

/**
 * A JPEG's extended XMP: the part of its XMP that did not fit the main packet's segment, which the
 * main packet names by `xmpNote:HasExtendedXMP` (the GUID: the MD5 of `data`, as 32 hex digits).
 */
export interface ExtendedXmp {
  guid: string;
  data: Uint8Array;
}

/** What a JPEG's main packet names as its extended XMP: the parts put together, or why they cannot be. */
export type ExtendedXmpRead = ExtendedXmp | { problem: string };

/** The GUID a main XMP packet names its extended XMP by (`xmpNote:HasExtendedXMP`), or null. */
export function extendedXmpGuid(packet: Uint8Array): string | null {
  const text = new TextDecoder('latin1').decode(packet);
  const m = /xmpNote:HasExtendedXMP\s*=\s*["']([0-9A-Fa-f]{32})["']|<xmpNote:HasExtendedXMP>\s*([0-9A-Fa-f]{32})\s*</.exec(text);
  return m ? (m[1] ?? m[2]!) : null;
}

/**
 * The extended XMP of a JPEG whose main packet `packet` names one: its parts (APP1 segments
 * {@link JPEG_XMP_EXT_ID}, each with the GUID, the full length and its offset) with that GUID,
 * put together. Null when the packet names none; `{ problem }` when the parts with its GUID do not
 * give every byte of it (a part missing, lengths that disagree). Throws `ContainerError` when the
 * file's segments cannot be followed.
 */
export function embeddedExtendedXmp(bytes: Uint8Array, packet: Uint8Array): ExtendedXmpRead | null {
  const guid = extendedXmpGuid(packet);
  if (!guid || !(bytes[0] === 0xff && bytes[1] === 0xd8)) return null;
  let data: Uint8Array | null = null, got = 0, parts = 0;
  const covered: [number, number][] = [];
  for (const seg of jpegSegments(bytes).segments) {
    const body = appSegmentBody(bytes, seg, 0xe1, JPEG_XMP_EXT_ID);
    if (!body || body.length < 40) continue;
    if (new TextDecoder('latin1').decode(body.subarray(0, 32)).toUpperCase() !== guid.toUpperCase()) continue;
    const head = new DataView(body.buffer, body.byteOffset + 32, 8);
    const full = head.getUint32(0), offset = head.getUint32(4);
    const part = body.subarray(40);
    if (data && data.length !== full) return { problem: `its extended XMP's parts disagree on its length (${data.length} and ${full} bytes)` };
    data ??= new Uint8Array(full);
    if (offset + part.length > full) return { problem: `a part of its extended XMP runs past its length (${offset + part.length} of ${full} bytes)` };
    data.set(part, offset);
    covered.push([offset, offset + part.length]);
    parts++;
  }
  if (!data) return { problem: 'its extended XMP, which the main packet names, is not in the file' };
  covered.sort((a, b) => a[0] - b[0]);
  for (const [a, b] of covered) { if (a > got) break; got = Math.max(got, b); }
  if (got < data.length) return { problem: `its extended XMP is incomplete (${parts} part(s) give the first ${got} of ${data.length} bytes)` };
  return { guid: guid.toUpperCase(), data };
}

/** The keyword of a PNG's XMP `iTXt` chunk. */
export const PNG_XMP_KEYWORD = 'XML:com.adobe.xmp';

/** Inflate zlib data with the platform's zlib (`DecompressionStream`), or null where it has none. */
async function inflate(data: Uint8Array): Promise<Uint8Array | null> {
  if (typeof DecompressionStream !== 'function') return null;
  const stream = new Blob([data as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('deflate'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/**
 * The XMP packet an image file carries (its UTF-8 bytes, a copy), or null when it has none (or it
 * is compressed in a PNG and the platform cannot inflate it). Throws `ContainerError` when the
 * file's segments or chunks cannot be followed.
 */
export async function embeddedXmp(bytes: Uint8Array): Promise<Uint8Array | null> {
  const b = bytes;
  if (b[0] === 0xff && b[1] === 0xd8) {
    for (const seg of jpegSegments(b).segments) {
      const body = appSegmentBody(b, seg, 0xe1, JPEG_XMP_ID);
      if (body) return body.slice();
    }
    return null;
  }
  if (b[0] === 0x52 && b[1] === 0x49 && b[2] === 0x46 && b[3] === 0x46) {
    const c = webpChunks(b).find((x) => x.tag === 'XMP ');
    return c ? b.slice(c.body, c.body + c.size) : null;
  }
  if (b[0] === 0x89 && b[1] === 0x50) {
    for (const c of pngChunks(b)) {
      if ((c.type !== 'iTXt' && c.type !== 'zTXt' && c.type !== 'tEXt') || c.size < PNG_XMP_KEYWORD.length + 1) continue;
      let k = 0;
      while (k < PNG_XMP_KEYWORD.length && b[c.body + k] === PNG_XMP_KEYWORD.charCodeAt(k)) k++;
      if (k < PNG_XMP_KEYWORD.length || b[c.body + k] !== 0) continue;
      const end = c.body + c.size, after = c.body + k + 1;
      // (ImageMagick and libvips write it as tEXt or zTXt: keyword\0, [method,] text.)
      if (c.type === 'tEXt') return b.slice(after, end);
      if (c.type === 'zTXt') return inflate(b.subarray(after + 1, end));
      // iTXt: keyword\0, compression flag, method, language tag\0, translated keyword\0, text.
      const flag = b[after]!;
      let p = after + 2;
      for (let nul = 0; nul < 2 && p < end; p++) if (b[p] === 0) nul++;
      const text = b.subarray(p, end);
      return flag === 0 ? text.slice() : inflate(text);
    }
    return null;
  }
  return null;
}

/** What the saved file is, for {@link xmpForOutput}. */
export interface XmpOutput {
  /** The pixels were turned upright as the file's Orientation said (the copy then says 1). */
  upright: boolean;
  width: number;
  height: number;
}

/** `name` as an XMP property: an attribute `name="v"` or an element `<name>v</name>` (its value in group 2 or 4). */
function propertyPattern(name: string): RegExp {
  const n = name.replace(':', '\\:');
  return new RegExp(`(\\b${n}\\s*=\\s*["'])\\s*\\d+\\s*(["'])|(<${n}>)\\s*\\d+\\s*(</${n}>)`, 'g');
}

/** Set every integer value of `name` in `text` to `v`. */
function setProperty(text: string, name: string, v: number): string {
  return text.replace(propertyPattern(name), (_m, a1: string | undefined, a2: string | undefined, e1: string | undefined, e2: string | undefined) => (a1 !== undefined ? `${a1}${v}${a2}` : `${e1}${v}${e2}`));
}

/**
 * The opened file's XMP made true of the saved file ({@link XmpOutput}): Orientation 1 where the
 * pixels were turned upright, the saved pixel size where it gives one. A packet that is not UTF-8
 * text is given back as it was.
 */
export function xmpForOutput(xmp: Uint8Array, out: XmpOutput): Uint8Array {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(xmp);
  } catch {
    return xmp;
  }
  let t = text;
  if (out.upright) t = setProperty(t, 'tiff:Orientation', 1);
  t = setProperty(t, 'tiff:ImageWidth', out.width);
  t = setProperty(t, 'tiff:ImageLength', out.height);
  t = setProperty(t, 'exif:PixelXDimension', out.width);
  t = setProperty(t, 'exif:PixelYDimension', out.height);
  return t === text ? xmp : new TextEncoder().encode(t);
}
