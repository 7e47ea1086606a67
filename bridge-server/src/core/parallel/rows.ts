/**
 * Row-parallel pixel passes over SharedArrayBuffer: a small persistent pool of helper threads
 * (created once per process or edit worker, never per job) that share the rows of one pass with
 * the calling thread.
 *
 * A pass is a registered *row kernel* `(task, y0, y1)`: it must write only outputs that belong to
 * rows `y0 ≤ y < y1` and read nothing another row writes, so the result does not depend on which
 * thread ran which rows — threaded and single-thread results are bit-identical (tested). Every
 * large array in `task` must live on a SharedArrayBuffer ({@link sharedBytes} & co.; anything else
 * would be copied into each helper); small values are copied with the message.
 *
 * Scheduling: rows are handed out in chunks from an atomic counter (guided: each chunk is a share
 * of the rows still left, so the last chunks are small and a thread that the OS pauses mid-chunk
 * holds up little; the caller takes chunks too
 * and then blocks (`Atomics.wait`, so passes stay synchronous) until every row is done. A helper
 * that is still starting (or busy elsewhere) simply gets no chunks: the caller does the rest, so
 * a slow helper costs nothing but never stalls a pass. Small passes (below
 * {@link PARALLEL_MIN_WORK}) and `SMARTDRAG_PIXEL_THREADS=0` run on the caller alone, and so do
 * all passes once helpers failed to start {@link HELPER_START_FAILURES_MAX} times in a row.
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { throwIfCancelled } from '../cancel';

/** A row kernel: process rows `[y0, y1)` of `task`. */
export type RowKernel<T> = (task: T, y0: number, y1: number) => void;

const kernels = new Map<string, RowKernel<never>>();

/** Register `fn` under `name` (in every thread: kernel modules register themselves when loaded). */
export function registerRowKernel<T>(name: string, fn: RowKernel<T>): void {
  kernels.set(name, fn as RowKernel<never>);
}

/**
 * Below this much work (pixels, or pixel-equivalents: a final render counts 4 per pixel) a pass
 * runs on the calling thread only. Measured on the shared 2-core machine: at 1024² (render
 * ~0.8 M) and 2048² (~3 M) the helper's hand-off and the wait for its last chunk cost about what
 * it saves, at 36 MP (~28 M) it saves ~30% of the warp (docs/benchmarks/speed.md).
 */
export const PARALLEL_MIN_WORK = 4_000_000;
let minWork = PARALLEL_MIN_WORK;

/** Change the threshold (tests force small passes onto the helpers); returns the previous one. */
export function setParallelMinWork(work: number): number {
  const prev = minWork;
  minWork = Math.max(0, work);
  return prev;
}

/** The message a helper receives for one pass. */
export interface RowPassMessage {
  name: string;
  task: unknown;
  /** [next row, rows done, failed flag, rows done by helpers]. */
  ctrl: Int32Array;
  rows: number;
  /** Smallest chunk (rows). */
  chunk: number;
  /** Threads sharing the pass (helpers + caller). */
  threads: number;
  /** Largest chunk (rows): with a signal, a pass is handed out in bands the caller checks between (see {@link cancelBand}); with progress reports, in at most 1/PROGRESS_BANDS of the pass. */
  maxChunk?: number;
}

const NEXT = 0, DONE = 1, FAILED = 2, BY_HELPERS = 3;

function defaultHelpers(): number {
  const env = process.env.SMARTDRAG_PIXEL_THREADS;
  if (env !== undefined && env !== '') {
    const n = Number(env);
    if (Number.isInteger(n) && n >= 0) return Math.min(n, 8);
  }
  // The caller is one of the threads; on 2 cores that is one helper.
  return Math.max(0, Math.min(3, availableParallelism() - 1));
}

let helperCount = -1;
let helpers: Worker[] = [];
let ready: Array<Promise<void>> = [];
let helperRows = 0;

