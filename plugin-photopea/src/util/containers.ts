/**
 * The parts of the three file formats the playground opens and saves, walked in one place each:
 * a JPEG's header segments (APPn: JFIF, Exif, ICC_PROFILE…), a WebP's RIFF chunks (VP8X, ICCP,
 * EXIF…) and a PNG's chunks. The readers of metadata (ICC profile, EXIF) and the writers that put
 * it back into an encoded file use these walkers; each throws a {@link ContainerError} on a file
 * whose structure cannot be followed (a reader turns that into "none", a writer into an error).
 */

/** A file whose segments or chunks cannot be followed (one runs past the end, a marker is missing). */
export class ContainerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ContainerError';
  }
}

/** One marker segment of a JPEG's header: `[at, end)` is the whole segment from its 0xFF. */
export interface JpegSegment {
  /** The marker (0xe0 APP0 … 0xef APP15, 0xdb DQT, 0xc0 SOF0…). */
  marker: number;
  at: number;
  end: number;
}

/** What {@link jpegSegments} found. */
export interface JpegHeader {
  /** The segments after SOI, in order, up to the scan. */
  segments: JpegSegment[];
  /** Where the scan (SOS) begins, or EOI when there is no scan: everything from here is the image data. */
  scan: number;
}

/**
 * The header segments of a JPEG, after SOI up to its first scan (SOS) or EOI. Fill bytes (0xFF
 * runs before a marker) are skipped; markers without a length (TEM, RSTn) are segments of 2 bytes.
 */
export function jpegSegments(b: Uint8Array): JpegHeader {
  if (!(b.length >= 4 && b[0] === 0xff && b[1] === 0xd8)) throw new ContainerError('not a JPEG file');
  const segments: JpegSegment[] = [];
  for (let p = 2; ;) {
    if (p + 2 > b.length) throw new ContainerError('JPEG header ends before its image data');
    if (b[p] !== 0xff) throw new ContainerError(`JPEG header: no marker at byte ${p}`);
    const m = b[p + 1]!;
    if (m === 0xff) { p++; continue; }
    if (m === 0xda || m === 0xd9) return { segments, scan: p };
    if (m === 0x01 || (m >= 0xd0 && m <= 0xd7)) { segments.push({ marker: m, at: p, end: p + 2 }); p += 2; continue; }
    if (p + 4 > b.length) throw new ContainerError('JPEG header ends inside a segment');
    const end = p + 2 + ((b[p + 2]! << 8) | b[p + 3]!);
    if (end > b.length || end < p + 4) throw new ContainerError(`JPEG segment at byte ${p} runs past the end of the file`);
    segments.push({ marker: m, at: p, end });
    p = end;
  }
}

/**
 * How many colour components a JPEG's frame has (1 grey, 3 YCbCr/RGB, 4 CMYK/YCCK), from its SOF
 * segment; null when the header cannot be followed or has no frame before the scan.
 */
export function jpegComponentCount(b: Uint8Array): number | null {
  try {
    for (const seg of jpegSegments(b).segments) {
      const m = seg.marker;
      // SOF0–SOF15, less DHT (C4), JPG (C8) and DAC (CC): length, precision, height, width, components.
      if (m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc && seg.end >= seg.at + 10) return b[seg.at + 9]!;
    }
  } catch {
    return null;
  }
  return null;
}

/**
 * The body of an APPn segment after its identifier (`ICC_PROFILE\0`, `Exif\0\0`), or null when it
 * is not that marker or does not start with that identifier.
 */
export function appSegmentBody(b: Uint8Array, seg: JpegSegment, marker: number, id: string): Uint8Array | null {
  const s = seg.at + 4;
  if (seg.marker !== marker || seg.end - s < id.length) return null;
  for (let i = 0; i < id.length; i++) if (b[s + i] !== id.charCodeAt(i)) return null;
  return b.subarray(s + id.length, seg.end);
}

/** Largest body one JPEG segment holds (its length field counts itself: 65535 − 2). */
export const JPEG_SEGMENT_MAX = 65533;

