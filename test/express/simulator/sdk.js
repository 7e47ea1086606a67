// Simulated Add-on UI SDK (the module an add-on imports from
// https://new.express.adobe.com/static/add-on-sdk/sdk.js), written from its documentation and the
// typings in @adobe/ccweb-add-on-sdk-types 1.40.0 (ui/ui-sdk.d.ts). Every call goes to the host
// page (the Express simulator) by postMessage, so everything is asynchronous and every argument and
// result is a structured clone, as across the real SDK's message proxy. `instance` is only
// usable after `ready` resolves, like the real SDK.
const pending = new Map();
let seq = 0;
function call(method, args) {
  return new Promise((resolve, reject) => {
    const id = ++seq;
    pending.set(id, { resolve, reject });
    window.parent.postMessage({ __expressSim: 'call', id, method, args }, '*');
  });
}
window.addEventListener('message', (e) => {
  if (e.source !== window.parent) return;
  const m = e.data;
  if (!m || m.__expressSim !== 'reply') return;
  const p = pending.get(m.id);
  if (!p) return;
  pending.delete(m.id);
  if (m.error) p.reject(Object.assign(new Error(m.error.message), { name: m.error.name || 'Error' }));
  else p.resolve(m.result);
});

let connected = false;
const ready = call('ready', []).then(() => { connected = true; });

const RuntimeType = { panel: 'panel', dialog: 'dialog', documentSandbox: 'documentSandbox', script: 'script' };
const constants = {
  RuntimeType,
  Range: { currentPage: 'currentPage', entireDocument: 'entireDocument', specificPages: 'specificPages' },
  RenditionFormat: { png: 'image/png', jpg: 'image/jpeg', mp4: 'video/mp4', pdf: 'application/pdf' },
  RenditionIntent: { export: 'export', preview: 'preview', print: 'print' },
  RenditionType: { page: 'page' },
};

const instance = {
  manifest: {},
  entrypointType: 'panel',
  clientStorage: {
    getItem: (k) => call('storage.getItem', [k]),
    setItem: (k, v) => call('storage.setItem', [k, v]),
    removeItem: (k) => call('storage.removeItem', [k]),
    keys: () => call('storage.keys', []),
    clear: () => call('storage.clear', []),
  },
  runtime: {
    type: RuntimeType.panel,
    exposeApi() { call('ui.exposeApi', []); },
    apiProxy(type) {
      if (type !== RuntimeType.documentSandbox) return Promise.reject(new Error(`no runtime ${type}`));
      return call('sandbox.ready', []).then(() => new Proxy({}, {
        get(_t, name) {
          if (name === 'then' || typeof name !== 'string') return undefined; // not a thenable
          return (...args) => call('sandbox.call', [name, args]);
        },
      }));
    },
  },
};

const sdk = {
  apiVersion: '1',
  ready,
  get instance() {
    if (!connected) throw new Error('addOnUISdk.instance used before addOnUISdk.ready resolved');
    return instance;
  },
  app: {
    document: {
      createRenditions: (options, intent) => call('createRenditions', [options, intent]),
      getPagesMetadata: (options) => call('getPagesMetadata', [options]),
      addImage: (blob, attributes) => call('addImage', [blob, attributes]),
      title: () => call('title', []),
    },
    currentUser: {
      isPremiumUser: () => call('currentUser.isPremiumUser', []),
    },
    startPremiumUpgradeIfFreeUser: () => call('startPremiumUpgradeIfFreeUser', []),
  },
  constants,
};

export default sdk;