/** Rows of all passes so far that helper threads ran (tests check that threads really worked). */
export function rowsRunByHelpers(): number {
  return helperRows;
}

/** Number of helper threads passes use (0 = single thread). */
export function pixelHelperCount(): number {
  if (helperCount < 0) helperCount = defaultHelpers();
  return helperCount;
}

/**
 * Set the number of helper threads passes use (0 = single thread; tests and benchmarks compare
 * both). Helpers already started beyond the count stay idle (starting one costs far more than
 * keeping it), so switching back and forth is free.
 */
export function setPixelHelperCount(n: number): void {
  helperCount = Math.max(0, Math.floor(n));
}

/** Resolves when every helper started so far has loaded its kernels. */
export async function pixelHelpersReady(): Promise<void> {
  await Promise.all(ready);
}

/**
 * Helpers that stopped before they were ready, in a row; at {@link HELPER_START_FAILURES_MAX} no
 * more are started (a helper that cannot load its kernels will not load them next time either:
 * starting one for every pass would cost far more than the pass) and passes run on the caller.
 */
let helperStartFailures = 0;
export const HELPER_START_FAILURES_MAX = 3;
let helperEntry = join(__dirname, 'row-worker.js');

/** Helper threads that stopped before they were ready, in a row (tests). */
export function pixelHelperStartFailures(): number {
  return helperStartFailures;
}

/** Use another helper entry (tests: one that fails to load); returns the previous one and resets the failure count. */
export function setPixelHelperEntry(entry: string): string {
  const prev = helperEntry;
  helperEntry = entry;
  helperStartFailures = 0;
  return prev;
}

/** Stop every helper thread (tests start from none); later passes start them again. */
export async function stopPixelHelpers(): Promise<void> {
  const all = helpers.splice(0, helpers.length);
  ready.splice(0, ready.length);
  await Promise.all(all.map((w) => w.terminate()));
}

/** Start the helpers now (e.g. when an edit worker starts) so the first pass finds them ready. */
export function startPixelHelpers(): void {
  const want = pixelHelperCount();
  while (helpers.length < want && helperStartFailures < HELPER_START_FAILURES_MAX) {
    const w = new Worker(helperEntry);
    w.unref(); // never keeps a process alive
    let started = false;
    const gone = (): void => {
      const i = helpers.indexOf(w);
      if (i >= 0) { helpers.splice(i, 1); ready.splice(i, 1); }
      if (!started) helperStartFailures++;
    };
    w.once('error', gone);
    w.once('exit', () => { if (helpers.includes(w)) gone(); });
    helpers.push(w);
    ready.push(new Promise<void>((resolve) => {
      w.once('message', () => { started = true; helperStartFailures = 0; resolve(); });
      w.once('exit', () => resolve());
    }));
  }
}

/**
 * Run `kernel` over `rows` rows in this thread, in bands when `onRows` wants to hear how far it is
 * (the share of rows done, after each band): a long pass then reports as it goes. With `signal`,
 * the pass runs in bands of {@link cancelBand} rows and throws `CancelledError` between two of them
 * once the signal has fired (core/cancel.ts); the reports are the same as without it.
 */
export function rowsInBands<T>(kernel: RowKernel<T>, task: T, rows: number, onRows?: (done: number) => void, signal?: AbortSignal): void {
  const run = (y0: number, y1: number): void => {
    if (!signal) { kernel(task, y0, y1); return; }
    const step = cancelBand(rows);
    for (let a = y0; a < y1; a += step) {
      throwIfCancelled(signal);
      kernel(task, a, Math.min(y1, a + step));
    }
  };
  // (A pass of under BANDED_MIN_ROWS rows is short: one call, one report.)
  if (!onRows || rows < BANDED_MIN_ROWS) { run(0, rows); onRows?.(1); return; }
  const band = Math.ceil(rows / PROGRESS_BANDS);
  for (let y0 = 0; y0 < rows; y0 += band) {
    const y1 = Math.min(rows, y0 + band);
    run(y0, y1);
    onRows(y1 / rows);
  }
}

