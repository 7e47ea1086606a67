/**
 * Smart Drag run again and again on one document, as a user does: the plugin's controller and
 * Photoshop host adapter on the fake `photoshop` module, with a scripted bridge client (the
 * bridge's pixels do not matter here: a small opaque block where the arrow points).
 *
 * - The Work Path the arrows came from is deleted in the edit's own undo step, so the next arrow
 *   drawn starts a new Work Path instead of joining the old arrows (the Pen adds subpaths to the
 *   targeted Work Path); one undo brings back both the pixels and the path.
 * - The new layer is active after apply (as Photoshop makes a new layer active); a Smart Drag
 *   with a result layer active is refused, said plainly.
 * - Another plugin holding the modal state at Apply keeps the finished result (Apply again), and
 *   the command retries.
 * - A document whose canvas changed size while the bridge worked is not written to; nor is one
 *   rotated, flipped, undone or whose source layer changed (same size), while a change that
 *   leaves the source layer as read (Deselect) still gets the result.
 */
import type { Point } from '@smartdrag/shared';
import { SmartDragController } from '../../plugin-photoshop/src/app/controller';
import { createPhotoshopHost } from '../../plugin-photoshop/src/host/photoshop-host';
import { Phase } from '../../plugin-photoshop/src/panel/panel-state';
import { FakePhotoshop, type FakeDocument, type FakeLayer } from './fake-photoshop';
import { openPhoto, PHOTO_H, PHOTO_W, ScriptedBridge } from './scripted-bridge';

const W = PHOTO_W, H = PHOTO_H;

function setup(): { ps: FakePhotoshop; doc: FakeDocument; source: FakeLayer; bridge: ScriptedBridge; c: SmartDragController } {
  const ps = new FakePhotoshop();
  const { doc, source } = openPhoto(ps, {}, false);
  doc.addPath('Saved', 'normalPath', [{ closed: false, points: [{ anchor: [5, 5] }, { anchor: [9, 9] }] }]);
  // The user's first arrow: drawn with the Pen, it starts the Work Path (left targeted).
  doc.drawWithPen([arrow([30, 50], [70, 50])]);
  const bridge = new ScriptedBridge();
  const c = new SmartDragController({ host: createPhotoshopHost({ photoshop: ps }), client: bridge, applyRetry: { attempts: 3, delayMs: 5 } });
  return { ps, doc, source, bridge, c };
}

function arrow(from: Point, to: Point) {
  return { closed: false, points: [{ anchor: from }, { anchor: to }] };
}

const workPathArrows = (doc: FakeDocument) => doc.workPath?.subpaths.map((sp) => sp.points.map((p) => p.anchor));

