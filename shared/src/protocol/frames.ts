/**
 * Binary frame codec for pixels. Every image, mask or result layer travels as one or more
 * binary WebSocket messages ("chunks"), each at most `maxChunkBytes` of payload (4 MiB by
 * default: UXP closes sockets whose send buffer fills). Layout of one chunk, big-endian:
 *
 * | offset | size | field |
 * |---|---|---|
 * | 0 | 4 | magic `SDRG` |
 * | 4 | 1 | frame version (1) |
 * | 5 | 1 | part: 1 image, 2 mask, 3 layer |
 * | 6 | 1 | format: 1 rgba8, 2 gray8, 3 png |
 * | 7 | 1 | byte length L of the job id (1–64) |
 * | 8 | 2 | slot (0 = the image; masks 1–65535) |
 * | 10 | 2 | reserved, 0 |
 * | 12 | 4 | width px (0 allowed for png: unknown) |
 * | 16 | 4 | height px (0 allowed for png) |
 * | 20 | 4 | left, int32, document px |
 * | 24 | 4 | top, int32, document px |
 * | 28 | 4 | total payload bytes of the whole frame |
 * | 32 | 4 | byte offset of this chunk's payload within the frame |
 * | 36 | 2 | chunk seq (0-based) |
 * | 38 | 2 | chunk count |
 * | 40 | L | job id, ASCII |
 * | 40+L | … | payload bytes |
 *
 * Raw formats must satisfy `width * height * channels === totalBytes` (rgba8: 4, gray8: 1).
 * Runs in UXP, browsers and Node: no Node imports.
 */
import { ErrorCode, SmartDragError } from './errors';
import { DEFAULT_LIMITS, imageSizeError } from './limits';

/** Pixel formats of a frame. */
export const FrameFormat = { rgba8: 'rgba8', gray8: 'gray8', png: 'png' } as const;
export type FrameFormat = (typeof FrameFormat)[keyof typeof FrameFormat];

/** What a frame carries. */
export const FramePart = { image: 'image', mask: 'mask', layer: 'layer' } as const;
export type FramePart = (typeof FramePart)[keyof typeof FramePart];

/** Magic bytes `SDRG`. */
export const FRAME_MAGIC = 0x53445247;
/** Version of the frame layout. */
export const FRAME_VERSION = 1;
/** Size of the fixed part of the header, before the job id. */
export const FRAME_HEADER_FIXED_BYTES = 40;

const FORMAT_CODES: Record<FrameFormat, number> = { rgba8: 1, gray8: 2, png: 3 };
const FORMAT_BY_CODE: readonly (FrameFormat | undefined)[] = [undefined, 'rgba8', 'gray8', 'png'];
const PART_CODES: Record<FramePart, number> = { image: 1, mask: 2, layer: 3 };
const PART_BY_CODE: readonly (FramePart | undefined)[] = [undefined, 'image', 'mask', 'layer'];
const JOB_ID_RE = /^[A-Za-z0-9_-]{1,64}$/;

/** Description of a whole frame. */
export interface FrameMeta {
  jobId: string;
  part: FramePart;
  /** 0 for the image and the layer; the mask slot named in `job.submit` for masks. */
  slot: number;
  format: FrameFormat;
  /** Pixels; 0 allowed for png (then the receiver reads the size from the PNG). */
  width: number;
  height: number;
  /** Document position of the frame's top-left pixel. */
  left: number;
  top: number;
}

/** One decoded chunk. `payload` is a view into the received buffer (no copy). */
export interface FrameChunk extends FrameMeta {
  totalBytes: number;
  offset: number;
  seq: number;
  count: number;
  payload: Uint8Array;
}

/** A reassembled frame. */
export interface Frame extends FrameMeta {
  data: Uint8Array;
}

/** Bytes per pixel of a raw format (0 for png). */
export function channelsOf(format: FrameFormat): number {
  return format === 'rgba8' ? 4 : format === 'gray8' ? 1 : 0;
}

function bad(message: string): SmartDragError {
  return new SmartDragError(ErrorCode.bad_message, `bad frame: ${message}`);
}

/**
 * A frame's payload read piece by piece (e.g. a rectangle of a larger image, row by row):
 * `read` copies payload bytes `[offset, offset + length)` into `into` from index `at`.
 */
export interface FramePayloadSource {
  readonly byteLength: number;
  read(offset: number, length: number, into: Uint8Array, at: number): void;
}

/**
 * Split a frame into chunk messages of at most `maxChunkBytes` payload each. The returned
 * buffers are ready for `WebSocket.send`. Throws RangeError on invalid metadata (a programmer
 * error) — including raw sizes that do not match `width*height*channels`. All chunks at once (a
 * copy of the whole payload); {@link FrameEncoder} makes them one at a time, the same bytes.
 */
