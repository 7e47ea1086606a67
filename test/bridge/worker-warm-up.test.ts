/**
 * A real bridge's warm-up after a retirement (worker-pool.ts, "Retiring"; here "large" is 1 MB and
 * the idle time 200 ms): the worker the next jobs run on first runs a final and a drag's previews
 * (on a proxy it makes and on one the host sent), so the first preview after a long idle does not
 * run cold code; and a drag's previews and the final after it have the same pixels as on the warm
 * worker before.
 */
import { PreviewProxyCache, previewProxyInput, type BridgeClient, type SubmitInput } from '@smartdrag/shared';
import type { Bridge } from '../../bridge-server/src/server';
import { makeTexture } from '../../bridge-server/src/core/textures';
import { centredEllipse, connectedClient, startTestBridge, until, type TestBridge } from '../helpers/bridge-harness';
import { WARM_STEPS } from '../../bridge-server/src/server/worker-protocol';

const W = 800, H = 600; // 1.9 MB of RGBA: a large job here
const PREVIEW_PIXELS = 40_000; // (a proxy of 1/4 scale or less: the bridge makes one)

describe('a bridge warms the worker up with previews and a final after a retirement', () => {
  let tb: TestBridge;
  let bridge: Bridge;
  let client: BridgeClient;
  const doc = makeTexture('noise', W, H, 5);
  const cache = new PreviewProxyCache();
  beforeAll(async () => {
    tb = await startTestBridge({ workers: 1, learnedStages: false, debugHooks: false }, { workerRetire: { idleMs: 200, afterBytes: 1 << 20 } });
    bridge = tb.bridge;
    client = await connectedClient(tb);
  }, 60_000);
  afterAll(async () => { client?.close(); await bridge?.close(); });

  const input = (quality: 'preview' | 'final', f: number): SubmitInput => ({
    image: doc, regions: [{ id: 'r', polygon: centredEllipse(W, H) }], quality, seed: 1,
    drags: [{ region: 'r', kind: 'translate', points: [[W / 2, H / 2], [W / 2 + 90 * f, H / 2 - 40 * f]] }],
    ...(quality === 'preview' ? { previewMaxPixels: PREVIEW_PIXELS } : {}),
  });
  /** A drag's two previews on the host's proxy (proxyOf), two the bridge proxies, and the final. */
  const sequence = async (): Promise<Array<{ left: number; top: number; width: number; height: number; proxy: unknown; data: Buffer }>> => {
    const out = [];
    const jobs: SubmitInput[] = [
      previewProxyInput(input('preview', 1), PREVIEW_PIXELS, cache)!, previewProxyInput(input('preview', 0.9), PREVIEW_PIXELS, cache)!,
      input('preview', 1), input('preview', 0.9), input('final', 1),
    ];
    for (const j of jobs) {
      const r = await client.submit(j).result;
      const l = r.layer;
      out.push({ left: l.left, top: l.top, width: l.width, height: l.height, proxy: l.proxy ?? null, data: Buffer.from(l.data.buffer, l.data.byteOffset, l.data.byteLength) });
    }
    return out;
  };

  test('the warm-up runs both qualities and both proxy kinds; the previews and final after it have the same pixels', async () => {
    expect(previewProxyInput(input('preview', 1), PREVIEW_PIXELS, cache)?.proxyOf).toEqual({ width: W, height: H });
    const before = await sequence();
    expect(before[0]!.proxy).not.toBeNull();
    expect(before[2]!.proxy).not.toBeNull();
    expect(before[4]!.proxy).toBeNull();
    // The only worker ran large jobs: it is replaced once idle, and the fresh one warms up.
    await until(async () => (await bridge.memory()).warmUps.length >= 1, 30_000);
    const m = await bridge.memory();
    expect(m.retired).toBeGreaterThanOrEqual(1);
    expect(m.warmUps[0]!.ran).toEqual(WARM_STEPS);
    expect(new Set(WARM_STEPS)).toEqual(new Set(['final', 'preview-proxy', 'preview-sent']));
    const after = await sequence();
    for (let i = 0; i < before.length; i++) {
      expect({ ...after[i]!, data: undefined }).toEqual({ ...before[i]!, data: undefined });
      expect(Buffer.compare(after[i]!.data, before[i]!.data)).toBe(0);
    }
  }, 120_000);
});
