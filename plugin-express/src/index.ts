/**
 * UI entry of the SmartDrag Adobe Express add-on (manifest `main`: index.html). Waits for the Add-on
 * UI SDK, gets the document sandbox's API proxy, and mounts the shared SmartDrag panel over the
 * {@link ExpressHost}. The bridge URL and token are typed once and kept in the add-on's
 * clientStorage (Express pages are not served by the bridge, so no token can be injected).
 */
import addOnUISdk from 'https://new.express.adobe.com/static/add-on-sdk/sdk.js';
import { BridgeClient } from '@smartdrag/shared';
import { Panel } from '../../plugin-photopea/src/panel/panel';
import { ExpressHost, type UiSdkLike } from './express-host';
import type { SandboxApi } from './sandbox-api';

/** Plugin version reported in `hello`. */
export const CLIENT_VERSION = '0.1.0';
/** The bridge's default WebSocket URL (`smartdrag serve` listens on 127.0.0.1:7341). */
export const DEFAULT_BRIDGE_URL = 'ws://127.0.0.1:7341/v1/ws';

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string>, text = ''): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text) e.textContent = text;
  return e;
}

async function main(): Promise<void> {
  const app = document.getElementById('app')!;
  await addOnUISdk.ready;
  const storage = addOnUISdk.instance.clientStorage;
  const fromHash = new URLSearchParams(location.hash.slice(1));
  const url = fromHash.get('bridge') ?? ((await storage.getItem('bridgeUrl')) as string | undefined) ?? DEFAULT_BRIDGE_URL;
  const token = fromHash.get('token') ?? ((await storage.getItem('token')) as string | undefined) ?? '';

  const runtime = addOnUISdk.instance.runtime;
  const sandbox = runtime.apiProxy!(addOnUISdk.constants.RuntimeType.documentSandbox) as unknown as Promise<SandboxApi>;
  const host = new ExpressHost({ sdk: addOnUISdk as unknown as UiSdkLike, sandbox });

  // Toolbar: re-read the selection, and the bridge connection settings.
  const toolbar = el('div', { class: 'sd-toolbar' });
  const use = el('button', { 'data-testid': 'use-selection', title: 'Edit the selected image (or the page when nothing is selected)' }, 'Use selection');
  const tokenInput = el('input', { 'data-testid': 'token', type: 'password', placeholder: 'Bridge token (smartdrag token)', value: token });
  const urlInput = el('input', { 'data-testid': 'bridge-url', type: 'text', value: url, title: 'Bridge WebSocket URL' });
  const save = el('button', { 'data-testid': 'save-connection' }, 'Connect');
  toolbar.append(use, urlInput, tokenInput, save);

  const bridge = new BridgeClient({ url, token, client: 'express', clientVersion: CLIENT_VERSION });
  const panel = new Panel({ root: app, host, bridge, title: 'Adobe Express', toolbar });
  (window as unknown as { smartdrag: unknown }).smartdrag = { panel, host, bridge };
  // The bridge's own hint for a refused Origin speaks of its pages and Photopea: say what it means here.
  // (Registered after the panel's listener, so this text wins.)
  bridge.onStatus((s) => {
    if (s.error?.code !== 'forbidden_origin') return;
    const hint = app.querySelector('[data-testid=status-hint]');
    if (hint) {
      hint.textContent = `The SmartDrag bridge does not accept this add-on's origin (${location.origin}). ` +
        'Update SmartDrag to a version that knows Adobe Express, or add this origin to the bridge\'s allowed origins, then press Reconnect.';
    }
  });
  use.addEventListener('click', () => {
    // Another element (or the page) becomes the document: a job still running for the old one is
    // cancelled, as its layer would be placed over the new one's frame.
    void panel.switchDocument();
  });
  save.addEventListener('click', () => {
    void (async () => {
      await storage.setItem('bridgeUrl', urlInput.value.trim());
      await storage.setItem('token', tokenInput.value.trim());
      // The URL's hash (a development link's `#bridge=…&token=…`) is read before the stored values:
      // drop it, or the reload would connect with the old token again and ignore what was typed.
      if (fromHash.has('bridge') || fromHash.has('token')) history.replaceState(null, '', location.pathname + location.search);
      location.reload(); // a fresh client with the new URL and token
    })();
  });
  await panel.start();
}

void main();
