/**
 * Default limits of the bridge (on by default, like `ws`'s maxPayload). The bridge reports the
 * limits in force in `welcome` and `/v1/health`; each has a coded error.
 */
import { ErrorCode, SmartDragError } from './errors';

/** Limits enforced by the bridge. */
export interface Limits {
  /** Largest binary chunk payload in bytes (UXP closes sockets whose send buffer fills). Default 4 MiB. */
  maxChunkBytes: number;
  /** Largest WebSocket message in bytes (a chunk plus its header; JSON too). Default 4 MiB + 4 KiB. → `frame_too_large` */
  maxFrameBytes: number;
  /**
   * Most pixels (width × height) of an image or mask. Default 64 MP: the 24–61 MP photos users open
   * go whole (a text-alone edit sends the document) — 40 MP refused a 45 MP camera's. → `image_too_large`
   */
  maxImagePixels: number;
  /** Longest image side in pixels. Default 16384. → `image_too_large` */
  maxImageSidePx: number;
  /** Most regions per job. Default 16. → `too_many_regions` */
  maxRegions: number;
  /** Most drags per job. Default 32. → `too_many_drags` */
  maxDrags: number;
  /** Most points in one drag path or one polygon. Default 4096. → `too_many_points` */
  maxPoints: number;
  /** Most unfinished jobs (queued + running) per connection. Default 8. → `queue_full` */
  maxQueuePerClient: number;
  /** Most unfinished jobs overall. Default 64. → `queue_full` */
  maxQueueTotal: number;
  /** Longest a job may run, in ms. Default 120 000. → `job_timeout` */
  maxJobMs: number;
  /** Longest intent text in characters. Default 2000. → `bad_message` */
  maxIntentChars: number;
  /**
   * Most bytes the bridge holds for unfinished jobs' inputs and kept results together (oldest
   * kept results are dropped first). Default 1 GiB. → `queue_full`
   */
  maxHeldBytes?: number;
  /**
   * Most images one connection may keep at the bridge for later jobs (job.submit `keepImage` /
   * `heldImage`), least recently used dropped first; their bytes count against `maxHeldBytes` and
   * are dropped before a job is refused. Default 4; 0 turns reuse off. Absent on the wire from
   * bridges that cannot reuse images (clients then always send the pixels).
   */
  maxHeldImages?: number;
}

/** The defaults, frozen. */
export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  maxChunkBytes: 4 * 1024 * 1024,
  maxFrameBytes: 4 * 1024 * 1024 + 4096,
  maxImagePixels: 64_000_000,
  maxImageSidePx: 16384,
  maxRegions: 16,
  maxDrags: 32,
  maxPoints: 4096,
  maxQueuePerClient: 8,
  maxQueueTotal: 64,
  maxJobMs: 120_000,
  maxIntentChars: 2000,
  maxHeldBytes: 1024 * 1024 * 1024,
  maxHeldImages: 4,
});

/**
 * The `image_too_large` error for an image (or mask) of `width` × `height` over the limits, or
 * null when it fits. Its hint says which limit: the side limit is fixed (no bridge option raises
 * it), the pixel limit is the bridge's `--max-megapixels`.
 */
export function imageSizeError(width: number, height: number, limits: Pick<Limits, 'maxImagePixels' | 'maxImageSidePx'>, what = 'image'): SmartDragError | null {
  const { maxImagePixels, maxImageSidePx } = limits;
  const side = width > maxImageSidePx || height > maxImageSidePx;
  if (!side && width * height <= maxImagePixels) return null;
  return new SmartDragError(ErrorCode.image_too_large,
    `${what} ${width}x${height} exceeds the limit of ${maxImagePixels} pixels / ${maxImageSidePx} px per side`,
    {
      detail: { width, height, maxImagePixels, maxImageSidePx },
      ...(side ? { hint: `Crop or downscale the image: a side may be at most ${maxImageSidePx} px (a fixed limit of the bridge).` } : {}),
    });
}
