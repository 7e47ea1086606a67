/**
 * UI entry of the SmartDrag Adobe Express add-on (manifest `main`: index.html). Waits for the Add-on
 * UI SDK, gets the document sandbox's API proxy, and mounts the shared SmartDrag panel over the
 * {@link ExpressHost}. The bridge URL and token are typed once and kept in the add-on's
 * clientStorage (Express pages are not served by the bridge, so no token can be injected).
 */
import addOnUISdk from 'https://new.express.adobe.com/static/add-on-sdk/sdk.js';
import { BridgeClient } from '@smartdrag/shared';
import { Panel } from '../../plugin-photopea/src/panel/panel';
import { ExpressError, ExpressHost, type UiSdkLike } from './express-host';
import type { SandboxApi } from './sandbox-api';

/** Plugin version reported in `hello`. */
export const CLIENT_VERSION = '0.1.0';
/** The bridge's default WebSocket URL (`smartdrag serve` listens on 127.0.0.1:7341). */
export const DEFAULT_BRIDGE_URL = 'ws://127.0.0.1:7341/v1/ws';

/** Where the token goes in this add-on: its token box and Connect (the bridge's own hint names every kind of client). */
export const TOKEN_HINT = 'The bridge refused this token. Run `smartdrag token`, paste what it prints into the token box above, and press Connect.';

/** The developer-mode origin the bridge accepts (`ccweb-add-on-scripts start` serves add-ons there). */
export const DEV_ORIGIN = 'https://localhost:5241';

/** What to do when the bridge refuses the add-on's origin `origin`. */
export function originHint(origin: string): string {
  const refused = `The SmartDrag bridge does not accept this add-on's origin (${origin}).`;
  if (/^https:\/\/(localhost|127\.0\.0\.1)(:\d+)?$/i.test(origin)) {
    return `${refused} In developer mode it accepts ${DEV_ORIGIN} by default: serve plugin-express/dist on port 5241 over https and load the add-on from ${DEV_ORIGIN}/, or start the bridge with \`smartdrag serve --allow-origin ${origin}\`; then press Reconnect.`;
  }
  return `${refused} It accepts Adobe Express add-ons on https://<add-on id>.wxp.adobe-addons.com and, in developer mode, on ${DEV_ORIGIN}: update SmartDrag (\`smartdrag --version\` says which you have), or load the add-on from ${DEV_ORIGIN}/, then press Reconnect.`;
}

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
  // Shown while a read is refused for premium content (express-host.ts checkPremium).
  const upgrade = el('button', { 'data-testid': 'upgrade', title: 'Adobe Express Premium: then SmartDrag may read pages with premium content' }, 'Upgrade');
  upgrade.hidden = true;
  const host = new ExpressHost({ sdk: addOnUISdk as unknown as UiSdkLike, sandbox, onPremium: (blocked) => { upgrade.hidden = !blocked; } });

  // Toolbar: re-read the selection, and the bridge connection settings.
  const toolbar = el('div', { class: 'sd-toolbar' });
  const use = el('button', { 'data-testid': 'use-selection', title: 'Edit the selected image (or the page when nothing is selected)' }, 'Use selection');
  const tokenInput = el('input', { 'data-testid': 'token', type: 'password', placeholder: 'Bridge token (smartdrag token)', value: token });
  const urlInput = el('input', { 'data-testid': 'bridge-url', type: 'text', value: url, title: 'Bridge WebSocket URL' });
  const save = el('button', { 'data-testid': 'save-connection' }, 'Connect');
  toolbar.append(use, upgrade, urlInput, tokenInput, save);

  const bridge = new BridgeClient({ url, token, client: 'express', clientVersion: CLIENT_VERSION });
  const panel = new Panel({ root: app, host, bridge, title: 'Adobe Express', toolbar });
  (window as unknown as { smartdrag: unknown }).smartdrag = { panel, host, bridge };
  // The bridge's own hints for a refused Origin or token speak of its pages, Photopea and plugin
  // settings: say what they mean here. (Registered after the panel's listener, so this text wins.)
  bridge.onStatus((s) => {
    const code = s.error?.code;
    const text = code === 'forbidden_origin' ? originHint(location.origin) : code === 'unauthorized' ? TOKEN_HINT : null;
    const hint = app.querySelector('[data-testid=status-hint]');
    if (text && hint) hint.textContent = text;
  });
  // The picture the panel shows may be a preview rendition of premium content, which users "must not"
  // be able to save from the panel (Manage Premium Content: reject contextmenu and dragstart).
  // Only on pictures: the text boxes keep their menu (paste).
  const onPicture = (e: Event): void => {
    const t = e.target as Element | null;
    if (t && (t.tagName === 'CANVAS' || t.tagName === 'IMG')) e.preventDefault();
  };
  app.addEventListener('contextmenu', onPicture);
  app.addEventListener('dragstart', onPicture);
  upgrade.addEventListener('click', () => {
    void (async () => {
      let upgraded: boolean;
      try {
        upgraded = await addOnUISdk.app.startPremiumUpgradeIfFreeUser();
      } catch (e) {
        // (Experimental in some versions of the SDK: Express may not offer it here.)
        panel.showError(new ExpressError('premium_content', `Adobe Express did not open its upgrade: ${(e as Error).message ?? String(e)}.`,
          'Upgrade your plan in Adobe Express itself, then press "Use selection".'));
        return;
      }
      // Premium now (or already): read the document again; cancelled: the refusal stays, said again.
      if (upgraded) void panel.switchDocument();
      else panel.showError(new ExpressError('premium_content', 'Not upgraded: SmartDrag still reads nothing that is premium content.',
        'Select an image that is not premium content and press "Use selection", or press "Upgrade" again.'));
    })();
  });
  use.addEventListener('click', () => {
    // Another element (or the page) becomes the document: a job still running for the old one is
    // cancelled, as its layer would be placed over the new one's frame.
    host.unpin();
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
