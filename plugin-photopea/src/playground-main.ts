/**
 * Entry of the web playground (served by the bridge at /): the panel over a local in-memory
 * document, with open-file, load-sample, undo and download buttons and a live preview while
 * dragging. Leaving the page with results not downloaded asks first; a job still running is
 * cancelled when the page goes.
 */
import { BridgeClient } from '@smartdrag/shared';
import { CanvasHost, decodeImageFile } from './host/canvas-host';
import { embeddedIccProfile } from './util/png';
import { Panel } from './panel/panel';
import { bridgeUrl, CLIENT_VERSION, readToken } from './page-config';

/** Where an image comes from: a file the user chose, or the bundled sample fetched from the bridge. */
interface ImageSource {
  name: string;
  type: string;
  read: () => Promise<Uint8Array>;
  /** What the failure message calls it, and what to do then. */
  what: string;
  hint: string;
}

/** Why an image did not open, for the panel (the browser's decoder says only "could not be decoded"). */
function openError(src: ImageSource, e: unknown): Error & { hint: string; code: string } {
  const why = e instanceof Error || e instanceof DOMException ? e.message : String(e);
  return Object.assign(new Error(`Could not open ${src.what}: ${why}`), { hint: src.hint, code: 'open_failed' });
}

function main(): void {
  const app = document.getElementById('app')!;
  const host = new CanvasHost();
  const file = document.createElement('input');
  file.type = 'file';
  file.accept = 'image/png,image/jpeg,image/webp';
  file.setAttribute('data-testid', 'open-file');
  const open = document.createElement('label');
  open.className = 'sd-file';
  open.append('Open image…', file);
  const sample = document.createElement('button');
  sample.textContent = 'Load sample';
  sample.setAttribute('data-testid', 'load-sample');
  const undo = document.createElement('button');
  undo.textContent = 'Undo';
  undo.title = 'Take back the last Smart Drag (Ctrl+Z)';
  undo.disabled = true;
  undo.setAttribute('data-testid', 'undo');
  const download = document.createElement('button');
  download.textContent = 'Download PNG';
  download.setAttribute('data-testid', 'download');
  // What the toolbar's own work is doing (the download's progress, a note about the open image).
  const note = document.createElement('span');
  note.className = 'sd-note';
  note.setAttribute('data-testid', 'toolbar-note');
  note.setAttribute('role', 'status');
  const toolbar = document.createElement('div');
  toolbar.className = 'sd-toolbar';
  toolbar.append(open, sample, undo, download, note);

  const token = readToken() ?? '';
  const bridge = new BridgeClient({ url: bridgeUrl(), token, client: 'playground', clientVersion: CLIENT_VERSION });
  const panel = new Panel({ root: app, host, bridge, title: 'Playground', livePreview: true, toolbar, thumbnailMaxSide: 520 });
  (window as unknown as { smartdrag: unknown }).smartdrag = { panel, host, bridge };

  // The newest open wins: an older one still decoding (a large file) is dropped when it ends.
  let opening = 0;
  const load = async (src: ImageSource): Promise<void> => {
    const ticket = ++opening;
    let rgba, icc;
    try {
      const bytes = await src.read();
      rgba = await decodeImageFile(bytes, src.type);
      icc = await embeddedIccProfile(bytes);
    } catch (e) {
      // The old image (if any) stays open; say why this one did not.
      if (ticket === opening) panel.showError(openError(src, e));
      return;
    }
    if (ticket !== opening) return;
    host.setImage(src.name, rgba, { icc });
    note.textContent = rgba.sourceDepth && rgba.sourceDepth > 8
      ? `This ${rgba.sourceDepth}-bit image is edited and downloaded at 8 bits per channel.`
      : '';
    // Another image: a job still running belongs to the old one (its layer would land here at the
    // old one's coordinates), and its plan, preview and warnings go too.
    await panel.switchDocument();
  };
  file.addEventListener('change', () => {
    const f = file.files?.[0];
    // Cleared, so choosing the same file again (after editing it) opens it again.
    file.value = '';
    if (!f) return;
    void load({
      name: f.name, type: f.type, read: async () => new Uint8Array(await f.arrayBuffer()),
      what: `"${f.name}"`, hint: 'Open a PNG, JPEG or WebP image; this file may be damaged or in another format.',
    });
  });
  sample.addEventListener('click', () => {
    void load({
      name: 'smarties.png', type: 'image/png',
      read: async () => {
        const r = await fetch('smarties.png');
        if (!r.ok) throw new Error(`the bridge answered HTTP ${r.status}`);
        return new Uint8Array(await r.arrayBuffer());
      },
      what: 'the sample', hint: 'Reload the page; if it keeps failing, check that the bridge is running (npx smartdrag serve).',
    });
  });
  host.onChange(() => { undo.disabled = !host.canUndo; });
  const takeBack = (): void => {
    if (!host.undo()) return;
    note.textContent = host.canUndo ? 'Undone. Undo again takes back the result before it.' : 'Undone.';
    // The panel shows and edits the image as it is now.
    void panel.reloadDocument();
  };
  undo.addEventListener('click', takeBack);
  document.addEventListener('keydown', (ev) => {
    // Ctrl+Z / Cmd+Z, except while typing (the intent field keeps its own undo).
    const t = ev.target as HTMLElement | null;
    if (t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.isContentEditable)) return;
    if ((ev.ctrlKey || ev.metaKey) && !ev.shiftKey && !ev.altKey && ev.key.toLowerCase() === 'z') {
      ev.preventDefault();
      takeBack();
    }
  });

  let saving = false;
  download.addEventListener('click', () => {
    if (!host.hasDocument) {
      panel.showError(Object.assign(new Error('Nothing to download: no image is open.'), { hint: 'Open an image or load the sample first.' }));
      return;
    }
    if (saving) return;
    saving = true;
    download.disabled = true;
    const name = host.downloadName;
    note.textContent = 'Preparing the PNG…';
    void host.exportPng((f) => { note.textContent = `Preparing the PNG… ${Math.round(f * 100)}%`; }).then((png) => {
      const url = URL.createObjectURL(new Blob([png as Uint8Array<ArrayBuffer>], { type: 'image/png' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = name;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
      note.textContent = `Saved ${name} (${(png.length / 1e6).toFixed(1)} MB).`;
    }, (e: unknown) => {
      note.textContent = '';
      panel.showError(e);
    }).finally(() => {
      saving = false;
      download.disabled = false;
    });
  });
  // Results live only in this page until downloaded: leaving asks first (the browser's own dialog).
  window.addEventListener('beforeunload', (ev) => {
    if (!host.hasUnsavedChanges) return;
    ev.preventDefault();
    ev.returnValue = '';
  });
  // A job still running would be worked on for nobody: cancelled when the page goes.
  window.addEventListener('pagehide', () => panel.cancel());
  void panel.start();
}

main();

export {};
