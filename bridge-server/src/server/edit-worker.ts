/**
 * An edit worker: runs `runEdit` for one job at a time, off the bridge's event loop. Receives
 * pixels as transferred buffers and transfers the layer back. Cancel arrives as a message and
 * fires the job's AbortSignal; the core stops at its next checkpoint (its checks take in a waiting
 * message themselves: core/cancel.ts).
 *
 * Each worker owns its learned stages (onnxruntime sessions belong to one thread): it calls
 * `initLearnedStages` once at start and passes `editOptions(timings)` (the stages that are on,
 * each timed as `learned.<stage>` in the job's timings) to every `runEdit`; the
 * optional local LLM reasoner is created here too. The plan is posted as soon as it is made, so
 * the client sees `job.plan` before any pixel progress.
 */
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { rasterizePolygon } from '@smartdrag/shared';
import { COLLECT_AFTER_BYTES, collectGarbage } from '../core/gc';
import { setCancelPoll } from '../core/cancel';
import { wireCheck } from '../core/self-check';
import { bridgeEditOptions, runEdit } from '../core/edit';
import { movedOutline } from '../core/outline';
import { createLlmReasoner, type PlanReasoner } from '../core/plan';
import { clearObjectCache } from '../core/plan/object-cache';
import { CancelledError } from '../core/types';
import type { EditRequest, PlacedMask } from '../core/types';
import { initLearnedStages, setNativeRunListener, type LearnedStages } from '../models';
import { startPixelHelpers } from '../core/parallel/rows';
import { makeTexture } from '../core/textures';
import { WARM_STEPS, type FromWorker, type ToWorker, type WarmStep, type WorkerData, type WorkerJob, type WorkerStages } from './worker-protocol';

const port = parentPort;
if (!port) throw new Error('edit-worker must run in a worker thread');
const data = (workerData ?? { debugHooks: false }) as WorkerData;
let current: { jobId: string; abort: AbortController } | null = null;
// The pixel helper threads of this worker's large passes start now, not on the first job.
startPixelHelpers();

let reasoner: PlanReasoner | undefined;
let reasonerError: string | undefined;
if (data.llm?.baseUrl) {
  try {
    reasoner = createLlmReasoner({ baseUrl: data.llm.baseUrl, model: data.llm.model, timeoutMs: data.llm.timeoutMs });
  } catch (e) {
    reasonerError = `LLM reasoner off: ${(e as Error).message}`;
  }
}

/** Learned stages of this thread; null when off or when initialising failed. */
const learned: Promise<{ stages: LearnedStages | null; info: WorkerStages }> = (async () => {
  const base = { reasoner: reasoner ? 'llm' : 'rules' };
  if (data.learned === false) {
    return { stages: null, info: { device: 'cpu', deviceReason: 'learned stages turned off (smartdrag serve --no-learned)', filler: false, refiner: false, ...base, ...(reasonerError ? { error: reasonerError } : {}) } };
  }
  try {
    const stages = await initLearnedStages(data.home ? { home: data.home } : {});
    const on = stages.editOptions();
    return {
      stages,
      info: { device: stages.probe.device, deviceReason: stages.probe.reason, filler: !!on.filler, refiner: !!on.refiner, ...base, ...(reasonerError ? { error: reasonerError } : {}) },
    };
  } catch (e) {
    const msg = (e as Error)?.message ?? String(e);
    return { stages: null, info: { device: 'cpu', deviceReason: 'learned stages failed to start', filler: false, refiner: false, ...base, error: msg } };
  }
})();

/**
 * A job ended (its result or error posted; nothing here references it any more): free its memory
 * once this task is over (collected from inside the job's own task, its input was still found
 * reachable), unless another job started meanwhile.
 */
