/**
 * A fixed-size pool of edit worker threads. Each worker runs one job at a time. Cancel sends a
 * message (the job's AbortSignal fires); a worker that does not stop within the grace time, a
 * job past its time limit, and a worker that crashes are all handled by terminating/replacing
 * the worker, so the next job always finds a healthy one.
 *
 * A worker that stops before it is ready (a module that does not load, a broken install) is
 * started again after a growing pause ({@link START_RETRY_MS} doubling up to
 * {@link START_RETRY_MAX_MS}), not at once in a loop; after {@link START_FAILURES_DOWN} such
 * stops in a row the pool is {@link WorkerPool.unavailable}: waiting and new jobs end with a coded
 * error that carries the worker's own error, `/v1/health` says so, and the pool keeps trying —
 * the first worker that becomes ready clears it.
 *
 * Retiring: a worker that ran a large job (24–50 MP documents) keeps memory after it, even idle
 * and collected — its code caches, its warm caches (object readings, scratch arrays, source
 * patches) and the allocator's arena it freed the job's buffers into, about 100–200 MB more than a
 * fresh worker (bench/idle-memory.ts). Once such a worker has been idle
 * {@link WorkerPoolOptions.retireIdleMs}, it is terminated (its thread and isolate go). Its slot is
 * parked while another worker is running or starting — at least one always is: the last one is
 * replaced by a fresh worker at once instead. A parked slot starts a worker again when a job waits
 * for one ({@link WorkerPool.wake}): a job that finds an idle worker runs at once, with no worker
 * start beside it on the CPU, and one that finds none waits for a worker's start (instead of for
 * the running job). A retired worker's caches are rebuilt by its next jobs (same pixels: the
 * caches are content-keyed). A first edit on a worker that has run nothing runs unoptimised code
 * (1 MP final 1.3 → 3.0 s on the loaded 2-core machine; a drag's first preview frames too): with
 * {@link WorkerPoolOptions.warmUp}, the worker started in place of a retired one, a remaining
 * worker that has run nothing, and one started for a waiting job that another worker took, first
 * run small edits — a drag's previews (on a proxy the worker makes and on one the host sent) and a
 * final (edit-worker.ts `warmUp`; a final alone left the first previews cold). A job that arrives
 * meanwhile is not kept waiting: it goes to the worker warming up, which stops its warm-up at its
 * next cancel check. A job goes to an idle worker that has run a job or a warm-up before a fresh
 * one, and among those to the one whose last job ended last (a drag's frames find the caches the
 * previous frames built in that worker).
 */
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { ErrorCode, SmartDragError } from '@smartdrag/shared';
import type { Plan } from '../core/types';
import type { FromWorker, ToWorker, WarmStep, WorkerData, WorkerJob, WorkerMemory, WorkerResult, WorkerStages } from './worker-protocol';

/** Options of {@link WorkerPool}. */
export interface WorkerPoolOptions {
  size: number;
  logger: Logger;
  /** Worker entry (.js). Default the bundled edit-worker.js. */
  entry?: string;
  workerData?: WorkerData;
  /** Time a job has to stop after cancel before its worker is terminated. */
  cancelGraceMs: number;
  /**
   * Retire a worker that ran a large job once it has been idle this long (ms; 0 or absent: never).
   * See {@link WorkerPool} "Retiring". The bridge's default is {@link RETIRE_IDLE_MS}.
   */
  retireIdleMs?: number;
  /** A job whose image has at least this many bytes makes its worker one to retire. Default {@link RETIRE_AFTER_BYTES}. */
  retireAfterBytes?: number;
  /**
   * After a retirement, warm up (a small edit, `warm` message) the worker started in its place and
   * a remaining one that has run no job, while no job waits. Default false (stand-in workers in
   * tests do not answer `warm`); the bridge turns it on.
   */
  warmUp?: boolean;
}

/** Handle of a running job. */
export interface PoolRun {
  promise: Promise<WorkerResult>;
  /** Ask the job to stop; it rejects with `code` (`cancelled`, `job_timeout`, `shutting_down`). */
  cancel(code?: ErrorCode): void;
}