export function encodeFrame(meta: FrameMeta, payload: Uint8Array, maxChunkBytes: number = DEFAULT_LIMITS.maxChunkBytes): Uint8Array[] {
  const enc = new FrameEncoder(meta, payload, maxChunkBytes);
  const out: Uint8Array[] = [];
  for (let seq = 0; seq < enc.count; seq++) out.push(enc.chunk(seq));
  return out;
}

/**
 * The chunks of one frame, each made when asked for ({@link encodeFrame}'s bytes): a sender that
 * makes each as the socket takes it holds one chunk, not a copy of the whole payload. Checks the
 * metadata when made (RangeError, as `encodeFrame`); reads the payload only in {@link chunk}, so
 * the payload must not change until every chunk is made.
 */
export class FrameEncoder {
  /** Number of chunks. */
  readonly count: number;
  /** Bytes of all chunk messages together (headers included). */
  readonly totalBytes: number;
  private readonly header: Uint8Array;
  private readonly payloadBytes: number;

  constructor(readonly meta: FrameMeta, private readonly payload: Uint8Array | FramePayloadSource, private readonly maxChunkBytes: number = DEFAULT_LIMITS.maxChunkBytes) {
    if (!JOB_ID_RE.test(meta.jobId)) throw new RangeError(`bad job id ${meta.jobId}`);
    if (!Number.isInteger(meta.slot) || meta.slot < 0 || meta.slot > 0xffff) throw new RangeError(`bad slot ${meta.slot}`);
    const bytes = payload.byteLength;
    const ch = channelsOf(meta.format);
    if (ch > 0 && meta.width * meta.height * ch !== bytes) {
      throw new RangeError(`${meta.format} ${meta.width}x${meta.height} needs ${meta.width * meta.height * ch} bytes, got ${bytes}`);
    }
    if (bytes === 0) throw new RangeError('empty frame');
    if (!(maxChunkBytes >= 1)) throw new RangeError('maxChunkBytes must be ≥ 1');
    const count = Math.ceil(bytes / maxChunkBytes);
    if (count > 0xffff) throw new RangeError('frame needs more than 65535 chunks');
    const idBytes = meta.jobId.length; // ASCII by the regex
    // The header less its per-chunk fields (offset, seq), copied into every chunk.
    const header = new Uint8Array(FRAME_HEADER_FIXED_BYTES + idBytes);
    const dv = new DataView(header.buffer);
    dv.setUint32(0, FRAME_MAGIC);
    dv.setUint8(4, FRAME_VERSION);
    dv.setUint8(5, PART_CODES[meta.part]);
    dv.setUint8(6, FORMAT_CODES[meta.format]);
    dv.setUint8(7, idBytes);
    dv.setUint16(8, meta.slot);
    dv.setUint32(12, meta.width);
    dv.setUint32(16, meta.height);
    dv.setInt32(20, meta.left);
    dv.setInt32(24, meta.top);
    dv.setUint32(28, bytes);
    dv.setUint16(38, count);
    for (let i = 0; i < idBytes; i++) header[FRAME_HEADER_FIXED_BYTES + i] = meta.jobId.charCodeAt(i);
    this.header = header;
    this.payloadBytes = bytes;
    this.count = count;
    this.totalBytes = bytes + count * header.byteLength;
  }

  /** Bytes of chunk `seq`'s message (header included), without making it. */
  chunkBytes(seq: number): number {
    return this.header.byteLength + Math.min(this.maxChunkBytes, this.payloadBytes - seq * this.maxChunkBytes);
  }

  /** Chunk `seq` (0 … count − 1): a new buffer, ready for `WebSocket.send`. */
  chunk(seq: number): Uint8Array {
    if (!Number.isInteger(seq) || seq < 0 || seq >= this.count) throw new RangeError(`no chunk ${seq} of ${this.count}`);
    const offset = seq * this.maxChunkBytes;
    const len = Math.min(this.maxChunkBytes, this.payloadBytes - offset);
    const h = this.header.byteLength;
    const buf = new Uint8Array(h + len);
    buf.set(this.header);
    const dv = new DataView(buf.buffer);
    dv.setUint32(32, offset);
    dv.setUint16(36, seq);
    const p = this.payload;
    if (p instanceof Uint8Array) buf.set(p.subarray(offset, offset + len), h);
    else p.read(offset, len, buf, h);
    return buf;
  }
}

/**
 * Decode one chunk's header (structural checks only; sizes against limits are checked by
 * {@link FrameAssembler}). Throws `SmartDragError(bad_message)` on anything malformed.
 */
