import { checkBridgeUrl, DEFAULT_BRIDGE_URL, loadSettings, saveSettings, SETTINGS, type KeyValueStore, type SecretStore } from './settings';
import { toErrorInfo, PluginError } from './errors';

class MemStore implements KeyValueStore {
  m = new Map<string, string>();
  getItem(k: string) { return this.m.get(k) ?? null; }
  setItem(k: string, v: string) { this.m.set(k, v); }
}
class MemSecrets implements SecretStore {
  m = new Map<string, Uint8Array>();
  async getItem(k: string) { return this.m.get(k) ?? null; }
  async setItem(k: string, v: string) { this.m.set(k, new TextEncoder().encode(v)); }
  async removeItem(k: string) { this.m.delete(k); }
}

describe('settings', () => {
  test('defaults', async () => {
    const s = await loadSettings(new MemStore());
    expect(s).toEqual({ bridgeUrl: DEFAULT_BRIDGE_URL, token: '', marginPx: 64, seed: 1, confirmPlan: true, intent: '', kind: 'auto' });
    expect(DEFAULT_BRIDGE_URL).toBe('ws://127.0.0.1:7341/v1/ws');
    for (const d of Object.values(SETTINGS)) expect(d.description.length).toBeGreaterThan(5);
  });

  test('round trip; the token goes to secure storage (UTF-8), never localStorage', async () => {
    const store = new MemStore(), secrets = new MemSecrets();
    await saveSettings({ token: 'tökén-123', marginPx: 32, confirmPlan: false, kind: 'rotate', intent: 'tilt' }, store, secrets);
    expect(store.getItem('smartdrag.token')).toBeNull();
    expect(await loadSettings(store, secrets)).toMatchObject({ token: 'tökén-123', marginPx: 32, confirmPlan: false, kind: 'rotate', intent: 'tilt' });
  });

  test('an empty token is never written to secure storage: clearing the field removes the stored token', async () => {
    const store = new MemStore(), secrets = new MemSecrets();
    await saveSettings({ token: '' }, store, secrets);
    expect(secrets.m.size).toBe(0);
    await saveSettings({ token: 'abc-123' }, store, secrets);
    expect(secrets.m.has('smartdrag.token')).toBe(true);
    await saveSettings({ token: '   ' }, store, secrets);
    expect(secrets.m.has('smartdrag.token')).toBe(false);
    expect(store.getItem('smartdrag.token')).toBeNull();
    expect((await loadSettings(store, secrets)).token).toBe('');
  });

  test('invalid stored values fall back to defaults', async () => {
    const store = new MemStore();
    store.setItem('smartdrag.marginPx', 'lots');
    store.setItem('smartdrag.confirmPlan', 'maybe');
    store.setItem('smartdrag.kind', 'explode');
    expect(await loadSettings(store)).toMatchObject({ marginPx: 64, confirmPlan: true, kind: 'auto' });
  });

  test('checkBridgeUrl compares with the manifest network domains', () => {
    const allowed = ['ws://127.0.0.1:7341', 'http://127.0.0.1:7341'];
    expect(checkBridgeUrl('ws://127.0.0.1:7341/v1/ws', allowed)).toBeNull();
    expect(checkBridgeUrl('ws://127.0.0.1:9000/v1/ws', allowed)).toMatch(/SMARTDRAG_PORT=9000/);
    expect(checkBridgeUrl('http://127.0.0.1:7341/v1/ws', allowed)).toMatch(/ws:\/\//);
    expect(checkBridgeUrl('not a url', allowed)).toMatch(/not a URL/);
  });

  test('a URL saved before a rebuild for another port points at the port the plugin allows now', () => {
    const allowed = ['ws://127.0.0.1:9000', 'http://127.0.0.1:9000', 'ws://localhost:9000', 'http://localhost:9000'];
    const msg = checkBridgeUrl('ws://127.0.0.1:7341/v1/ws', allowed)!;
    expect(msg).toMatch(/set the Bridge URL in Settings to ws:\/\/127\.0\.0\.1:9000\/v1\/ws/);
    expect(msg).toMatch(/SMARTDRAG_PORT=7341/);
    expect(checkBridgeUrl('ws://localhost:7341/v1/ws', allowed)).toMatch(/ws:\/\/localhost:9000\/v1\/ws/);
  });

  test('checkBridgeUrl does not need the URL global (UXP documents none)', () => {
    const g = globalThis as { URL?: unknown };
    const saved = g.URL;
    delete g.URL;
    try {
      const allowed = ['ws://127.0.0.1:7341', 'ws://localhost:7341'];
      expect(checkBridgeUrl('ws://127.0.0.1:7341/v1/ws', allowed)).toBeNull();
      expect(checkBridgeUrl('WS://LocalHost:7341', allowed)).toBeNull();
      expect(checkBridgeUrl('ws://127.0.0.1/v1/ws', allowed)).toMatch(/ws:\/\/127\.0\.0\.1 is not in/);
      expect(checkBridgeUrl('wss://127.0.0.1:7342/v1/ws', allowed)).toMatch(/SMARTDRAG_PORT=7342/);
      expect(checkBridgeUrl('ws:/127.0.0.1:7341', allowed)).toMatch(/not a URL/);
    } finally {
      g.URL = saved;
    }
  });
});

test('toErrorInfo normalises plugin errors, bridge errors and anything else', () => {
  expect(toErrorInfo(new PluginError('no_document', 'No document is open.'))).toEqual({ code: 'no_document', message: 'No document is open.', hint: 'Open an image first.' });
  expect(toErrorInfo({ code: 'queue_full', message: 'full' })).toEqual({ code: 'queue_full', message: 'full' });
  expect(toErrorInfo(new Error('boom'))).toEqual({ code: 'host_error', message: 'boom' });
  expect(toErrorInfo('weird')).toEqual({ code: 'host_error', message: 'weird' });
});
