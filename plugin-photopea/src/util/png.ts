/**
 * A small exact PNG codec for the browser (and Node ≥ 18): 8-bit gray / RGB / RGBA / palette,
 * non-interlaced. Canvas round trips premultiply alpha and lose precision on soft edges, so
 * masks and result layers go through this codec instead. zlib comes from the platform's
 * `CompressionStream('deflate')` / `DecompressionStream('deflate')`.
 */

/** Straight-alpha RGBA8 pixels. */
export interface PngImage {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

const SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10] as const;

let crcTable: Uint32Array | null = null;
function crc32(bytes: Uint8Array, start: number, end: number): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = crcTable[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

async function pipeThrough(bytes: Uint8Array, stream: GenericTransformStream): Promise<Uint8Array> {
  const blob = new Blob([bytes as Uint8Array<ArrayBuffer>]);
  const out = blob.stream().pipeThrough(stream as unknown as ReadableWritablePair<Uint8Array, Uint8Array>);
  return new Uint8Array(await new Response(out as ReadableStream<Uint8Array>).arrayBuffer());
}

/** zlib-compress (RFC 1950) with the platform's CompressionStream. */
export function zlibDeflate(bytes: Uint8Array): Promise<Uint8Array> {
  return pipeThrough(bytes, new CompressionStream('deflate'));
}

/** zlib-decompress (RFC 1950) with the platform's DecompressionStream. */
export function zlibInflate(bytes: Uint8Array): Promise<Uint8Array> {
  return pipeThrough(bytes, new DecompressionStream('deflate'));
}

/** Error thrown for PNG data this codec cannot read. */
export class PngError extends Error {
  /** Always `bad_png`. */
  readonly code = 'bad_png';
  constructor(message: string) {
    super(message);
    this.name = 'PngError';
  }
}

/**
 * Encode straight-alpha RGBA8 pixels as a PNG (colour type 6, filter "Sub" on every row).
 * Exact: decoding gives back the same bytes.
 */
export async function encodePng(img: { width: number; height: number; data: ArrayLike<number> }): Promise<Uint8Array> {
  const { width, height, data } = img;
  if (!(width > 0 && height > 0) || data.length !== width * height * 4) {
    throw new RangeError(`encodePng: ${width}x${height} needs ${width * height * 4} bytes, got ${data.length}`);
  }
  const stride = width * 4;
  const raw = new Uint8Array((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    const o = y * (stride + 1), s = y * stride;
    raw[o] = 1; // Sub: each byte minus the byte one pixel to the left.
    for (let i = 0; i < 4; i++) raw[o + 1 + i] = data[s + i]!;
    for (let i = 4; i < stride; i++) raw[o + 1 + i] = (data[s + i]! - data[s + i - 4]!) & 0xff;
  }
  const idat = await zlibDeflate(raw);
  const out = new Uint8Array(8 + (12 + 13) + (12 + idat.length) + 12);
  const view = new DataView(out.buffer);
  out.set(SIGNATURE, 0);
  let p = 8;
  const chunk = (type: string, body: Uint8Array): void => {
    view.setUint32(p, body.length);
    for (let i = 0; i < 4; i++) out[p + 4 + i] = type.charCodeAt(i);
    out.set(body, p + 8);
    view.setUint32(p + 8 + body.length, crc32(out, p + 4, p + 8 + body.length));
    p += 12 + body.length;
  };
  const ihdr = new Uint8Array(13);
  const hv = new DataView(ihdr.buffer);
  hv.setUint32(0, width);
  hv.setUint32(4, height);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  chunk('IHDR', ihdr);
  chunk('IDAT', idat);
  chunk('IEND', new Uint8Array(0));
  return out;
}

const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/** Decode an 8-bit non-interlaced PNG to straight-alpha RGBA8. Throws {@link PngError}. */
export async function decodePng(bytes: Uint8Array): Promise<PngImage> {
  for (let i = 0; i < 8; i++) if (bytes[i] !== SIGNATURE[i]) throw new PngError('not a PNG file');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let p = 8;
  let width = 0, height = 0, colorType = -1;
  let palette: Uint8Array | null = null, trns: Uint8Array | null = null;
  const idats: Uint8Array[] = [];
  while (p + 8 <= bytes.length) {
    const len = view.getUint32(p);
    const type = String.fromCharCode(bytes[p + 4]!, bytes[p + 5]!, bytes[p + 6]!, bytes[p + 7]!);
    const body = bytes.subarray(p + 8, p + 8 + len);
    if (type === 'IHDR') {
      width = view.getUint32(p + 8);
      height = view.getUint32(p + 12);
      const depth = body[8]!;
      colorType = body[9]!;
      if (depth !== 8) throw new PngError(`bit depth ${depth} not supported`);
      if (body[12] !== 0) throw new PngError('interlaced PNG not supported');
      if (CHANNELS[colorType] === undefined) throw new PngError(`colour type ${colorType} not supported`);
    } else if (type === 'PLTE') palette = body;
    else if (type === 'tRNS') trns = body;
    else if (type === 'IDAT') idats.push(body);
    else if (type === 'IEND') break;
    p += 12 + len;
  }
  if (!width || !height || idats.length === 0) throw new PngError('PNG has no IHDR or IDAT');
  let total = 0;
  for (const d of idats) total += d.length;
  const z = new Uint8Array(total);
  let o = 0;
  for (const d of idats) {
    z.set(d, o);
    o += d.length;
  }
  const raw = await zlibInflate(z);
  const ch = CHANNELS[colorType]!;
  const stride = width * ch;
  if (raw.length < (stride + 1) * height) throw new PngError('PNG image data is truncated');
  const px = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const f = raw[y * (stride + 1)]!;
    const src = y * (stride + 1) + 1, dst = y * stride, up = dst - stride;
    for (let i = 0; i < stride; i++) {
      const a = i >= ch ? px[dst + i - ch]! : 0;
      const b = y > 0 ? px[up + i]! : 0;
      const c = y > 0 && i >= ch ? px[up + i - ch]! : 0;
      let pred: number;
      switch (f) {
        case 0: pred = 0; break;
        case 1: pred = a; break;
        case 2: pred = b; break;
        case 3: pred = (a + b) >> 1; break;
        case 4: {
          const pa = Math.abs(b - c), pb = Math.abs(a - c), pc = Math.abs(a + b - 2 * c);
          pred = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
          break;
        }
        default: throw new PngError(`bad filter type ${f} on row ${y}`);
      }
      px[dst + i] = (raw[src + i]! + pred) & 0xff;
    }
  }
  const out = new Uint8ClampedArray(width * height * 4);
  const n = width * height;
  if (colorType === 6) out.set(px);
  else if (colorType === 2) {
    for (let i = 0; i < n; i++) {
      out[i * 4] = px[i * 3]!; out[i * 4 + 1] = px[i * 3 + 1]!; out[i * 4 + 2] = px[i * 3 + 2]!; out[i * 4 + 3] = 255;
    }
  } else if (colorType === 0) {
    for (let i = 0; i < n; i++) {
      const g = px[i]!;
      out[i * 4] = g; out[i * 4 + 1] = g; out[i * 4 + 2] = g; out[i * 4 + 3] = 255;
    }
  } else if (colorType === 4) {
    for (let i = 0; i < n; i++) {
      const g = px[i * 2]!;
      out[i * 4] = g; out[i * 4 + 1] = g; out[i * 4 + 2] = g; out[i * 4 + 3] = px[i * 2 + 1]!;
    }
  } else {
    if (!palette) throw new PngError('palette PNG without PLTE');
    for (let i = 0; i < n; i++) {
      const k = px[i]!;
      out[i * 4] = palette[k * 3] ?? 0; out[i * 4 + 1] = palette[k * 3 + 1] ?? 0; out[i * 4 + 2] = palette[k * 3 + 2] ?? 0;
      out[i * 4 + 3] = trns && k < trns.length ? trns[k]! : 255;
    }
  }
  return { width, height, data: out };
}
