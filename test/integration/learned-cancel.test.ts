/**
 * A job stopped while a learned stage's model runs (cancel, or the job time limit) must not take
 * the bridge down: onnxruntime cannot abort a run, and a worker thread terminated inside one
 * aborted the whole process ("terminate called after throwing an instance of 'Napi::Error'").
 * The pool now retires such a worker and terminates it when its run is over (also when closing).
 * A real bridge composed as `smartdrag serve` is, with a slow LaMa-contract model installed.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { encodeFrame } from '@smartdrag/shared';
import { startBridge, type StartedBridge } from '../../bridge-server/src/main';
import { addModels } from '../../bridge-server/src/models';
import { encodeModel, f32, i64, type NodeSpec } from '../../bridge-server/src/models/onnx-build';
import { RawClient, gradientImage, sendJob, squarePolygon } from '../helpers/bridge-harness';

/** A LaMa-contract model (image, mask → output, 512²) that spends ~1–3 s in MatMuls and returns image × 255. */
function slowLama(file: string, n = 40): void {
  const W = 2048;
  const nodes: NodeSpec[] = [{ op: 'Reshape', inputs: ['image', 'shp'], outputs: ['h0'] }];
  for (let i = 0; i < n; i++) {
    nodes.push({ op: 'MatMul', inputs: [`h${i}`, 'w1'], outputs: [`a${i}`] }, { op: 'MatMul', inputs: [`a${i}`, 'w2'], outputs: [`h${i + 1}`] });
  }
  nodes.push(
    { op: 'Reshape', inputs: [`h${n}`, 'shp4'], outputs: ['r'] }, { op: 'Mul', inputs: ['r', 'zero'], outputs: ['r0'] },
    { op: 'Mul', inputs: ['image', 'k'], outputs: ['img255'] }, { op: 'Add', inputs: ['img255', 'r0'], outputs: ['output'] },
  );
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, encodeModel({
    name: 'slow', nodes,
    inputs: [{ name: 'image', dtype: 'float32', shape: [1, 3, 512, 512] }, { name: 'mask', dtype: 'float32', shape: [1, 1, 512, 512] }],
    outputs: [{ name: 'output', dtype: 'float32', shape: [1, 3, 512, 512] }],
    initializers: [
      i64('shp', [1536, 512]), i64('shp4', [1, 3, 512, 512]), f32('w1', [512, W], new Float32Array(512 * W).fill(1 / 512)),
      f32('w2', [W, 512], new Float32Array(W * 512).fill(1 / W)), f32('zero', [], [0]), f32('k', [], [255]),
    ],
  }));
}

function job(jobId: string): { submit: Record<string, unknown>; chunks: Uint8Array[] } {
  const w = 96, h = 64, img = gradientImage(w, h);
  return {
    submit: { type: 'job.submit', jobId, quality: 'final', seed: 1, regions: [{ id: 'r', polygon: squarePolygon(12, 12, 20) }], drags: [{ region: 'r', points: [[22, 22], [62, 36]], kind: 'translate' }] },
    chunks: encodeFrame({ jobId, part: 'image', slot: 0, format: 'rgba8', width: w, height: h, left: 0, top: 0 }, new Uint8Array(img.data.buffer), 8192),
  };
}

let sb: StartedBridge;
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-learned-cancel-'));
beforeAll(async () => {
  const file = path.join(home, 'src', 'lama_fp32.onnx');
  slowLama(file);
  expect((await addModels(file, { home })).ok).toBe(true);
  sb = await startBridge({ env: { SMARTDRAG_HOME: home }, overrides: { port: 0, logFile: null, logLevel: 'silent', workers: 1, cancelGraceMs: 100 } });
}, 60000);
afterAll(async () => { await sb?.bridge.close(); });

it('a job cancelled while the learned filler runs ends cancelled, the bridge keeps serving, and the next job runs the model to its result', async () => {
  const c = await RawClient.connect({ token: sb.config.token, wsUrl: sb.wsUrl, url: sb.url } as never);
  try {
    sendJob(c, job('j1') as never);
    await c.next((m: any) => m.type === 'job.progress' && m.jobId === 'j1' && m.stage === 'fill', 60000);
    await new Promise((r) => setTimeout(r, 300)); // inside the model's run; the grace (100 ms) runs out during it
    c.send({ type: 'job.cancel', jobId: 'j1' } as never);
    expect(await c.next((m: any) => ['job.cancelled', 'job.error', 'job.result'].includes(m.type) && m.jobId === 'j1', 60000)).toMatchObject({ type: 'job.cancelled' });
    const health = await (await fetch(`${sb.url}/v1/health`)).json() as { ok: boolean };
    expect(health.ok).toBe(true);
    sendJob(c, job('j2') as never);
    const end: any = await c.next((m: any) => ['job.error', 'job.result'].includes(m.type) && m.jobId === 'j2', 120000);
    expect(end.type).toBe('job.result');
    expect(end.timings['learned.inpaint']).toBeGreaterThan(0);
  } finally {
    c.close();
  }
}, 180000);
