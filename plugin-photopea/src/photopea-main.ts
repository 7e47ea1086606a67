/**
 * Entry of the Photopea plugin page (served by the bridge at /photopea/, loaded by Photopea in
 * its plugin iframe). Wires the Photopea client and host adapter, the bridge client and the panel.
 */
import { BridgeClient, type BridgeClientOptions } from '@smartdrag/shared';
import { PhotopeaClient } from './host/photopea-client';
import { PhotopeaHost } from './host/photopea-host';
import { Panel } from './panel/panel';
import { bridgeUrl, CLIENT_VERSION, followBridgeToken, readToken } from './page-config';

function main(): void {
  const app = document.getElementById('app')!;
  if (window.parent === window) {
    // The bridge serving this page listens on its port: name it when it is not the default.
    const port = /^\d+$/.test(location.port) && location.port !== '7341' ? ` --port ${location.port}` : '';
    app.innerHTML =
      // The same route as the README: the link `smartdrag photopea-link` prints (Photopea's own
      // configuration URL) is the reliable one; Add Plugin may refuse a private plugin.
      '<div class="sd-panel" data-testid="standalone"><strong>SmartDrag for Photopea</strong><p>This page runs inside Photopea. ' +
      `To open Photopea with the SmartDrag panel, run <code>npx smartdrag photopea-link${port}</code>, ` +
      'open the link it prints and bookmark it. ' +
      'Alternatively, in Photopea choose <b>Window ▸ Plugins ▸ Add Plugin</b> and load <a href="smartdrag.photopea.json">smartdrag.photopea.json</a> ' +
      '(Photopea may accept it only with "Make Public" ticked). Without Photopea, use the <a href="/">playground</a>.</p></div>';
    return;
  }
  const token = readToken() ?? '';
  // (Its token is replaced where the bridge's changes under the page: followBridgeToken.)
  const bridgeOptions: BridgeClientOptions = { url: bridgeUrl(), token, client: 'photopea', clientVersion: CLIENT_VERSION };
  const bridge = new BridgeClient(bridgeOptions);
  const connectionFix = followBridgeToken(bridge, bridgeOptions);
  const client = new PhotopeaClient({ target: window.parent, source: window });
  const host = new PhotopeaHost(client);
  const panel = new Panel({ root: app, host, bridge, title: 'Photopea', connectionFix });
  (window as unknown as { smartdrag: unknown }).smartdrag = { panel, host, client, bridge };
  void (async () => {
    try {
      await host.cleanup(); // temporary layers or duplicates a crashed session may have left (every Read sweeps them too)
    } catch {
      // no document yet: nothing to clean
    }
    await panel.start();
  })();
}

main();

export {};