export function decodeFrameChunk(buf: Uint8Array): FrameChunk {
  if (buf.byteLength < FRAME_HEADER_FIXED_BYTES + 1) throw bad(`${buf.byteLength} bytes is shorter than a header`);
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (dv.getUint32(0) !== FRAME_MAGIC) throw bad('wrong magic');
  if (dv.getUint8(4) !== FRAME_VERSION) throw bad(`unknown frame version ${dv.getUint8(4)}`);
  const part = PART_BY_CODE[dv.getUint8(5)];
  if (!part) throw bad(`unknown part ${dv.getUint8(5)}`);
  const format = FORMAT_BY_CODE[dv.getUint8(6)];
  if (!format) throw bad(`unknown format ${dv.getUint8(6)}`);
  const idLen = dv.getUint8(7);
  if (idLen < 1 || idLen > 64) throw bad(`job id length ${idLen}`);
  if (dv.getUint16(10) !== 0) throw bad('reserved bytes are not 0');
  const headerLen = FRAME_HEADER_FIXED_BYTES + idLen;
  if (buf.byteLength <= headerLen) throw bad('no payload');
  let jobId = '';
  for (let i = 0; i < idLen; i++) jobId += String.fromCharCode(buf[FRAME_HEADER_FIXED_BYTES + i]!);
  if (!JOB_ID_RE.test(jobId)) throw bad('job id has characters outside [A-Za-z0-9_-]');
  const chunk: FrameChunk = {
    jobId,
    part,
    format,
    slot: dv.getUint16(8),
    width: dv.getUint32(12),
    height: dv.getUint32(16),
    left: dv.getInt32(20),
    top: dv.getInt32(24),
    totalBytes: dv.getUint32(28),
    offset: dv.getUint32(32),
    seq: dv.getUint16(36),
    count: dv.getUint16(38),
    payload: buf.subarray(headerLen),
  };
  if (chunk.count < 1 || chunk.seq >= chunk.count) throw bad(`chunk ${chunk.seq} of ${chunk.count}`);
  if (chunk.offset + chunk.payload.byteLength > chunk.totalBytes) throw bad('chunk runs past the frame end');
  const ch = channelsOf(format);
  if (ch > 0) {
    if (chunk.width < 1 || chunk.height < 1) throw bad(`raw ${format} frame of ${chunk.width}x${chunk.height}`);
    if (chunk.width * chunk.height * ch !== chunk.totalBytes) {
      throw bad(`${format} ${chunk.width}x${chunk.height} needs ${chunk.width * chunk.height * ch} bytes, header says ${chunk.totalBytes}`);
    }
  }
  return chunk;
}

/** Size limits the assembler enforces. */
export interface FrameLimits {
  maxImagePixels: number;
  maxImageSidePx: number;
  /** Largest PNG payload accepted; default 4 bytes per allowed pixel. */
  maxPngBytes?: number;
}

interface Pending {
  first: FrameChunk;
  data: Uint8Array;
  seen: Uint8Array;
  /** Byte offset and length of each received chunk, by seq (checked against its neighbours). */
  starts: Uint32Array;
  lengths: Uint32Array;
  received: number;
  bytes: number;
}

/**
 * The job id a chunk names, read without the other header checks (null when its id bytes are not
 * a job id): a malformed chunk of a known job fails that job at once instead of leaving it to wait.
 */
export function peekFrameJobId(buf: Uint8Array): string | null {
  if (buf.byteLength < FRAME_HEADER_FIXED_BYTES + 1) return null;
  const idLen = buf[7]!;
  if (idLen < 1 || idLen > 64 || buf.byteLength < FRAME_HEADER_FIXED_BYTES + idLen) return null;
  let jobId = '';
  for (let i = 0; i < idLen; i++) jobId += String.fromCharCode(buf[FRAME_HEADER_FIXED_BYTES + i]!);
  return JOB_ID_RE.test(jobId) ? jobId : null;
}

/**
 * Reassembles chunks into frames. Checks every chunk against the first chunk of its frame and
 * the size limits before allocating. Chunks may arrive in any order, but their payloads must tile
 * the frame in seq order — chunk 0 at offset 0, each next one where the one before it ends, the
 * last one ending at the frame's end — so no byte is written twice or left unwritten (checked
 * against each chunk's neighbours as it arrives). Throws `SmartDragError` (`bad_message` or
 * `image_too_large`); the caller decides whether to drop the job.
 */