interface Slot {
  index: number;
  worker: Worker;
  job: {
    id: string;
    resolve(r: WorkerResult): void;
    reject(e: unknown): void;
    onProgress(stage: string, fraction: number): void;
    onPlan?(plan: Plan): void;
    onLayer?(layer: WorkerResult['layer'], proxy?: WorkerResult['proxy']): void;
    /** The layer the worker posted ahead of `done`. */
    layer?: WorkerResult['layer'];
    stopCode?: ErrorCode;
    graceTimer?: ReturnType<typeof setTimeout>;
  } | null;
  /** True while the pool itself is terminating this worker. */
  retiring: boolean;
  /** True once the worker said `ready` (started, learned stages built): only then does it get jobs, so worker start-up never counts against a job's time. */
  ready: boolean;
  /** Inside a native onnxruntime run (the worker's `native` messages): it must not be terminated now. */
  nativeBusy?: boolean;
  /** To be replaced as soon as its native run ends (a stop's grace ran out during one). */
  replaceWhenOut?: boolean;
  /** Called when its native run ends (the pool is closing and waits to terminate it). */
  onNativeOut?: () => void;
  /** Waiting for the worker's answer to a `memory` message. */
  memoryWaiters?: Array<(m: WorkerMemory | null) => void>;
  /** It ran a job of at least `retireAfterBytes` since it started: it is retired once idle `retireIdleMs`. */
  large?: boolean;
  /** When its last job ended (Date.now()). */
  idleSince?: number;
  retireTimer?: ReturnType<typeof setTimeout>;
  /** Retired while idle: no worker runs in this slot until a job needs one ({@link WorkerPool} "Retiring"). */
  parked?: boolean;
  /** It has run a job since it started. */
  ran?: boolean;
  /** Running a warm-up; the timer ends the wait if it never answers. A job given to it meanwhile cuts it short ({@link WorkerPool.run}). */
  warming?: ReturnType<typeof setTimeout>;
  /** It finished a warm-up since it started. */
  warmed?: boolean;
  /** Warm up once ready (started in place of a retired worker). */
  warmOnReady?: boolean;
}

/** Longest wait (ms) for a warm-up's answer before the worker takes jobs again anyway. */
export const WARM_UP_MAX_MS = 15_000;

/** Default idle time (ms) after which a worker that ran a large job is retired. */
export const RETIRE_IDLE_MS = 30_000;
/** Default input size (bytes) that makes a job large: 32 MiB, an 8 MP RGBA document. */
export const RETIRE_AFTER_BYTES = 32 * 1024 * 1024;

/** First pause (ms) before a worker that stopped before it was ready is started again; it doubles per stop in a row. */
export const START_RETRY_MS = 100;
/** Longest pause (ms) between start attempts. */
export const START_RETRY_MAX_MS = 5000;
/** Stops before ready, in a row, after which the pool counts as unavailable. */
export const START_FAILURES_DOWN = 3;

/**
 * The buffers of `job` that move to the worker without a copy: its own buffers are transferred
 * (the caller's views of them are empty afterwards); a held image's SharedArrayBuffer
 * (held-images.ts) is shared as it is (it cannot be transferred).
 */
export function transferList(job: WorkerJob): ArrayBuffer[] {
  const transfer = new Set<ArrayBuffer>();
  const give = (b: ArrayBufferLike): void => { if (!(typeof SharedArrayBuffer !== 'undefined' && b instanceof SharedArrayBuffer)) transfer.add(b as ArrayBuffer); };
  give(job.image.data.buffer);
  for (const r of job.regions) if ('mask' in r) give(r.mask.data.buffer);
  for (const k of job.keep) if ('mask' in k) give(k.mask.data.buffer);
  return [...transfer];
}

/** Fixed pool of edit workers. */
export class WorkerPool {
  private readonly slots: Slot[] = [];
  private closed = false;
  /** Workers in a row that stopped before they were ready, and the last one's error. */
  private startFailures = 0;
  private startError: string | null = null;
  private readonly retryTimers = new Set<ReturnType<typeof setTimeout>>();
  /** Set after {@link START_FAILURES_DOWN} stops before ready in a row; cleared when a worker is ready. */
  private startDown: SmartDragError | null = null;

