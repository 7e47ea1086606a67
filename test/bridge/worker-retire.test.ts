/**
 * A real bridge retires an edit worker that ran a large job once it is idle
 * (worker-pool.ts, "Retiring"; here "large" is 1 MB and the idle time 200 ms, the bridge's
 * defaults being 32 MiB and 30 s): the next edit runs on another or a fresh worker — with cold
 * caches (object readings, scratch arrays, source patches), rebuilt by that edit — and its layer
 * is the same, pixel for pixel, as the one the warm worker made.
 */
import type { BridgeClient } from '@smartdrag/shared';
import type { Bridge } from '../../bridge-server/src/server';
import { makeTexture } from '../../bridge-server/src/core/textures';
import { centredEllipse, connectedClient, startTestBridge, until, type TestBridge } from '../helpers/bridge-harness';

const W = 640, H = 480; // 1.2 MB of RGBA: a large job here

describe.each([1, 2])('a bridge with %i edit worker(s) retires an idle worker after a large job', (workers) => {
  let tb: TestBridge;
  let bridge: Bridge;
  let client: BridgeClient;
  beforeAll(async () => {
    tb = await startTestBridge({ workers, learnedStages: false, debugHooks: false }, { workerRetire: { idleMs: 200, afterBytes: 1 << 20 } });
    bridge = tb.bridge;
    client = await connectedClient(tb);
  }, 60_000);
  afterAll(async () => { client?.close(); await bridge?.close(); });

  const edit = async (): Promise<{ left: number; top: number; width: number; height: number; data: Uint8Array }> => {
    const out = await client.submit({
      image: makeTexture('noise', W, H, 5), regions: [{ id: 'r', polygon: centredEllipse(W, H) }],
      drags: [{ region: 'r', kind: 'translate', points: [[W / 2, H / 2], [W / 2 + 90, H / 2 - 40]] }], quality: 'final', seed: 1,
    }).result;
    const l = out.layer;
    return { left: l.left, top: l.top, width: l.width, height: l.height, data: new Uint8Array(l.data.buffer, l.data.byteOffset, l.data.byteLength).slice() };
  };

  test('the next edit after the retirement has the same pixels; every worker runs again', async () => {
    const before = await edit();
    expect(before.width).toBeGreaterThan(0);
    await until(async () => (await bridge.memory()).retired >= 1, 20_000);
    const after = await edit();
    expect({ ...after, data: undefined }).toEqual({ ...before, data: undefined });
    expect(Buffer.compare(after.data, before.data)).toBe(0);
    // Two edits at once: both run (a parked slot starts its worker again).
    const [a, b] = await Promise.all([edit(), edit()]);
    expect(Buffer.compare(a.data, before.data)).toBe(0);
    expect(Buffer.compare(b.data, before.data)).toBe(0);
    await until(async () => (await bridge.memory()).workers.filter((m) => m !== null).length >= 1, 20_000);
  }, 120_000);
});
