/**
 * A host sends only the edit's crop (editRoi at its document origin, as the Photoshop and
 * Photopea plugins do, and the speed suite's bridge rows): the final layer comes back at the same
 * document position with the same pixels as when the whole document is sent, and as the
 * in-process core gives for the whole document — for moves, scalings, rotations and deforms
 * (editRoi's margin covers the core's own working crop of a turned region) — and the plan's
 * centres, handles, targets and descriptions are in document pixels as well.
 */
import WebSocket from 'ws';
import { BridgeClient, editRoi, rasterizePolygon, type WebSocketConstructor } from '@smartdrag/shared';
import { runEdit } from '../../bridge-server/src/core/edit';
import { cropImage } from '../../bridge-server/src/core/image';
import { makeTexture } from '../../bridge-server/src/core/textures';
import type { Point } from '../../bridge-server/src/core/types';
import { startTestBridge, type TestBridge } from '../helpers/bridge-harness';

const ellipse = (cx: number, cy: number, ax: number, ay: number): Point[] =>
  Array.from({ length: 48 }, (_, i) => { const t = (i / 48) * 2 * Math.PI; return [cx + ax * Math.cos(t), cy + ay * Math.sin(t)] as Point; });

describe('a final sent as the edit crop', () => {
  let tb: TestBridge, client: BridgeClient;
  beforeAll(async () => {
    tb = await startTestBridge();
    client = new BridgeClient({ url: tb.wsUrl, token: tb.token, client: 'test', WebSocketImpl: WebSocket as unknown as WebSocketConstructor, reconnect: false });
    await client.connect();
  });
  afterAll(async () => { client?.close(); await tb?.bridge.close(); });

  test('a long bar turned a quarter turn lands whole inside the crop (its turn reaches far beyond its own bounds)', async () => {
    const W = 1400, H = 1000;
    const doc = makeTexture('brick', W, H, 9);
    const mask = rasterizePolygon([[500, 480], [900, 480], [900, 520], [500, 520]]);
    const drags = [{ region: 'r', kind: 'rotate' as const, center: [700, 500] as Point, points: [[880, 500], [827, 627], [700, 680]] as Point[] }];
    const roi = editRoi({ regions: [mask], arrows: drags.map((d) => d.points), docWidth: W, docHeight: H });
    const local = await runEdit({ image: doc, regions: [{ id: 'r', mask }], drags, quality: 'final', seed: 2 });
    // The core's working crop (the turned bar plus its margin) lies inside what a host sends.
    expect(local.crop.top).toBeGreaterThanOrEqual(roi.top);
    expect(local.crop.top + local.crop.height).toBeLessThanOrEqual(roi.top + roi.height);
    const crop = await client.submit({ image: cropImage(doc, roi), imageOrigin: [roi.left, roi.top], regions: [{ id: 'r', mask }], drags, quality: 'final', seed: 2 }).result;
    expect([crop.layer.left, crop.layer.top, crop.layer.width, crop.layer.height]).toEqual([local.layer.left, local.layer.top, local.layer.image.width, local.layer.image.height]);
    expect(Buffer.from(crop.layer.data).equals(Buffer.from(local.layer.image.data))).toBe(true);
  });

  test.each([
    ['translate', [{ region: 'r', kind: 'translate' as const, points: [[820, 640], [900, 600]] as Point[] }]],
    ['scale', [{ region: 'r', kind: 'scale' as const, center: [820, 640] as Point, points: [[940, 640], [900, 640]] as Point[] }]],
    // A quarter turn about the centre (the rotated ellipse reaches beyond its own bounds) and a
    // part deform (the field moves content around the handle).
    ['rotate', [{ region: 'r', kind: 'rotate' as const, center: [820, 640] as Point, points: [[960, 640], [919, 739], [820, 780]] as Point[] }]],
    ['deform', [{ region: 'r', kind: 'deform' as const, points: [[950, 620], [1010, 560]] as Point[] }]],
  ])('%s: the same layer, placed in document pixels, as the whole document gives', async (_kind, drags) => {
    const W = 1400, H = 1000;
    const doc = makeTexture('brick', W, H, 6);
    const mask = rasterizePolygon(ellipse(820, 640, 150, 110));
    const roi = editRoi({ regions: [mask], arrows: drags.map((d) => d.points), docWidth: W, docHeight: H });
    expect(roi.width * roi.height).toBeLessThan(W * H / 2);
    const whole = await client.submit({ image: doc, regions: [{ id: 'r', mask }], drags, quality: 'final', seed: 2 }).result;
    const crop = await client.submit({ image: cropImage(doc, roi), imageOrigin: [roi.left, roi.top], regions: [{ id: 'r', mask }], drags, quality: 'final', seed: 2 }).result;
    const local = await runEdit({ image: doc, regions: [{ id: 'r', mask }], drags, quality: 'final', seed: 2 });
    const at = (l: { left: number; top: number; width: number; height: number }) => [l.left, l.top, l.width, l.height];
    expect(at(crop.layer)).toEqual(at(whole.layer));
    expect(at(whole.layer)).toEqual([local.layer.left, local.layer.top, local.layer.image.width, local.layer.image.height]);
    expect(Buffer.from(crop.layer.data).equals(Buffer.from(whole.layer.data))).toBe(true);
    expect(Buffer.from(whole.layer.data).equals(Buffer.from(local.layer.image.data))).toBe(true);
    // The layer lies inside the crop that was sent.
    expect(crop.layer.left).toBeGreaterThanOrEqual(roi.left);
    expect(crop.layer.top).toBeGreaterThanOrEqual(roi.top);
    expect(crop.layer.left + crop.layer.width).toBeLessThanOrEqual(roi.left + roi.width);
    expect(crop.layer.top + crop.layer.height).toBeLessThanOrEqual(roi.top + roi.height);
    // The plan speaks in document pixels too (centres, handles, targets and the words), as for the whole document.
    expect(roi.left + roi.top).toBeGreaterThan(0);
    const ops = (p: typeof whole.plan) => p.operations.map((o) => ({ params: o.params, description: o.description }));
    expect(ops(crop.plan)).toEqual(ops(whole.plan));
    expect(ops(crop.plan)).toEqual(ops(local.plan));
  });
});