/** A JPEG marker segment: 0xFF, `marker`, the length, then `parts` one after another. */
export function jpegSegment(marker: number, ...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const x of parts) n += x.length;
  if (n > JPEG_SEGMENT_MAX) throw new ContainerError(`a JPEG segment holds at most ${JPEG_SEGMENT_MAX} bytes (this one ${n})`);
  const seg = new Uint8Array(4 + n);
  seg[0] = 0xff; seg[1] = marker; seg[2] = (n + 2) >> 8; seg[3] = (n + 2) & 255;
  let o = 4;
  for (const x of parts) { seg.set(x, o); o += x.length; }
  return seg;
}

/** One chunk of a RIFF (WebP) file: its FourCC, the body `[body, body + size)`, and `end` after its padding byte. */
export interface RiffChunk {
  tag: string;
  at: number;
  body: number;
  size: number;
  end: number;
}

const fourCC = (b: Uint8Array, p: number): string => String.fromCharCode(b[p]!, b[p + 1]!, b[p + 2]!, b[p + 3]!);

/** The chunks of a WebP file (RIFF `WEBP`), in order. A missing padding byte after the last one is tolerated. */
export function webpChunks(b: Uint8Array): RiffChunk[] {
  if (!(b.length >= 12 && fourCC(b, 0) === 'RIFF' && fourCC(b, 8) === 'WEBP')) throw new ContainerError('not a WebP file');
  const chunks: RiffChunk[] = [];
  for (let p = 12; p < b.length;) {
    if (p + 8 > b.length) throw new ContainerError('WebP file ends inside a chunk header');
    const size = (b[p + 4]! | (b[p + 5]! << 8) | (b[p + 6]! << 16) | (b[p + 7]! << 24)) >>> 0;
    if (p + 8 + size > b.length) throw new ContainerError(`WebP chunk ${fourCC(b, p)} runs past the end of the file`);
    const end = Math.min(b.length, p + 8 + size + (size & 1));
    chunks.push({ tag: fourCC(b, p), at: p, body: p + 8, size, end });
    p = end;
  }
  return chunks;
}

/** A RIFF chunk: its FourCC, the little-endian size, the body and a padding byte when the size is odd. */
export function riffChunk(tag: string, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + body.length + (body.length & 1));
  for (let i = 0; i < 4; i++) out[i] = tag.charCodeAt(i);
  new DataView(out.buffer).setUint32(4, body.length, true);
  out.set(body, 8);
  return out;
}

/** A WebP file of these chunks (each as {@link riffChunk} made it, or copied whole). */
export function webpFile(chunks: Uint8Array[]): Uint8Array {
  const out = concatBytes([new Uint8Array(12), ...chunks]);
  out.set([0x52, 0x49, 0x46, 0x46], 0); // RIFF
  new DataView(out.buffer).setUint32(4, out.length - 8, true);
  out.set([0x57, 0x45, 0x42, 0x50], 8); // WEBP
  return out;
}

/** One chunk of a PNG: its type and the body `[body, body + size)` (its CRC follows). */
export interface PngChunk {
  type: string;
  at: number;
  body: number;
  size: number;
}

/**
 * The chunks of a PNG after its signature, up to and including IEND, or up to (without) the first
 * chunk of type `until` (`IDAT`: the header chunks only, a truncated image data not looked at).
 */
export function pngChunks(b: Uint8Array, until?: string): PngChunk[] {
  if (!(b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47)) throw new ContainerError('not a PNG file');
  const chunks: PngChunk[] = [];
  for (let p = 8; p < b.length;) {
    if (p + 8 > b.length) throw new ContainerError('PNG file ends inside a chunk header');
    const size = ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;
    const type = fourCC(b, p + 4);
    if (type === until) break;
    if (p + 12 + size > b.length) throw new ContainerError(`PNG chunk ${type} runs past the end of the file`);
    chunks.push({ type, at: p, body: p + 8, size });
    if (type === 'IEND') break;
    p += 12 + size;
  }
  return chunks;
}

/** The parts one after another in a new array. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const x of parts) n += x.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const x of parts) { out.set(x, o); o += x.length; }
  return out;
}
