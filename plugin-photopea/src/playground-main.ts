/**
 * Entry of the web playground (served by the bridge at /): the panel over a local in-memory
 * document, with open-file, load-sample and download buttons and a live preview while dragging.
 */
import { BridgeClient } from '@smartdrag/shared';
import { CanvasHost, decodeImageFile } from './host/canvas-host';
import { Panel } from './panel/panel';
import { bridgeUrl, CLIENT_VERSION, readToken } from './page-config';

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

  const load = async (name: string, bytes: Uint8Array, type: string): Promise<void> => {
    const rgba = await decodeImageFile(bytes, type);
    host.setImage(name, rgba);
    panel.editor.clear();
    await panel.reloadDocument();
  };
  file.addEventListener('change', () => {
    const f = file.files?.[0];
    if (f) void f.arrayBuffer().then((b) => load(f.name, new Uint8Array(b), f.type));
  });
  sample.addEventListener('click', () => {
    void fetch('smarties.png')
      .then((r) => r.arrayBuffer())
      .then((b) => load('smarties.png', new Uint8Array(b), 'image/png'));
  });
  download.addEventListener('click', () => {
    if (!host.hasDocument) return;
    void host.exportPng().then((png) => {
      const url = URL.createObjectURL(new Blob([png as Uint8Array<ArrayBuffer>], { type: 'image/png' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = 'smartdrag.png';
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    });
  });
  void panel.start();
}

main();

export {};
