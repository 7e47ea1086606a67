/**
 * The self-check through a real bridge (one worker, real WebSocket and HTTP): a final whose fill
 * is a smeared block comes back flagged — job.result `check`, and the warning in the result's plan
 * that the plan sent first could not have — while a preview is not checked.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import { BridgeClient, SelfCheckSchema, type SubmitInput, type WebSocketConstructor } from '@smartdrag/shared';
import { parseDragCase } from '../../bridge-server/src/core/case';
import { encodePng, readImage } from '../../bridge-server/src/io/image-io';
import type { RgbaImage } from '../../bridge-server/src/core/types';
import { makeTexture } from '../../bridge-server/src/core/textures';
import { startTestBridge, type TestBridge } from '../helpers/bridge-harness';

const FIX = join(__dirname, '../fixtures');
let tb: TestBridge;
beforeAll(async () => { tb = await startTestBridge(); });
afterAll(async () => { await tb?.bridge.close(); });

async function caseInput(id: string, quality: 'preview' | 'final'): Promise<SubmitInput & { image: RgbaImage }> {
  const c = parseDragCase(JSON.parse(readFileSync(join(FIX, 'cases', `${id}.json`), 'utf8')));
  const image = await readImage(join(FIX, c.image));
  return { image, regions: c.regions, drags: c.drags, ...(c.keep ? { keep: c.keep } : {}), quality, seed: 1 };
}

describe('self-check of results through the bridge', () => {
  const WS = WebSocket as unknown as WebSocketConstructor;

  it('flags a doubtful final in job.result and its plan, not in the plan sent first; previews are not checked', async () => {
    const c = new BridgeClient({ url: tb.wsUrl, token: tb.token, client: 'test', WebSocketImpl: WS });
    await c.connect();
    try {
      const job = c.submit(await caseInput('coffee-move-spoon', 'final'));
      const first = await job.plan;
      const r = await job.result;
      expect(first.warnings.some((w) => w.startsWith('Self-check:'))).toBe(false);
      expect(SelfCheckSchema.safeParse(r.check).success).toBe(true);
      expect(r.check).toMatchObject({ doubtful: true });
      expect(r.check!.badness).toBeGreaterThanOrEqual(2);
      expect(r.check!.findings[0]).toMatch(/filled in and the fill looks smeared/);
      expect(r.plan.warnings.filter((w) => w.startsWith('Self-check:'))).toHaveLength(1);
      expect(r.timings.check).toBeGreaterThan(0);

      const clean = await c.submit(await caseInput('apple-move-right', 'final')).result;
      expect(clean.check).toMatchObject({ doubtful: false, findings: [] });
      expect(clean.plan.warnings.some((w) => w.startsWith('Self-check:'))).toBe(false);

      const preview = await c.submit(await caseInput('coffee-move-spoon', 'preview')).result;
      expect(preview.check).toBeUndefined();
    } finally {
      c.close();
    }
  });

  it('checks a final on a large document too (a 4.7 MP edited area, measured on a proxy)', async () => {
    // A 2600×2000 brick wall, an ellipse of 3.4 MP moved 60 px right: the crop is over the 4 MP
    // that session 11's check refused (check: null), and one region moved rigidly is read from its
    // backward map. The vacated crescent (≈ 1800 × 60 px, plus the 6 px the hole is grown by along
    // the rim) is ~3–5% of the selection.
    const W = 2600, H = 2000;
    const image = makeTexture('brick', W, H, 7);
    const polygon = Array.from({ length: 96 }, (_, i) => { const t = (i / 96) * 2 * Math.PI; return [W / 2 + 1200 * Math.cos(t), H / 2 + 900 * Math.sin(t)] as [number, number]; });
    const c = new BridgeClient({ url: tb.wsUrl, token: tb.token, client: 'test', WebSocketImpl: WS });
    await c.connect();
    try {
      const r = await c.submit({ image, regions: [{ id: 'r', polygon }], drags: [{ region: 'r', points: [[W / 2, H / 2], [W / 2 + 60, H / 2]], kind: 'translate' }], quality: 'final', seed: 1 }).result;
      expect(SelfCheckSchema.safeParse(r.check).success).toBe(true);
      expect(r.check).not.toBeNull();
      expect(r.check!.synthesized).toBeGreaterThan(0.02);
      expect(r.check!.synthesized).toBeLessThan(0.08);
      expect(r.check!.stretch).toBeCloseTo(1, 6); // a rigid move stretches nothing
      expect(r.timings.check).toBeGreaterThan(0);
    } finally {
      c.close();
    }
  });

  it('POST /v1/edit answers with the check', async () => {
    const input = await caseInput('coffee-move-spoon', 'final');
    const body = { ...input, image: { png: (await encodePng(input.image)).toString('base64') } };
    const res = await fetch(`${tb.url}/v1/edit`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${tb.token}` }, body: JSON.stringify(body) });
    expect(res.status).toBe(200);
    const out = await res.json() as { check?: unknown; plan: { warnings: string[] } };
    expect(SelfCheckSchema.parse(out.check)).toMatchObject({ doubtful: true });
    expect(out.plan.warnings.some((w) => w.startsWith('Self-check:'))).toBe(true);
  });
});
