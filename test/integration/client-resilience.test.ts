/**
 * BridgeClient when the network path is not perfect, against a real bridge through a TCP proxy
 * that can drop a connection at a chosen moment: the acceptance lost on the way (the job resumes,
 * no "update the plugin" error), a cancel asked while disconnected (sent after the resume),
 * connect() while a reconnect waits (one socket), close() while the socket is still connecting (no
 * crash, the promise settles), and a stopped bridge (the client keeps trying and finds it again).
 */
import net from 'node:net';
import WebSocket from 'ws';
import { BridgeClient, type ConnectionStatus, type SubmitInput, type WebSocketConstructor } from '@smartdrag/shared';
import { gradientImage, squarePolygon, startTestBridge, type TestBridge } from '../helpers/bridge-harness';

/** A TCP proxy to the bridge; `tap` sees what the bridge sends before it is forwarded (return true to drop everything instead). */
class Proxy {
  readonly server: net.Server;
  port = 0;
  private pairs: Array<{ c: net.Socket; s: net.Socket }> = [];
  tap: ((fromBridge: Buffer) => boolean) | null = null;
  /** Hold back everything the bridge sends, the connection kept open (a frozen bridge). */
  mute = false;
  constructor(private target: number) {
    this.server = net.createServer((c) => {
      const s = net.connect(this.target, '127.0.0.1');
      const p = { c, s };
      this.pairs.push(p);
      let first = true;
      c.on('data', (d) => {
        // The Host header names the proxy's port; the bridge allows its own.
        if (first) { first = false; d = Buffer.from(d.toString('latin1').replace(/Host: 127\.0\.0\.1:\d+/i, `Host: 127.0.0.1:${this.target}`), 'latin1'); }
        s.write(d);
      });
      s.on('data', (d) => { if (this.mute) return; if (this.tap?.(d)) { this.dropAll(); return; } c.write(d); });
      const end = (): void => { c.destroy(); s.destroy(); this.pairs = this.pairs.filter((x) => x !== p); };
      c.on('close', end); s.on('close', end); c.on('error', end); s.on('error', end);
    });
  }
  async listen(): Promise<void> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', () => r()));
    this.port = (this.server.address() as net.AddressInfo).port;
  }
  dropAll(): void { for (const p of this.pairs) { p.c.destroy(); p.s.destroy(); } this.pairs = []; }
  get connections(): number { return this.pairs.length; }
  close(): Promise<void> { this.dropAll(); return new Promise((r) => this.server.close(() => r())); }
}

const WS = WebSocket as unknown as WebSocketConstructor;
const job = (intent?: string): SubmitInput => ({
  image: gradientImage(96, 64), quality: 'preview', ...(intent ? { intent } : {}),
  regions: [{ id: 'h1', polygon: squarePolygon(10, 10, 16) }], drags: [{ region: 'h1', points: [[18, 18], [30, 30]], kind: 'translate' }],
});

let tb: TestBridge;
let proxy: Proxy;
beforeAll(async () => { tb = await startTestBridge({ debugHooks: true }); });
afterAll(async () => { await tb?.bridge.close(); });
beforeEach(async () => { proxy = new Proxy(tb.port); await proxy.listen(); });
afterEach(async () => { await proxy.close(); });

const client = (): BridgeClient => new BridgeClient({ url: `ws://127.0.0.1:${proxy.port}/v1/ws`, token: tb.token, client: 'test', WebSocketImpl: WS, reconnect: { minDelayMs: 50, maxDelayMs: 200 } });

test('the connection drops as job.accepted comes: the job resumes and its result arrives (it failed bad_message "update the plugin")', async () => {
  const c = client();
  await c.connect();
  for (const intent of ['__hook:nap__', undefined]) {
    let armed = true;
    proxy.tap = (d) => { if (armed && d.includes('job.accepted')) { armed = false; return true; } return false; };
    const r = await c.submit(job(intent)).result;
    expect([intent, armed, r.layer.width > 0]).toEqual([intent, false, true]);
  }
  c.close();
});

test('a cancel asked as the connection drops ends the job at once, and goes to the bridge on the next connection: the running job stops there', async () => {
  // What the client writes (its frames are masked on the wire: read before they go).
  const sent: string[] = [];
  const send = WebSocket.prototype.send;
  jest.spyOn(WebSocket.prototype, 'send').mockImplementation(function (this: WebSocket, data: unknown, ...rest: unknown[]) {
    if (typeof data === 'string') sent.push(data);
    return (send as (...a: unknown[]) => void).call(this, data, ...rest);
  });
  const c = client();
  await c.connect();
  // (The sleep hook reports "plan 0" as it starts, then waits up to 10 s for a cancel.)
  let running!: () => void;
  const started = new Promise<void>((r) => { running = r; });
  const j = c.submit(job('__hook:sleep__'), { onProgress: () => running() });
  await started;
  proxy.dropAll();
  j.cancel();
  // Ended here as soon as the drop is seen (it waited for the bridge to come back, perhaps never).
  await expect(j.result).rejects.toMatchObject({ code: 'cancelled' });
  // The cancel goes on the next connection, the job not resumed (before, it went only into the
  // dropped socket, and the job ran its 10 s).
  const cancel = `{"type":"job.cancel","jobId":"${j.id}"}`;
  const hello = (): number => sent.reduce((at, m, i) => (m.includes('"type":"hello"') ? i : at), -1);
  for (const end = Date.now() + 5000; !(hello() > 0 && sent.slice(hello()).includes(cancel)) && Date.now() < end;) await new Promise((r) => setTimeout(r, 10));
  expect(sent.slice(hello())).toContain(cancel);
  expect(sent.slice(hello()).some((m) => m.includes('"job.resume"'))).toBe(false);
  for (const end = Date.now() + 3000; tb.bridge.stats().running > 0 && Date.now() < end;) await new Promise((r) => setTimeout(r, 10));
  expect(tb.bridge.stats().running).toBe(0);
  c.close();
  jest.restoreAllMocks();
});

