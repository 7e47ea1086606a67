/**
 * The bridge's job registry and result store: every job by id, its state, where its events go
 * (a WebSocket session or an HTTP request), and — once finished — its terminal messages and
 * layer chunks, kept `resultTtlMs` so a client that reconnects can pick them up (`job.resume`).
 * Ending a job (done, failed, cancelled) happens only here.
 */
import type { Logger } from 'pino';
import {
  ErrorCode, SmartDragError,
  type Frame, type FrameAssembler, type JobSubmit, type ServerMessage,
} from '@smartdrag/shared';
import type { HeldImage } from './held-images';
import type { MemoryBudget } from './memory-budget';
import type { PoolRun } from './worker-pool';
import type { WorkerJob, WorkerResult } from './worker-protocol';

/** Receives a job's events: a WebSocket session or an HTTP request waiting for its answer. */
export interface JobSink {
  message(msg: ServerMessage): void;
  binary(chunk: Uint8Array): void;
}

/** What the store needs of the WebSocket session a job was uploaded on. */
export interface JobSession extends JobSink {
  readonly id: string;
  readonly jobs: Set<string>;
  readonly assembler: FrameAssembler;
}

/**
 * Forget a job that never ran because its held image is unknown (`image_unknown`): its id is free
 * again, so the client can submit the same job with the pixels.
 */
export function forgetUnrun(store: JobStore, job: Job): void {
  store.delete(job.id);
  store.budget?.forget(job.id);
}

export type JobState = 'uploading' | 'preparing' | 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

/** States of a job that has not ended. */
export const ACTIVE: ReadonlySet<JobState> = new Set(['uploading', 'preparing', 'queued', 'running']);

/** A job as the bridge tracks it. */
export interface Job {
  id: string;
  owner: string;
  /** Session id (WebSocket) or request id (HTTP) of the client that submitted it (diagnostics). */
  clientId: string;
  /**
   * Submitted over HTTP (`POST /v1/edit`): its events go to that request's sink only — no socket
   * may resume, re-submit (as a resume) or cancel it, so the request is always answered.
   */
  http?: boolean;
  state: JobState;
  sink: JobSink | null;
  session: JobSession | null;
  submit: JobSubmit;
  frames: Map<number, Frame>;
  expected: Set<number>;
  log: Logger;
  submittedAt: number;
  /** performance.now() marks of the bridge's own phases (job.result `timings`: upload, prepare, handoff, send). */
  marks: { submit: number; framesIn?: number; prepared?: number };
  startedAt?: number;
  finishedAt?: number;
  uploadTimer?: ReturnType<typeof setTimeout>;
  jobTimer?: ReturnType<typeof setTimeout>;
  run?: PoolRun;
  /** Decoded input, between preparing and running. */
  workerJob?: WorkerJob;
  /** Document position of the sent image. */
  origin: [number, number];
  cancelRequested?: boolean;
  lastProgress?: { stage: string; at: number };
  /** Terminal messages replayed on resume. */
  final?: { messages: ServerMessage[]; chunks: Uint8Array[] };
  /** The layer cut into chunks as soon as the worker posted it (before its outline was traced). */
  layerChunks?: { layer: WorkerResult['layer']; chunks: Uint8Array[]; ms: number };
  /** The `job.plan` already sent (before pixel work); replayed on resume. */
  planMsg?: ServerMessage;
  /**
   * The job's image when it comes from the connection's held images (held-images.ts): the one
   * named by `heldImage`, or the one this job's own frame was kept as (`keepImage`).
   */
  source?: Promise<HeldImage>;
}

/** Counts for health, tests and diagnostics. */
export interface JobCounts {
  queued: number;
  running: number;
  stored: number;
}

/** Jobs by id, their end, and the finished results kept for resume. */
export class JobStore {
  private readonly jobs = new Map<string, Job>();
  /** Called when a job ends, before its terminal messages go out (the queue drops it; diagnostics record it). */
  onFinish: (job: Job, messages: readonly ServerMessage[]) => void = () => undefined;

  /**
   * `budget` (memory-budget.ts) counts the bytes held for unfinished inputs and kept results;
   * the store releases a job's input when it ends and its result when it is forgotten.
   */
  constructor(private readonly resultTtlMs: number, readonly budget?: MemoryBudget) {}

  get(id: string): Job | undefined {
    return this.jobs.get(id);
  }

  has(id: string): boolean {
    return this.jobs.has(id);
  }

  /** Forget job `id`; its connection forgets it too (a connection lists only jobs the store has). */
  delete(id: string): void {
    const job = this.jobs.get(id);
    if (!job) return;
    this.jobs.delete(id);
    job.session?.jobs.delete(id);
  }

  /** All jobs (a copy: ending jobs while iterating is safe). */
  all(): Job[] {
    return [...this.jobs.values()];
  }

