/**
 * The Photoshop plugin as Photoshop loads it: the composition root (plugin-photoshop/src/index.ts)
 * and the panel's DOM (static/index.html + panel/panel-view.ts) in jsdom, with `require('uxp')`
 * answered by a fake UXP (entrypoints.setup, storage.secureStorage) and `require('photoshop')` by
 * the fake Photoshop (fake-photoshop.ts), talking to a REAL bridge over a real WebSocket (`ws` as
 * the global WebSocket, as UXP has one).
 *
 * What the controller and host tests do not cover: that the markup has every element the view
 * binds, that clicks and typing reach the controller, where settings are kept (the token in secure
 * storage, never in localStorage), the command's alerts, the retry while the panel is shown (and
 * not while it is hidden), and that unloading the plugin closes its connection for good.
 */
import { readFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JSDOM, VirtualConsole } from 'jsdom';
import WebSocket from 'ws';
import type { Point } from '@smartdrag/shared';
import { parseDragCase } from '../../bridge-server/src/core/case';
import { readImage } from '../../bridge-server/src/io/image-io';
import { loadConfig } from '../../bridge-server/src/config';
import { silentLogger } from '../../bridge-server/src/log';
import { createBridge, type Bridge } from '../../bridge-server/src/server';
import { ENTRYPOINT_IDS } from '../../plugin-photoshop/src/entrypoint-ids';
import type { UxpModule } from '../../plugin-photoshop/src/host/photoshop-api';
import { startTestBridge, type TestBridge } from '../helpers/bridge-harness';
import { FakePhotoshop, type FakeDocument } from './fake-photoshop';

const ROOT = join(__dirname, '..', '..');
const FIXTURES = join(__dirname, '..', 'fixtures');
const MARKUP = readFileSync(join(ROOT, 'plugin-photoshop', 'static', 'index.html'), 'utf8')
  // (The bundle is loaded below through jest, from the sources.)
  .replace('<script src="index.js"></script>', '');

type Setup = Parameters<UxpModule['entrypoints']['setup']>[0];
type El = HTMLElement & { value?: string; checked?: boolean; disabled?: boolean };

/** One loaded plugin: its entrypoints, its panel's DOM, and what it stored. */
interface Loaded {
  setup: Setup;
  dom: JSDOM;
  root: HTMLElement;
  secure: Map<string, string>;
  /** Errors jsdom reported (scripts that threw in handlers, unimplemented APIs other than canvas). */
  errors: string[];
  $(id: string): El;
  unload(): Promise<void>;
}

const saved = { document: (globalThis as Record<string, unknown>).document, localStorage: (globalThis as Record<string, unknown>).localStorage, WebSocket: (globalThis as Record<string, unknown>).WebSocket };

/**
 * Load the plugin into a fresh panel document: `local` and `secure` are what localStorage and
 * secureStorage hold before (keys without the `smartdrag.` prefix).
 */
function loadPlugin(ps: FakePhotoshop, local: Record<string, string> = {}, secureInit: Record<string, string> = {}): Loaded {
  // jsdom has no canvas (the outline view falls back to its caption, as a UXP before 7 does);
  // any other error it reports fails the test.
  const errors: string[] = [];
  const virtualConsole = new VirtualConsole();
  virtualConsole.on('jsdomError', (e: Error) => { if (!/HTMLCanvasElement\.prototype\.getContext/.test(e.message)) errors.push(e.message); });
  const dom = new JSDOM(MARKUP, { url: 'https://uxp.panel.invalid/index.html', virtualConsole });
  const g = globalThis as Record<string, unknown>;
  g.document = dom.window.document;
  g.localStorage = dom.window.localStorage;
  g.WebSocket = WebSocket;
  for (const [k, v] of Object.entries(local)) dom.window.localStorage.setItem(`smartdrag.${k}`, v);
  const secure = new Map(Object.entries(secureInit).map(([k, v]) => [`smartdrag.${k}`, v]));
  let setup: Setup | null = null;
  const uxp: UxpModule = {
    entrypoints: { setup(c) { if (setup) throw new Error('entrypoints.setup called twice'); setup = c; } },
    storage: {
      secureStorage: {
        // uxp-api secureStorage: getItem resolves to a Uint8Array (or null).
        async getItem(k) { const v = secure.get(k); return v === undefined ? null : new TextEncoder().encode(v); },
        async setItem(k, v) { secure.set(k, typeof v === 'string' ? v : new TextDecoder().decode(v)); },
        async removeItem(k) { secure.delete(k); },
      },
    },
  };
  jest.isolateModules(() => {
    jest.doMock('uxp', () => uxp, { virtual: true });
    jest.doMock('photoshop', () => ps, { virtual: true });
    require('../../plugin-photoshop/src/index');
  });
  if (!setup) throw new Error('the plugin did not call entrypoints.setup');
  const root = dom.window.document.createElement('div');
  dom.window.document.body.appendChild(root);
  const loaded: Loaded = {
    setup, dom, root, secure, errors,
    $(id) {
      const el = root.querySelector<El>(`#${id}`);
      if (!el) throw new Error(`no #${id} in the panel`);
      return el;
    },
    async unload() {
      await setup!.plugin?.destroy?.();
      dom.window.close();
      expect(errors).toEqual([]);
    },
  };
  return loaded;
}

