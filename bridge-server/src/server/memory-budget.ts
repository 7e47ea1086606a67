/**
 * The bridge's memory budget: the bytes it holds for unfinished jobs (uploads being assembled,
 * decoded inputs waiting in the queue or running) and for finished results kept for pickup
 * after a reconnect, bounded by `limits.maxHeldBytes`.
 *
 * - Inputs are charged as their frames start arriving (the frame header says its size) and
 *   re-charged with their decoded size; a charge that does not fit is refused, and the caller
 *   fails that job with `queue_full` (a hint says why) — the bridge keeps serving, no OOM.
 * - Before refusing, kept results are dropped oldest first (they only serve a resume; a resume of
 *   a dropped one answers `job_not_found`, as after `resultTtlMs`) — but only when that makes
 *   room: a charge that cannot fit even so is refused without dropping anything.
 * - Kept results are always accepted (the work is done), then the oldest beyond the budget go.
 * - Held images (held-images.ts: a connection's images kept for reuse by its later jobs) are
 *   charged when kept; an input that does not fit drops kept results first, then held images
 *   (least recently used first; their connections re-send the pixels when they name them), before
 *   it is refused. A held image that does not fit even so is not kept ({@link hold} says false).
 */
import { ErrorCode, SmartDragError } from '@smartdrag/shared';

export class MemoryBudget {
  private readonly inputs = new Map<string, number>();
  /** Kept results in the order they finished (Map keeps insertion order). */
  private readonly results = new Map<string, number>();
  /** Held images by budget id, least recently used first. */
  private readonly held = new Map<string, number>();
  private total = 0;
  /** Called with the budget id of a held image the budget dropped under pressure. */
  onHeldEvicted: (id: string) => void = () => undefined;
  /**
   * Called with the bytes the budget stopped counting: a finished job's input, a kept result
   * forgotten or dropped, a held image released (idle-collector.ts collects them on an idle bridge).
   */
  onReleased: (bytes: number) => void = () => undefined;

  /** `evict(jobId)` forgets a kept result the budget drops. */
  constructor(readonly maxBytes: number, private readonly evict: (jobId: string) => void) {}

  /** Bytes held now (inputs + kept results). */
  get heldBytes(): number { return this.total; }
  get inputBytes(): number { let s = 0; for (const v of this.inputs.values()) s += v; return s; }
  /** Bytes of held images now. */
  get heldImageBytes(): number { let s = 0; for (const v of this.held.values()) s += v; return s; }
  /** Number of held images now. */
  get heldImageCount(): number { return this.held.size; }

  /**
   * Charge `bytes` more to job `id`'s input; throws `queue_full` when it cannot fit even after
   * dropping every kept result (nothing is charged then).
   */
  charge(id: string, bytes: number): void {
    this.setInput(id, (this.inputs.get(id) ?? 0) + bytes);
  }

  /** Set job `id`'s input charge to `bytes` (e.g. its decoded size); throws `queue_full` like {@link charge}. */
  setInput(id: string, bytes: number): void {
    const prev = this.inputs.get(id) ?? 0;
    if (!this.makeRoom(bytes - prev)) {
      const mb = (v: number): string => `${Math.ceil(v / (1024 * 1024))} MB`;
      throw new SmartDragError(
        ErrorCode.queue_full,
        `the bridge cannot hold ${mb(bytes)} more for this job: ${mb(this.inputBytes)} of its ${mb(this.maxBytes)} memory budget already hold other unfinished jobs`,
        { hint: 'Wait for running edits to finish (or cancel some), send a smaller crop, or preview with previewMaxPixels.' },
      );
    }
    this.total += bytes - prev;
    this.inputs.set(id, bytes);
  }

  /** The job ended: its input is released; `resultBytes` (if any) are kept until evicted or {@link forget}. */
  finish(id: string, resultBytes: number): void {
    const input = this.inputs.get(id) ?? 0;
    this.total -= input;
    this.inputs.delete(id);
    this.onReleased(input);
    if (resultBytes > 0) {
      this.results.set(id, resultBytes);
      this.total += resultBytes;
      if (this.total > this.maxBytes) this.dropResults(this.total - this.maxBytes, id);
    }
  }

  /** The job is gone (swept after its TTL): release whatever it still holds. */
  forget(id: string): void {
    const bytes = (this.inputs.get(id) ?? 0) + (this.results.get(id) ?? 0);
    this.total -= bytes;
    this.inputs.delete(id);
    this.results.delete(id);
    this.onReleased(bytes);
  }

  /**
   * Hold `bytes` for held image `id` (replacing its earlier charge). Kept results, then other
   * held images (least recently used first) are dropped to make room; false (nothing charged)
   * when it cannot fit even so.
   */
  hold(id: string, bytes: number): boolean {
    this.release(id);
    if (!this.makeRoom(bytes)) return false;
    this.held.set(id, bytes);
    this.total += bytes;
    return true;
  }

  /** Held image `id` was used: it is dropped last. */
  touch(id: string): void {
    const b = this.held.get(id);
    if (b === undefined) return;
    this.held.delete(id);
    this.held.set(id, b);
  }

  /** Held image `id` is gone (replaced, least recently used, or its connection closed). */
  release(id: string): void {
    const b = this.held.get(id);
    if (b === undefined) return;
    this.held.delete(id);
    this.total -= b;
    this.onReleased(b);
  }

  /**
   * Make room for `extra` more bytes: drop kept results (oldest first), then held images (least
   * recently used first), as far as needed; whether they fit now. A request that would not fit
   * even with all of them gone (other jobs' inputs, or larger than the whole budget) drops none:
   * one oversized request must not cost every other client its kept results and held images.
   */
  private makeRoom(extra: number): boolean {
    if (this.total + extra <= this.maxBytes) return true;
    // What could go (kept results, held images) would not make room: drop nothing for it.
    let droppable = 0;
    for (const b of this.results.values()) droppable += b;
    for (const b of this.held.values()) droppable += b;
    if (this.total - droppable + extra > this.maxBytes) return false;
    if (this.total + extra > this.maxBytes) this.dropResults(this.total + extra - this.maxBytes);
    if (this.total + extra > this.maxBytes) this.dropHeld(this.total + extra - this.maxBytes);
    return this.total + extra <= this.maxBytes;
  }

  private dropHeld(bytes: number): void {
    let freed = 0;
    for (const [id, b] of this.held) {
      if (freed >= bytes) break;
      this.held.delete(id);
      this.total -= b;
      freed += b;
      this.onHeldEvicted(id);
      this.onReleased(b);
    }
  }

  private dropResults(bytes: number, spare?: string): void {
    let freed = 0;
    for (const [id, b] of this.results) {
      if (freed >= bytes) break;
      if (id === spare) continue;
      this.results.delete(id);
      this.total -= b;
      freed += b;
      this.evict(id);
      this.onReleased(b);
    }
  }
}