  /**
   * Set while no worker can take jobs because workers fail to start ({@link START_FAILURES_DOWN}
   * stops before ready in a row, and none is ready): the error jobs end with (`worker_crashed`,
   * with the worker's own error); null otherwise — also while a ready worker is busy.
   */
  get unavailable(): SmartDragError | null {
    return this.startDown && !this.slots.some((s) => s.ready && !s.retiring) ? this.startDown : null;
  }
  private readonly entry: string;
  /** Called whenever a worker becomes free (the queue pumps). */
  onIdle: () => void = () => undefined;
  /** What the most recently started worker reported (device, learned stages); null before any is ready. */
  stages: WorkerStages | null = null;

  constructor(private readonly opts: WorkerPoolOptions) {
    this.entry = opts.entry ?? join(__dirname, 'edit-worker.js');
    for (let i = 0; i < opts.size; i++) this.slots.push(this.spawn(i));
  }

  /** Number of workers. */
  get size(): number {
    return this.slots.length;
  }

  /** Workers retired while idle after a large job so far (parked or replaced). */
  retiredCount = 0;

  /** Slots whose worker was retired while idle and not started again yet. */
  get parkedCount(): number {
    return this.slots.filter((s) => s.parked).length;
  }

  /** Workers without a job (one warming up counts: a job cuts its warm-up short). */
  get idleCount(): number {
    return this.slots.filter((s) => s.ready && !s.job && !s.retiring).length;
  }

  /** The warm-ups workers finished so far, oldest first, each with the edits it ran (bench and tests; the last 20). */
  readonly warmUps: Array<{ slot: number; ran: WarmStep[] }> = [];

  /**
   * The idle worker a job goes to: one that has run a job or a warm-up (its code is compiled)
   * before a fresh one, among those the one whose last job ended last (a drag's next frame finds
   * the caches its previous frames built: object readings, grids, source patches are per worker),
   * and one warming up only when no other is idle.
   */
  private pick(): Slot | undefined {
    let best: Slot | undefined, bestKey = -Infinity;
    for (const s of this.slots) {
      if (!s.ready || s.job || s.retiring) continue;
      const key = (s.warming ? 0 : 4e15) + (s.ran || s.warmed ? 2e15 : 0) + (s.idleSince ?? 0);
      if (key > bestKey) { best = s; bestKey = key; }
    }
    return best;
  }

  /** Start a job on an idle worker. Throws when none is idle (the queue checks first). */
  run(
    job: WorkerJob, onProgress: (stage: string, fraction: number) => void, onPlan?: (plan: Plan) => void,
    /** The finished layer, as soon as the worker has it (before `done`: the outline is traced meanwhile). */
    onLayer?: (layer: WorkerResult['layer'], proxy?: WorkerResult['proxy']) => void,
  ): PoolRun {
    if (this.closed) throw new SmartDragError(ErrorCode.shutting_down, 'worker pool is closed');
    const slot = this.pick();
    if (!slot) throw new Error('no idle worker');
    // Warming up: the worker ends its warm-up at its next cancel check and runs this job next.
    if (slot.warming) { clearTimeout(slot.warming); slot.warming = undefined; }
    // No closure here may reach `job` (closures share their scope's variables): the handle lives
    // as long as its caller keeps it, and must not keep the job's pixels alive — moved to the
    // worker, or copied where Node could not move them.
    const jobId = job.jobId;
    if (job.image.data.byteLength >= (this.opts.retireAfterBytes ?? RETIRE_AFTER_BYTES)) slot.large = true;
    slot.ran = true;
    clearTimeout(slot.retireTimer);
    const promise = new Promise<WorkerResult>((resolve, reject) => {
      slot.job = { id: jobId, resolve, reject, onProgress, ...(onPlan ? { onPlan } : {}), ...(onLayer ? { onLayer } : {}) };
    });
    slot.worker.postMessage({ type: 'run', job } satisfies ToWorker, transferList(job));
    return { promise, cancel: (code) => this.stop(slot, jobId, code ?? ErrorCode.cancelled) };
  }

