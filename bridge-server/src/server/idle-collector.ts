/**
 * A full garbage collection of the bridge's main thread once it goes idle after large buffers
 * were released. V8 collects only when a thread allocates: after a busy spell the main thread sits
 * on the dead buffers of the jobs it served — uploaded frames, the socket's chunks, the layer
 * chunks of results that expired — hundreds of MB that an idle bridge would keep indefinitely
 * (the edit workers collect after their own large jobs: edit-worker.ts, core/gc.ts).
 *
 * The memory budget reports what it releases (a finished job's input, an expired or dropped kept
 * result, a held image); once at least {@link IdleCollectorOptions.minBytes} were released, a
 * collection runs when no job has been active for `settleMs`, at most once every `minIntervalMs`:
 * a busy bridge (a drag's previews every 33 ms) is never stopped for one.
 */
import { COLLECT_AFTER_BYTES, collectGarbage } from '../core/gc';

/** Options of {@link IdleCollector}; every one has a default. */
export interface IdleCollectorOptions {
  /** The collection to run. Default the thread's full collection (core/gc.ts); none when the runtime refuses one. */
  collect?: (() => void) | undefined;
  /** Released bytes that make a collection worth it (as the edit workers' rule: 8 MB). */
  minBytes?: number;
  /** How long no job must have ended or been active before collecting. Default 1 000 ms. */
  settleMs?: number;
  /** Least time between two collections. Default 5 000 ms. */
  minIntervalMs?: number;
}

export class IdleCollector {
  /** Collections run so far (health, tests). */
  collections = 0;
  private pending = 0;
  private lastRun = -Infinity;
  private lastActivity = -Infinity;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;
  private readonly collect: (() => void) | undefined;
  private readonly minBytes: number;
  private readonly settleMs: number;
  private readonly minIntervalMs: number;

  /** `idle()`: whether no job is active now (uploading, preparing, queued or running). */
  constructor(private readonly idle: () => boolean, opts: IdleCollectorOptions = {}) {
    this.collect = 'collect' in opts ? opts.collect : collectGarbage;
    this.minBytes = opts.minBytes ?? COLLECT_AFTER_BYTES;
    this.settleMs = opts.settleMs ?? 1000;
    this.minIntervalMs = opts.minIntervalMs ?? 5000;
  }

  /** `bytes` were released (they become garbage once nothing refers to them). */
  released(bytes: number): void {
    if (bytes > 0) this.pending += bytes;
    this.schedule();
  }

  /** A job ended: the bridge may be going idle; the collection waits `settleMs` from now. */
  jobEnded(): void {
    this.lastActivity = Date.now();
    this.schedule();
  }

  /** No more collections (the bridge closes). */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    if (this.stopped || this.timer || !this.collect || this.pending < this.minBytes) return;
    const now = Date.now();
    const at = Math.max(now, this.lastActivity + this.settleMs, this.lastRun + this.minIntervalMs);
    this.timer = setTimeout(() => this.fire(), at - now);
    this.timer.unref?.();
  }

  private fire(): void {
    this.timer = undefined;
    if (this.stopped || this.pending < this.minBytes) return;
    const now = Date.now();
    // Busy: look again once it may have settled (a job's end also looks again).
    if (!this.idle()) { this.lastActivity = now; this.schedule(); return; }
    if (now < this.lastActivity + this.settleMs || now < this.lastRun + this.minIntervalMs) { this.schedule(); return; }
    this.pending = 0;
    this.lastRun = now;
    this.collections++;
    this.collect!();
  }
}
