/**
 * What `/v1/health` reports about learned stages is what the edit path runs: with every tiny
 * model installed, the real bridge (`smartdrag serve` in a child process, its edit worker, the
 * real onnxruntime-node) must report each stage on, and a final-quality edit through the socket must show each one
 * in its timings (`learned.<stage>`, milliseconds spent inside it). A stage that health lists
 * but the worker never passes to runEdit (as the old `warpGpu` was) makes this test fail.
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { encodeFrame, type JobResult } from '@smartdrag/shared';
import { generateTinyModels } from '../../models/generate-tiny';
import { addModels } from '../../bridge-server/src/models';
import { gradientImage, RawClient, sendJob, squarePolygon, type TestBridge } from '../helpers/bridge-harness';
import { spawnServe, stopServe } from '../helpers/serve-process';

let tmp: string;
let child: ChildProcess | undefined;
let tb: TestBridge;

/** `smartdrag serve --port 0` with the tiny manifests (`SMARTDRAG_MANIFESTS`) and `home`. */
async function serve(home: string, manifestsDir: string): Promise<TestBridge> {
  const started = await spawnServe(['--port', '0', '--workers', '1', '--log-level', 'silent'], { SMARTDRAG_HOME: home, SMARTDRAG_MANIFESTS: manifestsDir });
  child = started.child;
  const u = new URL(started.url);
  return { bridge: undefined as never, token: fs.readFileSync(path.join(home, 'token'), 'utf8').trim(), port: Number(u.port), url: started.url, wsUrl: `ws://${u.host}/v1/ws`, home };
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-learned-bridge-'));
  const tiny = generateTinyModels(path.join(tmp, 'tiny'));
  const home = path.join(tmp, 'home');
  for (const id of ['migan', 'sd15-inpaint']) {
    const r = await addModels(path.join(tiny.filesDir, id), { home, manifestsDir: tiny.manifestsDir });
    expect([id, r.issues]).toEqual([id, []]);
  }
  // A real process: jest's sandboxed process.env would not reach the bridge's worker threads.
  tb = await serve(home, tiny.manifestsDir);
});
afterAll(async () => {
  await stopServe(child);
  fs.rmSync(tmp, { recursive: true, force: true });
});

function finalJob(jobId: string, intent: string): { submit: Record<string, unknown>; chunks: Uint8Array[] } {
  const w = 96, h = 64, img = gradientImage(w, h);
  return {
    submit: {
      type: 'job.submit', jobId, quality: 'final', seed: 7, intent,
      regions: [{ id: 'r', polygon: squarePolygon(12, 12, 20) }],
      drags: [{ region: 'r', points: [[22, 22], [62, 36]], kind: 'translate' }],
    },
    chunks: encodeFrame({ jobId, part: 'image', slot: 0, format: 'rgba8', width: w, height: h, left: 0, top: 0 }, new Uint8Array(img.data.buffer), 8192),
  };
}

test('every stage /v1/health reports is on with all models installed, and a final edit runs each one', async () => {
  const c = await RawClient.connect(tb);
  sendJob(c, finalJob('learned-1', 'move the square to the right'));
  const result = await c.next<JobResult>((m) => m.type === 'job.result' && m.jobId === 'learned-1', 60000);
  const h = await (await fetch(`${tb.url}/v1/health`)).json() as { stages: Record<string, boolean>; stageInfo: Record<string, { enabled: boolean; model?: string }> };
  c.close();

  const reported = Object.keys(h.stages).sort();
  expect(reported.length).toBeGreaterThan(0);
  expect(Object.keys(h.stageInfo).sort()).toEqual(reported);
  // Every reported stage is on (the tiny models cover every stage) ...
  expect(reported.filter((k) => !h.stages[k])).toEqual([]);
  expect(h.stageInfo.inpaint?.model).toBe('migan');
  expect(h.stageInfo.refine?.model).toBe('sd15-inpaint');
  expect((h.stageInfo.refine as { reason?: string }).reason).toMatch(/LCM steps .*the intent as prompt/);
  // ... and ran in the edit: the learned timings name exactly the reported stages.
  const ran = Object.keys(result.timings).filter((k) => k.startsWith('learned.')).map((k) => k.slice('learned.'.length)).sort();
  expect(ran).toEqual(reported);
  for (const k of reported) expect(result.timings[`learned.${k}`]).toBeGreaterThan(0);
});
