/**
 * Entry of the Photopea plugin page (served by the bridge at /photopea/, loaded by Photopea in
 * its plugin iframe). Wires the Photopea client and host adapter, the bridge client and the panel.
 */
import { BridgeClient } from '@smartdrag/shared';
import { PhotopeaClient } from './host/photopea-client';
import { PhotopeaHost } from './host/photopea-host';
import { Panel } from './panel/panel';
import { bridgeUrl, CLIENT_VERSION, readToken } from './page-config';

function main(): void {
  const app = document.getElementById('app')!;
  if (window.parent === window) {
    app.innerHTML =
      '<div class="sd-panel"><strong>SmartDrag for Photopea</strong><p>This page runs inside Photopea. ' +
      'In Photopea choose <b>Window ▸ Plugins ▸ Add Plugin</b> and load <a href="smartdrag.photopea.json">smartdrag.photopea.json</a>, ' +
      'then open the SmartDrag panel. Without Photopea, use the <a href="/">playground</a>.</p></div>';
    return;
  }
  const token = readToken() ?? '';
  const bridge = new BridgeClient({ url: bridgeUrl(), token, client: 'photopea', clientVersion: CLIENT_VERSION });
  const client = new PhotopeaClient({ target: window.parent, source: window });
  const host = new PhotopeaHost(client);
  const panel = new Panel({ root: app, host, bridge, title: 'Photopea' });
  (window as unknown as { smartdrag: unknown }).smartdrag = { panel, host, client, bridge };
  void (async () => {
    try {
      await host.cleanup(); // temporary layers a crashed session may have left
    } catch {
      // no document yet: nothing to clean
    }
    await panel.start();
  })();
}

main();

export {};