/** Bands a pass with a signal is cut into at most (the signal is checked between two). */
const CANCEL_BANDS = 64;
/** Fewest rows of such a band. */
const CANCEL_BAND_MIN_ROWS = 16;

/**
 * Rows of one band of a pass with a signal: 1/{@link CANCEL_BANDS} of the pass (at least
 * {@link CANCEL_BAND_MIN_ROWS}), so a cancel waits for a small share of the pass whatever its size.
 * Kernels write only their own rows, so the bands change no value.
 */
export function cancelBand(rows: number): number {
  return Math.max(CANCEL_BAND_MIN_ROWS, Math.ceil(rows / CANCEL_BANDS));
}

/** How many progress reports a long pass makes at most (see {@link rowsInBands}). */
const PROGRESS_BANDS = 20;
/** Passes over fewer rows run in one call (a 1 MP document's passes: milliseconds). */
const BANDED_MIN_ROWS = 1024;

/**
 * Run one pass of a registered kernel over `rows` rows (the kernel adds its own row offset).
 * `onRows` hears the share of rows done as the pass goes (at most about {@link PROGRESS_BANDS} times).
 * With `onRows`, rows are handed out in chunks of at most 1/{@link PROGRESS_BANDS} of the pass, so
 * the caller (which tells between two of its own chunks) reports while the helpers work too.
 * With `signal`, rows are handed out in chunks of at most {@link cancelBand} rows and the caller
 * throws `CancelledError` between two of its chunks once the signal has fired — after the helpers'
 * chunks under way have ended (they write into the pass's buffers, which go back to a pool).
 */
export function runRows<T>(name: string, task: T, rows: number, work: number, onRows?: (done: number) => void, signal?: AbortSignal): void {
  const kernel = kernels.get(name) as RowKernel<T> | undefined;
  if (!kernel) throw new Error(`row kernel ${name} is not registered`);
  if (rows <= 0) return;
  if (work < minWork || rows < 16 || pixelHelperCount() === 0) { rowsInBands(kernel, task, rows, onRows, signal); return; }
  startPixelHelpers();
  const use = helpers.slice(0, pixelHelperCount());
  const threads = use.length + 1;
  const chunk = Math.max(4, Math.ceil(rows / (threads * 32)));
  // Chunks stay small enough for the caller to tell its progress as it goes: it can tell only
  // between two of its own chunks, and one chunk of a quarter of the pass let a helper finish all
  // the rest meanwhile on a loaded machine (no report inside the pass at all).
  const maxChunk = Math.min(signal ? cancelBand(rows) : rows, onRows ? Math.ceil(rows / PROGRESS_BANDS) : rows);
  const ctrl = new Int32Array(new SharedArrayBuffer(16));
  const msg: RowPassMessage = { name, task, ctrl, rows, chunk, threads, ...(maxChunk < rows ? { maxChunk } : {}) };
  for (const h of use) h.postMessage(msg);
  // The share of rows done, told at most every 1/PROGRESS_BANDS of the pass.
  let told = 0;
  const tell = (done: number): void => { if (onRows && done - told >= rows / PROGRESS_BANDS) { told = done; onRows(Math.min(1, done / rows)); } };
  // Rows of the caller's own chunk under way (not yet counted done).
  let open = 0;
  try {
    for (;;) {
      throwIfCancelled(signal);
      const [y0, y1] = takeChunk(ctrl, rows, chunk, threads, maxChunk);
      if (y0 >= rows) break;
      open = y1 - y0;
      kernel(task, y0, y1);
      open = 0;
      tell(Atomics.add(ctrl, DONE, y1 - y0) + (y1 - y0));
    }
  } catch (e) {
    // No row is handed out any more; the helpers finish the chunks they hold before this returns.
    const handed = Math.min(rows, Atomics.exchange(ctrl, NEXT, rows)) - open;
    for (;;) {
      const done = Atomics.load(ctrl, DONE);
      if (done >= handed) break;
      if (Atomics.wait(ctrl, DONE, done, 60_000) === 'timed-out' && Atomics.load(ctrl, DONE) === done) break;
    }
    helperRows += Atomics.load(ctrl, BY_HELPERS);
    throw e;
  }
  for (;;) {
    const done = Atomics.load(ctrl, DONE);
    if (done >= rows) break;
    // The helpers' rows count too: the caller, done with its own, tells as theirs finish.
    tell(done);
    // A helper is mid-chunk; it notifies when it adds its rows.
    if (Atomics.wait(ctrl, DONE, done, 60_000) === 'timed-out' && Atomics.load(ctrl, DONE) === done) {
      throw new Error(`pixel pass ${name}: a helper thread stopped answering`);
    }
  }
  helperRows += Atomics.load(ctrl, BY_HELPERS);
  if (Atomics.load(ctrl, FAILED) !== 0) throw new Error(`pixel pass ${name} failed in a helper thread`);
  onRows?.(1);
}

