/**
 * A cancelled preview stops inside its stage on a real bridge (one worker). The core's long
 * stages are synchronous, and a cancel arrives at the worker as a message: before, the edit ran to
 * its end (the object reading, the warp, the fill) with the message waiting, the pool's grace ran
 * out and the worker was thrown away and started again — on a live drag, which cancels every
 * superseded preview, that was the common path. The core's checks now take in the waiting cancel
 * (core/cancel.ts, server/edit-worker.ts), so the job ends within a band of rows and the worker
 * is kept. Behaviour only: the grace here (300 ms) is far above what a cancel now takes and far
 * below what the rest of this 9 MP preview takes.
 */
import { encodeFrame } from '@smartdrag/shared';
import { WorkerPool } from '../../bridge-server/src/server/worker-pool';
import { RawClient, sendJob, startTestBridge, type TestBridge } from '../helpers/bridge-harness';

const W = 3072, H = 3072;

/** A red disc on a textured green backdrop (noise + waves), seeded. */
function scene(): Uint8ClampedArray {
  const data = new Uint8ClampedArray(W * H * 4);
  let s = 12345;
  const cx = W / 2, cy = H / 2, r = W * 0.18;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      s = (s * 1103515245 + 12345) >>> 0;
      const i = (y * W + x) * 4, n = (s / 2 ** 32) * 40;
      if ((x - cx) ** 2 + (y - cy) ** 2 < r * r) { data[i] = 200 + n / 2; data[i + 1] = 40 + n; data[i + 2] = 30; }
      else { data[i] = 60 + n + 30 * Math.sin(x / 17); data[i + 1] = 110 + n; data[i + 2] = 70 + 20 * Math.cos(y / 23); }
      data[i + 3] = 255;
    }
  }
  return data;
}

let tb: TestBridge;
let pixels: Uint8ClampedArray;
let serial = 0;
const replaced = jest.spyOn(WorkerPool.prototype as unknown as { replace: (...a: unknown[]) => void }, 'replace');

beforeAll(async () => {
  pixels = scene();
  tb = await startTestBridge({ cancelGraceMs: 300, debugHooks: false });
});
afterAll(async () => {
  replaced.mockRestore();
  await tb?.bridge.close();
});

/** A preview moving the disc inside a loose square selection; each job's pixels differ by one (no cached object reading). */
function job(jobId: string): { submit: Record<string, unknown>; chunks: Uint8Array[] } {
  const cx = W / 2, cy = H / 2, m = W * 0.18 * 1.35;
  const bytes = new Uint8Array(pixels.buffer.slice(0));
  bytes[(cy * W + cx) * 4] = (++serial * 7) & 255;
  return {
    submit: {
      type: 'job.submit', jobId, quality: 'preview', seed: 1,
      regions: [{ id: 'r', polygon: [[cx - m, cy - m], [cx + m, cy - m], [cx + m, cy + m], [cx - m, cy + m]] }],
      drags: [{ region: 'r', points: [[cx, cy], [cx + 368.6, cy + 153.3]], kind: 'translate' }],
    },
    chunks: encodeFrame({ jobId, part: 'image', slot: 0, format: 'rgba8', width: W, height: H, left: 0, top: 0 }, bytes, 1 << 20),
  };
}

const ended = (id: string) => (m: { type: string; jobId?: string }): boolean => ['job.result', 'job.error', 'job.cancelled'].includes(m.type) && m.jobId === id;

test.each([
  ['right after job.plan (in the warp)', 'plan'],
  ['while the object is read (before the plan)', 'reading'],
])('a preview cancelled %s ends cancelled and its worker is kept', async (_what, when) => {
  const c = await RawClient.connect(tb);
  try {
    const before = replaced.mock.calls.length;
    const id = `cancel-${when}`;
    sendJob(c, job(id));
    if (when === 'plan') await c.next((m) => m.type === 'job.plan' && m.jobId === id, 60000);
    else {
      await c.next((m) => m.type === 'job.started' && m.jobId === id, 60000);
      await new Promise((r) => setTimeout(r, 40));
    }
    c.send({ type: 'job.cancel', jobId: id });
    expect(await c.next(ended(id), 60000)).toMatchObject({ type: 'job.cancelled' });
    // The next preview runs on the same worker: none was replaced.
    sendJob(c, job(`${id}-next`));
    expect(await c.next(ended(`${id}-next`), 60000)).toMatchObject({ type: 'job.result' });
    expect(replaced.mock.calls.length - before).toBe(0);
  } finally {
    c.close();
  }
}, 120000);
