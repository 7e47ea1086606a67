/**
 * Admission and the FIFO queue: whether a new job may enter (its own limits, shutdown, per-client
 * and total unfinished-job caps), and the order in which prepared jobs wait for a worker. Every
 * change of order tells each waiting job its position (`job.queued`).
 */
import { ErrorCode, SmartDragError, type JobSubmit, type Limits } from '@smartdrag/shared';
import { checkSubmitLimits } from './job-input';
import type { Job, JobSession, JobStore } from './job-store';

/** The waiting line of prepared jobs. */
export class JobQueue {
  private readonly items: Job[] = [];

  constructor(private readonly store: JobStore, private readonly limits: Limits) {}

  get length(): number {
    return this.items.length;
  }

  /**
   * Throw the coded error that keeps `submit` out, if any: a limit of the submit itself,
   * `shutting_down`, or `queue_full` (per WebSocket client, and for the whole bridge).
   */
  admit(submit: JobSubmit, session: JobSession | null, closing: boolean): void {
    const limits = this.limits;
    checkSubmitLimits(submit, limits);
    if (closing) throw new SmartDragError(ErrorCode.shutting_down, 'the bridge is shutting down');
    if (session && this.store.activeCount(session) >= limits.maxQueuePerClient) {
      throw new SmartDragError(ErrorCode.queue_full, `this client already has ${limits.maxQueuePerClient} unfinished jobs`);
    }
    if (this.store.activeCount() >= limits.maxQueueTotal) {
      throw new SmartDragError(ErrorCode.queue_full, `the bridge already holds ${limits.maxQueueTotal} unfinished jobs`);
    }
  }

  /** Append a prepared job; returns its position (0 = next). */
  push(job: Job): number {
    this.items.push(job);
    return this.items.length - 1;
  }

  /** Position of `job`, or -1 when it is not waiting. */
  position(job: Job): number {
    return this.items.indexOf(job);
  }

  /** Take the next job, or undefined. Callers tell the others their new positions ({@link notify}). */
  shift(): Job | undefined {
    return this.items.shift();
  }

  /** Drop `job` (it ended while waiting) and tell the rest their positions. */
  remove(job: Job): void {
    const i = this.items.indexOf(job);
    if (i < 0) return;
    this.items.splice(i, 1);
    this.notify();
  }

  /** Tell every waiting job its position. */
  notify(): void {
    this.items.forEach((j, i) => this.store.send(j, { type: 'job.queued', jobId: j.id, position: i }));
  }
}