function released(): void {
  setImmediate(() => {
    if (current !== null) return;
    collectGarbage?.();
    // The job's ArrayBuffers are freed by V8's sweeper after the collection that found them dead;
    // an idle thread then kept up to twice the job's image bytes counted as external memory (V8
    // sizes its next collection by it) until its next job (bench/idle-memory.ts: 198 MB after a
    // 24 MP final, 365 MB after a 48 MP one). A second collection a moment later lets them go.
    const t = setTimeout(() => { if (current === null) collectGarbage?.(); }, 500);
    t.unref();
  });
}

// Jobs whose image is at least COLLECT_AFTER_BYTES (2 MP) are followed by a collection (a
// 24–50 MP document is 100–200 MB). Smaller ones are not: a drag's previews (on a proxy of at
// most 1 MP) come one after another, and a full collection after each would delay the next; V8
// collects their few MB as they allocate.

/**
 * Small edits whose results are dropped (the pool asks a worker started in place of a retired
 * one, before any job): V8 compiles the edit's hot code on them, so the next real edit does not
 * run it unoptimised — a drag's previews as well as a final (a preview runs other code: its quick
 * fill, the proxy; after a final-only warm-up the first preview frames were still cold). Each
 * step of {@link WARM_STEPS}: `preview-sent` a preview on a host-made proxy (job.submit
 * `proxyOf`: a 1024² image standing for a 4096² document), `preview-proxy` a preview of a 1024²
 * document on the 512² proxy the worker makes, `final` a 512² final. A job that arrives meanwhile
 * aborts the step running (at its next cancel check) and the rest. Learned stages are left out
 * (their sessions are built at start already). Returns the steps run to the end.
 */
async function warmUp(): Promise<WarmStep[]> {
  const abort = new AbortController();
  current = { jobId: '', abort };
  const done: WarmStep[] = [];
  try {
    for (let i = 0; i < WARM_STEPS.length && !abort.signal.aborted; i++) {
      const step = WARM_STEPS[i]!;
      // (Previews at a host proxy's size, ~1 MP: besides the code, the thread's young heap grows
      // to what a frame allocates; on 512² ones the first real frames still ran ~2× slower.)
      const n = step === 'final' ? WARM_SIDE : 2 * WARM_SIDE;
      // (Each preview's target a little elsewhere, as a drag's frames are.)
      const req = warmRequest(n, step === 'final' ? 'final' : 'preview', 0.12 - 0.01 * i);
      try {
        await runEdit(req, {
          signal: abort.signal, ...bridgeEditOptions(req.quality),
          ...(step === 'preview-proxy' ? { proxyMaxPixels: WARM_SIDE ** 2 } : {}),
          ...(step === 'preview-sent' ? { sentProxy: { width: n, height: n, scaleX: 0.25, scaleY: 0.25 } } : {}),
        });
        done.push(step);
      } catch { /* a warm-up that fails (or a job cut short) leaves the worker as it was */ }
    }
  } finally {
    current = null;
  }
  return done;
}
/** Side of the warm-up's document (px). */
const WARM_SIDE = 512;
/** True while the warm-up runs (a `run` arriving then aborts it and waits for it to end). */
let warming = false;

/** A warm-up edit on an `n`² noise document: a ~20% ellipse moved by `move`·n. */
function warmRequest(n: number, quality: EditRequest['quality'], move: number): EditRequest {
  const c = n / 2;
  const ring: [number, number][] = [];
  for (let i = 0; i < 32; i++) { const t = (i / 32) * 2 * Math.PI; ring.push([c + 0.23 * n * Math.cos(t), c + 0.2 * n * Math.sin(t)]); }
  return { image: makeTexture('noise', n, n, 5), regions: [{ id: 'r', mask: rasterizePolygon(ring) }], drags: [{ region: 'r', kind: 'translate', points: [[c, c], [c + move * n, c - move * 0.5 * n]] }], quality, seed: 1 };
}

function post(msg: FromWorker, transfer: ArrayBuffer[] = []): void {
  port!.postMessage(msg, transfer);
}

