/**
 * Proxy previews through a real bridge: a host that states the image size it can show
 * (`previewMaxPixels`) gets a proxy-scale layer and the proxy factors, equal to the in-process
 * core's proxy preview of the same request; a final job and a small image are unaffected.
 */
import WebSocket from 'ws';
import { BridgeClient, boundsOfPoints, downscaleImage, PreviewProxyCache, previewProxyInput, rasterizePolygon, type Rect, type SubmitInput, type WebSocketConstructor } from '@smartdrag/shared';
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

  describe('a host that sends its own display-size proxy (proxyOf)', () => {
    const max = 300 * 200;
    const origin: [number, number] = [1000, 500];
    const docPoly = ellipse(1600, 900, 200, 150);
    const full: SubmitInput = {
      image, imageOrigin: origin, regions: [{ id: 'r', mask: rasterizePolygon(docPoly) }],
      drags: [{ region: 'r', kind: 'rotate', center: [1600, 900], points: [[1800, 900], [1780, 970]] }], quality: 'preview', seed: 3,
    };

    test('its preview is the bridge-made proxy preview: same layer pixels, place, proxy factors and plan', async () => {
      const made = await client.submit({ ...full, previewMaxPixels: max }).result;
      const input = previewProxyInput(full, max)!;
      expect(input.proxyOf).toEqual({ width: 1200, height: 800 });
      expect('width' in input.image && [input.image.width, input.image.height]).toEqual([300, 200]);
      const sent = await client.submit(input).result;
      expect(sent.layer.proxy).toEqual(made.layer.proxy);
      expect([sent.layer.left, sent.layer.top, sent.layer.width, sent.layer.height]).toEqual([made.layer.left, made.layer.top, made.layer.width, made.layer.height]);
      expect(Buffer.from(sent.layer.data).equals(Buffer.from(made.layer.data))).toBe(true);
      expect(sent.plan.operations).toEqual(made.plan.operations);
      expect(sent.moved).toEqual(made.moved);
    });

    test('a polygon region (rasterised on the proxy instead of area-averaged) lands in the same place', async () => {
      const poly: SubmitInput = { ...full, regions: [{ id: 'r', polygon: docPoly }] };
      const made = await client.submit({ ...poly, previewMaxPixels: max }).result;
      const sent = await client.submit(previewProxyInput(poly, max)!).result;
      expect(sent.layer.proxy).toEqual(made.layer.proxy);
      for (const k of ['left', 'top', 'width', 'height'] as const) expect(Math.abs(sent.layer[k] - made.layer[k])).toBeLessThanOrEqual(2);
      expect(sent.plan.operations[0]!.params).toEqual(made.plan.operations[0]!.params);
    });

    test('inconsistent sizes are refused with proxy_mismatch, a final with proxyOf with bad_message, and the bridge keeps serving', async () => {
      const small = downscaleImage(image, { width: 300, height: 200, scaleX: 0.25, scaleY: 0.25 });
      const base: SubmitInput = { ...full, regions: [{ id: 'r', polygon: docPoly }] };
      // Another aspect than the document area's.
      await expect(client.submit({ ...base, image: small, proxyOf: { width: 1200, height: 1200 } }).result).rejects.toMatchObject({ code: 'proxy_mismatch' });
      // Larger than the area it stands for.
      await expect(client.submit({ ...base, image: small, proxyOf: { width: 150, height: 100 } }).result).rejects.toMatchObject({ code: 'proxy_mismatch' });
      // A document-scale mask with a proxy image.
      await expect(client.submit({ ...full, image: small, proxyOf: { width: 1200, height: 800 } }).result).rejects.toMatchObject({ code: 'proxy_mismatch' });
      await expect(client.submit({ ...base, image: small, proxyOf: { width: 1200, height: 800 }, quality: 'final' }).result).rejects.toMatchObject({ code: 'bad_message' });
      const ok = await client.submit({ ...base, image: small, proxyOf: { width: 1200, height: 800 } }).result;
      expect(ok.layer.proxy).toEqual({ width: 300, height: 200, scaleX: 0.25, scaleY: 0.25 });
    });

    test('the host keeps its proxies while the document and selection stay, and makes new ones when they change', () => {
      const cache = new PreviewProxyCache();
      const a = previewProxyInput(full, max, cache)!, b = previewProxyInput({ ...full, drags: [{ region: 'r', points: [[1600, 900], [1650, 950]] }] }, max, cache)!;
      expect(b.image).toBe(a.image);
      expect((b.regions[0] as { mask: unknown }).mask).toBe((a.regions[0] as { mask: unknown }).mask);
      // A new selection (new mask pixels) and a new document (new image pixels) are area-averaged anew.
      const sel2 = rasterizePolygon(ellipse(1500, 800, 100, 80));
      const c = previewProxyInput({ ...full, regions: [{ id: 'r', mask: sel2 }] }, max, cache)!;
      expect((c.regions[0] as { mask: unknown }).mask).not.toBe((a.regions[0] as { mask: unknown }).mask);
      const image2 = makeTexture('noise', 1200, 800, 5);
      const d = previewProxyInput({ ...full, image: image2 }, max, cache)!;
      expect(d.image).not.toBe(a.image);
      expect(Buffer.from((d.image as { data: Uint8ClampedArray }).data).equals(Buffer.from(downscaleImage(image2, proxyInfoFor(1200, 800, max)).data))).toBe(true);
      // Final quality, and an image within the budget, are sent as they are.
      expect(previewProxyInput({ ...full, quality: 'final' }, max, cache)).toBeNull();
      expect(previewProxyInput(full, 1200 * 800, cache)).toBeNull();
    });
  });
});