  /** Register a new job in state `uploading`; `expected` are the frame slots it waits for. */
  create(submit: JobSubmit, owner: string, clientId: string, sink: JobSink | null, session: JobSession | null, log: Logger, expected: Iterable<number>): Job {
    const job: Job = {
      id: submit.jobId, owner, clientId, state: 'uploading', sink, session, submit, frames: new Map(),
      expected: new Set(expected), log, submittedAt: Date.now(), marks: { submit: performance.now() }, origin: [0, 0],
    };
    this.jobs.set(job.id, job);
    return job;
  }

  /** Route a job's events to `session` from now on (a resume moves it from an older socket). */
  attach(job: Job, session: JobSession): void {
    if (job.http) throw new Error(`job ${job.id} belongs to an HTTP request`); // (sessions check first)
    if (job.session && job.session !== session) job.session.jobs.delete(job.id);
    job.session = session;
    job.sink = session;
    session.jobs.add(job.id);
  }

  /** Send one message to the job's current sink (none while its client is away). */
  send(job: Job, msg: ServerMessage): void {
    job.sink?.message(msg);
  }

  /** End a job: `messages` and `chunks` go to its sink now and are kept (after the plan, if one was sent) for resume. */
  finish(job: Job, state: 'done' | 'failed' | 'cancelled', messages: ServerMessage[], chunks: Uint8Array[] = []): void {
    if (!ACTIVE.has(job.state)) return;
    job.state = state;
    job.finishedAt = Date.now();
    clearTimeout(job.uploadTimer);
    clearTimeout(job.jobTimer);
    job.session?.assembler.drop(job.id);
    // What the job held while it ran goes now; it keeps only its terminal messages and layer
    // chunks (what the memory budget counts): the uploaded frames, the decoded input, the run
    // (its promise resolved to the worker's result, which holds the layer's own pixels besides
    // the chunks cut from them), and the held image it read.
    job.frames.clear();
    job.workerJob = undefined;
    job.layerChunks = undefined;
    job.run = undefined;
    job.source = undefined;
    this.onFinish(job, messages);
    job.final = { messages: job.planMsg ? [job.planMsg, ...messages] : messages, chunks };
    this.budget?.finish(job.id, chunks.reduce((n, c) => n + c.byteLength, 0));
    for (const m of messages) this.send(job, m);
    for (const c of chunks) job.sink?.binary(c);
  }

  /** End a job with the coded error `err` (anything else becomes `internal`); `cancelled` ends it as cancelled. */
  fail(job: Job, err: unknown): void {
    const e = err instanceof SmartDragError ? err : new SmartDragError(ErrorCode.internal, (err as Error)?.message ?? String(err));
    if (e.code === ErrorCode.internal) job.log.error({ err }, 'job failed');
    // A drag cancels each preview the next one supersedes (up to 30 a second): those ends are
    // debug, or the log grows by megabytes an hour; finals and failures stay info.
    else if (e.code === ErrorCode.cancelled && job.submit.quality === 'preview') job.log.debug({ code: e.code }, 'job ended');
    else job.log.info({ code: e.code }, 'job ended');
    if (e.code === ErrorCode.cancelled) {
      this.finish(job, 'cancelled', [{ type: 'job.cancelled', jobId: job.id }]);
      return;
    }
    this.finish(job, 'failed', [{ type: 'job.error', jobId: job.id, code: e.code, message: e.message, hint: e.hint }]);
  }

  /** Unfinished jobs, all or those uploaded on `session`. */
  activeCount(session?: JobSession): number {
    let n = 0;
    for (const j of this.jobs.values()) if (ACTIVE.has(j.state) && (!session || j.session === session)) n++;
    return n;
  }

  /** Forget finished jobs older than the result TTL. Returns how many went. */
  sweep(now = Date.now()): number {
    let n = 0;
    for (const [id, j] of this.jobs) {
      if (j.finishedAt && now - j.finishedAt > this.resultTtlMs) { this.delete(id); this.budget?.forget(id); n++; }
    }
    return n;
  }

  /** A client left: its jobs keep running (results wait for resume); a half-uploaded one is dropped. */
  detach(session: JobSession): void {
    for (const id of session.jobs) {
      const job = this.jobs.get(id);
      if (!job || job.session !== session) continue;
      job.session = null;
      job.sink = null;
      if (job.state === 'uploading') { this.fail(job, new SmartDragError(ErrorCode.cancelled, 'client left during upload')); this.delete(id); }
    }
  }

  counts(): JobCounts {
    let queued = 0, running = 0, stored = 0;
    for (const j of this.jobs.values()) {
      if (j.state === 'queued' || j.state === 'preparing' || j.state === 'uploading') queued++;
      else if (j.state === 'running') running++;
      else stored++;
    }
    return { queued, running, stored };
  }
}