describe('the Work Path after an edit (A)', () => {
  test('deleted in the edit\'s own undo step: the next arrow starts a new Work Path, so the second run drags only the new arrow; saved paths stay', async () => {
    const { doc, source, bridge, c } = setup();
    const historyBefore = [...doc.history];
    await c.run({ intent: '', kind: 'translate', autoApply: true });
    expect(c.state).toMatchObject({ phase: Phase.applied, error: null });
    expect(bridge.submitted[0]!.drags.map((d) => d.points)).toEqual([[[30, 50], [70, 50]]]);
    // One history state holds the new layer AND the deletion of the Work Path; the saved path is untouched.
    expect(doc.history).toEqual([...historyBefore, 'Smart Drag']);
    expect(doc.workPath).toBeUndefined();
    expect(doc.paths.map((p) => p.name)).toEqual(['Saved']);

    // The user selects the photo again, draws a second arrow and runs Smart Drag.
    doc.activeLayers = [source];
    doc.drawWithPen([arrow([30, 50], [30, 90])]);
    await c.run({ intent: '', kind: 'translate', autoApply: true });
    expect(c.state).toMatchObject({ phase: Phase.applied, error: null });
    expect(bridge.submitted[1]!.drags.map((d) => d.points)).toEqual([[[30, 50], [30, 90]]]);
    expect(doc.layers.map((l) => l.name)).toEqual(['Smart Drag', 'Smart Drag', 'Photo']);
  });

  test('one undo restores the pixels and the Work Path; running again after the undo reads the same arrow', async () => {
    const { doc, bridge, c } = setup();
    const layersBefore = doc.layers.map((l) => l.id);
    await c.run({ intent: '', kind: 'translate', autoApply: true });
    expect(doc.layers).toHaveLength(2);
    expect(doc.workPath).toBeUndefined();
    doc.undo();
    expect(doc.layers.map((l) => l.id)).toEqual(layersBefore);
    expect(workPathArrows(doc)).toEqual([[[30, 50], [70, 50]]]);
    expect(doc.targetedPathId).toBe(doc.workPath!.id);
    // Undo-then-rerun: the same edit again, from the restored path.
    await c.run({ intent: '', kind: 'translate', autoApply: true });
    expect(c.state).toMatchObject({ phase: Phase.applied, error: null });
    expect(bridge.submitted[1]!.drags.map((d) => d.points)).toEqual([[[30, 50], [70, 50]]]);
    expect(doc.workPath).toBeUndefined();
  });

  test('arrows from a saved path (no Work Path): the saved path is never deleted', async () => {
    const { doc, c } = setup();
    doc.paths = doc.paths.filter((p) => p.name === 'Saved');
    doc.paths[0]!.subpaths = [arrow([30, 50], [70, 60])];
    await c.run({ intent: '', kind: 'translate', autoApply: true });
    expect(c.state.phase).toBe(Phase.applied);
    expect(doc.paths.map((p) => p.name)).toEqual(['Saved']);
  });

  test('a Work Path the user drew on while the bridge worked is kept (with a note), not deleted with the new arrows', async () => {
    const { doc, bridge, c } = setup();
    bridge.hold = true;
    const run = c.run({ intent: '', kind: 'translate' });
    await new Promise((r) => setImmediate(r));
    expect(c.state.phase).toBe(Phase.working);
    doc.drawWithPen([arrow([100, 100], [120, 100])]);
    bridge.finish();
    await run;
    await c.apply();
    expect(c.state.phase).toBe(Phase.applied);
    expect(workPathArrows(doc)).toEqual([[[30, 50], [70, 50]], [[100, 100], [120, 100]]]);
    expect(c.state.warnings.join(' ')).toMatch(/Work Path changed while SmartDrag worked/);
  });
});

describe('the Work Path with another document active at Apply', () => {
  test('the edited document\'s Work Path is deleted (read by document, not the active one); the other document\'s is kept', async () => {
    const { ps, doc, bridge, c } = setup();
    bridge.hold = true;
    const run = c.run({ intent: '', kind: 'translate' });
    await new Promise((r) => setImmediate(r));
    expect(c.state.phase).toBe(Phase.working);
    const other = ps.openDocument(80, 60);
    other.addLayer('Other', new Uint8ClampedArray(80 * 60 * 4).fill(255));
    other.drawWithPen([arrow([1, 1], [5, 5])]);
    expect(ps.activeDocument).toBe(other);
    bridge.finish();
    await run;
    await c.apply();
    expect(c.state).toMatchObject({ phase: Phase.applied, error: null });
    expect(c.state.warnings.join(' ')).not.toMatch(/Work Path/);
    expect(doc.layers.map((l) => l.name)).toEqual(['Smart Drag', 'Photo']);
    expect(doc.workPath).toBeUndefined();
    expect(workPathArrows(other)).toEqual([[[1, 1], [5, 5]]]);
  });
});

describe('the result layer is active after apply (C)', () => {
  test('a second Smart Drag right away is refused, naming the result layer, before anything is read or sent', async () => {
    const { ps, doc, bridge, c } = setup();
    await c.run({ intent: 'move it', kind: 'translate', autoApply: true });
    expect(c.state.phase).toBe(Phase.applied);
    expect(doc.activeLayers[0]!.name).toBe('Smart Drag: move it'); // Photoshop makes the new layer active
    doc.drawWithPen([arrow([30, 50], [30, 90])]);
    ps.calls = [];
    await c.run({ intent: '', kind: 'translate', autoApply: true });
    expect(c.state).toMatchObject({ phase: Phase.failed, error: { code: 'no_layer', message: expect.stringContaining('"Smart Drag: move it" is a Smart Drag result') } });
    expect(c.state.error!.hint).toMatch(/Select the layer that holds the object/);
    expect(ps.calls.filter((x) => x === 'getPixels' || x === 'getSelection')).toEqual([]);
    expect(bridge.submitted).toHaveLength(1);
  });

  test('recognised after a plugin reload too (by its name), and a renamed or merged layer is read as usual', async () => {
    const { ps, doc, source, c } = setup();
    await c.run({ intent: '', kind: 'translate', autoApply: true });
    const result = doc.activeLayers[0]!;
    const fresh = new SmartDragController({ host: createPhotoshopHost({ photoshop: ps }), client: new ScriptedBridge() });
    doc.drawWithPen([arrow([30, 50], [30, 90])]);
    await fresh.run({ intent: '', kind: 'translate' });
    expect(fresh.state).toMatchObject({ phase: Phase.failed, error: { code: 'no_layer', message: expect.stringContaining('is a Smart Drag result') } });
    // Selecting the photo again: read as usual.
    doc.activeLayers = [source];
    await fresh.run({ intent: '', kind: 'translate' });
    expect(fresh.state).toMatchObject({ phase: Phase.ready, error: null });
    expect(result.id).not.toBe(source.id);
  });
});

