/**
 * The user merges, flattens or converts layers while the bridge works (seconds at 50 MP). Before,
 * only closing the document and deleting the source layer were noticed at once: after a Merge Down
 * of the source, a Merge Visible, a Flatten Image or a Convert to Smart Object the bridge worked on
 * for nothing and only Apply refused ("was deleted (or merged)"). Now the plugin also listens for
 * those commands' events (eventcodes.md Merge Layers `mergeLayersNew`, Merge Visible
 * `mergeVisible`, Flatten Image `flattenImage`; Rasterize `rasterizeLayer` / `rasterize`; Convert
 * to Smart Object `newPlacedLayer`; see WATCHED_EVENTS) and decides on the layer's identity:
 *
 * - the source layer is gone (merged into another, flattened, replaced by a conversion): the job
 *   is cancelled at once, nothing is added, and the panel says what happened and which layer now
 *   holds the pixels;
 * - the source layer is still there (another pair merged, a layer merged INTO the source, a layer
 *   rasterized in place): the edit goes on. Its pixels may have changed, but only the edit's area
 *   matters, and Apply reads that again and compares (a merge elsewhere on the layer keeps the
 *   result; one over the area is refused there, nothing added).
 *
 * Through the plugin's controller and Photoshop host adapter on the fake `photoshop` module, with
 * a scripted bridge client whose jobs are held until the test finishes them.
 */
import { SmartDragController } from '../../plugin-photoshop/src/app/controller';
import { createPhotoshopHost, WATCHED_EVENTS } from '../../plugin-photoshop/src/host/photoshop-host';
import { Phase } from '../../plugin-photoshop/src/panel/panel-state';
import { FakePhotoshop, type FakeDocument, type FakeLayer } from './fake-photoshop';
import { openPhoto, PHOTO_H, PHOTO_W, ScriptedBridge, settle, startJob } from './scripted-bridge';

const W = PHOTO_W, H = PHOTO_H;

/** RGBA over the canvas: `rgba` inside the rectangle [x0, x1) × [y0, y1), transparent elsewhere. */
function block(x0: number, y0: number, x1: number, y1: number, rgba: [number, number, number, number]): Uint8ClampedArray {
  const px = new Uint8ClampedArray(W * H * 4);
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) px.set(rgba, (y * W + x) * 4);
  return px;
}

/**
 * The photo ("Photo", the source, active) over an opaque "Paper" layer, plus `above` layers over
 * it (top first); a second open document; a controller over the fake; a bridge that holds its jobs.
 */
function setup(above: Array<{ name: string; pixels: Uint8ClampedArray }> = []): {
  ps: FakePhotoshop; doc: FakeDocument; source: FakeLayer; paper: FakeLayer; other: FakeDocument; bridge: ScriptedBridge; c: SmartDragController;
} {
  const ps = new FakePhotoshop();
  const { doc, source } = openPhoto(ps);
  const paper = doc.addLayer('Paper', block(0, 0, W, H, [230, 230, 230, 255]));
  const tops = above.map((a) => doc.addLayer(a.name, a.pixels));
  doc.layers = [...tops, source, paper]; // test setup: stacking order, no history
  doc.activeLayers = [source];
  const { doc: other } = openPhoto(ps);
  ps.activate(doc);
  const bridge = new ScriptedBridge();
  bridge.hold = true;
  const c = new SmartDragController({ host: createPhotoshopHost({ photoshop: ps }), client: bridge });
  return { ps, doc, source, paper, other, bridge, c };
}

/** Start a Smart Drag (applied as soon as the bridge answers) and resolve once the bridge holds its job. */
function smartDrag(h: ReturnType<typeof setup>): Promise<{ run: Promise<void> }> {
  return startJob(h.bridge, h.c, () => h.c.run({ intent: '', kind: 'translate', autoApply: true, marginPx: 8 }));
}

