/**
 * The user closes the document (or deletes the source layer) while the bridge works — seconds at
 * 50 MP. Before, nothing noticed until the bridge finished: the bridge worked on for nothing, the
 * panel said "working" for a document that was gone, and only Apply refused (document_changed).
 * Now the plugin listens (photoshopaction.md `addNotificationListener`, eventcodes.md `close` and
 * `delete`) from the capture until the run ends: the bridge job is cancelled at once, nothing is
 * added anywhere, the panel says the document was closed so the edit was stopped, and the
 * listener is removed — also when the run ends any other way (no listener left across jobs).
 *
 * Through the plugin's controller and Photoshop host adapter on the fake `photoshop` module
 * (which notifies `close` from closeDocument and `delete` from deleteLayer, asynchronously), with
 * a scripted bridge client whose jobs are held until the test finishes them.
 */
import { SmartDragController } from '../../plugin-photoshop/src/app/controller';
import { createPhotoshopHost } from '../../plugin-photoshop/src/host/photoshop-host';
import { Phase } from '../../plugin-photoshop/src/panel/panel-state';
import { FakePhotoshop, type FakeDocument, type FakeLayer } from './fake-photoshop';
import { openPhoto, PHOTO_H, PHOTO_W, ScriptedBridge, settle, startJob } from './scripted-bridge';

const W = PHOTO_W, H = PHOTO_H;

/** Two open documents (the edited one active), a controller over the fake, and a bridge that holds its jobs. */
function setup(): { ps: FakePhotoshop; doc: FakeDocument; source: FakeLayer; other: FakeDocument; bridge: ScriptedBridge; c: SmartDragController } {
  const ps = new FakePhotoshop();
  const { doc, source } = openPhoto(ps);
  const { doc: other } = openPhoto(ps);
  ps.activate(doc);
  const bridge = new ScriptedBridge();
  bridge.hold = true;
  const c = new SmartDragController({ host: createPhotoshopHost({ photoshop: ps }), client: bridge });
  return { ps, doc, source, other, bridge, c };
}

describe('the document is closed while the bridge works', () => {
  test('the job is cancelled at once, the panel says the document was closed so the edit was stopped, nothing is added anywhere, and the listener is removed', async () => {
    const { ps, doc, other, bridge, c } = setup();
    const { run } = await startJob(bridge, c, () => c.run({ intent: '', kind: 'translate', autoApply: true }));
    expect(c.state.phase).toBe(Phase.working);

    ps.closeDocument(doc);
    await settle();
    // At once: before the bridge has finished (the job is still held).
    expect(bridge.cancelled).toEqual(['job1']);
    expect(c.state.phase).toBe(Phase.failed);
    expect(c.state.error).toMatchObject({ code: 'document_changed' });
    expect(c.state.error!.message).toMatch(new RegExp(`The document "${doc.name}" was closed while Smart Drag worked on it, so the edit was stopped\\.`));
    expect(c.state.error!.hint).toMatch(/^Nothing was added\. Open the document again/);
    await run; // the cancelled job ends the run: no bridge.finish() needed
    expect(ps.notificationListenerCount()).toBe(0);

    // The bridge's late answer (had it not stopped) changes nothing.
    bridge.finish();
    await settle();
    expect(c.state.phase).toBe(Phase.failed);
    expect(other.layers).toHaveLength(1);
    expect(other.history).toEqual(['Open']);
    expect(doc.layers).toHaveLength(1);
    expect(ps.calls).not.toContain('createPixelLayer');
    expect(ps.listenerErrors).toEqual([]);
  });

  test('another document closed: the edit goes on and its layer is added; the listener is gone after', async () => {
    const { ps, doc, source, other, bridge, c } = setup();
    const { run } = await startJob(bridge, c, () => c.run({ intent: '', kind: 'translate', autoApply: true }));
    ps.closeDocument(other);
    await settle();
    expect(bridge.cancelled).toEqual([]);
    expect(c.state.phase).toBe(Phase.working);
    expect(c.state.error).toBeNull();
    expect(ps.notificationListenerCount('close')).toBe(1);

    bridge.finish();
    await run;
    expect(c.state.phase).toBe(Phase.applied);
    expect(doc.layers.map((l) => l.name)).toEqual(['Smart Drag', 'Photo']);
    expect(doc.findLayer(source.id)).toBe(source);
    await settle();
    expect(ps.notificationListenerCount()).toBe(0);
    expect(ps.listenerErrors).toEqual([]);
  });

  test('a result waiting for Apply: closing its document drops it (nothing to add it to), and the listener goes with it', async () => {
    const { ps, doc, other, bridge, c } = setup();
    bridge.hold = false;
    await c.run({ intent: '', kind: 'translate', autoApply: false });
    expect(c.state.phase).toBe(Phase.ready);
    expect(ps.notificationListenerCount('close')).toBe(1);
    ps.closeDocument(doc);
    await settle();
    expect(c.state.phase).toBe(Phase.failed);
    expect(c.state.error!.message).toMatch(/was closed .*so the edit was stopped/);
    await c.apply(); // nothing left to apply
    expect(other.layers).toHaveLength(1);
    expect(ps.calls).not.toContain('createPixelLayer');
    expect(ps.notificationListenerCount()).toBe(0);
  });

  test('a preview the bridge works on is stopped the same way', async () => {
    const { ps, doc, other, bridge, c } = setup();
    const { run } = await startJob(bridge, c, () => c.preview({ intent: '', kind: 'translate' }));
    ps.closeDocument(doc);
    await settle();
    expect(bridge.cancelled).toEqual(['job1']);
    expect(c.state.phase).toBe(Phase.failed);
    expect(c.state.error!.message).toMatch(/was closed while Smart Drag worked on it, so the edit was stopped/);
    await run;
    expect(c.state.preview).toBeNull();
    expect(other.layers).toHaveLength(1);
    expect(ps.notificationListenerCount()).toBe(0);
  });
});