describe('another plugin modal at Apply (D)', () => {
  test('Apply keeps the finished result (ready, with the reason) and a second Apply writes it', async () => {
    const { ps, doc, bridge, c } = setup();
    await c.run({ intent: '', kind: 'translate' });
    expect(c.state.phase).toBe(Phase.ready);
    const historyBefore = [...doc.history];
    let release!: () => void;
    const other = ps.core.executeAsModal(() => new Promise<void>((r) => { release = r; }), { commandName: 'Other plugin' });
    await c.apply();
    expect(c.state).toMatchObject({ phase: Phase.ready, error: { code: 'modal_busy' } });
    expect(doc.layers).toHaveLength(1);
    expect(doc.history).toEqual(historyBefore);
    release();
    await other;
    await c.apply();
    expect(c.state).toMatchObject({ phase: Phase.applied, error: null });
    expect(doc.layers).toHaveLength(2);
    expect(bridge.submitted).toHaveLength(1); // the same result, not a new job
  });

  test('the command (autoApply) retries a short collision by itself', async () => {
    const { ps, doc, bridge, c } = setup();
    bridge.onSubmit = () => { ps.collideNext = 2; }; // busy for the first two tries at Apply
    await c.run({ intent: '', kind: 'translate', autoApply: true });
    expect(c.state).toMatchObject({ phase: Phase.applied, error: null });
    expect(ps.calls.filter((x) => x === 'executeAsModal(busy)')).toHaveLength(2);
    expect(doc.layers).toHaveLength(2);
  });

  test('the command gives up after a few tries but keeps the result for Apply', async () => {
    const { ps, doc, bridge, c } = setup();
    bridge.onSubmit = () => { ps.collideNext = 50; };
    await c.run({ intent: '', kind: 'translate', autoApply: true });
    expect(c.state).toMatchObject({ phase: Phase.ready, error: { code: 'modal_busy' } });
    expect(ps.calls.filter((x) => x === 'executeAsModal(busy)')).toHaveLength(3);
    ps.collideNext = 0;
    await c.apply();
    expect(c.state.phase).toBe(Phase.applied);
    expect(doc.layers).toHaveLength(2);
  });
});

describe('the canvas changed size while the bridge worked (E)', () => {
  test('Canvas Size between capture and apply: refused with document_changed, nothing written', async () => {
    const { doc, bridge, c } = setup();
    bridge.hold = true;
    const run = c.run({ intent: '', kind: 'translate', autoApply: true });
    await new Promise((r) => setImmediate(r));
    expect(c.state.phase).toBe(Phase.working);
    doc.resizeCanvas(W + 40, H);
    const historyBefore = [...doc.history];
    bridge.finish();
    await run;
    expect(c.state).toMatchObject({ phase: Phase.failed, error: { code: 'document_changed', message: expect.stringContaining(`${W}×${H}`) } });
    expect(doc.layers).toHaveLength(1);
    expect(doc.history).toEqual(historyBefore);
    expect(doc.workPath).toBeDefined();
  });
});

