/**
 * The documents and layers Photoshop users really have open (found by a user hunt with real-size
 * documents), through the plugin's controller and Photoshop host adapter on the fake `photoshop`
 * module, with a scripted bridge client:
 *
 * - another document made active while SmartDrag reads (between the capture's two modal scopes):
 *   the "keep" channel is loaded by a batchPlay that names no document, so Photoshop runs it on the
 *   ACTIVE one — the other document's selection was replaced (a "Load Selection" step in its
 *   history) and the edited document's own selection was sent as the keep mask;
 * - CMYK, Lab, Grayscale and 32-bit documents are refused in Image ▸ Mode's words (it said
 *   "CMYKColorMode, bitDepth8"), with the menu items to use;
 * - a hidden source layer, or one inside a hidden group, is said (the new layer is visible over
 *   the layers below, or hidden with its group: Smart Drag seemed to do nothing);
 * - the document closed, or another one made active, while the bridge works.
 */
import { SmartDragController } from '../../plugin-photoshop/src/app/controller';
import { createPhotoshopHost } from '../../plugin-photoshop/src/host/photoshop-host';
import { Phase } from '../../plugin-photoshop/src/panel/panel-state';
import { FakePhotoshop, type FakeDocument } from './fake-photoshop';
import { openPhoto, PHOTO_H, PHOTO_W, ScriptedBridge } from './scripted-bridge';

const W = PHOTO_W, H = PHOTO_H;

function controller(ps: FakePhotoshop): { bridge: ScriptedBridge; c: SmartDragController } {
  const bridge = new ScriptedBridge();
  return { bridge, c: new SmartDragController({ host: createPhotoshopHost({ photoshop: ps }), client: bridge }) };
}

/** The user clicks `other`'s tab right after the capture's first modal scope (Photoshop is usable between the two). */
function switchAfterFirstScope(ps: FakePhotoshop, other: FakeDocument): void {
  const orig = ps.core.executeAsModal;
  let n = 0;
  ps.core.executeAsModal = async (fn, o) => {
    const out = await orig(fn, o);
    if (++n === 1) ps.activate(other);
    return out;
  };
}

describe('another document made active while SmartDrag reads a document with a "keep" channel', () => {
  function withKeep(ps: FakePhotoshop): FakeDocument {
    const { doc } = openPhoto(ps);
    const keep = new Uint8Array(W * H);
    for (let x = 0; x < W; x++) keep[x] = 255; // the top row must not change
    doc.addChannel('keep', keep);
    return doc;
  }

  test('the other document also has a "keep" channel: its selection and history are left alone, nothing is sent, and the message says to switch back', async () => {
    const ps = new FakePhotoshop();
    const doc = withKeep(ps);
    const { doc: other } = openPhoto(ps);
    other.addChannel('keep', new Uint8Array(W * H).fill(255));
    const otherSelection = other.selectionMask!.slice();
    ps.activate(doc);
    switchAfterFirstScope(ps, other);
    const { bridge, c } = controller(ps);

    await c.run({ intent: '', kind: 'translate', autoApply: true });

    // Before: the keep channel was loaded into the OTHER document ("Load Selection" in its history,
    // its selection replaced by its channel) and the edited document's own selection — the part
    // to move — was sent as the keep mask.
    expect(other.history).toEqual(['Open']);
    expect(other.selectionMask).toEqual(otherSelection);
    expect(bridge.submitted).toHaveLength(0);
    expect(c.state.phase).toBe(Phase.failed);
    expect(c.state.error).toMatchObject({ code: 'document_changed' });
    expect(c.state.error!.message).toContain(`"${other.name}"`);
    expect(c.state.error!.hint).toMatch(new RegExp(`Switch back to the document "${doc.name}"`));
    expect(doc.history).toEqual(['Open']);
    expect(doc.layers).toHaveLength(1);
    expect(ps.liveImageData).toBe(0);
  });

  test('the other document has no such channel: the same clear refusal, not Photoshop\'s raw "no channel" error', async () => {
    const ps = new FakePhotoshop();
    const doc = withKeep(ps);
    const { doc: other } = openPhoto(ps);
    ps.activate(doc);
    switchAfterFirstScope(ps, other);
    const { bridge, c } = controller(ps);
    await c.preview({ intent: '', kind: 'translate' });
    expect(c.state.error).toMatchObject({ code: 'document_changed' });
    expect(bridge.submitted).toHaveLength(0);
    expect(other.history).toEqual(['Open']);
  });

  test('without a switch the keep channel is read from the edited document as before', async () => {
    const ps = new FakePhotoshop();
    withKeep(ps);
    const { bridge, c } = controller(ps);
    await c.run({ intent: '', kind: 'translate', autoApply: false });
    expect(c.state.phase).toBe(Phase.ready);
    const keep = bridge.submitted[0]!.keep![0] as { mask: { top: number; height: number } };
    expect(keep.mask.top).toBe(0);
    expect(keep.mask.height).toBeGreaterThan(0);
  });
});

