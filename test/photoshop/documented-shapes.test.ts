/**
 * The review fixes against the documented UXP/Photoshop API (AdobeDocs/uxp-photoshop
 * ps-reference/media/imaging.md, executeasmodal.md, modules/constants.md; constant values from
 * DefinitelyTyped types/photoshop/dom/Constants.d.ts), exercised through the fake host, which now
 * rejects undocumented option shapes.
 */
import { createPhotoshopHost, isModalBusy, PS_CONSTANT_FALLBACKS } from '../../plugin-photoshop/src/host/photoshop-host';
import { FakePhotoshop, PS_CONSTANTS, type FakeDocument } from './fake-photoshop';

const W = 64, H = 48;

function setup(): { ps: FakePhotoshop; doc: FakeDocument; sourceId: number } {
  const ps = new FakePhotoshop();
  const doc = ps.openDocument(W, H, { resolution: 144 });
  const px = new Uint8ClampedArray(W * H * 4);
  for (let i = 0; i < W * H; i++) px.set([i & 255, (i >> 3) & 255, 90, 255], i * 4);
  const layer = doc.addLayer('Photo', px);
  const sel = new Uint8Array(W * H);
  for (let y = 10; y < 20; y++) for (let x = 10; x < 20; x++) sel[y * W + x] = 255;
  doc.selectionMask = sel;
  return { ps, doc, sourceId: layer.id };
}

describe('fake host enforces the documented shapes', () => {
  test('createImageDataFromBuffer: no componentSize option, array type sets the depth, Uint8ClampedArray refused', async () => {
    const ps = new FakePhotoshop();
    ps.openDocument(4, 4);
    const opts = { width: 2, height: 1, components: 4, colorSpace: 'RGB' };
    await expect(ps.imaging.createImageDataFromBuffer(new Uint8Array(8), { ...opts, componentSize: 8 } as typeof opts)).rejects.toThrow(/componentSize/);
    await expect(ps.imaging.createImageDataFromBuffer(new Uint8ClampedArray(8) as unknown as Uint8Array, opts)).rejects.toThrow(/not an accepted array type/);
    const img16 = await ps.imaging.createImageDataFromBuffer(new Uint16Array(8), opts);
    expect(img16.componentSize).toBe(16);
    img16.dispose();
  });

  test('bounds shapes: getPixels takes width/height, getSelection only right/bottom; targetBounds needs left/top', async () => {
    const { ps, doc, sourceId } = setup();
    await ps.core.executeAsModal(async () => {
      const a = await ps.imaging.getPixels({ documentID: doc.id, layerID: sourceId, componentSize: 8, sourceBounds: { left: 2, top: 3, width: 5, height: 4 } as never });
      expect(a.sourceBounds).toEqual({ left: 2, top: 3, right: 7, bottom: 7 });
      a.imageData.dispose();
      await expect(ps.imaging.getSelection({ documentID: doc.id, sourceBounds: { left: 0, top: 0, width: 4, height: 4 } as never })).rejects.toThrow(/right, bottom/);
      await expect(ps.imaging.getPixels({ documentID: doc.id, componentSize: 8, sourceBounds: { left: 0.5, top: 0, right: 4, bottom: 4 } })).rejects.toThrow(/integer/);
      const img = await ps.imaging.createImageDataFromBuffer(new Uint8Array(4), { width: 1, height: 1, components: 4, colorSpace: 'RGB' });
      await expect(ps.imaging.putPixels({ layerID: sourceId, imageData: img, targetBounds: { x: 1, y: 2 } as never })).rejects.toThrow(/left and top/);
      img.dispose();
    }, { commandName: 'test' });
    expect(ps.liveImageData).toBe(0);
  });

  test('getData({chunky: false}) is planar', async () => {
    const ps = new FakePhotoshop();
    ps.openDocument(2, 1);
    const img = await ps.imaging.createImageDataFromBuffer(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]), { width: 2, height: 1, components: 4, colorSpace: 'RGB' });
    expect([...(await img.getData({ chunky: false }))]).toEqual([1, 5, 2, 6, 3, 7, 4, 8]);
    expect([...(await img.getData())]).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    img.dispose();
  });
});