describe('the source layer is merged away, flattened or replaced while the bridge works: stopped at once', () => {
  const cases: Array<[string, (h: ReturnType<typeof setup>) => void, RegExp, RegExp, string[]]> = [
    ['Layer ▸ Merge Down of the source (into the layer below it)', (h) => { h.doc.mergeDown(h.source); },
      /^The layer "Photo" was merged into "Paper" while Smart Drag worked on it, so the edit was stopped\.$/,
      /^Nothing was added\. Select "Paper" \(it holds the merged pixels now\) and run Smart Drag again, or undo \(Edit ▸ Undo\)/, ['Paper']],
    ['Layer ▸ Merge Visible (the source is not the layer they merge into)', (h) => { h.doc.mergeVisible(); },
      /^The visible layers were merged \(Merge Visible\) while Smart Drag worked on the layer "Photo", so the edit was stopped\.$/,
      /^Nothing was added\. Select "Photo" \(it holds the merged pixels now\)/, ['Photo']],
    ['Layer ▸ Flatten Image', (h) => { h.doc.flatten(); },
      /^The image was flattened while Smart Drag worked on the layer "Photo", so the edit was stopped\.$/,
      /^Nothing was added\. Run Smart Drag again on the flattened image, or undo the flattening \(Edit ▸ Undo\)/, ['Background']],
    ['Convert to Smart Object (a new layer takes the source\'s place)', (h) => { h.doc.convertToSmartObject(h.source); },
      /^The layer "Photo" was converted to a Smart Object while Smart Drag worked on it, so the edit was stopped\.$/,
      /^Nothing was added\. Select the Smart Object "Photo" and run Smart Drag again/, ['Photo', 'Paper']],
    ['Rasterize where it makes a new layer (event rasterizeLayer)', (h) => { h.source.kind = 'smartObject'; h.doc.rasterizeLayer(h.source, { replace: true }); },
      /^The layer "Photo" was rasterized while Smart Drag worked on it and is now another layer for Photoshop, so the edit was stopped\.$/,
      /^Nothing was added\. Select the rasterized layer "Photo"/, ['Photo', 'Paper']],
    ['the same with the event named as eventcodes.md names it (rasterize)', (h) => { h.source.kind = 'text'; h.doc.rasterizeLayer(h.source, { replace: true, event: 'rasterize' }); },
      /^The layer "Photo" was rasterized while Smart Drag worked on it/, /rasterized layer "Photo"/, ['Photo', 'Paper']],
  ];

  test.each(cases)('%s: the job is cancelled, the panel says what happened, nothing is added, the listener is removed', async (_name, act, message, hint, layersAfter) => {
    const h = setup();
    const { run } = await smartDrag(h);
    expect(h.c.state.phase).toBe(Phase.working);
    const historyBefore = h.doc.history.length;

    act(h);
    await settle();
    // At once: the job is still held by the bridge.
    expect(h.bridge.cancelled).toEqual(['job1']);
    expect(h.c.state.phase).toBe(Phase.failed);
    expect(h.c.state.error).toMatchObject({ code: 'document_changed' });
    expect(h.c.state.error!.message).toMatch(message);
    expect(h.c.state.error!.hint).toMatch(hint);
    await run;
    expect(h.ps.notificationListenerCount()).toBe(0);

    // The bridge's late answer (had it not stopped) adds nothing.
    h.bridge.finish();
    await settle();
    expect(h.doc.layers.map((l) => l.name)).toEqual(layersAfter);
    expect(h.doc.history).toHaveLength(historyBefore + 1); // the user's command only
    expect(h.ps.calls).not.toContain('createPixelLayer');
    expect(h.other.layers).toHaveLength(1);
    expect(h.ps.listenerErrors).toEqual([]);
  });

  test('a result waiting for Apply: merging its source down drops it, and Apply adds nothing', async () => {
    const h = setup();
    h.bridge.hold = false;
    await h.c.run({ intent: '', kind: 'translate', autoApply: false });
    expect(h.c.state.phase).toBe(Phase.ready);
    h.doc.mergeDown(h.source);
    await settle();
    expect(h.c.state.phase).toBe(Phase.failed);
    expect(h.c.state.error!.message).toMatch(/^The layer "Photo" was merged into "Paper"/);
    await h.c.apply();
    expect(h.ps.calls).not.toContain('createPixelLayer');
    expect(h.doc.layers.map((l) => l.name)).toEqual(['Paper']);
    expect(h.ps.notificationListenerCount()).toBe(0);
  });

  test('a preview the bridge works on is stopped the same way', async () => {
    const h = setup();
    const { run } = await startJob(h.bridge, h.c, () => h.c.preview({ intent: '', kind: 'translate' }));
    h.doc.flatten();
    await settle();
    expect(h.bridge.cancelled).toEqual(['job1']);
    expect(h.c.state.phase).toBe(Phase.failed);
    expect(h.c.state.error!.message).toMatch(/^The image was flattened while Smart Drag worked on the layer "Photo"/);
    await run;
    expect(h.c.state.preview).toBeNull();
    expect(h.ps.notificationListenerCount()).toBe(0);
  });
});