  /**
   * What each worker thread holds in its own JS memory (bench and tests; `collect`: after two full
   * collections there, when it has no job); null for a slot whose
   * worker is not running (retired, starting) or did not answer within `timeoutMs`.
   */
  memory(collect = false, timeoutMs = 2000): Promise<Array<WorkerMemory | null>> {
    return Promise.all(this.slots.map((slot) => {
      if (!slot.ready || slot.retiring) return Promise.resolve(null);
      return new Promise<WorkerMemory | null>((resolve) => {
        const t = setTimeout(() => resolve(null), timeoutMs);
        (slot.memoryWaiters ??= []).push((m) => { clearTimeout(t); resolve(m); });
        slot.worker.postMessage({ type: 'memory', ...(collect ? { collect } : {}) } satisfies ToWorker);
      });
    }));
  }

  /** Terminate every worker; running jobs reject with `shutting_down`. */
  async close(): Promise<void> {
    this.closed = true;
    for (const s of this.slots) { clearTimeout(s.retireTimer); clearTimeout(s.warming); }
    for (const t of this.retryTimers) clearTimeout(t);
    this.retryTimers.clear();
    await Promise.all(this.slots.map(async (s) => {
      s.retiring = true;
      this.settle(s, new SmartDragError(ErrorCode.shutting_down, 'the bridge is shutting down'));
      // Terminated inside a native model run, the thread would abort the whole process.
      if (s.nativeBusy) await new Promise<void>((res) => { s.onNativeOut = res; });
      await s.worker.terminate();
    }));
  }

  private stop(slot: Slot, jobId: string, code: ErrorCode): void {
    const job = slot.job;
    if (!job || job.id !== jobId || job.stopCode) return;
    job.stopCode = code;
    const msg: ToWorker = { type: 'cancel', jobId };
    slot.worker.postMessage(msg);
    // A job that ignores its signal (stuck kernel) costs its worker, not the bridge.
    const grace = code === ErrorCode.job_timeout ? Math.min(250, this.opts.cancelGraceMs) : this.opts.cancelGraceMs;
    job.graceTimer = setTimeout(() => {
      if (slot.job !== job) return;
      this.opts.logger.warn({ jobId, slot: slot.index }, 'job did not stop in time; replacing its worker');
      this.settle(slot, this.stopError(code));
      this.replace(slot);
    }, grace);
  }

  private stopError(code: ErrorCode): SmartDragError {
    if (code === ErrorCode.job_timeout) return new SmartDragError(code, 'the job ran past the time limit and was stopped');
    if (code === ErrorCode.shutting_down) return new SmartDragError(code, 'the bridge is shutting down');
    return new SmartDragError(ErrorCode.cancelled, 'cancelled');
  }

  private settle(slot: Slot, outcome: { result: WorkerResult } | Error): void {
    const job = slot.job;
    if (!job) return;
    slot.job = null;
    if (job.graceTimer) clearTimeout(job.graceTimer);
    if (outcome instanceof Error) job.reject(outcome);
    else job.resolve(outcome.result);
    if (!slot.retiring && !this.closed) {
      slot.idleSince = Date.now();
      this.scheduleRetire(slot);
      queueMicrotask(() => this.onIdle());
    }
  }

  /** A worker that ran a large job is retired once idle `retireIdleMs` (class comment, "Retiring"). */
  private scheduleRetire(slot: Slot): void {
    const after = this.opts.retireIdleMs ?? 0;
    if (!slot.large || after <= 0) return;
    clearTimeout(slot.retireTimer);
    slot.retireTimer = setTimeout(() => this.retireIdle(slot), after);
    slot.retireTimer.unref();
  }

  private retireIdle(slot: Slot): void {
    if (this.closed || this.slots[slot.index] !== slot || slot.job || slot.retiring || !slot.ready) return;
    // Inside a native run (none without a job, but the pool never terminates one there): later.
    if (slot.nativeBusy) { this.scheduleRetire(slot); return; }
    // Another worker running or starting: this slot waits, parked, until a job needs it.
    const other = this.slots.some((s) => s !== slot && !s.retiring && !s.parked);
    this.retiredCount++;
    this.opts.logger.debug({ slot: slot.index, idleMs: Date.now() - (slot.idleSince ?? 0), parked: other }, 'retiring an idle worker after a large job');
    if (!other) {
      this.replace(slot);
      if (this.opts.warmUp) this.slots[slot.index]!.warmOnReady = true;
      return;
    }
    slot.retiring = true;
    slot.parked = true;
    for (const w of slot.memoryWaiters?.splice(0) ?? []) w(null);
    void slot.worker.terminate().catch(() => undefined);
    // The next job runs on a remaining worker: one that has run nothing yet is warmed up now.
    if (this.opts.warmUp) {
      for (const s of this.slots) {
        if (s.parked || s.retiring || s.ran) continue;
        if (s.ready) this.warm(s); else s.warmOnReady = true;
      }
    }
  }

