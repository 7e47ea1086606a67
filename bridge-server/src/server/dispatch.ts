/**
 * Dispatch: a job whose frames have all arrived is decoded (`preparing`), queued, and handed to
 * an idle edit worker when one is free; progress and the early plan go out while it runs; the
 * finished layer is cut into frame chunks and the job ends through the store.
 */
import {
  encodeFrame, ErrorCode, SmartDragError,
  type Limits, type ServerMessage, type WirePlan,
} from '@smartdrag/shared';
import type { Plan } from '../core/types';
import { planAtOrigin } from '../core/proxy';
import { buildWorkerJob, decodedInputBytes } from './job-input';
import type { JobQueue } from './job-queue';
import { forgetUnrun, type Job, type JobStore } from './job-store';
import { imageUnknown, type HeldImage } from './held-images';
import type { PoolRun } from './worker-pool';
import type { WorkerJob, WorkerResult } from './worker-protocol';

/** What dispatch needs of the worker pool. */
export interface JobRunner {
  readonly idleCount: number;
  /** Set while no worker can start: queued jobs end with this error instead of waiting. */
  readonly unavailable?: SmartDragError | null;
  /** `waiting` queued jobs found no idle worker: start workers retired while idle (worker-pool.ts, "Retiring"). */
  wake?(waiting: number): void;
  run(
    job: WorkerJob, onProgress: (stage: string, fraction: number) => void, onPlan?: (plan: Plan) => void,
    onLayer?: (layer: WorkerResult['layer'], proxy?: WorkerResult['proxy']) => void,
  ): PoolRun;
}

/** Progress messages of one stage are sent at most this often (ms), except the stage's end. */
export const PROGRESS_INTERVAL_MS = 50;

/**
 * PNG frames decode (sharp) into memory Node cannot transfer to a worker (a native buffer):
 * posted as it is, such an image is serialized and copied again on the worker's side, and the
 * decoded buffer stays here until collected. Moved into a buffer of its own instead — one copy,
 * here — it is transferred to the worker without another (the decoded one is garbage at once).
 * Raw frames, crops and held images (shared) are left as they are.
 */
function ownDecoded(wj: WorkerJob, submit: Job['submit'], frames: Job['frames'], fromSource: boolean): void {
  const png = (slot: number | undefined): boolean => slot !== undefined && frames.get(slot)?.format === 'png';
  if (!fromSource && !submit.imageRect && png(0)) wj.image = { ...wj.image, data: new Uint8ClampedArray(wj.image.data) };
  submit.regions.forEach((r, i) => {
    const w = wj.regions[i];
    if (w && 'mask' in w && png(r.maskSlot)) w.mask = { ...w.mask, data: new Uint8Array(w.mask.data) };
  });
  (submit.keep ?? []).forEach((k, i) => {
    const w = wj.keep[i];
    if (w && 'mask' in w && png(k.maskSlot)) w.mask = { ...w.mask, data: new Uint8Array(w.mask.data) };
  });
}

/** Moves jobs from upload through the queue onto workers. */
export class Dispatcher {
  /** True once the bridge shuts down: nothing new starts. */
  closing = false;
  /** Called when a job's frames are all in, before decoding (diagnostics: what the client sent). */
  onPrepare?: (job: Job) => void;

  constructor(
    private readonly store: JobStore,
    private readonly queue: JobQueue,
    private readonly runner: JobRunner,
    private readonly limits: Limits,
  ) {}

