/**
 * Turns a validated `job.submit` plus its reassembled frames into a worker job: checks the
 * limits, decodes PNGs (with a pixel check before decoding), and converts every document
 * coordinate into image-local pixels (the image is a crop of the document at `imageOrigin`).
 */
import sharp from 'sharp';
import { boundsOfPoints, EMPTY_SELECTION_HINT, ErrorCode, imageSizeError, intersectRect, sentProxyInfo, SmartDragError, toProxyPoint, type Frame, type JobSubmit, type Limits, type ProxyInfo, type Rect } from '@smartdrag/shared';
import { cropImage } from '../core/image';
import type { Operation, PlacedMask, Point, RgbaImage } from '../core/types';
import { mapOperationParams } from '../core/proxy';
import type { WorkerJob } from './worker-protocol';
import { checkImageRect } from './held-images';

/** Check counts and sizes of a submit against the limits; throws a coded SmartDragError. */
export function checkSubmitLimits(s: JobSubmit, limits: Limits): void {
  if (s.regions.length > limits.maxRegions) {
    throw new SmartDragError(ErrorCode.too_many_regions, `${s.regions.length} regions; the limit is ${limits.maxRegions}`);
  }
  if (s.drags.length > limits.maxDrags) {
    throw new SmartDragError(ErrorCode.too_many_drags, `${s.drags.length} drags; the limit is ${limits.maxDrags}`);
  }
  const pts = (n: number, what: string) => {
    if (n > limits.maxPoints) throw new SmartDragError(ErrorCode.too_many_points, `${what} has ${n} points; the limit is ${limits.maxPoints}`);
  };
  s.regions.forEach((r) => r.polygon && pts(r.polygon.length, `region ${r.id}`));
  s.drags.forEach((d, i) => pts(d.points.length, `drag ${i}`));
  s.keep?.forEach((k, i) => k.polygon && pts(k.polygon.length, `keep area ${i}`));
  if (s.intent !== undefined && s.intent.length > limits.maxIntentChars) {
    throw new SmartDragError(ErrorCode.bad_message, `intent has ${s.intent.length} characters; the limit is ${limits.maxIntentChars}`);
  }
}

/** Mask slots a submit expects (image slot 0 is implied). */
export function expectedMaskSlots(s: JobSubmit): Set<number> {
  const slots = new Set<number>();
  for (const r of s.regions) if (r.maskSlot !== undefined) slots.add(r.maskSlot);
  for (const k of s.keep ?? []) if (k.maskSlot !== undefined) slots.add(k.maskSlot);
  return slots;
}

/**
 * The size a PNG frame's header declares, without decoding its pixels. sharp's own pixel limit is
 * off here: the bridge's limits are checked on the size read (a header over them is
 * `image_too_large`, not an unreadable PNG).
 */
async function pngSize(data: Uint8Array): Promise<{ width: number; height: number }> {
  try {
    const m = await sharp(data, { limitInputPixels: false }).metadata();
    return { width: m.width ?? 0, height: m.height ?? 0 };
  } catch (e) {
    throw new SmartDragError(ErrorCode.bad_message, `png frame cannot be read: ${(e as Error).message}`);
  }
}

/** Pixels of a PNG frame as its header declares them, checked against the limits (image_too_large). */
async function checkedPngSize(f: Frame, limits: Limits, what: string): Promise<{ width: number; height: number }> {
  const size = await pngSize(f.data);
  checkPixels(size.width, size.height, limits, what);
  return size;
}

/**
 * Bytes decoding the image frame `f` (slot 0) makes: a PNG's decoded RGBA as its header declares
 * it (a small file can decode to hundreds of MB), a raw frame nothing (its pixels are the frame's).
 * Throws `image_too_large` for a header over the limits, `bad_message` for an unreadable one.
 */
export async function decodedImageBytes(f: Frame, limits: Limits): Promise<number> {
  if (f.format !== 'png') return 0;
  const { width, height } = await checkedPngSize(f, limits, 'image');
  return width * height * 4;
}

/**
 * Bytes preparing a job makes beyond its frames, at their peak — decoded PNGs (as their headers
 * declare them: reserved before decoding, so a decompression bomb is refused before it decodes)
 * and a cut-out `imageRect` — to reserve in the memory budget first. A decoded PNG counts twice:
 * sharp's buffer and the copy dispatch moves it into (dispatch.ts `ownDecoded`) are both alive
 * until the first is collected; an image cut by `imageRect` is not copied, its rectangle is.
 * Reads only headers.
 */
export async function decodedInputBytes(s: JobSubmit, frames: Map<number, Frame>, limits: Limits, source?: SourceImage): Promise<number> {
  let n = 0;
  const image = frames.get(0);
  if (!source && image) n += (s.imageRect ? 1 : 2) * await decodedImageBytes(image, limits);
  if (s.imageRect) n += s.imageRect.width * s.imageRect.height * 4;
  for (const [slot, f] of frames) {
    if (slot === 0 || f.format !== 'png') continue;
    const { width, height } = await checkedPngSize(f, limits, `mask ${slot}`);
    n += 2 * width * height;
  }
  return n;
}