  /** Warm `slot`'s idle worker up (a small edit); it takes no job until it answers. */
  private warm(slot: Slot): void {
    slot.warmOnReady = false;
    if (this.closed || slot.job || slot.retiring || !slot.ready || slot.warming || this.slots[slot.index] !== slot) return;
    slot.warming = setTimeout(() => this.warmed(slot), WARM_UP_MAX_MS);
    slot.warming.unref();
    slot.worker.postMessage({ type: 'warm' } satisfies ToWorker);
  }

  private warmed(slot: Slot): void {
    if (!slot.warming) return;
    clearTimeout(slot.warming);
    slot.warming = undefined;
    if (!slot.retiring && !this.closed) queueMicrotask(() => this.onIdle());
  }

  /**
   * `waiting` jobs wait for a worker (dispatch.ts pump): parked slots start workers for those that
   * no idle or starting worker will take (each takes a job once ready: its `ready` pumps the queue).
   */
  wake(waiting: number): void {
    if (this.closed) return;
    // (A worker warming up takes a job at once, cutting its warm-up short: it counts as one that will.)
    let need = waiting - this.slots.filter((s) => !s.retiring && !s.parked && !s.job).length;
    for (const p of this.slots) {
      if (need <= 0) break;
      if (!p.parked) continue;
      const fresh = this.spawn(p.index);
      // Taken by a job once ready, or (the job went to a worker that became idle first) warmed up.
      if (this.opts.warmUp) fresh.warmOnReady = true;
      this.slots[p.index] = fresh;
      need--;
    }
  }

  private replace(slot: Slot): void {
    if (this.closed) return;
    slot.retiring = true;
    // Terminated inside a native onnxruntime run, the thread takes the whole process with it:
    // the slot is retired now (no new job) and its worker terminated when the run is over.
    if (slot.nativeBusy) {
      if (!slot.replaceWhenOut) this.opts.logger.warn({ slot: slot.index }, 'worker is inside a model run; it is replaced when the run ends');
      slot.replaceWhenOut = true;
      return;
    }
    clearTimeout(slot.retireTimer);
    const old = slot.worker;
    void old.terminate().catch(() => undefined);
    const fresh = this.spawn(slot.index);
    this.slots[slot.index] = fresh;
    queueMicrotask(() => this.onIdle());
  }

