/**
 * Entry of the web playground (served by the bridge at /): the panel over a local in-memory
 * document, with open-file, load-sample, undo, redo and download buttons and a live preview while
 * dragging. Undo takes back the last result and puts back the lasso, arrows and intent it was
 * made from (to adjust them and try again); Redo puts the result back. The download is PNG, or
 * the opened file's format (JPEG, WebP), with its colour profile, EXIF and XMP; its line says which
 * stage it is in. Leaving the page with results not downloaded asks first; a job still running is
 * cancelled when the page goes.
 */
import { BridgeClient, type BridgeClientOptions } from '@smartdrag/shared';
import { CanvasHost, decodeImageFile, decodeImageFileOnPage, exportProgressText, openProgressText, type ExportedImage, type ExportProgress } from './host/canvas-host';
import { jpegComponentCount } from './util/containers';
import { embeddedIccProfile, iccColourSpace } from './util/png';
import { abortError, isAbortError } from './util/abort';
import { yieldToPage } from './util/yield';
import { FORMAT_LABEL, imageFormatOf, type ImageFormat } from './util/encode-image';
import { Panel, type PanelEdit } from './panel/panel';
import { bridgeUrl, CLIENT_VERSION, followBridgeToken, readToken } from './page-config';

/** Where an image comes from: a file the user chose, or the bundled sample fetched from the bridge. */
interface ImageSource {
  name: string;
  type: string;
  read: () => Promise<Uint8Array>;
  /** The file the bytes are read from, where there is one (the decode worker reads it itself). */
  file?: Blob;
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
  // The panel takes its full width (560 px, less on a narrow window) from the start: sized by its
  // content, it widened when a plan with a long warning appeared — the thumbnail, centred in it,
  // jumped sideways under a hand still dragging the arrow.
  app.style.flex = '0 1 560px';
  app.style.minWidth = '0';
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
  // Stops the download being prepared (shown only then; Esc too).
  const cancelDownload = document.createElement('button');
  cancelDownload.textContent = 'Cancel download';
  cancelDownload.title = 'Stop preparing the download; nothing is saved (Esc)';
  cancelDownload.hidden = true;
  cancelDownload.setAttribute('data-testid', 'cancel-download');
  // What the toolbar's own work is doing (the download's progress, a note about the open image).
  const note = document.createElement('span');
  note.className = 'sd-note';
  note.setAttribute('data-testid', 'toolbar-note');
  note.setAttribute('role', 'status');
  const toolbar = document.createElement('div');
  toolbar.className = 'sd-toolbar';
  toolbar.append(open, sample, undo, redo, downloadOriginal, download, cancelDownload, note);

  const token = readToken() ?? '';
  // (Its token is replaced where the bridge's changes under the page: followBridgeToken.)
  const bridgeOptions: BridgeClientOptions = { url: bridgeUrl(), token, client: 'playground', clientVersion: CLIENT_VERSION };
  const bridge = new BridgeClient(bridgeOptions);
  const connectionFix = followBridgeToken(bridge, bridgeOptions);
  // Redo is possible while the lasso, arrows, intent and type are as Undo left them (editKey):
  // changing them starts another history, as a new step does in an editor's History.
  let undoneKey: string | null = null, restoring = false;
  const panel: Panel = new Panel({
    root: app, host, bridge, title: 'Playground', livePreview: true, toolbar, thumbnailMaxSide: 520, connectionFix,
    // What each result was made from goes with its undo step.
    onApplied: (placed, pressed) => host.keepWithStep(placed, pressed),
    onEditChange: () => {
      if (restoring || !host.canRedo || undoneKey === null) return;
      if (panel.editKey() !== undoneKey) host.clearRedo();
    },
    // A result, an Undo or a Redo changes the document in its rectangle only: the panel redraws
    // that, and finds the preview proxy of pixels it had before (an Undo's) again.
    changedArea: (from, to) => host.changedArea(from, to),
    contentKey: (doc) => host.contentKey(doc),
  });
  // (The decoders too: the tests check the worker's pixels against the page's own decoder.)
  (window as unknown as { smartdrag: unknown }).smartdrag = { panel, host, bridge, decodeImageFile, decodeImageFileOnPage };