describe('the source layer is deleted while the bridge works', () => {
  test('the job is cancelled at once and the panel names the layer; nothing is added', async () => {
    const { ps, doc, source, bridge, c } = setup();
    const { run } = await startJob(bridge, c, () => c.run({ intent: '', kind: 'translate', autoApply: true }));
    doc.deleteLayer(source);
    await settle();
    expect(bridge.cancelled).toEqual(['job1']);
    expect(c.state.phase).toBe(Phase.failed);
    expect(c.state.error).toMatchObject({ code: 'document_changed', message: 'The layer "Photo" was deleted while Smart Drag worked on it, so the edit was stopped.' });
    expect(c.state.error!.hint).toMatch(/Edit ▸ Undo/);
    await run;
    expect(doc.layers).toHaveLength(0);
    expect(doc.history).toEqual(['Open', 'Delete Layer']);
    expect(ps.notificationListenerCount()).toBe(0);
  });

  test('another layer deleted (here or in another document): the edit goes on', async () => {
    const { ps, doc, source, other, bridge, c } = setup();
    const extra = doc.addLayer('Extra', new Uint8ClampedArray(W * H * 4));
    doc.activeLayers = [source];
    const { run } = await startJob(bridge, c, () => c.run({ intent: '', kind: 'translate', autoApply: true }));
    doc.deleteLayer(extra);
    other.deleteLayer(other.layers[0]!);
    await settle();
    expect(bridge.cancelled).toEqual([]);
    expect(c.state.phase).toBe(Phase.working);
    bridge.finish();
    await run;
    expect(c.state.phase).toBe(Phase.applied);
    expect(doc.layers.map((l) => l.name)).toEqual(['Smart Drag', 'Photo']);
    await settle();
    expect(ps.notificationListenerCount()).toBe(0);
    expect(ps.listenerErrors).toEqual([]);
  });
});