/** The next chunk `[y0, y1)` of a pass (guided: a share of what is left, at least `min` rows, at most `max` when that is more than `min`). */
function takeChunk(ctrl: Int32Array, rows: number, min: number, threads: number, max = rows): [number, number] {
  for (;;) {
    const y0 = Atomics.load(ctrl, NEXT);
    if (y0 >= rows) return [rows, rows];
    const y1 = Math.min(rows, y0 + Math.max(min, Math.min(max, Math.ceil((rows - y0) / (2 * threads)))));
    if (Atomics.compareExchange(ctrl, NEXT, y0, y1) === y0) return [y0, y1];
  }
}

/** Helper side: take chunks of one pass until none are left. */
export function serveRowPass(msg: RowPassMessage): void {
  const { ctrl, rows, chunk, threads } = msg;
  const kernel = kernels.get(msg.name);
  for (;;) {
    const [y0, y1] = takeChunk(ctrl, rows, chunk, threads, msg.maxChunk ?? rows);
    if (y0 >= rows) break;
    try {
      if (!kernel) throw new Error(`row kernel ${msg.name} is not registered in the helper`);
      kernel(msg.task as never, y0, y1);
    } catch {
      Atomics.store(ctrl, FAILED, 1);
    }
    Atomics.add(ctrl, BY_HELPERS, y1 - y0);
    Atomics.add(ctrl, DONE, y1 - y0);
    Atomics.notify(ctrl, DONE);
  }
}

/** Whether passes of this size would use helpers (callers allocate shared buffers only then). */
export function willRunParallel(rows: number, work: number): boolean {
  return work >= minWork && rows >= 16 && pixelHelperCount() > 0;
}

/** A zeroed byte array on a SharedArrayBuffer. */
export function sharedBytes(n: number): Uint8Array {
  return new Uint8Array(new SharedArrayBuffer(n));
}

/** A zeroed Uint8ClampedArray on a SharedArrayBuffer. */
export function sharedClamped(n: number): Uint8ClampedArray {
  return new Uint8ClampedArray(new SharedArrayBuffer(n));
}

/** A zeroed Float32Array on a SharedArrayBuffer. */
export function sharedFloat32(n: number): Float32Array {
  return new Float32Array(new SharedArrayBuffer(n * 4));
}

/** `a` itself when it already lives on a SharedArrayBuffer, else a shared copy. */
export function asShared<A extends Uint8Array | Uint8ClampedArray | Float32Array>(a: A): A {
  if (a.buffer instanceof SharedArrayBuffer) return a;
  const C = a.constructor as new (b: SharedArrayBuffer) => A;
  const out = new C(new SharedArrayBuffer(a.byteLength));
  out.set(a as never);
  return out;
}