  /**
   * Whether another image may replace the open one: results not downloaded yet would be lost (they
   * live only in this page), so the user is asked first, as when leaving the page; declined, the
   * image stays open and the toolbar says how to keep the results.
   */
  const mayReplace = (next: string): boolean => {
    if (!host.hasUnsavedChanges) return true;
    const name = host.documentName ?? 'the open image';
    if (window.confirm(`Your Smart Drag results on "${name}" are not downloaded yet. Open "${next}" instead and lose them?`)) return true;
    note.textContent = `Kept "${name}" open: download it first (Download ${host.originalFormat ? `${FORMAT_LABEL[host.originalFormat]} or ` : ''}PNG), then open "${next}".`;
    return false;
  };
  // The newest open wins: an older one still decoding (a large file) is cancelled (its decode
  // worker terminated), and dropped if it ends anyway.
  let opening = 0;
  let openJob: AbortController | null = null;
  /** The toolbar's line before the opens under way began (it comes back if the file does not open). */
  let noteBeforeOpening = '';
  const load = async (src: ImageSource): Promise<void> => {
    if (!mayReplace(src.name)) return;
    // The results the user agreed to lose (or had downloaded): one added while the file decodes
    // (a Smart Drag ending meanwhile; a large image decodes for seconds) is asked about again.
    const accepted = new Set(host.layers);
    const ticket = ++opening;
    if (!openJob) noteBeforeOpening = note.textContent ?? '';
    openJob?.abort();
    const job = new AbortController();
    openJob = job;
    // The decoding runs off the page's thread (a 48 MP photo: seconds): the toolbar says so meanwhile,
    // with the seconds so far (unless a download's progress has the line).
    const t0 = performance.now();
    const show = (): void => { if (ticket === opening && !saving) note.textContent = openProgressText(src.name, (performance.now() - t0) / 1000); };
    show();
    const ticker = setInterval(show, 1000);
    let rgba, icc, bytes: Uint8Array, colour = '';
    try {
      bytes = await src.read();
      icc = await embeddedIccProfile(bytes);
      // A CMYK or grey profile cannot describe the RGB pixels the page edits and saves: such a file
      // is converted to sRGB through it, as the browser shows it, and the profile is not carried on.
      const space = icc ? iccColourSpace(icc) : null;
      const cmyk = imageFormatOf(bytes) === 'jpeg' && jpegComponentCount(bytes) === 4;
      const convert = !!space && space !== 'RGB';
      rgba = await decodeImageFile(bytes, src.type, { toSrgb: convert, signal: job.signal, ...(src.file ? { file: src.file } : {}) });
      if (convert) {
        icc = null;
        const kind = space === 'GRAY' ? 'greyscale' : space;
        colour = `This ${cmyk ? 'CMYK' : kind} image was converted to RGB (sRGB, through its ${kind} colour profile, as the browser shows it) to be edited; downloads are RGB, without that profile.`;
      } else if (cmyk) {
        colour = 'This CMYK JPEG is edited in RGB as the browser shows it (it has no colour profile, so its colours are the browser\'s guess); downloads are RGB.';
      }
    } catch (e) {
      // The old image (if any) stays open; say why this one did not (a newer open says its own).
      if (ticket === opening) {
        if (!saving) note.textContent = noteBeforeOpening;
        panel.showError(openError(src, e));
      }
      return;
    } finally {
      clearInterval(ticker);
      if (openJob === job) openJob = null;
    }
    if (ticket !== opening) return;
    // The decoded pixels arrived in this task, with the collection of garbage their 192 MB (48 MP)
    // set off: the panel takes them in a task of its own.
    await yieldToPage();
    if (ticket !== opening) return;
    // A Smart Drag's result being added now (in slices, on a large photo) is let in first: dropped
    // by the switch half-way, it was lost without a word. Then results added since the user was
    // asked (or since the open began, when nothing was unsaved) are asked about: they went silently.
    while (panel.addingResult) {
      await yieldToPage();
      if (ticket !== opening) return;
    }
    if (host.hasUnsavedChanges && host.layers.some((l) => !accepted.has(l)) && !mayReplace(src.name)) return;
    note.textContent = [
      rgba.sourceDepth && rgba.sourceDepth > 8 ? `This ${rgba.sourceDepth}-bit image is edited and downloaded at 8 bits per channel.` : '',
      colour,
    ].filter(Boolean).join(' ');
    host.setImage(src.name, rgba, { icc, format: imageFormatOf(bytes), exif: rgba.exif ?? null, exifProblem: rgba.exifProblem ?? null, xmp: rgba.xmp ?? null, xmpExtended: rgba.xmpExtended ?? null });
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
      name: f.name, type: f.type, read: async () => new Uint8Array(await f.arrayBuffer()), file: f,
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
        ? 'As the opened file: JPEG, quality 92, its colour profile, EXIF and XMP kept (transparent pixels become white)'
        : 'As the opened file: WebP, quality 92, its colour profile, EXIF and XMP kept';
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

  /** The download being prepared: aborting it cancels it (null: none). */
  let saving: AbortController | null = null;
  const save = (format: ImageFormat): void => {
    if (!host.hasDocument) {
      panel.showError(Object.assign(new Error('Nothing to download: no image is open.'), { hint: 'Open an image or load the sample first.' }));
      return;
    }
    if (saving) return;
    const job = new AbortController();
    saving = job;
    download.disabled = true;
    downloadOriginal.disabled = true;
    cancelDownload.hidden = false;
    cancelDownload.disabled = false;
    const label = FORMAT_LABEL[format];
    note.textContent = `Preparing the ${label}…`;
    // The line is redrawn as the stage changes, and each second while one without a fraction lasts.
    const t0 = performance.now();
    let stage: ExportProgress | null = null;
    const show = (): void => {
      if (job.signal.aborted) return; // "Cancelling the download…" stays until it has stopped
      const text = stage && exportProgressText(stage, (performance.now() - t0) / 1000);
      if (text && text !== note.textContent) note.textContent = text;
    };
    const ticker = setInterval(show, 1000);
    void host.exportImage(format, (p) => { stage = p; show(); }, job.signal).then((file: ExportedImage) => {
      if (job.signal.aborted) throw abortError(); // cancelled as it ended: nothing is saved
      const url = URL.createObjectURL(new Blob([file.bytes as Uint8Array<ArrayBuffer>], { type: file.type }));
      const a = document.createElement('a');
      a.href = url;
      a.download = file.name;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
      const why = file.fellBack ? ` Not as ${label}: ${file.fellBack}; saved as PNG.` : '';
      const flat = file.flattened ? ' Its transparent pixels were flattened onto white (JPEG has no transparency; Download PNG keeps them).' : '';
      const exif = file.exifLeftOut ? ` Its EXIF (camera, date, place…) was left out, as it cannot be copied: ${file.exifLeftOut}.` : '';
      const xmp = file.xmpLeftOut ? ` Its XMP (edits, keywords, rights…) was left out: ${file.xmpLeftOut}.` : '';
      // A Smart Drag result (or an Undo, a Redo) that came in while it was made is not in it: "Saved" alone hid that.
      const changed = file.changedMeanwhile ? ' The image changed while it was prepared (a Smart Drag result, an Undo or a Redo): this file has it as it was when you pressed Download — download again to keep the change.' : '';
      note.textContent = `Saved ${file.name} (${(file.bytes.length / 1e6).toFixed(1)} MB).${changed}${why}${flat}${exif}${xmp}`;
    }).catch((e: unknown) => {
      if (isAbortError(e)) {
        note.textContent = `Download cancelled: nothing was saved.${host.hasUnsavedChanges ? ' Your results are still here, not downloaded yet.' : ''}`;
        return;
      }
      note.textContent = '';
      panel.showError(e);
    }).finally(() => {
      clearInterval(ticker);
      saving = null;
      download.disabled = false;
      downloadOriginal.disabled = false;
      cancelDownload.hidden = true;
    });
  };
  /** Cancel the download being prepared; whether there was one. */
  const stopSaving = (): boolean => {
    if (!saving || saving.signal.aborted) return !!saving;
    saving.abort();
    cancelDownload.disabled = true;
    note.textContent = 'Cancelling the download…';
    return true;
  };
  cancelDownload.addEventListener('click', () => stopSaving());
  // Esc cancels the download while one is prepared (before the panel's Esc, which cancels a
  // Smart Drag or a preview: one Esc stops one thing, the download first).
  document.addEventListener('keydown', (ev) => {
    if (ev.key !== 'Escape' || !saving) return;
    ev.preventDefault();
    ev.stopPropagation();
    stopSaving();
  }, { capture: true });
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
