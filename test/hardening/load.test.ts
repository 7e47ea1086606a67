/**
 * Load test (issue #10): 50 concurrent real WebSocket clients on loopback each submit 2 edits (a
 * distinct image per client, a distinct region and arrow per job). Zero lost and zero mixed-up
 * results: every layer equals `runEdit` of its own request, byte for byte. Throughput and p95
 * latency are printed (the documented numbers come from bench/load-bench.ts).
 */
import { loadJob, matchesReference, runLoad } from '../../bench/load-bench';
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

it('the HTTP door under load: 10 concurrent clients × 2 edits over POST /v1/edit, each layer equal to runEdit of its own request', async () => {
  const { encodePng, decodeImage } = await import('../../bridge-server/src/io/image-io');
  const clients = 10, perClient = 2;
  const t0 = performance.now();
  const lat: number[] = [];
  const results = await Promise.all(Array.from({ length: clients }, async (_, k) => {
    const out: { ok: boolean; status: number }[] = [];
    for (let j = 0; j < perClient; j++) {
      const job = loadJob(100 + k, j, 96);
      const body = JSON.stringify({
        jobId: `http-${job.jobId}`, image: { png: (await encodePng(job.request.image)).toString('base64') }, quality: 'preview', seed: job.request.seed,
        regions: [{ id: 'h1', polygon: job.polygon }], drags: [{ region: 'h1', points: job.points, kind: 'translate' }],
      });
      const s = performance.now();
      const res = await fetch(`${tb.url}/v1/edit`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${tb.token}` }, body });
      lat.push(performance.now() - s);
      if (res.status !== 200) { out.push({ ok: false, status: res.status }); continue; }
      const r = await res.json() as { layer: { left: number; top: number; width: number; height: number; png: string } };
      const img = await decodeImage(Buffer.from(r.layer.png, 'base64'));
      job.outcome = { layer: { left: r.layer.left, top: r.layer.top, width: img.width, height: img.height, data: img.data }, plan: {} as never, timings: {} };
      out.push({ ok: await matchesReference(job), status: 200 });
    }
    return out;
  }));
  const flat = results.flat();
  lat.sort((a, b) => a - b);
  // eslint-disable-next-line no-console
  console.log(`load (HTTP): ${flat.length} edits in ${((performance.now() - t0) / 1000).toFixed(2)} s, p50 ${lat[Math.floor(lat.length / 2)]!.toFixed(0)} ms, max ${lat[lat.length - 1]!.toFixed(0)} ms`);
  expect(flat.map((r) => r.status)).toEqual(Array(clients * perClient).fill(200));
  expect(flat.every((r) => r.ok)).toBe(true);
  expect(tb.bridge.stats()).toMatchObject({ queued: 0, running: 0 });
}, 90_000);
