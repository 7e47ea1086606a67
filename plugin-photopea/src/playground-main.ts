/**
 * Entry of the web playground (served by the bridge at /): the panel over a local in-memory
 * document, with open-file, load-sample, undo, redo and download buttons and a live preview while
 * dragging. Undo takes back the last result and puts back the lasso, arrows and intent it was
 * made from (to adjust them and try again); Redo puts the result back. The download is PNG, or
 * the opened file's format (JPEG, WebP), with its colour profile and EXIF; its line says which
 * stage it is in. Leaving the page with results not downloaded asks first; a job still running is
 * cancelled when the page goes.
 */
import { BridgeClient } from '@smartdrag/shared';
import { CanvasHost, decodeImageFile, exportProgressText, type ExportedImage, type ExportProgress } from './host/canvas-host';
import { embeddedIccProfile } from './util/png';
import { FORMAT_LABEL, imageFormatOf, type ImageFormat } from './util/encode-image';
import { Panel, type PanelEdit } from './panel/panel';
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
  undo.title = 'Take back the last Smart Drag; its lasso, arrows and intent come back to adjust (Ctrl+Z)';
  undo.disabled = true;
  undo.setAttribute('data-testid', 'undo');
  const redo = document.createElement('button');
  redo.textContent = 'Redo';
  redo.title = 'Put back the Smart Drag just undone (Ctrl+Shift+Z or Ctrl+Y)';
  redo.disabled = true;
  redo.setAttribute('data-testid', 'redo');
  // The opened file's format (JPEG, WebP: a 48 MP photo as PNG is ~100 MB); shown for those only.
  const downloadOriginal = document.createElement('button');
  downloadOriginal.hidden = true;
  downloadOriginal.setAttribute('data-testid', 'download-original');
  const download = document.createElement('button');
  download.textContent = 'Download PNG';
  download.title = 'Lossless, transparency kept';
  download.setAttribute('data-testid', 'download');
  // What the toolbar's own work is doing (the download's progress, a note about the open image).
  const note = document.createElement('span');
  note.className = 'sd-note';
  note.setAttribute('data-testid', 'toolbar-note');
  note.setAttribute('role', 'status');
  const toolbar = document.createElement('div');
  toolbar.className = 'sd-toolbar';
  toolbar.append(open, sample, undo, redo, downloadOriginal, download, note);

  const token = readToken() ?? '';
  const bridge = new BridgeClient({ url: bridgeUrl(), token, client: 'playground', clientVersion: CLIENT_VERSION });
  // Redo is possible while the lasso, arrows, intent and type are as Undo left them (editKey):
  // changing them starts another history, as a new step does in an editor's History.
  let undoneKey: string | null = null, restoring = false;
  const panel: Panel = new Panel({
    root: app, host, bridge, title: 'Playground', livePreview: true, toolbar, thumbnailMaxSide: 520,
    // What each result was made from goes with its undo step.
    onApplied: (placed, pressed) => host.keepWithStep(placed, pressed),
    onEditChange: () => {
      if (restoring || !host.canRedo || undoneKey === null) return;
      if (panel.editKey() !== undoneKey) host.clearRedo();
    },
  });
  (window as unknown as { smartdrag: unknown }).smartdrag = { panel, host, bridge };

  // The newest open wins: an older one still decoding (a large file) is dropped when it ends.
  let opening = 0;
  const load = async (src: ImageSource): Promise<void> => {
    const ticket = ++opening;
    let rgba, icc, bytes: Uint8Array;
    try {
      bytes = await src.read();
      rgba = await decodeImageFile(bytes, src.type);
      icc = await embeddedIccProfile(bytes);
    } catch (e) {
      // The old image (if any) stays open; say why this one did not.
      if (ticket === opening) panel.showError(openError(src, e));
      return;
    }
    if (ticket !== opening) return;
    host.setImage(src.name, rgba, { icc, format: imageFormatOf(bytes), exif: rgba.exif ?? null, exifProblem: rgba.exifProblem ?? null });
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
  host.onChange(() => {
    undo.disabled = !host.canUndo;
    redo.disabled = !host.canRedo;
    // The opened file's format is offered besides PNG (an image just opened, or none).
    const original = host.hasDocument ? host.originalFormat : null;
    downloadOriginal.hidden = !original;
    if (original) {
      downloadOriginal.textContent = `Download ${FORMAT_LABEL[original]}`;
      downloadOriginal.dataset.format = original;
      downloadOriginal.title = original === 'jpeg'
        ? 'As the opened file: JPEG, quality 92, its colour profile and EXIF kept (transparent pixels become white)'
        : 'As the opened file: WebP, quality 92, its colour profile and EXIF kept';
    }
  });
  /** Put the panel's lasso, arrows, intent and type back as `edit` has them (an Undo or a Redo). */
  const restore = (edit: unknown, message: string): void => {
    if (!edit) return;
    restoring = true;
    try {
      panel.restoreEdit(edit as PanelEdit, message);
    } finally {
      restoring = false;
    }
  };
  /** While a Smart Drag runs, Undo and Redo wait (its result would land over the undone image and clear the restored arrows). */
  const waitForSmartDrag = (what: string): boolean => {
    if (!panel.smartDragRunning) return false;
    note.textContent = `A Smart Drag is running: ${what} when it is done, or press Cancel first.`;
    return true;
  };
  const takeBack = (): void => {
    if (waitForSmartDrag('Undo')) return;
    // What the panel has now comes back with a Redo.
    const now = panel.editState();
    const step = host.undo(now);
    if (!step) return;
    note.textContent = host.canUndo ? 'Undone. Undo again takes back the result before it.' : 'Undone.';
    // The panel shows and edits the image as it is now (read first: a preview waits for it)...
    void panel.reloadDocument();
    // ...with the lasso, arrows and intent that made the result, to adjust and press Smart Drag again.
    restore(step.made, 'Undone: the lasso, arrows and intent of that Smart Drag are back — adjust them and press Smart Drag again.');
    undoneKey = panel.editKey();
  };
  const putBack = (): void => {
    if (waitForSmartDrag('Redo')) return;
    const step = host.redo();
    if (!step) return;
    note.textContent = 'Redone.';
    void panel.reloadDocument();
    restore(step.after, 'Redone: the Smart Drag is back.');
    undoneKey = host.canRedo ? panel.editKey() : null;
  };
  undo.addEventListener('click', takeBack);
  redo.addEventListener('click', putBack);
  document.addEventListener('keydown', (ev) => {
    // Ctrl+Z / Cmd+Z, Ctrl+Shift+Z / Ctrl+Y, except while typing (the intent field keeps its own undo).
    const t = ev.target as HTMLElement | null;
    if (t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.isContentEditable)) return;
    if (!(ev.ctrlKey || ev.metaKey) || ev.altKey) return;
    const k = ev.key.toLowerCase();
    if (k === 'z' && !ev.shiftKey) {
      ev.preventDefault();
      takeBack();
    } else if ((k === 'z' && ev.shiftKey) || (k === 'y' && !ev.shiftKey)) {
      ev.preventDefault();
      putBack();
    }
  });

  let saving = false;
  const save = (format: ImageFormat): void => {
    if (!host.hasDocument) {
      panel.showError(Object.assign(new Error('Nothing to download: no image is open.'), { hint: 'Open an image or load the sample first.' }));
      return;
    }
    if (saving) return;
    saving = true;
    download.disabled = true;
    downloadOriginal.disabled = true;
    const label = FORMAT_LABEL[format];
    note.textContent = `Preparing the ${label}…`;
    // The line is redrawn as the stage changes, and each second while one without a fraction lasts.
    const t0 = performance.now();
    let stage: ExportProgress | null = null;
    const show = (): void => {
      const text = stage && exportProgressText(stage, (performance.now() - t0) / 1000);
      if (text && text !== note.textContent) note.textContent = text;
    };
    const ticker = setInterval(show, 1000);
    void host.exportImage(format, (p) => { stage = p; show(); }).then((file: ExportedImage) => {
      const url = URL.createObjectURL(new Blob([file.bytes as Uint8Array<ArrayBuffer>], { type: file.type }));
      const a = document.createElement('a');
      a.href = url;
      a.download = file.name;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
      const why = file.fellBack ? ` Not as ${label}: ${file.fellBack}; saved as PNG.` : '';
      const flat = file.flattened ? ' Its transparent pixels were flattened onto white (JPEG has no transparency; Download PNG keeps them).' : '';
      const exif = file.exifLeftOut ? ` Its EXIF (camera, date, place…) was left out, as it cannot be copied: ${file.exifLeftOut}.` : '';
      note.textContent = `Saved ${file.name} (${(file.bytes.length / 1e6).toFixed(1)} MB).${why}${flat}${exif}`;
    }, (e: unknown) => {
      note.textContent = '';
      panel.showError(e);
    }).finally(() => {
      clearInterval(ticker);
      saving = false;
      download.disabled = false;
      downloadOriginal.disabled = false;
    });
  };
  download.addEventListener('click', () => save('png'));
  downloadOriginal.addEventListener('click', () => {
    const f = downloadOriginal.dataset.format as ImageFormat | undefined;
    if (f) save(f);
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
