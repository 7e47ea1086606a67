/**
 * For the Photoshop plugin's controller tests: a bridge client scripted instead of a bridge (the
 * bridge's pixels do not matter there): each job ends (unless held) with an 8×8 opaque block at
 * the first drag's target; and the small document those tests open.
 */
import type { BridgeJob, ConnectionStatus, JobHandlers, JobOutcome, SubmitInput } from '@smartdrag/shared';
import type { BridgeClientLike, SmartDragController } from '../../plugin-photoshop/src/app/controller';
import type { FakeDocument, FakeLayer, FakePhotoshop } from './fake-photoshop';

/** A bridge client whose jobs end (when `hold` is false) with an 8×8 opaque block at the first drag's target. */
export class ScriptedBridge implements BridgeClientLike {
  submitted: SubmitInput[] = [];
  pending: Array<() => void> = [];
  /** Leave jobs unfinished until `finish()`. */
  hold = false;
  /** Ids of the jobs whose `cancel()` was called, in order. */
  cancelled: string[] = [];
  /** Called as each job is submitted. */
  onSubmit: (() => void) | null = null;
  onStatus(fn: (s: ConnectionStatus) => void) { fn({ state: 'connected' }); return () => undefined; }
  async connect() { return {}; }
  close() { /* nothing */ }
  submit(input: SubmitInput, _h?: JobHandlers): BridgeJob {
    this.submitted.push(input);
    this.onSubmit?.();
    const target = input.drags[0]!.points[input.drags[0]!.points.length - 1]!;
    const data = new Uint8ClampedArray(8 * 8 * 4);
    for (let i = 0; i < 64; i++) data.set([250, 20, 20, 255], i * 4);
    const outcome: JobOutcome = { layer: { left: Math.round(target[0]) - 4, top: Math.round(target[1]) - 4, width: 8, height: 8, data }, plan: { operations: [], warnings: [] }, timings: {} };
    let resolve!: (o: JobOutcome) => void, reject!: (e: unknown) => void;
    const result = new Promise<JobOutcome>((res, rej) => { resolve = res; reject = rej; });
    result.catch(() => undefined); // a cancelled job nobody awaits is no unhandled rejection
    if (this.hold) { this.pending.push(() => resolve(outcome)); this.failing.push(reject); } else resolve(outcome);
    const id = `job${this.submitted.length}`;
    // As BridgeClient: a cancel ends the job's result with `cancelled` (nothing more once it settled).
    const cancel = () => { this.cancelled.push(id); reject({ code: 'cancelled', message: 'cancelled' }); };
    return { id, plan: new Promise(() => undefined), result, cancel };
  }
  finish(): void {
    for (const f of this.pending.splice(0)) f();
    this.failing.splice(0);
  }
  /** End the held jobs with a bridge error instead. */
  fail(error: { code: string; message: string; hint?: string }): void {
    for (const f of this.failing.splice(0)) f(error);
    this.pending.splice(0);
  }
  private failing: Array<(e: unknown) => void> = [];
}

/**
 * A 160 × 120 document with a layer "Photo" (a pattern), a 20 × 20 selection at (20, 40) and,
 * unless `path` is false, an arrow from (30, 50) to (70, 50) on the Work Path.
 */
export const PHOTO_W = 160, PHOTO_H = 120;
export function openPhoto(ps: FakePhotoshop, opts: Parameters<FakePhotoshop['openDocument']>[2] = {}, path = true): { doc: FakeDocument; source: FakeLayer } {
  const W = PHOTO_W, H = PHOTO_H;
  const doc = ps.openDocument(W, H, { resolution: 300, ...opts });
  const px = new Uint8ClampedArray(W * H * 4);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) px.set([(x * 3) & 255, (y * 2) & 255, 120, 255], (y * W + x) * 4);
  const source = doc.addLayer('Photo', px);
  const sel = new Uint8Array(W * H);
  for (let y = 40; y < 60; y++) for (let x = 20; x < 40; x++) sel[y * W + x] = 255;
  doc.selectionMask = sel;
  if (path) doc.addPath('Work Path', 'workPath', [{ closed: false, points: [{ anchor: [30, 50] }, { anchor: [70, 50] }] }]);
  return { doc, source };
}

/**
 * Start a run and resolve once the bridge got its job (the controller holds it by then), with the
 * run's promise; a run that ends before submitting anything fails the test with its error.
 */
export async function startJob(bridge: ScriptedBridge, c: SmartDragController, go: () => Promise<void>): Promise<{ run: Promise<void> }> {
  let ended = false;
  const submitted = new Promise<void>((resolve) => {
    bridge.onSubmit = () => { bridge.onSubmit = null; queueMicrotask(resolve); };
  });
  const run = go().finally(() => { ended = true; });
  await Promise.race([submitted, run]);
  if (ended && bridge.onSubmit) throw new Error(`the run ended before submitting a job: ${JSON.stringify(c.state.error)}`);
  return { run };
}

/** Lets the fake's notifications and the listener's (async) removal run. */
export const settle = (): Promise<void> => new Promise((r) => setImmediate(r));