  private spawn(index: number): Slot {
    const worker = new Worker(this.entry, { workerData: this.opts.workerData ?? { debugHooks: false } });
    const slot: Slot = { index, worker, job: null, retiring: false, ready: false };
    worker.on('message', (msg: FromWorker) => {
      const job = slot.job;
      if (msg.type === 'native') {
        slot.nativeBusy = msg.busy;
        if (!msg.busy && slot.onNativeOut) { const done = slot.onNativeOut; slot.onNativeOut = undefined; done(); }
        if (!msg.busy && slot.replaceWhenOut && this.slots[slot.index] === slot) { slot.replaceWhenOut = false; this.replace(slot); }
        return;
      }
      if (msg.type === 'warmed') {
        slot.warmed = true;
        this.warmUps.push({ slot: slot.index, ran: msg.ran ?? [] });
        if (this.warmUps.length > 20) this.warmUps.shift();
        this.warmed(slot);
        return;
      }
      if (msg.type === 'memory') {
        for (const w of slot.memoryWaiters?.splice(0) ?? []) w(msg.usage);
        return;
      }
      if (msg.type === 'ready') {
        this.stages = msg.stages;
        slot.ready = true;
        if (this.startDown) this.opts.logger.info({ slot: index }, 'an edit worker started again');
        this.startFailures = 0; this.startError = null; this.startDown = null;
        if (!this.closed && !slot.retiring) {
          queueMicrotask(() => {
            this.onIdle();
            // Jobs waiting took it first (the pump above); otherwise it warms up.
            if (slot.warmOnReady) this.warm(slot);
          });
        }
        return;
      }
      if (!job || msg.jobId !== job.id) return;
      if (msg.type === 'progress') job.onProgress(msg.stage, msg.fraction);
      else if (msg.type === 'plan') { if (!job.stopCode) job.onPlan?.(msg.plan); }
      else if (msg.type === 'layer') {
        job.layer = msg.layer;
        if (!job.stopCode) job.onLayer?.(msg.layer, msg.proxy);
      } else if (msg.type === 'done') {
        const layer = msg.result.layer ?? job.layer;
        if (job.stopCode) this.settle(slot, this.stopError(job.stopCode));
        else if (!layer) this.settle(slot, new SmartDragError(ErrorCode.internal, 'the worker finished without a layer'));
        else this.settle(slot, { result: { ...msg.result, layer } });
      } else if (msg.type === 'failed') {
        if (msg.code !== 'cancelled' && msg.code !== 'bad_message' && msg.code !== 'model_missing' && msg.code !== 'intent_unclear') {
          this.opts.logger.error({ jobId: job.id, err: { message: msg.message, stack: msg.stack } }, 'edit failed');
        }
        const code = job.stopCode ?? (msg.code as ErrorCode);
        this.settle(slot, job.stopCode ? this.stopError(job.stopCode) : new SmartDragError(code, msg.message, msg.hint ? { hint: msg.hint } : {}));
      }
    });
    worker.on('error', (err) => {
      // While starting, the error is logged (throttled) with the failed start (startFailed).
      if (!slot.ready) { this.startError = err instanceof Error ? err.message : String(err); return; }
      this.opts.logger.error({ slot: index, jobId: slot.job?.id, err }, 'edit worker error');
    });
    worker.on('exit', (exitCode) => {
      if (slot.retiring || this.closed) return;
      if (!slot.ready) { this.startFailed(slot, exitCode); return; }
      this.opts.logger.warn({ slot: index, exitCode, jobId: slot.job?.id }, 'edit worker exited; replacing it');
      const job = slot.job;
      if (job) {
        this.settle(slot, job.stopCode ? this.stopError(job.stopCode)
          : new SmartDragError(ErrorCode.worker_crashed, `the worker running this job stopped (exit code ${exitCode})`));
      }
      this.replace(slot);
    });
    worker.unref();
    return slot;
  }

  /** A worker stopped before it was ready: start it again after a pause; after several in a row, say so. */
  private startFailed(slot: Slot, exitCode: number): void {
    this.startFailures++;
    // (This worker's own error: a later start that fails without one must not repeat it.)
    const why = this.startError ?? `the worker exited with code ${exitCode} while starting`;
    this.startError = null;
    const wait = Math.min(START_RETRY_MAX_MS, START_RETRY_MS * 2 ** (this.startFailures - 1));
    // Every failure up to the pool counting as down, then about once a minute (a broken install
    // would otherwise write a line every few seconds for as long as the bridge runs).
    if (this.startFailures <= START_FAILURES_DOWN || this.startFailures % 12 === 0) {
      this.opts.logger.error({ slot: slot.index, exitCode, tries: this.startFailures, retryInMs: wait, why }, 'edit worker could not start');
    }
    if (this.startFailures >= START_FAILURES_DOWN && !this.startDown) {
      this.startDown = new SmartDragError(ErrorCode.worker_crashed, `no edit worker can start (${this.startFailures} tries in a row): ${why}`, {
        hint: 'The bridge keeps trying every few seconds; see its log (path in /v1/health) — a broken install may need `npm ci` again.',
      });
      // Jobs waiting for a worker end now, with this error (dispatch.ts pump).
      queueMicrotask(() => this.onIdle());
    }
    slot.retiring = true;
    const t = setTimeout(() => {
      this.retryTimers.delete(t);
      if (this.closed) return;
      this.slots[slot.index] = this.spawn(slot.index);
    }, wait);
    t.unref();
    this.retryTimers.add(t);
  }
}