describe('host adapter uses the documented values', () => {
  test('the Work Path is found by PathKind.WORKPATH ("workPathIndex"), also when constants.PathKind is missing', async () => {
    for (const withConstants of [true, false]) {
      const { ps, doc } = setup();
      doc.addPath('Saved', 'normalPath', [{ closed: false, points: [{ anchor: [1, 1] }, { anchor: [3, 3] }] }]);
      doc.addPath('Work Path', 'workPath', [{ closed: false, points: [{ anchor: [15, 15] }, { anchor: [30, 20] }] }]);
      expect(doc.paths[1]!.kind).toBe('workPathIndex');
      if (!withConstants) (ps as unknown as { constants: object }).constants = { ElementPlacement: PS_CONSTANTS.ElementPlacement };
      const cap = await createPhotoshopHost({ photoshop: ps }).capture({ kind: 'translate', marginPx: 4 });
      // Only the Work Path's arrow (the saved path is ignored when a Work Path exists).
      expect(cap.drags.map((d) => d.points)).toEqual([[[15, 15], [30, 20]]]);
    }
    expect(PS_CONSTANT_FALLBACKS.pathKind.WORKPATH).toBe(PS_CONSTANTS.PathKind.WORKPATH);
  });

  test('the 25.10 "is running a modal command" message (no error number) is a modal collision', async () => {
    expect(isModalBusy(new Error('Plugin: com.adobe.testPlugin is running a modal command'))).toBe(true);
    expect(isModalBusy(new Error('host is in a modal state'))).toBe(true);
    expect(isModalBusy(new Error('out of memory'))).toBe(false);
    const { ps, doc } = setup();
    doc.addPath('Work Path', 'workPath', [{ closed: false, points: [{ anchor: [15, 15] }, { anchor: [30, 20] }] }]);
    ps.busyMessage = 'Plugin: com.other.plugin is running a modal command';
    ps.busyNumber = null;
    let release!: () => void;
    const holding = ps.core.executeAsModal(() => new Promise<void>((r) => { release = r; }), { commandName: 'Other plugin' });
    await expect(createPhotoshopHost({ photoshop: ps }).capture({ kind: 'auto' })).rejects.toMatchObject({ code: 'modal_busy' });
    release();
    await holding;
  });

  test('a user cancel during capture (later APIs throw) is reported as cancelled, not host_error', async () => {
    const { ps, doc } = setup();
    doc.addPath('Work Path', 'workPath', [{ closed: false, points: [{ anchor: [15, 15] }, { anchor: [30, 20] }] }]);
    ps.cancelAfter = 'getSelection';
    const origin = ps.imaging.getSelection;
    ps.imaging.getSelection = async (o) => { const r = await origin(o); ps.maybeFail('getSelection'); return r; };
    await expect(createPhotoshopHost({ photoshop: ps }).capture({ kind: 'auto' })).rejects.toMatchObject({ code: 'cancelled' });
  });

  test('an empty "keep" channel gives no keep mask; a group as the active layer is refused', async () => {
    const { ps, doc } = setup();
    doc.addPath('Work Path', 'workPath', [{ closed: false, points: [{ anchor: [15, 15] }, { anchor: [30, 20] }] }]);
    doc.addChannel('keep', new Uint8Array(W * H));
    const cap = await createPhotoshopHost({ photoshop: ps }).capture({ kind: 'auto', marginPx: 4 });
    expect(cap.keep).toBeUndefined();
    expect(ps.liveImageData).toBe(0);
    doc.activeLayers[0]!.kind = 'group';
    await expect(createPhotoshopHost({ photoshop: ps }).capture({ kind: 'auto' })).rejects.toMatchObject({ code: 'no_layer' });
  });
});