  /** All frames are in: decode them, queue the job, start what can start. */
  async prepare(job: Job): Promise<void> {
    job.state = 'preparing';
    job.marks.framesIn = performance.now();
    clearTimeout(job.uploadTimer);
    try { this.onPrepare?.(job); } catch { /* diagnostics never fail a job */ }
    try {
      // The image: a held one (heldImage; unknown → image_unknown, and the job is forgotten so the
      // client can send it again with the pixels), the one this job's frame was kept as
      // (keepImage; if it could not be kept, the frame itself), or the frame.
      let source: HeldImage | undefined;
      if (job.submit.heldImage !== undefined) {
        try {
          source = await job.source!;
        } catch (e) {
          const unknown = e instanceof SmartDragError && e.code === ErrorCode.image_unknown ? e : imageUnknown(job.submit.heldImage, 'its upload could not be kept');
          this.store.fail(job, unknown);
          forgetUnrun(this.store, job);
          return;
        }
      } else if (job.source) {
        source = await job.source.catch(() => undefined);
      }
      if (job.state !== 'preparing') return; // cancelled meanwhile
      // Reserve what decoding makes before decoding (a PNG's header says its size: a 260 KB file
      // can decode to 256 MB); refused → queue_full, nothing decoded. The charge settles at the
      // decoded input below.
      const decodedBytes = await decodedInputBytes(job.submit, job.frames, this.limits, source);
      if (job.state !== 'preparing') return; // cancelled meanwhile
      this.store.budget?.charge(job.id, decodedBytes);
      const { job: wj, origin } = await buildWorkerJob(job.submit, job.frames, this.limits, source);
      if (job.state !== 'preparing') return; // cancelled meanwhile
      ownDecoded(wj, job.submit, job.frames, !!source);
      // Charge the decoded input in place of the frames and the reservation (a held image is
      // charged as held, only a cut-out rectangle of it here).
      const ownImage = source && wj.image.data.buffer === source.image.data.buffer ? 0 : wj.image.data.byteLength;
      this.store.budget?.setInput(job.id, ownImage + wj.regions.reduce((n, r) => n + ('mask' in r ? r.mask.data.byteLength : 0), 0));
      if (this.closing) throw new SmartDragError(ErrorCode.shutting_down, 'the bridge is shutting down');
      job.workerJob = wj;
      job.marks.prepared = performance.now();
      job.origin = origin;
      job.frames.clear();
      job.state = 'queued';
      const position = this.queue.push(job);
      this.store.send(job, { type: 'job.accepted', jobId: job.id, position });
      job.log.debug({ position }, 'job accepted');
      this.pump();
    } catch (e) {
      this.store.fail(job, e);
    }
  }

  /** Start queued jobs while workers are idle. */
  pump(): void {
    // No worker can start (worker-pool.ts): waiting would be forever; each job ends with why.
    const down = this.runner.unavailable;
    if (down && !this.closing) {
      for (let job = this.queue.shift(); job; job = this.queue.shift()) this.store.fail(job, down);
      return;
    }
    let started = false;
    while (!this.closing && this.queue.length && this.runner.idleCount > 0) {
      this.start(this.queue.shift()!);
      started = true;
    }
    if (started) this.queue.notify();
    if (!this.closing && this.queue.length) this.runner.wake?.(this.queue.length);
  }

  /** Stop `job`: a running one is cancelled on its worker (it ends when the worker stops), any other ends now. */
  cancel(job: Job, code: ErrorCode, message: string): void {
    if (job.state === 'running') job.run?.cancel(code);
    else this.store.fail(job, new SmartDragError(code, message));
  }

  private start(job: Job): void {
    const wj = job.workerJob!;
    job.workerJob = undefined;
    job.state = 'running';
    job.startedAt = Date.now();
    this.store.send(job, { type: 'job.started', jobId: job.id });
    job.log.debug('job started');
    const run = this.runner.run(wj, (stage, fraction) => this.progress(job, stage, fraction), (plan) => {
      // The plan comes before any pixel work: hosts show it while the edit runs.
      if (job.state !== 'running' || job.planMsg) return;
      job.planMsg = { type: 'job.plan', jobId: job.id, plan: planAtOrigin(plan, job.origin[0], job.origin[1]) as WirePlan };
      this.store.send(job, job.planMsg);
    }, (layer, proxy) => {
      // The layer comes before the outline: cut it into chunks while the worker traces.
      if (job.state !== 'running') return;
      const t = performance.now();
      job.layerChunks = { layer, chunks: this.layerChunks(job, layer, !!proxy), ms: 0 };
      job.layerChunks.ms = performance.now() - t;
    });
    job.run = run;
    job.jobTimer = setTimeout(() => run.cancel(ErrorCode.job_timeout), this.limits.maxJobMs);
    const posted = performance.now();
    run.promise.then((res) => this.done(job, res, performance.now() - posted - (res.workerMs ?? 0)), (err) => this.store.fail(job, err));
  }