describe('the source layer is still there after the command: the edit goes on, and Apply decides on its area', () => {
  test('another pair of layers merged down: applied', async () => {
    const h = setup([
      { name: 'Sticker', pixels: block(120, 90, 150, 110, [0, 0, 255, 255]) },
      { name: 'Label', pixels: block(100, 90, 130, 110, [255, 255, 0, 255]) },
    ]);
    const { run } = await smartDrag(h);
    h.doc.mergeDown(h.doc.layers[0]!); // Sticker into Label
    await settle();
    expect(h.bridge.cancelled).toEqual([]);
    expect(h.c.state.phase).toBe(Phase.working);
    h.bridge.finish();
    await run;
    expect(h.c.state.phase).toBe(Phase.applied);
    expect(h.doc.layers.map((l) => l.name)).toEqual(['Label', 'Smart Drag', 'Photo', 'Paper']);
    await settle();
    expect(h.ps.notificationListenerCount()).toBe(0);
  });

  test('a layer merged INTO the source away from the edit\'s area: not stopped, and applied (the area is as read)', async () => {
    const h = setup([{ name: 'Note', pixels: block(140, 100, 160, 120, [0, 0, 0, 255]) }]);
    const { run } = await smartDrag(h);
    // The note lies outside the area the edit was read from.
    const sent = h.bridge.submitted[0]!, [ox, oy] = sent.imageOrigin!, img = sent.image as { width: number; height: number };
    expect(ox + img.width <= 140 || oy + img.height <= 100).toBe(true);
    h.doc.mergeDown(h.doc.layers[0]!); // Note into Photo: the source keeps its id
    await settle();
    expect(h.bridge.cancelled).toEqual([]);
    expect(h.c.state.phase).toBe(Phase.working);
    h.bridge.finish();
    await run;
    expect(h.c.state.phase).toBe(Phase.applied);
    expect(h.doc.layers.map((l) => l.name)).toEqual(['Smart Drag', 'Photo', 'Paper']);
  });

  test('a layer merged INTO the source over the edit\'s area: not stopped at once, refused at Apply, nothing added', async () => {
    const h = setup([{ name: 'Scribble', pixels: block(22, 42, 34, 50, [0, 255, 0, 255]) }]);
    const { run } = await smartDrag(h);
    h.doc.mergeDown(h.doc.layers[0]!);
    await settle();
    expect(h.bridge.cancelled).toEqual([]);
    h.bridge.finish();
    await run;
    expect(h.c.state.phase).toBe(Phase.failed);
    expect(h.c.state.error).toMatchObject({ code: 'document_changed' });
    expect(h.c.state.error!.message).toMatch(/the layer "Photo" no longer holds the pixels the edit was made from/);
    expect(h.doc.layers.map((l) => l.name)).toEqual(['Photo', 'Paper']);
    expect(h.ps.calls).not.toContain('createPixelLayer');
  });

  test('the source rasterized in place (same id, same pixels): applied', async () => {
    const h = setup();
    h.source.kind = 'smartObject';
    const { run } = await smartDrag(h);
    h.doc.rasterizeLayer(h.source);
    await settle();
    expect(h.bridge.cancelled).toEqual([]);
    h.bridge.finish();
    await run;
    expect(h.c.state.phase).toBe(Phase.applied);
    expect(h.doc.layers.map((l) => [l.name, l.kind])).toEqual([['Smart Drag', 'pixel'], ['Photo', 'pixel'], ['Paper', 'pixel']]);
  });

  test('layers merged or flattened in another document: the edit goes on', async () => {
    const h = setup();
    h.other.addLayer('Top', block(0, 0, 10, 10, [1, 2, 3, 255]));
    const { run } = await smartDrag(h);
    h.other.mergeDown(h.other.layers[0]!);
    h.other.flatten();
    await settle();
    expect(h.bridge.cancelled).toEqual([]);
    h.bridge.finish();
    await run;
    expect(h.c.state.phase).toBe(Phase.applied);
    expect(h.ps.listenerErrors).toEqual([]);
  });
});

test('while a job runs every watched event has the listener, and none is left after', async () => {
  const h = setup();
  const { run } = await smartDrag(h);
  for (const e of WATCHED_EVENTS) expect([e, h.ps.notificationListenerCount(e)]).toEqual([e, 1]);
  expect(WATCHED_EVENTS).toEqual(expect.arrayContaining(['close', 'delete', 'mergeLayersNew', 'mergeVisible', 'flattenImage', 'newPlacedLayer', 'rasterizeLayer']));
  h.bridge.finish();
  await run;
  await settle();
  expect(h.ps.notificationListenerCount()).toBe(0);
});