export class FrameAssembler {
  private readonly pending = new Map<string, Pending>();
  /**
   * `allocate` makes each frame's buffer (default a plain `Uint8Array`; the bridge puts raw
   * images in shared memory so its workers and held images use them without a copy).
   */
  constructor(private readonly limits: FrameLimits = DEFAULT_LIMITS, private readonly allocate?: (bytes: number, first: FrameChunk) => Uint8Array) {}

  /** Bytes held by incomplete frames. */
  get pendingBytes(): number {
    let n = 0;
    for (const p of this.pending.values()) n += p.data.byteLength;
    return n;
  }

  /** Add one chunk; returns the whole frame when its last chunk arrives, else null. */
  push(chunk: FrameChunk): Frame | null {
    const key = `${chunk.jobId}/${chunk.part}/${chunk.slot}`;
    let p = this.pending.get(key);
    if (!p) {
      this.checkSize(chunk);
      p = {
        first: chunk, data: this.allocate ? this.allocate(chunk.totalBytes, chunk) : new Uint8Array(chunk.totalBytes), seen: new Uint8Array(chunk.count),
        starts: new Uint32Array(chunk.count), lengths: new Uint32Array(chunk.count), received: 0, bytes: 0,
      };
      this.pending.set(key, p);
    } else {
      const f = p.first;
      if (f.format !== chunk.format || f.width !== chunk.width || f.height !== chunk.height || f.left !== chunk.left ||
        f.top !== chunk.top || f.totalBytes !== chunk.totalBytes || f.count !== chunk.count) {
        this.pending.delete(key);
        throw bad(`chunk ${chunk.seq} disagrees with chunk ${f.seq} of the same frame`);
      }
    }
    if (p.seen[chunk.seq]) {
      this.pending.delete(key);
      throw bad(`chunk ${chunk.seq} received twice`);
    }
    const placement = this.misplaced(p, chunk);
    if (placement) {
      this.pending.delete(key);
      throw bad(`${placement} (chunks must follow each other in seq order, without gap or overlap)`);
    }
    p.seen[chunk.seq] = 1;
    p.starts[chunk.seq] = chunk.offset;
    p.lengths[chunk.seq] = chunk.payload.byteLength;
    p.received++;
    p.bytes += chunk.payload.byteLength;
    p.data.set(chunk.payload, chunk.offset);
    if (p.received < chunk.count) {
      if (p.bytes >= chunk.totalBytes) {
        this.pending.delete(key);
        throw bad('chunks overlap');
      }
      return null;
    }
    this.pending.delete(key);
    if (p.bytes !== chunk.totalBytes) throw bad(`frame has ${p.bytes} of ${chunk.totalBytes} bytes`);
    const f = p.first;
    return { jobId: f.jobId, part: f.part, slot: f.slot, format: f.format, width: f.width, height: f.height, left: f.left, top: f.top, data: p.data };
  }

  /** Why `c` does not fit where its seq says (against the frame's ends and its received neighbours), or null. */
  private misplaced(p: Pending, c: FrameChunk): string | null {
    const end = c.offset + c.payload.byteLength;
    const prev = c.seq - 1, next = c.seq + 1;
    if (prev >= 0 && p.seen[prev] && p.starts[prev]! + p.lengths[prev]! !== c.offset) {
      return `chunk ${c.seq} starts at byte ${c.offset}, but chunk ${prev} ends at byte ${p.starts[prev]! + p.lengths[prev]!}`;
    }
    if (next < c.count && p.seen[next] && p.starts[next] !== end) {
      return `chunk ${c.seq} ends at byte ${end}, but chunk ${next} starts at byte ${p.starts[next]}`;
    }
    if (c.seq === 0 && c.offset !== 0) return `chunk 0 starts at byte ${c.offset}, not 0`;
    if (c.seq === c.count - 1 && end !== c.totalBytes) return `the last chunk (${c.seq}) ends at byte ${end}, not at the frame's end ${c.totalBytes}`;
    return null;
  }

  /** Forget incomplete frames of a job (cancel, timeout, disconnect). */
  drop(jobId: string): void {
    for (const k of [...this.pending.keys()]) if (k.startsWith(jobId + '/')) this.pending.delete(k);
  }

  private checkSize(c: FrameChunk): void {
    const { maxImagePixels } = this.limits;
    const tooLarge = imageSizeError(c.width, c.height, this.limits, c.part);
    if (tooLarge) throw tooLarge;
    const maxPng = this.limits.maxPngBytes ?? maxImagePixels * 4;
    if (c.format === 'png' && c.totalBytes > maxPng) {
      throw new SmartDragError(ErrorCode.image_too_large, `png ${c.part} of ${c.totalBytes} bytes exceeds ${maxPng}`);
    }
  }
}