/** Run a sharp decode; a PNG whose header reads but whose data does not is the client's error. */
async function decoded<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    throw new SmartDragError(ErrorCode.bad_message, `${what} png cannot be decoded: ${(e as Error).message}`);
  }
}

function checkPixels(w: number, h: number, limits: Limits, what: string): void {
  const tooLarge = imageSizeError(w, h, limits, what);
  if (tooLarge) throw tooLarge;
}

/**
 * The pixels of an image frame (slot 0): rgba8 as a view of the frame, png decoded (pixel check
 * first). An encoded frame's EXIF orientation is applied, as `smartdrag edit` reads a file: a phone
 * JPEG posted to the HTTP door (whose `image.png` takes any file sharp reads) stands as every viewer
 * shows it, so the request's coordinates land where its author saw them (the panels' PNGs carry no
 * orientation: unchanged).
 */
export async function decodeImageFrame(f: Frame, limits: Limits): Promise<RgbaImage> {
  if (f.format === 'rgba8') return { width: f.width, height: f.height, data: new Uint8ClampedArray(f.data.buffer, f.data.byteOffset, f.data.byteLength) };
  if (f.format === 'png') {
    await checkedPngSize(f, limits, 'image');
    const { data, info } = await decoded('image', () => sharp(f.data).autoOrient().ensureAlpha().raw().toBuffer({ resolveWithObject: true }));
    if (info.channels !== 4) throw new SmartDragError(ErrorCode.bad_message, 'png image did not decode to RGBA');
    return { width: info.width, height: info.height, data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength) };
  }
  throw new SmartDragError(ErrorCode.bad_message, `the image must be rgba8 or png, not ${f.format}`);
}