describe('documents SmartDrag cannot edit are refused in Photoshop\'s words', () => {
  test.each([
    [{ mode: 'CMYKColorMode' }, 'CMYK Color, 8 Bits/Channel', /Image ▸ Mode ▸ RGB Color/],
    [{ mode: 'labColorMode', bitsPerChannel: 'bitDepth16' }, 'Lab Color, 16 Bits/Channel', /Image ▸ Mode ▸ RGB Color/],
    [{ mode: 'grayscaleMode' }, 'Grayscale, 8 Bits/Channel', /Image ▸ Mode ▸ RGB Color/],
    [{ bitsPerChannel: 'bitDepth32' }, 'RGB Color, 32 Bits/Channel', /Image ▸ Mode ▸ 16 Bits\/Channel/],
  ])('%j', async (opts, words, menu) => {
    const ps = new FakePhotoshop();
    openPhoto(ps, opts);
    const { bridge, c } = controller(ps);
    await c.run({ intent: '', kind: 'auto', autoApply: true });
    expect(c.state.error).toMatchObject({ code: 'unsupported_document' });
    expect(c.state.error!.message).toContain(words);
    // Not the constants' values ("CMYKColorMode", "bitDepth8").
    expect(c.state.error!.message).not.toMatch(/ColorMode|grayscaleMode|bitDepth/);
    expect(c.state.error!.hint).toMatch(menu);
    expect(c.state.error!.hint).toMatch(/Image ▸ Duplicate/);
    expect(bridge.submitted).toHaveLength(0);
  });
});

describe('a hidden source layer, or one in a hidden group', () => {
  test('a hidden layer: the edit runs and the warning says the result shows over the layers below', async () => {
    const ps = new FakePhotoshop();
    const { doc, source } = openPhoto(ps);
    source.visible = false;
    const { c } = controller(ps);
    await c.run({ intent: '', kind: 'translate', autoApply: true });
    expect(c.state.phase).toBe(Phase.applied);
    expect(doc.layers).toHaveLength(2);
    expect(c.state.warnings.join('\n')).toMatch(/"Photo" is hidden/);
  });

  test('a layer inside a hidden group (itself in a visible one): the warning names the group — the new layer is hidden with it', async () => {
    const ps = new FakePhotoshop();
    const { source } = openPhoto(ps);
    const outer = ps.makeGroup('Scene'), inner = ps.makeGroup('Candies');
    inner.parent = outer;
    inner.visible = false;
    source.parent = inner;
    const { c } = controller(ps);
    await c.run({ intent: '', kind: 'translate', autoApply: false });
    expect(c.state.phase).toBe(Phase.ready);
    expect(c.state.warnings.join('\n')).toMatch(/inside the hidden group "Candies".*stays hidden/);
  });

  test('a visible layer in visible groups: no visibility warning', async () => {
    const ps = new FakePhotoshop();
    const { source } = openPhoto(ps);
    source.parent = ps.makeGroup('Scene');
    const { c } = controller(ps);
    await c.run({ intent: '', kind: 'translate', autoApply: false });
    expect(c.state.phase).toBe(Phase.ready);
    expect(c.state.warnings.join('\n')).not.toMatch(/hidden/);
  });
});

