/**
 * Images a WebSocket connection keeps at the bridge for its later jobs (job.submit `keepImage` /
 * `heldImage`): a drag in progress previews the same image again and again with only the arrow
 * changing, so after the first upload each preview names the image instead of sending it.
 *
 * - One {@link HeldImages} per connection: keys are per connection (another connection cannot
 *   name them), at most `limits.maxHeldImages` of them, least recently used dropped first; all
 *   go when the connection closes.
 * - The pixels live in a SharedArrayBuffer (a raw frame to keep is assembled there; a PNG is
 *   decoded and copied there once): jobs hand them to their edit worker without a copy (the core never writes
 *   its input image; tests compare reused jobs with full uploads).
 * - Their bytes are charged to the bridge's memory budget (memory-budget.ts) as held images: a
 *   job's input that does not fit drops kept results, then held images (oldest first), before it
 *   is refused; an image that does not fit at all is simply not kept (its job still runs).
 */
import { ErrorCode, SmartDragError, type Frame, type Limits } from '@smartdrag/shared';
import type { RgbaImage } from '../core/types';
import type { MemoryBudget } from './memory-budget';

/** A kept image: its pixels (straight-alpha RGBA8 over a SharedArrayBuffer) and where its frame placed it. */
export interface HeldImage {
  key: string;
  image: RgbaImage;
  /** The frame's left/top (document pixels) as sent. */
  left: number;
  top: number;
}

interface Entry {
  /** Budget id (`held:<connection>:<key>`). */
  id: string;
  /** Resolves with the image once decoded; rejects (image_unknown) when it could not be kept. */
  ready: Promise<HeldImage>;
}

/** Budget ids of held images start with this. */
export const HELD_PREFIX = 'held:';

/** The coded error of a key this connection does not hold. */
export function imageUnknown(key: string, why: string): SmartDragError {
  return new SmartDragError(ErrorCode.image_unknown, `the bridge does not hold image ${key} for this connection (${why})`, { detail: { key } });
}

/**
 * `data` in shared memory, handed to workers without a copy: a raw frame to keep is assembled
 * there already (session.ts); a decoded PNG is copied once.
 */
function shared(data: Uint8Array | Uint8ClampedArray): Uint8ClampedArray {
  if (data.buffer instanceof SharedArrayBuffer) return new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength);
  const out = new Uint8ClampedArray(new SharedArrayBuffer(data.byteLength));
  out.set(data);
  return out;
}

/** The images one connection keeps. */
export class HeldImages {
  /** Entries in least-recently-used order (Map keeps insertion order; a use moves a key last). */
  private readonly entries = new Map<string, Entry>();
  private seq = 0;

  constructor(
    private readonly connection: string,
    private readonly limits: Pick<Limits, 'maxHeldImages'>,
    private readonly budget: MemoryBudget | undefined,
  ) {}

  /** Most images kept at once (0: reuse off). */
  get capacity(): number { return Math.max(0, this.limits.maxHeldImages ?? 0); }

  /** Keys held now (oldest first). */
  keys(): string[] { return [...this.entries.keys()]; }

  has(key: string): boolean { return this.entries.has(key); }

  /** The coded error of a key this connection does not hold (image_unknown, saying why). */
  missing(key: string): SmartDragError {
    return imageUnknown(key, this.capacity === 0 ? 'this bridge keeps no images' : 'never kept on this connection, or dropped since');
  }

  /**
   * Keep the image of `frame` (slot 0 of a job with `keepImage`) under `key`; `decode` turns the
   * frame into RGBA pixels (a PNG frame decodes asynchronously). Replaces an older image with the
   * same key. `decodedBytes` says (from the frame's header) how many bytes decoding makes: they
   * are held before decoding. Returns the entry's image promise (rejects when it cannot be kept:
   * too large for the budget, or undecodable).
   */
  keep(key: string, frame: Frame, decode: (f: Frame) => Promise<RgbaImage>, decodedBytes?: (f: Frame) => Promise<number>): Promise<HeldImage> {
    this.drop(key);
    if (this.capacity === 0) return Promise.reject(this.missing(key));
    while (this.entries.size >= this.capacity) this.drop(this.entries.keys().next().value!);
    const id = `${HELD_PREFIX}${this.connection}:${key}:${++this.seq}`;
    const entry = { id } as Entry;
    entry.ready = (async (): Promise<HeldImage> => {
      // The decoded size (a PNG's header says it) is held before decoding: an image that cannot
      // fit is not decoded at all.
      if (this.budget && decodedBytes) {
        const bytes = Math.max(await decodedBytes(frame), frame.format === 'png' ? 0 : frame.data.byteLength);
        if (this.entries.get(key) !== entry) throw imageUnknown(key, 'dropped');
        if (!this.budget.hold(id, bytes)) throw imageUnknown(key, 'no room in the bridge memory budget');
      }
      let image: RgbaImage;
      try {
        image = await decode(frame);
      } catch (e) {
        this.budget?.release(id);
        throw e;
      }
      if (this.entries.get(key) !== entry) { this.budget?.release(id); throw imageUnknown(key, 'dropped'); }
      // Not kept when it does not fit the budget even after dropping kept results and older held images.
      if (this.budget && !this.budget.hold(id, image.data.byteLength)) throw imageUnknown(key, 'no room in the bridge memory budget');
      return { key, image: { width: image.width, height: image.height, data: shared(image.data) }, left: frame.left, top: frame.top };
    })();
    const ready = entry.ready;
    ready.catch(() => { if (this.entries.get(key) === entry) this.entries.delete(key); });
    this.entries.set(key, entry);
    return ready;
  }

  /** The image kept under `key` (marks it recently used); rejects with `image_unknown` when none is. */
  use(key: string): Promise<HeldImage> {
    const e = this.entries.get(key);
    if (!e) return Promise.reject(this.missing(key));
    this.entries.delete(key);
    this.entries.set(key, e);
    this.budget?.touch(e.id);
    return e.ready;
  }

  /** Forget `key` (the budget dropped it, or it was replaced). */
  drop(key: string): void {
    const e = this.entries.get(key);
    if (!e) return;
    this.entries.delete(key);
    this.budget?.release(e.id);
  }

  /** The budget evicted entry `id` under memory pressure. */
  evicted(id: string): void {
    for (const [key, e] of this.entries) if (e.id === id) { this.entries.delete(key); return; }
  }

  /** The connection closed: everything goes. */
  clear(): void {
    for (const key of [...this.entries.keys()]) this.drop(key);
  }
}

/** The connection id in a held image's budget id. */
export function heldConnection(id: string): string | null {
  if (!id.startsWith(HELD_PREFIX)) return null;
  const rest = id.slice(HELD_PREFIX.length);
  const i = rest.indexOf(':');
  return i < 0 ? null : rest.slice(0, i);
}

/** Throws the coded error when a rectangle does not lie inside a `w × h` image. */
export function checkImageRect(r: { left: number; top: number; width: number; height: number }, w: number, h: number): void {
  if (r.left + r.width > w || r.top + r.height > h) {
    throw new SmartDragError(ErrorCode.bad_message, `imageRect ${r.width}x${r.height} at (${r.left}, ${r.top}) does not lie inside the ${w}x${h} image`);
  }
}
