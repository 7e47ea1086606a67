/**
 * End to end, Preview then Apply: the plugin's controller + Photoshop host adapter on the fake
 * `photoshop` module, talking to a REAL bridge over a REAL WebSocket. A 3000×2000 document with a
 * red disc inside a loose selection of about 15% of the canvas and a pen-path arrow:
 *
 * - Preview reads the edit's area through `getPixels` `targetSize` (a pyramid level), sends the
 *   bridge a ≤ 1 MP proxy with `proxyOf` = the area's size (checked on both sides of the socket),
 *   writes nothing, and the panel's picture (a real JPEG) shows the disc where the arrow points,
 *   in proxy pixels, within a pixel or two;
 * - Apply then runs the full edit: exactly one new layer, one history step, the disc moved.
 */
import sharp from 'sharp';
import { proxyInfoFor, toProxyPoint, type Point } from '@smartdrag/shared';
import { readDiagnostics } from '../../bridge-server/src/diagnostics/client-record';
import type { SmartDragController } from '../../plugin-photoshop/src/app/controller';
import { Phase, type PanelState } from '../../plugin-photoshop/src/panel/panel-state';
import { startTestBridge, type TestBridge } from '../helpers/bridge-harness';
import { closeRecording, discDocument, recordingController, waitForPanel } from './controller-harness';
import { FakePhotoshop } from './fake-photoshop';

const W = 3000, H = 2000;
const DISC: Point = [950, 710], R = 250;
const ARROW: Point[] = [DISC, [1750, 1110]];
const SEL = { left: 400, top: 300, right: 1500, bottom: 1120 }; // 1100×820 = 15% of the canvas

const waitFor = (c: SmartDragController, pred: (s: PanelState) => boolean, timeoutMs = 240_000): Promise<PanelState> => waitForPanel(c, pred, timeoutMs);

/** Centroid and count of strongly red pixels in an RGB(A) buffer. */
function redCentroid(data: Uint8Array | Uint8ClampedArray, w: number, h: number, channels: number): { x: number; y: number; n: number } {
  let sx = 0, sy = 0, n = 0;
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const i = (y * w + x) * channels;
    if (channels === 4 && data[i + 3]! < 128) continue;
    if (data[i]! > 170 && data[i + 1]! < 90 && data[i + 2]! < 90) { sx += x; sy += y; n++; }
  }
  return { x: sx / n, y: sy / n, n };
}

