/**
 * End to end: the plugin's controller + Photoshop host adapter on the fake `photoshop` module,
 * talking to a REAL bridge over a REAL WebSocket (BridgeClient on `ws`), for the
 * smarties-move-red case. The fake document holds the photo as a layer, the case polygon as the
 * selection and the case arrow as a Work Path on a 300 ppi document (so path units matter). The
 * new layer must equal, pixel for pixel, what the core's runEdit gives for the same request
 * (built here independently from the case JSON, over the same crop).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import { BridgeClient, boundsOfPoints, maskBounds, rasterizePolygon, type Point, type WebSocketConstructor } from '@smartdrag/shared';
import { runEdit } from '../../bridge-server/src/core/edit';
import { parseDragCase } from '../../bridge-server/src/core/case';
import { cropImage } from '../../bridge-server/src/core/image';
import { readImage } from '../../bridge-server/src/io/image-io';
import { castShadow } from '../../bridge-server/src/core/plan/cast-shadow';
import { SmartDragController } from '../../plugin-photoshop/src/app/controller';
import { createPhotoshopHost } from '../../plugin-photoshop/src/host/photoshop-host';
import { Phase, type PanelState } from '../../plugin-photoshop/src/panel/panel-state';
import { startTestBridge, type TestBridge } from '../helpers/bridge-harness';
import { waitForPanel } from './controller-harness';
import { FakePhotoshop } from './fake-photoshop';
import { expectedCrop, movedBounds } from '../helpers/edit-area';

const FIXTURES = join(__dirname, '..', 'fixtures');

const waitFor = (c: SmartDragController, pred: (s: PanelState) => boolean, timeoutMs = 50000): Promise<PanelState> => waitForPanel(c, pred, timeoutMs);

describe('Photoshop plugin end to end (fake host, real bridge)', () => {
  let tb: TestBridge;
  beforeAll(async () => { tb = await startTestBridge(); });
  afterAll(async () => { await tb?.bridge.close(); });

  /** The smarties case through the plugin; `colorProfile` / `bits16` describe the document. */
  async function smartiesEndToEnd(docOpts: { colorProfile?: string; bits16?: boolean } = {}): Promise<void> {
    const kase = parseDragCase(JSON.parse(readFileSync(join(FIXTURES, 'cases', 'smarties-move-red.json'), 'utf8')));
    const photo = await readImage(join(FIXTURES, kase.image));
    const [W, H] = kase.size;

    // The document: the photo as the active layer, the case polygon as the selection, the arrow as the Work Path.
    const ps = new FakePhotoshop();
    const doc = ps.openDocument(W, H, {
      resolution: 300, ...(docOpts.colorProfile ? { colorProfile: docOpts.colorProfile } : {}), ...(docOpts.bits16 ? { bitsPerChannel: 'bitDepth16' } : {}),
    });
    // 16-bit: the photo's values ×32768/255 plus detail below half an 8-bit step (|d| ≤ 60 < 64.25).
    const deep = docOpts.bits16
      ? Uint16Array.from(photo.data, (v, i) => (i % 4 === 3 ? Math.round((v * 32768) / 255) : Math.max(0, Math.min(32768, Math.round((v * 32768) / 255) + ((i * 37) % 121) - 60))))
      : undefined;
    const source = doc.addLayer('Photo', new Uint8ClampedArray(photo.data), deep ? { deep } : {});
    const poly = rasterizePolygon(kase.regions[0]!.polygon as Point[]);
    doc.selectPolygon(kase.regions[0]!.polygon as Point[]);
    const drag = kase.drags[0]!;
    doc.addPath('Work Path', 'workPath', [{ closed: false, points: drag.points.map((p) => ({ anchor: [p[0], p[1]] as Point })) }]);
    const historyBefore = [...doc.history];

    const client = new BridgeClient({ url: tb.wsUrl, token: tb.token, client: 'uxp', clientVersion: 'test', WebSocketImpl: WebSocket as unknown as WebSocketConstructor, reconnect: false });
    const controller = new SmartDragController({ host: createPhotoshopHost({ photoshop: ps }), client });
    try {
      await controller.connect();
      expect(controller.state.connection.state).toBe('connected');
      const seen: string[] = [];
      controller.subscribe((s) => { if (seen[seen.length - 1] !== s.phase) seen.push(s.phase); });

      await controller.run({ intent: kase.intent!, kind: drag.kind ?? 'auto', seed: 1 });
      const ready = await waitFor(controller, (s) => s.phase === Phase.ready || s.phase === Phase.failed);
      expect(ready.error).toBeNull();
      expect(ready.plan?.operations[0]).toMatchObject({ region: 'r1', kind: 'translate' });
      // Only the edit's area was read: the selection, its copy moved by the arrow and the arrow, grown by
      // max(64 px, a quarter of that area's larger side), clipped to the canvas — not the whole document.
      const read = lastCrop(ps);
      expect(read).toEqual(expectedCrop(maskBounds(poly), drag.points as Point[], W, H));
      expect(read.width * read.height).toBeLessThan(0.5 * W * H);
      // Before Apply the panel has the outline of what will move: in document pixels, over the selection's new place, framed on the area read.
      expect(ready.moved?.frame).toEqual(read);
      const mb = boundsOfPoints(ready.moved!.polygons.flat());
      // What moves: the candy's selection and its soft shadow on the white paper (plan/cast-shadow.ts),
      // as the bridge reads it on the crop it was sent.
      const shadow = castShadow(cropImage(photo, read), { ...poly, left: poly.left - read.left, top: poly.top - read.top });
      if ('why' in shadow) throw new Error(`no shadow: ${shadow.why}`);
      expect(ready.plan!.operations[0]!.reason).toMatch(/its soft shadow on the plain backdrop next to it/);
      const grown = maskBounds(shadow.mask, 128);
      const solid = { ...grown, left: grown.left + read.left, top: grown.top + read.top };
      const landed = movedBounds(solid, drag.points as Point[]);
      for (const [got, want] of [[mb.left, landed.left], [mb.top, landed.top], [mb.left + mb.width, landed.left + landed.width], [mb.top + mb.height, landed.top + landed.height]]) {
        expect(Math.abs(got! - want!)).toBeLessThanOrEqual(3);
      }
      // Nothing was written while the bridge worked: the capture's two short modal scopes (reads,
      // then the pixels of the area) were released before it.
      expect(doc.layers).toHaveLength(1);
      expect(ps.modalScopes).toBe(2);

      await controller.apply();
      expect(controller.state.phase).toBe(Phase.applied);
      expect(seen).toEqual([Phase.capturing, Phase.working, Phase.ready, Phase.applying, Phase.applied]);
      expect(ps.modalScopes).toBe(3);
      expect(ps.liveImageData).toBe(0);

      // One undo step, the source layer untouched, the new layer right above it.
      expect(doc.history).toEqual([...historyBefore, 'Smart Drag']);
      expect(doc.findLayer(source.id)!.pixels).toEqual(new Uint8ClampedArray(photo.data));
      if (deep) expect(doc.findLayer(source.id)!.deep).toEqual(deep);
      expect(doc.layers).toHaveLength(2);
      const added = doc.layers[0]!;
      expect(added.name).toBe(`Smart Drag: ${kase.intent}`.slice(0, 63) + '…');
      expect(doc.layers[1]!.id).toBe(source.id);

      // Expected: runEdit over the same crop, request built from the case (doc px -> crop px).
      const putPos = ps.putLog[0]!.targetBounds!;
      const sub = ps.calls.indexOf('getPixels');
      expect(sub).toBeGreaterThan(0);
      const crop = lastCrop(ps);
      const local = (p: readonly [number, number]): [number, number] => [p[0] - crop.left, p[1] - crop.top];
      const region = rasterizePolygon(kase.regions[0]!.polygon.map(local) as Point[]);
      const expected = await runEdit({
        image: cropImage(photo, crop),
        regions: [{ id: 'r1', mask: region }],
        drags: [{ region: 'r1', points: drag.points.map(local), kind: drag.kind ?? 'auto' }],
        intent: kase.intent,
        quality: 'final',
        seed: 1,
      });
      const want = new Uint8ClampedArray(W * H * 4);
      const L = expected.layer;
      for (let y = 0; y < L.image.height; y++) for (let x = 0; x < L.image.width; x++) {
        const s = (y * L.image.width + x) * 4;
        if (L.image.data[s + 3] === 0) continue;
        const d = ((L.top + crop.top + y) * W + (L.left + crop.left + x)) * 4;
        want.set(L.image.data.subarray(s, s + 4), d);
      }
      let changed = 0;
      for (let i = 3; i < want.length; i += 4) if (want[i] !== 0) changed++;
      expect(changed).toBeGreaterThan(1000); // the candy moved: a real edit, not an empty layer
      const got = added.pixels.slice();
      for (let i = 0; i < got.length; i += 4) if (got[i + 3] === 0) got.fill(0, i, i + 4);
      const mismatches: number[] = [];
      for (let i = 0; i < got.length && mismatches.length < 5; i++) if (got[i] !== want[i]) mismatches.push(i);
      expect(mismatches).toEqual([]);
      // And the layer sits where the bridge put it (top-left of its visible pixels).
      expect(putPos.left).toBeGreaterThanOrEqual(crop.left);
      expect(putPos.top).toBeGreaterThanOrEqual(crop.top);
      if (docOpts.bits16) {
        // Written at 16 bits; the one conversion (16 → 8 on read) was said; values within one 8-bit step of the source's.
        expect(ps.putLog[0]!.componentSize).toBe(16);
        expect(controller.state.warnings.some((w) => /16-bit document: edited at 8 bits/.test(w))).toBe(true);
        const [dx, dy] = [drag.points[1]![0] - drag.points[0]![0], drag.points[1]![1] - drag.points[0]![1]];
        let worst = 0, compared = 0;
        const c0 = drag.points[0]!;
        for (let y = -6; y <= 6; y++) for (let x = -6; x <= 6; x++) { // the candy's core moved by (dx, dy)
          const s = ((c0[1] + y) * W + (c0[0] + x)) * 4, d = ((c0[1] + y + dy) * W + (c0[0] + x + dx)) * 4;
          if (added.pixels[d + 3] !== 255) continue;
          compared++;
          for (let c = 0; c < 3; c++) worst = Math.max(worst, Math.abs(added.deep![d + c]! - deep![s + c]!));
        }
        expect(compared).toBeGreaterThan(100);
        expect(worst).toBeLessThanOrEqual(32768 / 255);
      }
    } finally {
      controller.dispose();
      client.close();
    }
  }

  test('smarties-move-red: the new layer equals runEdit for the same request; source untouched; one undo step', async () => {
    await smartiesEndToEnd();
  });

  test('Adobe RGB document: pixels read and written in the document\'s profile (no sRGB round trip): the layer equals runEdit on the document\'s own values', async () => {
    await smartiesEndToEnd({ colorProfile: 'Adobe RGB (1998)' });
  });

  test('ProPhoto RGB 16-bit document: 16-bit selection read, one explicit 16→8 conversion, layer written at 16 bits within one 8-bit step of the source', async () => {
    await smartiesEndToEnd({ colorProfile: 'ProPhoto RGB', bits16: true });
  });

  test('untagged document (colorProfileName "None", not a profile Photoshop knows): no profile named, pixels read and written as they are', async () => {
    await smartiesEndToEnd({ colorProfile: 'None' });
  });

  test('a cancelled job leaves the document untouched', async () => {
    const ps = new FakePhotoshop();
    const W = 160, H = 120;
    const doc = ps.openDocument(W, H);
    const px = new Uint8ClampedArray(W * H * 4);
    for (let i = 0; i < px.length; i += 4) px.set([(i >> 2) % 251, (i >> 3) % 241, 90, 255], i);
    const source = doc.addLayer('Photo', px.slice());
    const sel = new Uint8Array(W * H);
    for (let y = 40; y < 70; y++) for (let x = 30; x < 60; x++) sel[y * W + x] = 255;
    doc.selectionMask = sel;
    doc.addPath('Work Path', 'workPath', [{ closed: false, points: [{ anchor: [45, 55] }, { anchor: [120, 60] }] }]);
    const historyBefore = [...doc.history];
    const client = new BridgeClient({ url: tb.wsUrl, token: tb.token, client: 'uxp', WebSocketImpl: WebSocket as unknown as WebSocketConstructor, reconnect: false });
    const controller = new SmartDragController({ host: createPhotoshopHost({ photoshop: ps }), client });
    try {
      await controller.connect();
      const done = controller.run({ intent: '', kind: 'translate', autoApply: true });
      await waitFor(controller, (s) => s.phase === Phase.working);
      controller.cancel();
      await done;
      expect(controller.state.phase).toBe(Phase.cancelled);
      // Give a late result (if the bridge finished anyway) the chance to arrive: it must be ignored.
      await new Promise((r) => setTimeout(r, 300));
      expect(controller.state.phase).toBe(Phase.cancelled);
      expect(doc.layers.map((l) => l.id)).toEqual([source.id]);
      expect(doc.history).toEqual(historyBefore);
      expect(ps.modalScopes).toBe(2);
    } finally {
      controller.dispose();
      client.close();
    }
  });

  test('a wrong token is reported as such in the connection line', async () => {
    const ps = new FakePhotoshop();
    const client = new BridgeClient({ url: tb.wsUrl, token: 'wrong', client: 'uxp', WebSocketImpl: WebSocket as unknown as WebSocketConstructor, reconnect: false });
    const controller = new SmartDragController({ host: createPhotoshopHost({ photoshop: ps }), client });
    try {
      await controller.connect();
      expect(controller.state.connection).toMatchObject({ state: 'error', error: { code: 'unauthorized' } });
    } finally {
      controller.dispose();
      client.close();
    }
  });
});

/** The ROI the adapter read (from the fake's getPixels request, recorded via the capture's image). */
function lastCrop(ps: FakePhotoshop): { left: number; top: number; width: number; height: number } {
  const r = ps.lastGetPixelsRequest;
  if (!r) throw new Error('no getPixels call');
  return { left: r.left, top: r.top, width: r.right - r.left, height: r.bottom - r.top };
}