// The pool must not terminate this thread inside a native onnxruntime run (it would abort the
// process): it is told when one starts and ends.
if (port) setNativeRunListener((busy) => post({ type: 'native', busy }));

function toRequest(job: WorkerJob): EditRequest {
  const toMask = (r: { polygon: [number, number][] } | { mask: PlacedMask }): PlacedMask =>
    'polygon' in r ? rasterizePolygon(r.polygon) : r.mask;
  return {
    image: job.image,
    regions: job.regions.map((r) => ({ id: r.id, mask: toMask(r) })),
    drags: job.drags.map((d) => ({ region: d.region, points: d.points, kind: d.kind ?? 'auto', ...(d.center ? { center: d.center } : {}) })),
    keep: job.keep.map(toMask),
    ...(job.intent !== undefined ? { intent: job.intent } : {}),
    quality: job.quality,
    seed: job.seed,
    ...(job.document ? { document: job.document } : {}),
    ...(job.reading ? { reading: job.reading } : {}),
  };
}

/**
 * Test hooks (only with `debugHooks`), chosen by an intent starting `__hook:<name>__`: `nap`
 * (400 ms, then the edit), `sleep` (until cancelled, ≤ 10 s), `hang` (busy, ignores cancel),
 * `crash` (the worker exits), `throw` (uncaught error in the worker).
 */
async function runHook(hook: string, signal: AbortSignal): Promise<void> {
  if (hook === 'crash') process.exit(70);
  if (hook === 'throw') {
    setImmediate(() => { throw new Error('simulated uncaught worker error'); });
    await new Promise((r) => setTimeout(r, 10_000));
  }
  if (hook === 'hang') {
    const end = Date.now() + 10_000;
    while (Date.now() < end) { /* busy: ignores the signal, forcing terminate */ }
  }
  if (hook === 'nap') {
    // A short pause, then the real edit (reconnect and queue tests).
    const end = Date.now() + 400;
    while (Date.now() < end && !signal.aborted) await new Promise((r) => setTimeout(r, 20));
    if (signal.aborted) throw new CancelledError();
  }
  if (hook === 'sleep') {
    const end = Date.now() + 10_000;
    post({ type: 'progress', jobId: current!.jobId, stage: 'plan', fraction: 0 });
    while (Date.now() < end && !signal.aborted) await new Promise((r) => setTimeout(r, 20));
    if (signal.aborted) throw new CancelledError();
  }
}

async function run(job: WorkerJob): Promise<void> {
  const t0 = performance.now();
  const abort = new AbortController();
  current = { jobId: job.jobId, abort };
  try {
    const hook = data.debugHooks ? /^__hook:(\w+)__/.exec(job.intent ?? '')?.[1] : undefined;
    if (hook) await runHook(hook, abort.signal);
    const { stages } = await learned;
    const learnedTimings: Record<string, number> = {};
    const res = await runEdit(toRequest(job), {
      signal: abort.signal,
      // The moved outline (job.result `moved`); on finals the self-check (job.result `check`, and
      // a plan warning when the result looks doubtful).
      ...bridgeEditOptions(job.quality),
      ...(job.proxyMaxPixels !== undefined ? { proxyMaxPixels: job.proxyMaxPixels } : {}),
      ...(job.sentProxy ? { sentProxy: job.sentProxy } : {}),
      ...stages?.editOptions(learnedTimings),
      ...(reasoner ? { reasoner } : {}),
      onPlan: (plan) => post({ type: 'plan', jobId: job.jobId, plan }),
      onProgress: (stage, fraction) => post({ type: 'progress', jobId: job.jobId, stage, fraction: Math.max(0, Math.min(1, fraction)) }),
    });
    if (abort.signal.aborted) throw new CancelledError();
    const img = res.layer.image;
    // The layer goes first: the main thread cuts it into chunks while the outline is traced here.
    post({ type: 'layer', jobId: job.jobId, layer: { left: res.layer.left, top: res.layer.top, image: img }, ...(res.proxy ? { proxy: res.proxy } : {}) }, [img.data.buffer as ArrayBuffer]);
    const to = performance.now();
    const moved = { polygons: movedOutline(res) };
    const outlineMs = performance.now() - to;
    post({ type: 'done', jobId: job.jobId, result: { plan: res.plan, timings: { ...res.timings, ...learnedTimings, outline: outlineMs }, ...(res.proxy ? { proxy: res.proxy } : {}), moved, ...(res.check !== undefined ? { check: res.check && wireCheck(res.check) } : {}), workerMs: performance.now() - t0 } });
  } catch (e) {
    const err = e as Error;
    const cancelled = e instanceof CancelledError || abort.signal.aborted;
    const own = (e as { code?: unknown }).code;
    const code = cancelled ? 'cancelled' : own === 'model_missing' || own === 'bad_message' || own === 'intent_unclear' ? own : 'internal';
    const hint = code === own && typeof (e as { hint?: unknown }).hint === 'string' ? (e as { hint: string }).hint : undefined;
    post({ type: 'failed', jobId: job.jobId, code, message: err?.message ?? String(e), stack: err?.stack, ...(hint ? { hint } : {}) });
  } finally {
    current = null;
  }
}