async function decodeMaskFrame(f: Frame, limits: Limits, ox: number, oy: number): Promise<PlacedMask> {
  if (f.format === 'gray8') return { left: f.left - ox, top: f.top - oy, width: f.width, height: f.height, data: f.data };
  if (f.format === 'png') {
    await checkedPngSize(f, limits, `mask ${f.slot}`);
    const { data, info } = await decoded(`mask ${f.slot}`, () => sharp(f.data).extractChannel(0).raw().toBuffer({ resolveWithObject: true }));
    return { left: f.left - ox, top: f.top - oy, width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
  }
  throw new SmartDragError(ErrorCode.bad_message, `mask ${f.slot} must be gray8 or png, not ${f.format}`);
}

/** The job's image when it is not read from its own slot-0 frame: a held image (held-images.ts). */
export interface SourceImage {
  image: RgbaImage;
  /** Document position of the source image as its frame placed it. */
  left: number;
  top: number;
}

/** A worker job and the document position of its image. */
export interface BuiltJob {
  job: WorkerJob;
  origin: [number, number];
}

/**
 * Build the worker job. `frames` maps slot → frame (slot 0 = image, unless `source` gives the
 * image: a held image named by `heldImage`, or the one `keepImage` kept). `imageRect` cuts the
 * job's image out of it. Throws a coded SmartDragError for anything the client got wrong.
 */
export async function buildWorkerJob(s: JobSubmit, frames: Map<number, Frame>, limits: Limits, source?: SourceImage): Promise<BuiltJob> {
  const imageFrame = frames.get(0);
  if (!source && !imageFrame) throw new SmartDragError(ErrorCode.bad_message, 'no image frame (slot 0)');
  const src: SourceImage = source ?? { image: await decodeImageFrame(imageFrame!, limits), left: imageFrame!.left, top: imageFrame!.top };
  let image = src.image;
  const rect = s.imageRect;
  if (rect) {
    checkImageRect(rect, image.width, image.height);
    if (rect.left !== 0 || rect.top !== 0 || rect.width !== image.width || rect.height !== image.height) image = cropImage(image, rect); // its own buffer: the worker may take it
  }
  const [ox, oy] = s.imageOrigin ?? [src.left + (rect?.left ?? 0), src.top + (rect?.top ?? 0)];
  const imageRect: Rect = { left: 0, top: 0, width: image.width, height: image.height };
  // A host-made proxy (proxyOf): positions are mapped from the document area into the sent
  // image's pixels; mask frames are in those pixels already (placed relative to the image).
  let sent: ProxyInfo | undefined;
  if (s.proxyOf) {
    if (s.quality !== 'preview') throw new SmartDragError(ErrorCode.bad_message, 'proxyOf is for previews only');
    const info = sentProxyInfo(image.width, image.height, s.proxyOf.width, s.proxyOf.height);
    if (typeof info === 'string') throw new SmartDragError(ErrorCode.proxy_mismatch, info, { detail: { image: [image.width, image.height], proxyOf: [s.proxyOf.width, s.proxyOf.height] } });
    sent = info;
  }
  // Every coordinate must lie within the image grown by its own size on each side: a polygon or
  // arrow millions of pixels away would make the worker allocate (and scan) a mask of that size.
  const reach = { left: -image.width, top: -image.height, right: 2 * image.width, bottom: 2 * image.height };
  const local = (p: readonly [number, number], what = 'a point'): Point => {
    let x = p[0] - ox, y = p[1] - oy;
    if (sent) [x, y] = toProxyPoint([x, y], sent);
    if (!(x >= reach.left && x <= reach.right && y >= reach.top && y <= reach.bottom)) {
      throw new SmartDragError(ErrorCode.bad_message, `${what} (${p[0]}, ${p[1]}) lies too far outside the sent image (more than its own size)`);
    }
    return [x, y];
  };
  const maskOf = async (slot: number): Promise<PlacedMask> => {
    const f = frames.get(slot);
    if (!f) throw new SmartDragError(ErrorCode.bad_message, `mask slot ${slot} has no frame`);
    if (!sent) return decodeMaskFrame(f, limits, ox, oy);
    const m = await decodeMaskFrame(f, limits, 0, 0);
    // A proxy job's masks are in the sent image's pixels: one reaching further than the image's
    // own size outside it is a document-scale (or document-placed) mask sent by mistake.
    if (m.left < -image.width || m.top < -image.height || m.left + m.width > 2 * image.width || m.top + m.height > 2 * image.height) {
      throw new SmartDragError(ErrorCode.proxy_mismatch, `mask ${slot} (${m.width}x${m.height} at ${m.left}, ${m.top}) does not fit the sent image ${image.width}x${image.height} (proxyOf: masks are in the sent image's pixels, placed relative to it)`);
    }
    return m;
  };
  const regions: WorkerJob['regions'] = [];
  for (const r of s.regions) {
    if (r.polygon) {
      const poly = r.polygon.map((p) => local(p, `region ${r.id}`));
      const b = boundsOfPoints(poly);
      if (intersectRect(b, imageRect).width === 0 || intersectRect(b, imageRect).height === 0) {
        throw new SmartDragError(ErrorCode.bad_message, `region ${r.id} lies outside the sent image`, { hint: EMPTY_SELECTION_HINT });
      }
      regions.push({ id: r.id, polygon: poly });
    } else {
      const m = await maskOf(r.maskSlot!);
      const ix = intersectRect(m, imageRect);
      if (ix.width === 0 || ix.height === 0) throw new SmartDragError(ErrorCode.bad_message, `region ${r.id} lies outside the sent image`, { hint: EMPTY_SELECTION_HINT });
      regions.push({ id: r.id, mask: m });
    }
  }
  // The document (EditRequest `document`) in the job image's pixels: as the client states it, else
  // the held or sent image the rectangle was cut from (a panel that keeps the whole document).
  const docSize = s.documentSize ?? (rect ? { width: src.image.width, height: src.image.height } : undefined);
  const docAt: [number, number] = s.documentSize ? [0, 0] : [src.left, src.top];
  let document: WorkerJob['document'];
  if (docSize && (docSize.width !== image.width || docSize.height !== image.height || docAt[0] !== ox || docAt[1] !== oy)) {
    // Edges, not pixel centres: a host proxy's pixels are the document's scaled by its factor.
    const sx = sent?.scaleX ?? 1, sy = sent?.scaleY ?? 1;
    const l = Math.round((docAt[0] - ox) * sx), t = Math.round((docAt[1] - oy) * sy);
    document = { left: l, top: t, width: Math.max(1, Math.round((docAt[0] + docSize.width - ox) * sx) - l), height: Math.max(1, Math.round((docAt[1] + docSize.height - oy) * sy) - t) };
  }
  const keep: WorkerJob['keep'] = [];
  for (const k of s.keep ?? []) keep.push(k.polygon ? { polygon: k.polygon.map((p) => local(p, 'a keep area')) } : { mask: await maskOf(k.maskSlot!) });
  // A reading chosen by the user (core/plan/pinned-reading.ts): its positions like every other,
  // its moves in the sent image's pixels when that is a host-made proxy.
  const reading: WorkerJob['reading'] = s.reading?.map((o, i): Operation => ({
    ...o,
    params: mapOperationParams(o.params, (q) => local(q, `the reading's operation ${i + 1}`), sent ? (dx, dy) => [dx * sent!.scaleX, dy * sent!.scaleY] : undefined),
  }));
  const job: WorkerJob = {
    jobId: s.jobId,
    image,
    regions,
    drags: s.drags.map((d, i) => ({
      region: d.region, points: d.points.map((p) => local(p, `drag ${i}`)),
      ...(d.kind ? { kind: d.kind } : {}), ...(d.center ? { center: local(d.center, `drag ${i} centre`) } : {}),
    })),
    keep,
    ...(s.intent !== undefined ? { intent: s.intent } : {}),
    quality: s.quality,
    // One default everywhere (core/edit.ts, core/case.ts): the same input gives the same pixels in-process and here.
    seed: s.seed ?? 1,
    ...(sent ? { sentProxy: sent } : s.previewMaxPixels !== undefined && s.quality === 'preview' ? { proxyMaxPixels: s.previewMaxPixels } : {}),
    ...(document ? { document } : {}),
    ...(reading ? { reading } : {}),
  };
  return { job, origin: [ox, oy] };
}