test('connect() while a reconnect waits opens no second socket', async () => {
  const c = client();
  await c.connect();
  const states: string[] = [];
  c.onStatus((s: ConnectionStatus) => states.push(s.state));
  proxy.dropAll();
  await new Promise((r) => setTimeout(r, 10)); // the drop is seen; a reconnect is scheduled
  await c.connect();
  await new Promise((r) => setTimeout(r, 400)); // past the scheduled reconnect's delay
  expect(c.status).toBe('connected');
  expect(proxy.connections).toBe(1);
  c.close();
});

test('close() while the socket is still connecting: the connect promise settles, no error escapes, no state after closed', async () => {
  // A port that accepts and never answers the upgrade.
  const held: net.Socket[] = [];
  const silent = net.createServer((sock) => { held.push(sock); });
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
  try {
    const c = new BridgeClient({ url: `ws://127.0.0.1:${(silent.address() as net.AddressInfo).port}/v1/ws`, token: tb.token, client: 'test', WebSocketImpl: WS, connectTimeoutMs: 60_000 });
    const states: string[] = [];
    c.onStatus((s: ConnectionStatus) => states.push(s.state));
    const p = c.connect();
    await new Promise((r) => setTimeout(r, 50));
    c.close();
    await expect(p).rejects.toMatchObject({ code: 'connection_lost' });
    await new Promise((r) => setTimeout(r, 100));
    expect(states[states.length - 1]).toBe('closed');
  } finally {
    for (const sock of held) sock.destroy();
    await new Promise<void>((r) => silent.close(() => r()));
  }
});

test('a bridge that stops (1001) and comes back on its port is found again; what was submitted meanwhile runs', async () => {
  const own = await startTestBridge({});
  const c = new BridgeClient({ url: own.wsUrl, token: own.token, client: 'test', WebSocketImpl: WS, reconnect: { minDelayMs: 50, maxDelayMs: 200 } });
  await c.connect();
  const states: Array<[string, string | undefined]> = [];
  c.onStatus((s: ConnectionStatus) => states.push([s.state, s.error?.code]));
  await own.bridge.close();
  await new Promise((r) => setTimeout(r, 100));
  expect(states).toContainEqual(['reconnecting', 'shutting_down']);
  const pending = c.submit(job());
  const again = await startTestBridge({ port: own.port, home: own.home });
  try {
    expect((await pending.result).layer.width).toBeGreaterThan(0);
    expect(c.status).toBe('connected');
  } finally {
    c.close();
    await again.bridge.close();
  }
});

test('a resume sends the plan again: onPlan hears it once', async () => {
  const c = client();
  await c.connect();
  let plans = 0, armed = true;
  // Drop right after the plan came (the nap hook keeps the job running 400 ms before its pixels).
  proxy.tap = (d) => { if (armed && d.includes('job.plan')) { armed = false; setTimeout(() => proxy.dropAll(), 0); } return false; };
  const r = await c.submit(job('__hook:nap__'), { onPlan: () => { plans++; } }).result;
  expect(armed).toBe(false);
  expect(r.layer.width).toBeGreaterThan(0);
  expect(plans).toBe(1);
  c.close();
});

test('the client\'s own thread busy for several heartbeats (a long synchronous step in the host): not taken for a silent bridge', async () => {
  const own = await startTestBridge({ heartbeatMs: 200 });
  const c = new BridgeClient({ url: own.wsUrl, token: own.token, client: 'test', WebSocketImpl: WS, reconnect: { minDelayMs: 50, maxDelayMs: 200 } });
  try {
    await c.connect();
    const states: Array<[string, string | undefined]> = [];
    c.onStatus((s: ConnectionStatus) => states.push([s.state, s.error?.code]));
    // 6 heartbeats without a turn of the event loop (the bridge runs in this process too: it
    // stalls alike, so nothing it sends is lost, only read late).
    const until = Date.now() + 1200;
    while (Date.now() < until) { /* busy */ }
    await new Promise((r) => setTimeout(r, 700)); // several ticks after the stall
    expect(states).toEqual([]);
    expect(c.status).toBe('connected');
    // And the connection still carries a job.
    expect((await c.submit(job()).result).layer.width).toBeGreaterThan(0);
  } finally {
    c.close();
    await own.bridge.close();
  }
});

test('a bridge that really goes silent is still dropped after its heartbeats (2.5 intervals)', async () => {
  const own = await startTestBridge({ heartbeatMs: 200 });
  const silentProxy = new Proxy(own.port);
  await silentProxy.listen();
  const c = new BridgeClient({ url: `ws://127.0.0.1:${silentProxy.port}/v1/ws`, token: own.token, client: 'test', WebSocketImpl: WS, reconnect: { minDelayMs: 5000, maxDelayMs: 5000 } });
  try {
    await c.connect();
    const states: Array<[string, string | undefined]> = [];
    c.onStatus((s: ConnectionStatus) => states.push([s.state, s.error?.code]));
    silentProxy.mute = true;
    await new Promise((r) => setTimeout(r, 1000));
    expect(states.some(([s]) => s === 'reconnecting' || s === 'error')).toBe(true);
  } finally {
    c.close();
    await silentProxy.close();
    await own.bridge.close();
  }
});
