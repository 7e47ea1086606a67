/**
 * Jobs submitted over HTTP (`POST /v1/edit`): the same admission, queue and workers as WebSocket
 * jobs, with a sink that collects the job's messages and layer chunks until it ends.
 */
import type { Logger } from 'pino';
import { ErrorCode, type Frame, type JobSubmit, type ServerMessage, type SmartDragError } from '@smartdrag/shared';
import type { Dispatcher } from './dispatch';
import { expectedMaskSlots } from './job-input';
import type { JobQueue } from './job-queue';
import { ACTIVE, type JobSink, type JobStore } from './job-store';

/** A finished HTTP job's messages (ending with `job.result`, `job.error` or `job.cancelled`) and layer chunks. */
export interface CollectedJob {
  messages: ServerMessage[];
  chunks: Uint8Array[];
}

/** What {@link runHttpJob} needs. */
export interface HttpJobDeps {
  store: JobStore;
  queue: JobQueue;
  dispatch: Dispatcher;
  logger: Logger;
  closing: () => boolean;
}

/**
 * Run one HTTP job to its end; never rejects (failures are `job.error` messages). `signal`: the
 * request went away (the client gave up or timed out) — the job is cancelled, not run to an end
 * nobody collects. The job takes `frames` over: the map is empty afterwards, and the job drops
 * them once it has decoded them (a caller that keeps its map does not keep the upload alive).
 */
export function runHttpJob(d: HttpJobDeps, submit: JobSubmit, frames: Map<number, Frame>, owner: string, clientId: string, signal?: AbortSignal): Promise<CollectedJob> {
  return new Promise((resolve) => {
    // The frames move to the job (`entries` is reached by no closure below): the job's sink lives
    // as long as its kept result, and through it these closures reach `frames` — empty now.
    const entries = [...frames];
    frames.clear();
    const collected: CollectedJob = { messages: [], chunks: [] };
    const refuse = (code: ErrorCode, message: string, hint: string) =>
      resolve({ messages: [{ type: 'job.error', jobId: submit.jobId, code, message, hint }], chunks: [] });
    const sink: JobSink = {
      message: (m) => {
        collected.messages.push(m);
        if (m.type === 'job.error' || m.type === 'job.cancelled' || (m.type === 'job.result' && m.frames === collected.chunks.length)) resolve(collected);
      },
      binary: (c) => {
        collected.chunks.push(c);
        const res = collected.messages.find((m) => m.type === 'job.result');
        if (res && res.type === 'job.result' && collected.chunks.length === res.frames) resolve(collected);
      },
    };
    try {
      d.queue.admit(submit, null, d.closing());
    } catch (e) {
      const err = e as SmartDragError;
      refuse(err.code, err.message, err.hint);
      return;
    }
    const same = d.store.get(submit.jobId);
    if (same) {
      // (A request sent twice at once met "ran recently" while the first was still running.)
      const why = ACTIVE.has(same.state) ? 'a job with this id is still running' : 'a job with this id ran recently and the bridge still keeps it';
      refuse(ErrorCode.bad_message, `job id ${submit.jobId} is already in use: ${why}`,
        'Give each request its own jobId, or leave jobId out (the bridge makes one).');
      return;
    }
    const job = d.store.create(submit, owner, clientId, sink, null, d.logger.child({ jobId: submit.jobId }), [0, ...expectedMaskSlots(submit)]);
    job.http = true; // answered to this request only: no socket can take its events over
    for (const [slot, f] of entries) job.frames.set(slot, f);
    if (signal) {
      const gone = () => {
        if (!ACTIVE.has(job.state)) return;
        job.cancelRequested = true;
        d.dispatch.cancel(job, ErrorCode.cancelled, 'the HTTP client went away');
      };
      if (signal.aborted) gone();
      else signal.addEventListener('abort', gone, { once: true });
    }
    void d.dispatch.prepare(job);
  });
}
