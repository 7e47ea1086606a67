/**
 * `/v1/health` says what an edit will do when a learned model changes on disk while the bridge
 * runs. The real bridge (`smartdrag serve` in a child process, one edit worker, the real
 * onnxruntime-node, the tiny generated models): a final edit loads MI-GAN; then the model is
 * removed (`smartdrag models remove` does the same). Health says the inpaint stage is off, and the
 * next final must not run the copy the worker had loaded: the classical fill takes over and the
 * plan says why. Installed again, health says on and the next final runs it, loaded again from
 * the file on disk. (Before, the worker kept running the loaded copy while health said off.)
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { encodeFrame, type JobResult } from '@smartdrag/shared';
import { generateTinyModels } from '../../models/generate-tiny';
import { addModels, removeModel } from '../../bridge-server/src/models';
import { gradientImage, RawClient, sendJob, squarePolygon, type TestBridge } from '../helpers/bridge-harness';
import { spawnServe, stopServe } from '../helpers/serve-process';

let tmp: string;
let child: ChildProcess | undefined;
let tb: TestBridge;
let store: { home: string; manifestsDir: string };
let filesDir: string;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-learned-changed-'));
  const tiny = generateTinyModels(path.join(tmp, 'tiny'));
  filesDir = tiny.filesDir;
  store = { home: path.join(tmp, 'home'), manifestsDir: tiny.manifestsDir };
  for (const id of ['migan', 'sd15-inpaint']) {
    const r = await addModels(path.join(tiny.filesDir, id), store);
    expect([id, r.issues]).toEqual([id, []]);
  }
  const started = await spawnServe(['--port', '0', '--workers', '1', '--log-level', 'silent'], { SMARTDRAG_HOME: store.home, SMARTDRAG_MANIFESTS: store.manifestsDir });
  child = started.child;
  const u = new URL(started.url);
  tb = { bridge: undefined as never, token: fs.readFileSync(path.join(store.home, 'token'), 'utf8').trim(), port: Number(u.port), url: started.url, wsUrl: `ws://${u.host}/v1/ws`, home: store.home };
});
afterAll(async () => {
  await stopServe(child);
  fs.rmSync(tmp, { recursive: true, force: true });
});

interface Health { stages: Record<string, boolean>; stageInfo: Record<string, { enabled: boolean; model?: string; reason?: string }> }

async function health(): Promise<Health> {
  return await (await fetch(`${tb.url}/v1/health`)).json() as Health;
}

let n = 0;
async function finalEdit(): Promise<JobResult> {
  const jobId = `changed-${++n}`;
  const w = 96, h = 64, img = gradientImage(w, h);
  const c = await RawClient.connect(tb);
  try {
    sendJob(c, {
      submit: {
        type: 'job.submit', jobId, quality: 'final', seed: 7, intent: 'move the square to the right',
        regions: [{ id: 'r', polygon: squarePolygon(12, 12, 20) }],
        drags: [{ region: 'r', points: [[22, 22], [62, 36]], kind: 'translate' }],
      },
      chunks: encodeFrame({ jobId, part: 'image', slot: 0, format: 'rgba8', width: w, height: h, left: 0, top: 0 }, new Uint8Array(img.data.buffer), 8192),
    });
    return await c.next<JobResult>((m) => m.type === 'job.result' && m.jobId === jobId, 60000);
  } finally {
    c.close();
  }
}

/** The learned stages a result's timings show as run. */
const ran = (r: JobResult): string[] => Object.keys(r.timings).filter((k) => k.startsWith('learned.')).map((k) => k.slice('learned.'.length)).sort();
/** The stages health reports on. */
const on = (h: Health): string[] => Object.keys(h.stages).filter((k) => h.stages[k]).sort();

test('a model removed after the worker loaded it: health says off and the next edit does not run the loaded copy; installed again, both say on', async () => {
  // Loaded: the first final runs both stages, as health says.
  expect(on(await health())).toEqual(['inpaint', 'refine']);
  expect(ran(await finalEdit())).toEqual(['inpaint', 'refine']);

  // Removed while the worker holds its session.
  expect(removeModel('migan', store).ok).toBe(true);
  const off = await health();
  expect(off.stages.inpaint).toBe(false);
  expect(off.stageInfo.inpaint!.reason).toMatch(/no inpaint model installed/);
  const r = await finalEdit();
  expect(ran(r)).toEqual(on(off));
  expect(ran(r)).toEqual(['refine']);
  expect(r.plan.warnings.join('\n')).toMatch(/learned inpainting could not run \(the inpaint model migan changed on disk since the bridge started: no inpaint model installed/);

  // Installed again: health says on, and the edit runs it (loaded from the file now on disk).
  expect((await addModels(path.join(filesDir, 'migan'), store)).ok).toBe(true);
  const back = await health();
  expect(on(back)).toEqual(['inpaint', 'refine']);
  expect(back.stageInfo.inpaint!.model).toBe('migan');
  const again = await finalEdit();
  expect(ran(again)).toEqual(on(back));
  expect(again.plan.warnings.join('\n')).not.toMatch(/learned inpainting could not run/);
});