  /** The layer as frame chunks, placed at the image origin (a proxy preview's stays in proxy pixels). */
  private layerChunks(job: Job, layer: WorkerResult['layer'], proxy: boolean): Uint8Array[] {
    const [ox, oy] = job.origin;
    const img = layer.image;
    return encodeFrame(
      { jobId: job.id, part: 'layer', slot: 0, format: 'rgba8', width: img.width, height: img.height, left: layer.left + (proxy ? 0 : ox), top: layer.top + (proxy ? 0 : oy) },
      new Uint8Array(img.data.buffer, img.data.byteOffset, img.data.byteLength), this.limits.maxChunkBytes,
    );
  }

  private progress(job: Job, stage: string, fraction: number): void {
    const now = Date.now();
    const lp = job.lastProgress;
    if (lp && lp.stage === stage && fraction < 1 && now - lp.at < PROGRESS_INTERVAL_MS) return;
    job.lastProgress = { stage, at: now };
    this.store.send(job, { type: 'job.progress', jobId: job.id, stage, fraction });
  }

  private done(job: Job, res: WorkerResult, handoff: number): void {
    if (job.state !== 'running') return;
    const t0 = performance.now();
    const [ox, oy] = job.origin;
    // A proxy preview's layer stays in proxy pixels of the sent image (job.result `proxy`).
    const left = res.layer.left + (res.proxy ? 0 : ox), top = res.layer.top + (res.proxy ? 0 : oy);
    const img = res.layer.image;
    const early = job.layerChunks?.layer === res.layer ? job.layerChunks : undefined;
    job.layerChunks = undefined;
    const chunks = early ? early.chunks : this.layerChunks(job, res.layer, !!res.proxy);
    const { marks } = job;
    // The bridge's own phases: the upload (job.submit → last frame in), decoding the frames,
    // moving the job to its worker and the result back, and cutting the layer into chunks.
    const own = {
      ...(marks.framesIn !== undefined ? { upload: marks.framesIn - marks.submit } : {}),
      ...(marks.framesIn !== undefined && marks.prepared !== undefined ? { prepare: marks.prepared - marks.framesIn } : {}),
      handoff: Math.max(0, handoff), send: performance.now() - t0 + (early?.ms ?? 0),
    };
    const timings = { ...res.timings, ...own, queue: job.startedAt! - job.submittedAt, job: Date.now() - job.submittedAt };
    // The plan in document pixels, as every coordinate of the protocol (the worker made it on the crop).
    const plan = planAtOrigin(res.plan, ox, oy) as WirePlan;
    job.log.debug({ timings }, 'job done');
    // Normally the plan went out before the pixel work; send it now if the worker did not report it.
    const planFirst: ServerMessage[] = job.planMsg ? [] : [{ type: 'job.plan', jobId: job.id, plan }];
    this.store.finish(job, 'done', [
      ...planFirst,
      { type: 'job.result', jobId: job.id, layer: { left, top, width: img.width, height: img.height }, plan, timings, frames: chunks.length,
        ...(res.proxy ? { proxy: res.proxy } : {}),
        // The outline is image-local even for a proxy preview (the worker scaled it back): add the origin.
        ...(res.moved ? { moved: { polygons: res.moved.polygons.map((ring) => ring.map(([x, y]) => [x + ox, y + oy] as [number, number])) } } : {}),
        ...(res.check !== undefined ? { check: res.check } : {}) },
    ], chunks);
  }
}
