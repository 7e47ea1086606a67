/**
 * Load test (issue #10): 50 concurrent real WebSocket clients on loopback each submit 2 edits (a
 * distinct image per client, a distinct region and arrow per job). Zero lost and zero mixed-up
 * results: every layer equals `runEdit` of its own request, byte for byte. Throughput and p95
 * latency are printed (the documented numbers come from bridge-server/src/bench/load-bench.ts).
 */
import { loadJob, matchesReference, runLoad } from '../../bridge-server/src/bench/load-bench';
import { startTestBridge, type TestBridge } from '../helpers/bridge-harness';

let tb: TestBridge;
beforeAll(async () => {
  tb = await startTestBridge({ workers: 2, debugHooks: false });
});
afterAll(async () => { await tb?.bridge.close(); });

it('the reference check can fail: a result swapped between two clients is detected', async () => {
  const a = loadJob(3, 0, 96), b = loadJob(4, 0, 96);
  const { runEdit } = await import('../../bridge-server/src/core/edit');
  const ra = await runEdit(a.request);
  const outcome = { layer: { left: ra.layer.left, top: ra.layer.top, width: ra.layer.image.width, height: ra.layer.image.height, data: ra.layer.image.data }, plan: ra.plan as never, timings: {} };
  expect(await matchesReference({ ...a, outcome })).toBe(true);
  expect(await matchesReference({ ...b, outcome })).toBe(false);
});

it('50 concurrent clients × 2 edits: nothing lost, nothing mixed up', async () => {
  const r = await runLoad({ wsUrl: tb.wsUrl, token: tb.token, clients: 50, jobsPerClient: 2, size: 96, timeoutMs: 60_000 });
  // eslint-disable-next-line no-console
  console.log(`load: ${r.completed}/${r.jobs} jobs in ${(r.wallMs / 1000).toFixed(2)} s, ${r.throughput.toFixed(1)} jobs/s, p50 ${r.p50Ms.toFixed(0)} ms, p95 ${r.p95Ms.toFixed(0)} ms, max ${r.maxMs.toFixed(0)} ms`);
  expect(r.errors).toEqual([]);
  expect(r.jobs).toBe(100);
  expect(r.lost).toBe(0);
  expect(r.mismatched).toBe(0);
  expect(new Set(r.jobsDetail.map((j) => j.jobId)).size).toBe(100);
  expect(tb.bridge.stats()).toMatchObject({ queued: 0, running: 0 });
}, 90_000);
