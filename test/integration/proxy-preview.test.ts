/**
 * Proxy previews through a real bridge: a host that states the image size it can show
 * (`previewMaxPixels`) gets a proxy-scale layer and the proxy factors, equal to the in-process
 * core's proxy preview of the same request; a final job and a small image are unaffected.
 */
import WebSocket from 'ws';
import { BridgeClient, boundsOfPoints, rasterizePolygon, type Rect, type WebSocketConstructor } from '@smartdrag/shared';
import { runEdit } from '../../bridge-server/src/core/edit';
import { proxyInfoFor } from '../../bridge-server/src/core/proxy';
import { makeTexture } from '../../bridge-server/src/core/textures';
import type { EditRequest, Point } from '../../bridge-server/src/core/types';
import { startTestBridge, type TestBridge } from '../helpers/bridge-harness';

const ellipse = (cx: number, cy: number, ax: number, ay: number): Point[] =>
  Array.from({ length: 40 }, (_, i) => { const t = (i / 40) * 2 * Math.PI; return [cx + ax * Math.cos(t), cy + ay * Math.sin(t)] as Point; });

describe('proxy preview through the bridge', () => {
  let tb: TestBridge, client: BridgeClient;
  const image = makeTexture('brick', 1200, 800, 4);
  const polygon = ellipse(600, 400, 200, 150);
  const drags = [{ region: 'r', kind: 'rotate' as const, center: [600, 400] as Point, points: [[800, 400], [780, 470]] as Point[] }];
  beforeAll(async () => {
    tb = await startTestBridge();
    client = new BridgeClient({ url: tb.wsUrl, token: tb.token, client: 'test', WebSocketImpl: WebSocket as unknown as WebSocketConstructor, reconnect: false });
    await client.connect();
  });
  afterAll(async () => { client?.close(); await tb?.bridge.close(); });

  test('the layer is the core proxy preview, in proxy pixels, with the proxy factors', async () => {
    const max = 300 * 200;
    const out = await client.submit({ image, regions: [{ id: 'r', polygon }], drags, quality: 'preview', seed: 3, previewMaxPixels: max }).result;
    const info = proxyInfoFor(1200, 800, max);
    expect(info.scaleX).toBe(0.25);
    expect(out.layer.proxy).toEqual(info);
    const req: EditRequest = { image, regions: [{ id: 'r', mask: rasterizePolygon(polygon) }], drags, quality: 'preview', seed: 3 };
    const local = await runEdit(req, { proxyMaxPixels: max });
    expect([out.layer.left, out.layer.top, out.layer.width, out.layer.height]).toEqual([local.layer.left, local.layer.top, local.layer.image.width, local.layer.image.height]);
    expect(out.layer.width).toBeLessThanOrEqual(300);
    expect(Buffer.from(out.layer.data).equals(Buffer.from(local.layer.image.data))).toBe(true);
  });

  test('job.result carries the outline of what moved, in document pixels: a final and a proxy preview of a crop sent at an imageOrigin', async () => {
    // The image is a crop of a larger document placed at (1000, 500); regions and arrows are in document pixels.
    const origin: [number, number] = [1000, 500];
    const docPoly = ellipse(1600, 900, 200, 150);
    const moveDrags = [{ region: 'r', kind: 'translate' as const, points: [[1600, 900], [1750, 820]] as Point[] }];
    // Where the selection lands: its bounds moved by (150, −80).
    const sel = boundsOfPoints(docPoly);
    const want: Rect = { ...sel, left: sel.left + 150, top: sel.top - 80 };
    const near = (b: Rect, tol: number) => {
      expect(Math.abs(b.left - want.left)).toBeLessThanOrEqual(tol);
      expect(Math.abs(b.top - want.top)).toBeLessThanOrEqual(tol);
      expect(Math.abs(b.left + b.width - (want.left + want.width))).toBeLessThanOrEqual(tol);
      expect(Math.abs(b.top + b.height - (want.top + want.height))).toBeLessThanOrEqual(tol);
    };
    const fin = await client.submit({ image, imageOrigin: origin, regions: [{ id: 'r', polygon: docPoly }], drags: moveDrags, quality: 'final', seed: 3 }).result;
    expect(fin.moved?.polygons.length).toBeGreaterThanOrEqual(1);
    near(boundsOfPoints(fin.moved!.polygons.flat()), 3);
    expect(fin.moved!.polygons.reduce((n, r) => n + r.length, 0)).toBeLessThanOrEqual(2000);
    expect(fin.timings.outline).toBeGreaterThanOrEqual(0);
    // The proxy preview's layer stays in proxy pixels, its outline does not: document pixels, to about a proxy pixel (4 px here).
    const pre = await client.submit({ image, imageOrigin: origin, regions: [{ id: 'r', polygon: docPoly }], drags: moveDrags, quality: 'preview', seed: 3, previewMaxPixels: 300 * 200 }).result;
    expect(pre.layer.proxy?.scaleX).toBe(0.25);
    near(boundsOfPoints(pre.moved!.polygons.flat()), 2 / 0.25);
  });

  test('final quality and an image within the budget run at full resolution (no proxy)', async () => {
    const fin = await client.submit({ image, regions: [{ id: 'r', polygon }], drags, quality: 'final', seed: 3, previewMaxPixels: 300 * 200 }).result;
    expect(fin.layer.proxy).toBeUndefined();
    expect(fin.layer.width).toBeGreaterThan(400);
    const small = await client.submit({ image, regions: [{ id: 'r', polygon }], drags, quality: 'preview', seed: 3, previewMaxPixels: 1200 * 800 }).result;
    expect(small.layer.proxy).toBeUndefined();
    expect(small.layer.width).toBeGreaterThan(400);
  });
});