describe('the document changed without changing size while the bridge worked (F)', () => {
  /** Start a command run, let the capture finish and the bridge hold the job; `change` runs while it works. */
  async function runWith(change: (doc: FakeDocument, source: FakeLayer) => void) {
    const s = setup();
    s.bridge.hold = true;
    const run = s.c.run({ intent: '', kind: 'translate', autoApply: true });
    await new Promise((r) => setImmediate(r));
    expect(s.c.state.phase).toBe(Phase.working);
    change(s.doc, s.source);
    const historyBefore = [...s.doc.history];
    const reads = s.ps.getPixelsLog.length;
    s.bridge.finish();
    await run;
    return { ...s, historyBefore, readsAtApply: s.ps.getPixelsLog.length - reads };
  }

  const refused = {
    phase: Phase.failed,
    error: {
      code: 'document_changed',
      message: expect.stringMatching(/changed while Smart Drag worked.*rotated or flipped.*undone/s),
      hint: expect.stringMatching(/run Smart Drag again/i),
    },
  };

  test('Image Rotation 180° (same canvas size) between capture and apply: no layer added, the panel says what happened, and a new run works', async () => {
    const { doc, source, bridge, c } = await runWith((d) => d.rotate180());
    expect(doc.width).toBe(W);
    expect(doc.height).toBe(H);
    expect(c.state).toMatchObject(refused);
    expect(doc.layers.map((l) => l.id)).toEqual([source.id]);
    expect(doc.history.slice(-1)).toEqual(['Rotate Canvas']); // nothing written after the rotation
    expect(doc.workPath).toBeDefined(); // the arrows are kept for the next run
    // The panel is usable: Smart Drag again reads the rotated document (selection and arrow turned with it).
    bridge.hold = false;
    await c.run({ intent: '', kind: 'translate', autoApply: true });
    expect(c.state).toMatchObject({ phase: Phase.applied, error: null });
    expect(doc.layers).toHaveLength(2);
  });

  test.each(['horizontal', 'vertical'] as const)('Flip Canvas %s between capture and apply: refused, nothing written', async (dir) => {
    const { doc, source, c, historyBefore } = await runWith((d) => d.flipCanvas(dir));
    expect(c.state).toMatchObject(refused);
    expect(doc.layers.map((l) => l.id)).toEqual([source.id]);
    expect(doc.history).toEqual(historyBefore);
  });

  test('the source layer moved with the Move tool: refused, nothing written', async () => {
    const { doc, c } = await runWith((d, src) => d.moveLayerPixels(src, 12, 0));
    expect(c.state).toMatchObject(refused);
    expect(doc.layers).toHaveLength(1);
  });

  test('undone to a history state before the one read: refused, nothing written', async () => {
    const s = setup();
    // The user nudged the photo, then ran Smart Drag; while it works, they undo the nudge.
    s.doc.moveLayerPixels(s.source, 3, 0);
    s.bridge.hold = true;
    const run = s.c.run({ intent: '', kind: 'translate', autoApply: true });
    await new Promise((r) => setImmediate(r));
    s.doc.undo();
    s.bridge.finish();
    await run;
    expect(s.c.state).toMatchObject(refused);
    expect(s.doc.layers).toHaveLength(1);
  });

  test('undo then redo back to the state read: the document is as read, so the result is added', async () => {
    const s = setup();
    s.doc.moveLayerPixels(s.source, 3, 0);
    s.bridge.hold = true;
    const run = s.c.run({ intent: '', kind: 'translate', autoApply: true });
    await new Promise((r) => setImmediate(r));
    const read = s.doc.activeHistoryState.id;
    s.doc.undo();
    expect(s.doc.activeHistoryState.id).not.toBe(read);
    s.doc.redo();
    expect(s.doc.activeHistoryState.id).toBe(read);
    const reads = s.ps.getPixelsLog.length;
    s.bridge.finish();
    await run;
    expect(s.c.state).toMatchObject({ phase: Phase.applied, error: null });
    expect(s.doc.layers).toHaveLength(2);
    expect(s.ps.getPixelsLog.length).toBe(reads); // same history state: nothing re-read
  });

  test('a change that leaves the source layer as read (Deselect): the result is still added', async () => {
    const { doc, c, readsAtApply } = await runWith((d) => d.deselect());
    expect(c.state).toMatchObject({ phase: Phase.applied, error: null });
    expect(doc.layers).toHaveLength(2);
    expect(doc.history.slice(-2)).toEqual(['Deselect', 'Smart Drag']);
    expect(readsAtApply).toBeGreaterThan(0); // the history state moved on: the layer was compared with what was read
  });

  test('nothing changed: applied without re-reading the layer (the history state is the one read)', async () => {
    const { doc, c, readsAtApply } = await runWith(() => undefined);
    expect(c.state).toMatchObject({ phase: Phase.applied, error: null });
    expect(doc.layers).toHaveLength(2);
    expect(readsAtApply).toBe(0);
  });
});