afterEach(() => {
  const g = globalThis as Record<string, unknown>;
  for (const [k, v] of Object.entries(saved)) { if (v === undefined) delete g[k]; else g[k] = v; }
});

/** Wait until `pred` holds, polling (the panel renders on the controller's state changes). */
async function until(what: string, pred: () => boolean, timeoutMs = 30000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function click(el: El): void {
  el.dispatchEvent(new el.ownerDocument.defaultView!.MouseEvent('click', { bubbles: true }));
}

function type(el: El, value: string, event: 'input' | 'change'): void {
  el.value = value;
  el.dispatchEvent(new el.ownerDocument.defaultView!.Event(event, { bubbles: true }));
}

/** The smarties case as a document: the photo layer, the case polygon selected, the arrow as the Work Path. */
async function smartiesDocument(ps: FakePhotoshop): Promise<{ doc: FakeDocument; pixels: Uint8ClampedArray; intent: string; arrow: Point[] }> {
  const kase = parseDragCase(JSON.parse(readFileSync(join(FIXTURES, 'cases', 'smarties-move-red.json'), 'utf8')));
  const photo = await readImage(join(FIXTURES, kase.image));
  const doc = ps.openDocument(kase.size[0], kase.size[1], { resolution: 72 });
  doc.addLayer('Photo', new Uint8ClampedArray(photo.data));
  doc.selectPolygon(kase.regions[0]!.polygon as Point[]);
  doc.addPath('Work Path', 'workPath', [{ closed: false, points: kase.drags[0]!.points.map((p) => ({ anchor: [p[0], p[1]] as Point })) }]);
  return { doc, pixels: new Uint8ClampedArray(photo.data), intent: kase.intent!, arrow: kase.drags[0]!.points as Point[] };
}

/** A free loopback port (nothing listens on it when this returns). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => resolve(p)); });
  });
}

describe('Photoshop plugin: panel DOM and entrypoints (jsdom, fake host, real bridge)', () => {
  let tb: TestBridge;
  beforeAll(async () => { tb = await startTestBridge(); });
  afterAll(async () => { await tb?.bridge.close(); });

  test('an unpaired panel says so and the command alerts; Save & connect pairs it, the token kept in secure storage only', async () => {
    const ps = new FakePhotoshop();
    const p = loadPlugin(ps);
    try {
      expect(Object.keys(p.setup.panels ?? {})).toEqual([ENTRYPOINT_IDS.panel]);
      expect(Object.keys(p.setup.commands ?? {})).toEqual([ENTRYPOINT_IDS.command]);
      p.setup.panels![ENTRYPOINT_IDS.panel]!.create!(p.root);
      await until('the panel markup mounted', () => p.root.querySelector('#smartdrag-panel') !== null && p.$('bridge-url').value !== undefined);
      expect(p.$('status-label').textContent).toBe('Not connected');
      expect(p.$('status-hint').textContent).toMatch(/paste the token from `smartdrag token`/);
      expect(p.$('bridge-url').value).toBe('ws://127.0.0.1:7341/v1/ws'); // the default this build allows
      expect(p.$('url-warning').textContent).toBe('');

      // The Smart Drag command (a keyboard shortcut) before pairing: an alert that says what to do, nothing read.
      await p.setup.commands![ENTRYPOINT_IDS.command]!.run();
      expect(ps.alerts).toHaveLength(1);
      expect(ps.alerts[0]).toMatch(/not paired yet: open the SmartDrag panel, paste the token from `smartdrag token`/);
      expect(ps.modalScopes).toBe(0);

      // Another port than the build allows: the panel warns while typing (UXP would refuse the socket).
      type(p.$('bridge-url'), tb.wsUrl, 'input');
      expect(p.$('url-warning').textContent).toMatch(new RegExp(`127\\.0\\.0\\.1:${tb.port} is not in the plugin's network permissions .*SMARTDRAG_PORT=${tb.port}`));
      p.$('token').value = `  ${tb.token} `;
      click(p.$('connect'));
      await until('connected', () => p.$('status-label').textContent === 'Connected to the bridge');
      expect(p.$('status-dot').className).toBe('dot positive');
      expect(p.dom.window.localStorage.getItem('smartdrag.bridgeUrl')).toBe(tb.wsUrl);
      expect(p.secure.get('smartdrag.token')).toBe(tb.token); // trimmed
      expect(p.dom.window.localStorage.getItem('smartdrag.token')).toBeNull();
      expect(p.$('run').disabled).toBe(false);
    } finally {
      await p.unload();
    }
  });

  test('Smart Drag from the panel: the plan shows, Apply adds one layer above the untouched source; the command applies at once', async () => {
    const ps = new FakePhotoshop();
    const { doc, pixels, intent, arrow } = await smartiesDocument(ps);
    const source = doc.layers[0]!;
    const p = loadPlugin(ps, { bridgeUrl: tb.wsUrl }, { token: tb.token });
    try {
      p.setup.panels![ENTRYPOINT_IDS.panel]!.create!(p.root);
      // A saved token connects by itself.
      await until('connected', () => p.$('status-label').textContent === 'Connected to the bridge');
      expect(p.$('plan-box').style.display).toBe('none');
      expect(p.$('confirm').checked).toBe(true);

      p.$('intent').value = intent;
      click(p.$('run'));
      await until('the result', () => /Result ready|\(\w+\)$/.test(p.$('message').textContent ?? ''));
      expect(p.$('message').textContent).toMatch(/^Result ready\. Apply adds it as a new layer \(one undo step\)\./);
      expect(p.dom.window.localStorage.getItem('smartdrag.intent')).toBe(intent);
      // The plan is shown before anything is written: its readings as radio items, Apply enabled.
      expect(p.$('plan-box').style.display).toBe('');
      const readings = [...p.$('plan-list').querySelectorAll('sp-radio')];
      expect(readings.length).toBeGreaterThanOrEqual(1);
      expect(readings.filter((r) => r.hasAttribute('checked'))).toHaveLength(1);
      expect(readings[0]!.textContent).toMatch(/move/i);
      expect(p.$('apply').disabled).toBe(false);
      expect(p.$('discard').disabled).toBe(false);
      expect(p.$('run').disabled).toBe(false); // a new run replaces the waiting result
      expect(p.$('moved-caption').textContent).not.toBe('');
      expect(doc.layers).toHaveLength(1);

      click(p.$('apply'));
      await until('the layer', () => /^Added layer/.test(p.$('message').textContent ?? ''));
      expect(doc.layers).toHaveLength(2);
      expect(doc.layers[1]!.id).toBe(source.id);
      expect(doc.findLayer(source.id)!.pixels).toEqual(pixels);
      expect(doc.history[doc.history.length - 1]).toBe('Smart Drag');
      // The plan stays readable (what was done); nothing is left to apply or discard.
      expect(p.$('apply').disabled).toBe(true);
      expect(p.$('discard').disabled).toBe(true);
      expect(p.$('moved-outline').style.display).toBe('none');
      expect(p.$('progress-box').style.display).toBe('none');

      // The command (a keyboard shortcut) with the new result layer active: refused in an alert
      // that says which layer to pick; nothing written.
      expect(doc.activeLayers.map((l) => l.id)).toEqual([doc.layers[0]!.id]);
      await p.setup.commands![ENTRYPOINT_IDS.command]!.run();
      expect(ps.alerts).toHaveLength(1);
      expect(ps.alerts[0]).toMatch(/is a Smart Drag result: .*Select the layer that holds the object/s);
      expect(doc.layers).toHaveLength(2);
      // The arrow was used up (the Work Path is removed with the applied edit): the command says
      // so. Drawn again with the Pen, the source layer picked: it applies at once, no alert.
      doc.activeLayers = [doc.findLayer(source.id)!];
      await p.setup.commands![ENTRYPOINT_IDS.command]!.run();
      expect(ps.alerts).toHaveLength(2);
      expect(ps.alerts[1]).toMatch(/No open pen path to use as an arrow/);
      doc.drawWithPen([{ closed: false, points: arrow.map((q) => ({ anchor: [q[0], q[1]] as Point })) }]);
      await p.setup.commands![ENTRYPOINT_IDS.command]!.run();
      expect(ps.alerts).toHaveLength(2);
      expect(doc.layers).toHaveLength(3);
      expect(doc.layers[2]!.id).toBe(source.id); // the new layer right above its source, under the first result
      expect(doc.findLayer(source.id)!.pixels).toEqual(pixels);
      expect(ps.liveImageData).toBe(0);
    } finally {
      await p.unload();
    }
  });

  test('Preview from the panel shows the picture and writes nothing; Discard clears it', async () => {
    const ps = new FakePhotoshop();
    const { doc } = await smartiesDocument(ps);
    const history = [...doc.history];
    const p = loadPlugin(ps, { bridgeUrl: tb.wsUrl }, { token: tb.token });
    try {
      p.setup.panels![ENTRYPOINT_IDS.panel]!.create!(p.root);
      await until('connected', () => p.$('status-label').textContent === 'Connected to the bridge');
      click(p.$('preview'));
      await until('the preview', () => /^Preview ready/.test(p.$('message').textContent ?? '') || /\(\w+\)$/.test(p.$('message').textContent ?? ''));
      expect(p.$('message').textContent).toMatch(/^Preview ready\. Apply runs the edit at full resolution/);
      const img = p.$('preview-image') as El & { src: string };
      expect(img.style.display).toBe('');
      expect(img.src).toMatch(/^data:image\/jpeg;base64,\/9j\//); // a JPEG, as encodeImageData gives
      expect(p.$('preview-caption').textContent).toMatch(/^Preview (at \d+×\d+ )?of the \d+×\d+ px area read; nothing was written to the document\.$/);
      expect(p.$('apply').textContent).toBe('Apply at full resolution');
      expect(doc.layers).toHaveLength(1);
      expect(doc.history).toEqual(history);

      click(p.$('discard'));
      await until('discarded', () => img.style.display === 'none');
      expect(p.$('apply').disabled).toBe(true);
      expect(p.$('preview-caption').textContent).toBe('');
      expect(doc.layers).toHaveLength(1);
      expect(doc.history).toEqual(history);
    } finally {
      await p.unload();
    }
  });

  test('a bridge that is not running yet is tried again while the panel is shown, not while it is hidden; unloading closes the connection', async () => {
    const home = mkdtempSync(join(tmpdir(), 'smartdrag-panel-'));
    const token = 'a1'.repeat(32);
    writeFileSync(join(home, 'token'), `${token}\n`, { mode: 0o600 });
    const port = await freePort();
    const ps = new FakePhotoshop();
    const p = loadPlugin(ps, { bridgeUrl: `ws://127.0.0.1:${port}/v1/ws` }, { token });
    let bridge: Bridge | null = null;
    try {
      const panel = p.setup.panels![ENTRYPOINT_IDS.panel]!;
      panel.create!(p.root);
      await until('the first try to fail', () => p.$('status-dot').className === 'dot negative');
      expect(p.$('status-hint').textContent).toMatch(/The panel reconnects by itself\./);

      // Hidden: the bridge starts, and nothing connects for longer than two retry intervals (3 s).
      panel.hide!();
      bridge = createBridge({ config: loadConfig({ env: { SMARTDRAG_HOME: home }, overrides: { port, logFile: null, logLevel: 'silent', workers: 1 } }), logger: silentLogger() });
      await bridge.listen();
      await new Promise((r) => setTimeout(r, 6500));
      expect(p.$('status-label').textContent).not.toBe('Connected to the bridge');
      expect(bridge.stats().clients).toBe(0);

      // Shown again: within one interval it connects.
      panel.show!(p.root);
      await until('connected', () => p.$('status-label').textContent === 'Connected to the bridge', 8000);

      // Unloading the plugin (UXP calls plugin.destroy) closes its socket for good: no reconnect.
      await p.unload();
      await until('the bridge sees no client', () => (bridge!.stats().clients) === 0, 5000);
      await new Promise((r) => setTimeout(r, 1500));
      expect(bridge.stats().clients).toBe(0);
    } finally {
      await p.unload().catch(() => undefined);
      await bridge?.close();
    }
  }, 60000);
});