describe('no listener is left when a run ends', () => {
  test.each([
    // The edit is undone after (the new layer and the Work Path's deletion), so the next run reads the same edit.
    ['applied', async (h: ReturnType<typeof setup>, run: Promise<void>) => { h.bridge.finish(); await run; expect(h.c.state.phase).toBe(Phase.applied); h.doc.undo(); }],
    ['cancelled by the user', async (h: ReturnType<typeof setup>) => { h.c.cancel(); }],
    ['failed on the bridge', async (h: ReturnType<typeof setup>) => { h.bridge.fail({ code: 'internal', message: 'boom' }); }],
  ])('%s; three runs in a row, one listener at a time', async (_name, end) => {
    const h = setup();
    for (let i = 0; i < 3; i++) {
      const { run } = await startJob(h.bridge, h.c, () => h.c.run({ intent: '', kind: 'translate', autoApply: true }));
      expect(h.ps.notificationListenerCount('close')).toBe(1);
      expect(h.ps.notificationListenerCount('delete')).toBe(1);
      await end(h, run);
      await run;
      await settle();
      expect(h.ps.notificationListenerCount()).toBe(0);
      h.c.dismiss();
    }
    // A close now (no run) reaches no listener and changes nothing.
    h.ps.closeDocument(h.doc);
    await settle();
    expect(h.c.state.phase).toBe(Phase.idle);
    expect(h.ps.listenerErrors).toEqual([]);
  });

  test('a result discarded, or replaced by a new preview: its listener is removed', async () => {
    const h = setup();
    h.bridge.hold = false;
    await h.c.run({ intent: '', kind: 'translate', autoApply: false });
    expect(h.ps.notificationListenerCount('close')).toBe(1);
    h.c.discard();
    await settle();
    expect(h.ps.notificationListenerCount()).toBe(0);

    h.bridge.hold = true;
    const { run: p1 } = await startJob(h.bridge, h.c, () => h.c.preview({ intent: '', kind: 'translate' }));
    const { run: p2 } = await startJob(h.bridge, h.c, () => h.c.preview({ intent: '', kind: 'translate' }));
    await p1;
    await settle();
    expect(h.ps.notificationListenerCount('close')).toBe(1);
    h.bridge.finish();
    await p2;
    expect(h.c.state.phase).toBe(Phase.ready);
    h.c.discard();
    await settle();
    expect(h.ps.notificationListenerCount()).toBe(0);
  });
});

describe('the host\'s watch (createPhotoshopHost().watchDocument)', () => {
  test('ended before its add settled: the listener is still removed; a hit calls onGone once, then the watch ends by itself', async () => {
    const ps = new FakePhotoshop();
    const { doc, source } = openPhoto(ps);
    const host = createPhotoshopHost({ photoshop: ps });
    host.watchDocument!(doc.id, source.id, () => { throw new Error('not called'); })();
    await settle();
    expect(ps.notificationListenerCount()).toBe(0);

    const gone: string[] = [];
    host.watchDocument!(doc.id, source.id, (e) => gone.push(e.message));
    doc.deleteLayer(source);
    await settle();
    ps.closeDocument(doc);
    await settle();
    expect(gone).toEqual(['The layer "Photo" was deleted while Smart Drag worked on it, so the edit was stopped.']);
    expect(ps.notificationListenerCount()).toBe(0);
  });

  test('nothing is thrown into Photoshop: not when reading the documents fails, nor when onGone throws', async () => {
    const ps = new FakePhotoshop();
    const { doc, source } = openPhoto(ps);
    const { doc: other } = openPhoto(ps);
    const host = createPhotoshopHost({ photoshop: ps });
    let calls = 0;
    const stop = host.watchDocument!(doc.id, source.id, () => { calls++; throw new Error('a panel listener failed'); });
    const app = ps.app as { documents: unknown };
    const real = Object.getOwnPropertyDescriptor(app, 'documents')!;
    Object.defineProperty(app, 'documents', { configurable: true, get() { throw new Error('documents unreadable'); } });
    ps.closeDocument(other);
    await settle();
    Object.defineProperty(app, 'documents', real);
    expect(calls).toBe(0);
    ps.closeDocument(doc);
    await settle();
    expect(calls).toBe(1);
    expect(ps.listenerErrors).toEqual([]);
    stop();
    await settle();
    expect(ps.notificationListenerCount()).toBe(0);
  });
});