describe('while the bridge works', () => {
  test('the document is closed: nothing is added anywhere, and the message says the document was closed and what to do', async () => {
    const ps = new FakePhotoshop();
    const { doc } = openPhoto(ps);
    const { doc: other } = openPhoto(ps);
    ps.activate(doc);
    const { bridge, c } = controller(ps);
    bridge.hold = true;
    const run = c.run({ intent: '', kind: 'translate', autoApply: true });
    await new Promise((r) => setImmediate(r));
    while (bridge.submitted.length === 0) await new Promise((r) => setTimeout(r, 1));
    ps.closeDocument(doc);
    bridge.finish();
    await run;
    expect(c.state.phase).toBe(Phase.failed);
    expect(c.state.error).toMatchObject({ code: 'document_changed', message: expect.stringMatching(/closed/) });
    expect(c.state.error!.hint).toMatch(/Open the document again/);
    expect(other.layers).toHaveLength(1);
    expect(other.history).toEqual(['Open']);
  });

  test('another document is made active: the layer goes into the document the edit was read from, not the active one (VERIFY on a real host that createPixelLayer works on a document that is not active)', async () => {
    const ps = new FakePhotoshop();
    const { doc, source } = openPhoto(ps);
    const { doc: other } = openPhoto(ps);
    ps.activate(doc);
    const { bridge, c } = controller(ps);
    bridge.hold = true;
    const run = c.run({ intent: '', kind: 'translate', autoApply: true });
    while (bridge.submitted.length === 0) await new Promise((r) => setTimeout(r, 1));
    ps.activate(other);
    bridge.finish();
    await run;
    expect(c.state.phase).toBe(Phase.applied);
    expect(doc.layers.map((l) => l.name)).toEqual(['Smart Drag', 'Photo']);
    expect(doc.findLayer(source.id)).toBe(source);
    expect(doc.history).toEqual(['Open', 'Smart Drag']);
    expect(other.layers).toHaveLength(1);
    expect(other.history).toEqual(['Open']);
  });
});

describe('Cancel while SmartDrag still reads, then Smart Drag again at once', () => {
  test('the second run waits for the cancelled read to leave Photoshop\'s modal state, instead of failing as "busy with another plugin"', async () => {
    const ps = new FakePhotoshop();
    const { doc } = openPhoto(ps);
    // Reading the pixels takes a while (a 50 MP layer): the first read is still in its modal scope.
    const get = ps.imaging.getPixels;
    let slow = true;
    ps.imaging.getPixels = async (o) => {
      if (slow) { slow = false; await new Promise((r) => setTimeout(r, 100)); }
      return get(o);
    };
    const { bridge, c } = controller(ps);
    const first = c.run({ intent: '', kind: 'translate', autoApply: true });
    while (ps.modalScopes < 2 || !ps.inModalScope) await new Promise((r) => setTimeout(r, 2));
    c.cancel();
    expect(c.state.phase).toBe(Phase.cancelled);
    await c.run({ intent: '', kind: 'translate', autoApply: true });
    await first;
    expect(c.state.error).toBeNull();
    expect(c.state.phase).toBe(Phase.applied);
    // One job (the second run's), one layer, one step: nothing from the cancelled run.
    expect(bridge.submitted).toHaveLength(1);
    expect(doc.layers.map((l) => l.name)).toEqual(['Smart Drag', 'Photo']);
    expect(doc.history).toEqual(['Open', 'Smart Drag']);
    expect(ps.calls).not.toContain('executeAsModal(busy)');
  });
});
