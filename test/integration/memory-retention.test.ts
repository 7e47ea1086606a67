/**
 * Memory a finished job leaves behind, on a real bridge (edit worker included): once its result
 * is in, the bridge holds its kept result (what the memory budget counts) and not its input —
 * neither the decoded image on the main thread (a PNG sent over HTTP: the upload, sharp's pixels)
 * nor the copy the edit worker received, which an idle worker would otherwise keep until its next
 * job. The image is 12 MB of RGBA; the kept layer of the small moved square is a few KB.
 *
 * The main thread's counters cover both: `external` holds sharp's buffers, and `arrayBuffers`
 * counts the buffers the main thread allocated until they are freed — also those it handed on
 * to the edit worker.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import WebSocket from 'ws';
import { BridgeClient, type WebSocketConstructor } from '@smartdrag/shared';
import { encodePng } from '../../bridge-server/src/io/image-io';
import { gradientImage, squarePolygon, startTestBridge, type TestBridge } from '../helpers/bridge-harness';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const MB = 1024 * 1024;
const W = 2000, H = 1500; // 12 MB of RGBA
/** Most a finished job may leave behind here: its kept layer and the bridge's own small change, far below its input. */
const LIMIT = 4 * MB;

interface Held { external: number; arrayBuffers: number }
function held(): Held {
  const m = process.memoryUsage();
  return { external: m.external, arrayBuffers: m.arrayBuffers };
}

/** After collections (here; the worker collects on its own once idle): how much more than `base` stays, at best within `ms`. */
async function settled(base: Held, ms = 4000): Promise<Held> {
  const end = Date.now() + ms;
  let extra: Held;
  for (;;) {
    await new Promise((r) => setTimeout(r, 50));
    gc();
    await new Promise((r) => setImmediate(r));
    gc(); // (a native buffer's memory goes on the collection after the one that found it dead)
    const now = held();
    extra = { external: now.external - base.external, arrayBuffers: now.arrayBuffers - base.arrayBuffers };
    if ((extra.external < LIMIT && extra.arrayBuffers < LIMIT) || Date.now() > end) return extra;
  }
}

const job = {
  regions: [{ id: 'r', polygon: squarePolygon(300, 300, 60) }],
  drags: [{ region: 'r', points: [[330, 330], [370, 350]] as [number, number][], kind: 'translate' as const }],
  quality: 'preview' as const,
};

describe('what a finished job leaves behind', () => {
  let tb: TestBridge;
  let client: BridgeClient;
  beforeAll(async () => {
    tb = await startTestBridge({ learnedStages: false });
    // (No image reuse: a kept image is held on purpose, charged to the budget as a held image.)
    client = new BridgeClient({ url: tb.wsUrl, token: tb.token, client: 'test', WebSocketImpl: WebSocket as unknown as WebSocketConstructor, reconnect: false, reuseImages: false });
    await client.connect();
    // A first small job: the worker and the bridge's own start-up allocations are done before measuring.
    await client.submit({ image: gradientImage(200, 150), ...job, regions: [{ id: 'r', polygon: squarePolygon(30, 30, 40) }], drags: [{ region: 'r', points: [[50, 50], [80, 60]], kind: 'translate' }] }).result;
  });
  afterAll(async () => { client?.close(); await tb?.bridge.close(); });

  test('WebSocket, raw pixels: the worker lets go of its input once the job is over', async () => {
    const image = gradientImage(W, H);
    const base = await settled(held(), 0).then(() => held());
    const out = await client.submit({ image, ...job }).result;
    expect(out.layer.width).toBeGreaterThan(0);
    const extra = await settled(base);
    // eslint-disable-next-line no-console
    console.log(`memory-retention ws: after the job +${(extra.external / MB).toFixed(1)} MB external, +${(extra.arrayBuffers / MB).toFixed(1)} MB array buffers (input ${(W * H * 4 / MB).toFixed(1)} MB)`);
    expect(extra.arrayBuffers).toBeLessThan(LIMIT);
    expect(extra.external).toBeLessThan(LIMIT);
  });

  test('HTTP, PNG: neither the upload, the decoded pixels nor the worker\'s copy stay while the result is kept', async () => {
    const body = JSON.stringify({ image: { png: (await encodePng(gradientImage(W, H))).toString('base64') }, ...job });
    const base = await settled(held(), 0).then(() => held());
    const res = await fetch(`${tb.url}/v1/edit`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${tb.token}` }, body });
    expect(res.status).toBe(200);
    const out = await res.json() as { layer: { width: number } };
    expect(out.layer.width).toBeGreaterThan(0);
    const extra = await settled(base);
    // eslint-disable-next-line no-console
    console.log(`memory-retention http: after the job +${(extra.external / MB).toFixed(1)} MB external, +${(extra.arrayBuffers / MB).toFixed(1)} MB array buffers (decoded input ${(W * H * 4 / MB).toFixed(1)} MB)`);
    expect(extra.arrayBuffers).toBeLessThan(LIMIT);
    expect(extra.external).toBeLessThan(LIMIT);
  });
});
