/**
 * BridgeClient against a real bridge (debug hooks on): a cancel asked while the connection is down
 * ends the job at once (it stayed pending until the bridge was back, perhaps never) and still stops
 * the bridge's work on the next connection, delivering nothing for the job; `setToken` changes the
 * token the next hello presents, keeping a live connection; the refused token's hint speaks to
 * every client (it said "the plugin settings", which pages, the add-on and scripts do not have).
 */
import WebSocket from 'ws';
import { BridgeClient, ERROR_HINTS, type SubmitInput, type WebSocketConstructor } from '@smartdrag/shared';
import { gradientImage, squarePolygon, startTestBridge, type TestBridge } from '../helpers/bridge-harness';

/** `ws`'s WebSocket, each made kept in `sockets`, with the text messages it sent (read before masking). */
const sockets: Recording[] = [];
class Recording extends WebSocket {
  readonly sent: string[] = [];
  constructor(url: string) {
    super(url);
    sockets.push(this);
  }
  override send(data: unknown, ...rest: unknown[]): void {
    if (typeof data === 'string') this.sent.push(data);
    (WebSocket.prototype.send as (...a: unknown[]) => void).call(this, data, ...rest);
  }
}
const WS = Recording as unknown as WebSocketConstructor;

const job = (intent: string): SubmitInput => ({
  image: gradientImage(96, 64), quality: 'preview', intent,
  regions: [{ id: 'h1', polygon: squarePolygon(10, 10, 16) }], drags: [{ region: 'h1', points: [[18, 18], [30, 30]], kind: 'translate' }],
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(what: string, ok: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}
/** How `p` settled within `ms` ('pending' when it did not). */
async function settled(p: Promise<unknown>, ms: number): Promise<{ ok: unknown } | { err: unknown } | 'pending'> {
  return Promise.race([p.then((ok) => ({ ok }), (err) => ({ err })), sleep(ms).then(() => 'pending' as const)]);
}

let tb: TestBridge;
beforeAll(async () => { tb = await startTestBridge({ debugHooks: true }); });
afterAll(async () => { await tb?.bridge.close(); });
beforeEach(() => { sockets.length = 0; });
// A test that failed may leave its sleeping job at the bridge (one worker): the next one waits for it.
afterEach(async () => { await until('the bridge to run nothing', () => tb.bridge.stats().running === 0 && tb.bridge.stats().queued === 0, 15_000); }, 20_000);

/** A client that does not reconnect by itself within a test (the test calls connect()). */
const client = (token = tb.token, reconnectMs = 60_000): BridgeClient =>
  new BridgeClient({ url: tb.wsUrl, token, client: 'test', WebSocketImpl: WS, reconnect: { minDelayMs: reconnectMs, maxDelayMs: reconnectMs } });

/** Drop the client's socket without a close frame (its TCP socket destroyed), and wait until the client sees it. */
async function dropSocket(c: BridgeClient): Promise<void> {
  (sockets[sockets.length - 1] as unknown as { _socket: { destroy(): void } })._socket.destroy();
  await until('the client to see the drop', () => c.status === 'reconnecting');
}

test.each([
  ['after the client saw the drop', true],
  ['as the socket drops (the client has not seen it yet: the cancel goes into the dead socket)', false],
])('cancel() while the socket is down, %s: the job ends cancelled at once, the bridge stops it on the next connection, nothing is delivered for it', async (_, seen) => {
  const c = client();
  try {
    await c.connect();
    const heard: string[] = [];
    let running!: () => void;
    const started = new Promise<void>((r) => { running = r; });
    // (The sleep hook reports progress as it starts, then waits up to 10 s for a cancel.)
    const j = c.submit(job('__hook:sleep__'), { onProgress: (s) => { heard.push(`progress ${s}`); running(); }, onPlan: () => heard.push('plan'), onQueued: (p) => heard.push(`queued ${p}`) });
    await started;
    expect(tb.bridge.stats().running).toBe(1);
    if (seen) await dropSocket(c);
    else (sockets[sockets.length - 1] as unknown as { _socket: { destroy(): void } })._socket.destroy();

    heard.length = 0;
    expect(c.status).toBe(seen ? 'reconnecting' : 'connected');
    j.cancel();
    // Before: pending until the bridge was back (here: never, no reconnect comes by itself).
    const out = await settled(j.result, 1000);
    expect(out).toMatchObject({ err: { code: 'cancelled' } });
    await expect(j.plan).rejects.toMatchObject({ code: 'cancelled' });
    expect(tb.bridge.stats().running).toBe(1); // the bridge has not heard of it yet

    // Connected again: the cancel goes (not a resume of the job), and the bridge stops the work
    // (the sleep hook would otherwise run its 10 s).
    await c.connect();
    const again = sockets[sockets.length - 1]!;
    expect(again.sent).toContain(`{"type":"job.cancel","jobId":"${j.id}"}`);
    expect(again.sent.filter((m) => m.includes('"job.resume"'))).toEqual([]);
    await until('the bridge to stop the job', () => tb.bridge.stats().running === 0, 3000);
    await sleep(200);
    expect(heard).toEqual([]);
  } finally {
    c.close();
  }
});

test('a job that finishes at the bridge while the socket is down and is cancelled meanwhile: its result is not delivered after the reconnect', async () => {
  const c = client();
  try {
    await c.connect();
    const late: string[] = [];
    let cancelled = false;
    let accepted!: () => void;
    const inQueue = new Promise<void>((r) => { accepted = r; });
    const stored = tb.bridge.stats().stored;
    // (The nap hook waits 400 ms, then edits: it finishes while the socket is down.)
    const j = c.submit(job('__hook:nap__'), {
      onQueued: (p) => { if (cancelled) late.push(`queued ${p}`); accepted(); },
      onPlan: () => { if (cancelled) late.push('plan'); },
      onProgress: (s) => { if (cancelled) late.push(`progress ${s}`); },
    });
    await inQueue;
    await dropSocket(c);
    j.cancel();
    cancelled = true;
    const out = await settled(j.result, 1000);
    expect(out).toMatchObject({ err: { code: 'cancelled' } });
    await until('the bridge to finish the job', () => tb.bridge.stats().stored > stored && tb.bridge.stats().running === 0, 10_000);

    await c.connect();
    const again = sockets[sockets.length - 1]!;
    expect(again.sent).toContain(`{"type":"job.cancel","jobId":"${j.id}"}`);
    expect(again.sent.some((m) => m.includes('"job.resume"') && m.includes(j.id))).toBe(false);
    await sleep(300);
    expect(late).toEqual([]);
    expect(c.status).toBe('connected');
  } finally {
    c.close();
  }
});

test('setToken: used by the next connect and reconnect, a live connection kept', async () => {
  const c = client('not-the-bridge-token', 20);
  try {
    await expect(c.connect()).rejects.toMatchObject({ code: 'unauthorized' });
    c.setToken(tb.token);
    await c.connect();
    expect(c.status).toBe('connected');

    // Changed on a live connection: kept, and jobs run on it.
    const states: string[] = [];
    c.onStatus((s) => states.push(s.state));
    c.setToken('another-wrong-token');
    const r = await c.submit(job('__hook:nap__')).result;
    expect(r.layer.width).toBeGreaterThan(0);
    expect(states).toEqual([]);
    expect(sockets).toHaveLength(2);

    // The next hello (a reconnect) presents it: refused.
    sockets[sockets.length - 1]!.terminate();
    await until('the reconnect to be refused', () => c.status === 'error', 5000);
    expect(sockets[sockets.length - 1]!.sent[0]).toContain('"token":"another-wrong-token"');

    c.setToken(tb.token);
    await c.connect();
    expect(c.status).toBe('connected');
  } finally {
    c.close();
  }
});

test('a refused token\'s hint speaks to every client: `smartdrag token`, a token box, --token, Authorization: Bearer; not "the plugin settings"', async () => {
  const c = client('not-the-bridge-token');
  try {
    const e = await c.connect().catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'unauthorized', hint: ERROR_HINTS.unauthorized });
    const hint = ERROR_HINTS.unauthorized;
    expect(hint).toMatch(/`smartdrag token`/);
    expect(hint).toMatch(/token box/);
    expect(hint).toMatch(/--token/);
    expect(hint).toMatch(/Authorization: Bearer/);
    expect(hint).not.toMatch(/plugin settings/);
  } finally {
    c.close();
  }
});
