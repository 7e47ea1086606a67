/**
 * Plugin entry (webpack entry, loaded by index.html): wires the panel and the "Smart Drag"
 * command through `entrypoints.setup`. Composition root: the only place that builds the
 * Photoshop host adapter, the bridge client and the controller.
 */
import { BridgeClient } from '@smartdrag/shared';
import { config as zodConfig } from 'zod';
import { SmartDragController } from './app/controller';
import { loadSettings, saveSettings, type KeyValueStore, type SecretStore, type Settings } from './app/settings';
import { ALLOWED_DOMAINS, PLUGIN_VERSION } from './build-info';
import { ENTRYPOINT_IDS } from './entrypoint-ids';
import { createPhotoshopHost } from './host/photoshop-host';
import type { PhotoshopModule, UxpModule } from './host/photoshop-api';
import { mountPanel } from './panel/panel-view';
import { Phase } from './panel/panel-state';

// The manifest keeps allowCodeGenerationFromStrings false (HOSTS.md §1.1), so `new Function` is
// denied in UXP: tell zod (bundled via @smartdrag/shared) not to probe for or use its JIT.
zodConfig({ jitless: true });

/* eslint-disable @typescript-eslint/no-require-imports */
const uxp = require('uxp') as UxpModule;
const photoshop = require('photoshop') as PhotoshopModule;
/* eslint-enable @typescript-eslint/no-require-imports */

const store: KeyValueStore = (globalThis as unknown as { localStorage: KeyValueStore }).localStorage;
const secrets: SecretStore | undefined = uxp.storage?.secureStorage as SecretStore | undefined;

function makeClient(s: Settings): BridgeClient {
  return new BridgeClient({ url: s.bridgeUrl, token: s.token, client: 'uxp', clientVersion: PLUGIN_VERSION });
}

/** Everything the entrypoints share, created once per plugin load. */
async function start(): Promise<{ controller: SmartDragController; settings: Settings; save(patch: Partial<Settings>): Promise<void> }> {
  const settings = await loadSettings(store, secrets);
  const controller = new SmartDragController({ host: createPhotoshopHost({ photoshop }), client: makeClient(settings) });
  let current = { bridgeUrl: settings.bridgeUrl, token: settings.token };
  if (settings.token) void controller.connect();
  return {
    controller,
    settings,
    async save(patch) {
      Object.assign(settings, patch);
      await saveSettings(patch, store, secrets);
      // The Save & connect button saves URL + token: a new client only when they changed (a
      // replaced client would drop the work in progress); otherwise connect when not connected.
      if (patch.bridgeUrl !== undefined || patch.token !== undefined) {
        const changed = settings.bridgeUrl !== current.bridgeUrl || settings.token !== current.token;
        if (changed) {
          current = { bridgeUrl: settings.bridgeUrl, token: settings.token };
          controller.replaceClient(makeClient(settings));
        }
        if (changed || controller.state.connection.state !== 'connected') await controller.connect();
      }
    },
  };
}

let app: ReturnType<typeof start> | null = null;
const getApp = () => (app ??= start());

/**
 * While the panel is open and paired, a connection that is down (the bridge was not running yet,
 * or stopped with Ctrl+C) is tried again every few seconds, so Smart Drag and Preview come back by
 * themselves once the bridge runs.
 */
const RETRY_MS = 3000;
let stopRetry: (() => void) | null = null;
function startRetrying(a: Awaited<ReturnType<typeof start>>): void {
  if (stopRetry) return;
  const stop = a.controller.keepConnected(RETRY_MS, () => !!a.settings.token);
  stopRetry = stop;
}
function stopRetrying(): void {
  stopRetry?.();
  stopRetry = null;
}

uxp.entrypoints.setup({
  plugin: {
    // EntryPoints reference: a `plugin` object must define `create`. The app starts lazily, with
    // the panel or the first Smart Drag command.
    create() { /* nothing before the panel or the command */ },
    // Before the plugin is unloaded (Reload in the UXP Developer Tool, Photoshop quitting): the
    // retries stop and the bridge connection closes for good (its reconnect loop would outlive it).
    destroy() {
      stopRetrying();
      const a = app;
      app = null;
      return a?.then((x) => x.controller.close(), () => undefined);
    },
  },
  panels: {
    [ENTRYPOINT_IDS.panel]: {
      create(root: unknown) {
        const node = root as HTMLElement;
        const content = document.getElementById('smartdrag-panel');
        if (content) node.appendChild(content);
        void getApp().then((a) => {
          mountPanel(node, { controller: a.controller, settings: a.settings, allowedDomains: ALLOWED_DOMAINS, saveSettings: a.save });
          startRetrying(a);
        });
      },
      show() {
        if (app) void app.then(startRetrying);
      },
      hide() {
        stopRetrying();
      },
      destroy() {
        stopRetrying();
      },
    },
  },
  commands: {
    // EntryPoints reference: commands.run "can return a promise". Returning the edit's promise
    // lets a recorded Action that plays this menu item wait until the layer is added (or the
    // edit failed) before its next step; the panel stays responsive (the work is async and the
    // modal scopes are short). VERIFY on a real host: docs/HOSTS-CONFORMANCE.md checklist.
    [ENTRYPOINT_IDS.command]: {
      run() {
        return (async () => {
          const a = await getApp();
          if (!a.settings.token) {
            await photoshop.app.showAlert?.('SmartDrag is not paired yet: open the SmartDrag panel, paste the token from `smartdrag token`, and press Save & connect.');
            return;
          }
          const outcome = await a.controller.runCommand({ intent: a.settings.intent, kind: a.settings.kind, marginPx: a.settings.marginPx, seed: a.settings.seed, autoApply: true });
          if (outcome === 'busy') { await photoshop.app.showAlert?.('SmartDrag is already working on an edit: wait for it to finish, or press Cancel in the SmartDrag panel.'); return; }
          if (outcome === 'waiting') { await photoshop.app.showAlert?.('A Smart Drag result is waiting in the SmartDrag panel: press Apply or Discard there first.'); return; }
          const s = a.controller.state;
          if (s.phase === Phase.failed && s.error) await photoshop.app.showAlert?.(`SmartDrag: ${s.error.message}\n${s.error.hint ?? ''}`);
          // Photoshop stayed busy through the retries: the result waits in the panel for Apply.
          else if (s.phase === Phase.ready && s.error) await photoshop.app.showAlert?.(`SmartDrag: ${s.error.message}\nThe result is kept: press Apply in the SmartDrag panel once Photoshop is free.`);
        })().catch(async (e: unknown) => {
          await photoshop.app.showAlert?.(`SmartDrag: ${e instanceof Error ? e.message : String(e)}`);
        });
      },
    },
  },
});
