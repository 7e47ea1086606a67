/**
 * Entry of the web playground (served by the bridge at /): the panel over a local in-memory
 * document, with open-file, load-sample and download buttons and a live preview while dragging.
 */
import { BridgeClient } from '@smartdrag/shared';
import { CanvasHost, decodeImageFile } from './host/canvas-host';
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
  const download = document.createElement('button');
  download.textContent = 'Download PNG';
  download.setAttribute('data-testid', 'download');
  const toolbar = document.createElement('div');
  toolbar.className = 'sd-toolbar';
  toolbar.append(open, sample, download);

  const token = readToken() ?? '';
  const bridge = new BridgeClient({ url: bridgeUrl(), token, client: 'playground', clientVersion: CLIENT_VERSION });
  const panel = new Panel({ root: app, host, bridge, title: 'Playground', livePreview: true, toolbar, thumbnailMaxSide: 520 });
  (window as unknown as { smartdrag: unknown }).smartdrag = { panel, host, bridge };

  // The newest open wins: an older one still decoding (a large file) is dropped when it ends.
  let opening = 0;
  const load = async (src: ImageSource): Promise<void> => {
    const ticket = ++opening;
    let rgba;
    try {
      rgba = await decodeImageFile(await src.read(), src.type);
    } catch (e) {
      // The old image (if any) stays open; say why this one did not.
      if (ticket === opening) panel.showError(openError(src, e));
      return;
    }
    if (ticket !== opening) return;
    host.setImage(src.name, rgba);
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
  download.addEventListener('click', () => {
    if (!host.hasDocument) {
      panel.showError(Object.assign(new Error('Nothing to download: no image is open.'), { hint: 'Open an image or load the sample first.' }));
      return;
    }
    void host.exportPng().then((png) => {
      const url = URL.createObjectURL(new Blob([png as Uint8Array<ArrayBuffer>], { type: 'image/png' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = 'smartdrag.png';
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    }, (e: unknown) => panel.showError(e));
  });
  void panel.start();
}

main();

export {};