function onMessage(msg: ToWorker): void {
  // After `run` returns, this thread holds nothing of the job (its layer was transferred out).
  if (msg.type === 'run') {
    // (The pool gives a job to a worker still warming up: the warm-up stops, then the job runs.)
    if (warming) { current?.abort.abort(); deferred.push(msg); return; }
    const large = msg.job.image.data.byteLength >= COLLECT_AFTER_BYTES;
    void run(msg.job).then(() => {
      if (large) released();
      const next = deferred.shift();
      if (next) onMessage(next);
    });
  }
  else if (msg.type === 'cancel') {
    if (current?.jobId === msg.jobId) current.abort.abort();
    else {
      // A job given while the warm-up ran, cancelled before it started: it ends here, unrun.
      const i = deferred.findIndex((m) => m.type === 'run' && m.job.jobId === msg.jobId);
      if (i >= 0) { deferred.splice(i, 1); post({ type: 'failed', jobId: msg.jobId, code: 'cancelled', message: 'cancelled' }); }
    }
  }
  else if (msg.type === 'warm') {
    warming = true;
    void warmUp().then((ran) => {
      warming = false;
      // What the warm-up's edits left (readings of its noise document, its buffers) is of no use
      // to a job: dropped and collected, so the warmed worker idles as small as a fresh one.
      clearObjectCache();
      released();
      post({ type: 'warmed', ran });
      const next = deferred.shift();
      if (next) onMessage(next);
    });
  }
  else if (msg.type === 'memory') {
    if (msg.collect && current === null) { collectGarbage?.(); collectGarbage?.(); }
    const m = process.memoryUsage();
    post({ type: 'memory', usage: { heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers } });
  }
}
port.on('message', onMessage);
// The core's long stages are synchronous: a cancel posted meanwhile would be taken in only when
// the edit has ended (and the pool's grace had replaced this worker). Their checks
// (core/cancel.ts) take in the messages waiting here first, so the job's signal fires at once.
// Only a cancel is acted on inside a check; anything else taken in there (the pool sends a run
// only to an idle worker, so nothing should be) waits until the current edit has returned.
const deferred: ToWorker[] = [];
setCancelPoll(() => {
  for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) {
    const msg = m.message as ToWorker;
    if (msg.type === 'cancel' || msg.type === 'memory') onMessage(msg);
    else {
      // A job for a worker warming up: the warm-up stops at this check.
      if (msg.type === 'run' && warming) current?.abort.abort();
      deferred.push(msg);
    }
  }
});
void learned.then(({ info }) => post({ type: 'ready', stages: info }));