describe('Photoshop plugin: Preview at display resolution, then Apply (fake host, real bridge)', () => {
  let tb: TestBridge;
  beforeAll(async () => { tb = await startTestBridge(); });
  afterAll(async () => { await tb?.bridge.close(); });

  test('a 3000×2000 document previews through a ≤ 1 MP proxy with proxyOf, writes nothing, shows the moved disc where the arrow points; Apply adds one layer in one undo step', async () => {
    // The document: grey with a mild texture, a red disc, a loose rectangular selection around it, the arrow as the Work Path.
    const ps = new FakePhotoshop();
    const { doc, source, px } = discDocument(ps, { width: W, height: H, disc: DISC, radius: R, backdrop: 'texture', selection: SEL, arrow: ARROW, resolution: 300 });
    const historyBefore = [...doc.history];

    // Record what the controller submits (the real client still sends it over the socket).
    const rec = recordingController(ps, tb);
    const { controller, sent } = rec;
    try {
      await controller.connect();
      expect(controller.state.connection.state).toBe('connected');

      // ---- Preview ----
      await controller.preview({ intent: '', kind: 'translate', seed: 1 });
      const ready = await waitFor(controller, (s) => s.phase === Phase.ready || s.phase === Phase.failed);
      expect(ready.error).toBeNull();
      expect(ready.mode).toBe('preview');
      expect(ready.plan?.operations[0]).toMatchObject({ region: 'r1', kind: 'translate' });

      // The area read, scaled by Photoshop (a pyramid level), never at full resolution.
      expect(ps.getPixelsLog).toHaveLength(1);
      const asked = ps.getPixelsLog[0]!;
      const roi = { left: asked.sourceBounds.left, top: asked.sourceBounds.top, width: asked.sourceBounds.right - asked.sourceBounds.left, height: asked.sourceBounds.bottom - asked.sourceBounds.top };
      expect(roi.width * roi.height).toBeGreaterThan(4 * 1024 * 1024); // large enough that a level is used
      const info = proxyInfoFor(roi.width, roi.height);
      expect(asked.targetSize).toEqual({ width: info.width, height: info.height });
      expect(asked.level).toBe(1);

      // What went to the bridge: a ≤ 1 MP preview with proxyOf = the area's document size.
      expect(sent).toHaveLength(1);
      const pre = sent[0]!;
      expect(pre.quality).toBe('preview');
      expect(pre.proxyOf).toEqual({ width: roi.width, height: roi.height });
      expect(pre.imageOrigin).toEqual([roi.left, roi.top]);
      const img = pre.image as { width: number; height: number };
      expect([img.width, img.height]).toEqual([info.width, info.height]);
      expect(img.width * img.height).toBeLessThanOrEqual(1024 * 1024);
      expect(pre.drags[0]!.points).toEqual(ARROW); // drags stay in document pixels (protocol)

      // Nothing was written: no layer, no history state, no write call, every image data disposed.
      expect(doc.layers.map((l) => l.id)).toEqual([source.id]);
      expect(doc.history).toEqual(historyBefore);
      expect(ps.calls.filter((c) => /suspendHistory|resumeHistory|createPixelLayer|putPixels/.test(c))).toEqual([]);
      expect(ps.modalScopes).toBe(2);
      expect(ps.liveImageData).toBe(0);
      expect(ps.calls).toContain('encodeImageData');

      // The panel's picture: a JPEG of the proxy with the result over it; the disc sits where the arrow points.
      const pv = ready.preview!;
      expect(pv).toMatchObject({ width: info.width, height: info.height, frame: roi, proxy: true });
      expect(pv.src.startsWith('data:image/jpeg;base64,')).toBe(true);
      const jpeg = Buffer.from(pv.src.slice('data:image/jpeg;base64,'.length), 'base64');
      const { data: rgb, info: dec } = await sharp(jpeg).raw().toBuffer({ resolveWithObject: true });
      expect([dec.width, dec.height]).toEqual([info.width, info.height]);
      const red = redCentroid(rgb, dec.width, dec.height, dec.channels);
      const target = toProxyPoint([ARROW[1]![0] - roi.left, ARROW[1]![1] - roi.top], info);
      const area = Math.PI * (R * info.scaleX) ** 2;
      expect(red.n).toBeGreaterThan(0.85 * area);
      expect(red.n).toBeLessThan(1.15 * area); // the disc moved, not copied: its old place was filled
      expect(Math.abs(red.x - target[0])).toBeLessThanOrEqual(2);
      expect(Math.abs(red.y - target[1])).toBeLessThanOrEqual(2);

      // ---- Apply: the full edit, as today ----
      await controller.apply();
      const applied = await waitFor(controller, (s) => s.phase === Phase.applied || s.phase === Phase.failed);
      expect(applied.error).toBeNull();
      expect(sent).toHaveLength(2);
      expect(sent[1]!.quality).toBe('final');
      expect(sent[1]!.proxyOf).toBeUndefined();
      expect([(sent[1]!.image as { width: number }).width, (sent[1]!.image as { height: number }).height]).toEqual([roi.width, roi.height]);
      expect(doc.history).toEqual([...historyBefore, 'Smart Drag']);
      expect(doc.layers).toHaveLength(2);
      expect(doc.layers[1]!.id).toBe(source.id);
      expect(Buffer.from(doc.findLayer(source.id)!.pixels).equals(Buffer.from(px))).toBe(true); // the source untouched
      expect(ps.liveImageData).toBe(0);
      const added = doc.layers[0]!;
      const moved = redCentroid(added.pixels, W, H, 4);
      expect(Math.abs(moved.x - ARROW[1]![0])).toBeLessThanOrEqual(2);
      expect(Math.abs(moved.y - ARROW[1]![1])).toBeLessThanOrEqual(2);
    } finally {
      closeRecording(rec);
    }

    // The bridge's own record of what it received (diagnostics.json, written on close): the preview image ≤ 1 MP.
    await tb.bridge.close();
    const diag = readDiagnostics(tb.home);
    const images = diag?.clients.flatMap((c) => c.images) ?? [];
    const prev = images.find((i) => i.quality === 'preview');
    expect(prev).toBeDefined();
    expect(prev!.width * prev!.height).toBeLessThanOrEqual(1024 * 1024);
    expect(images.find((i) => i.quality === 'final')!.width * images.find((i) => i.quality === 'final')!.height).toBeGreaterThan(4 * 1024 * 1024);
  }, 240_000);
});
