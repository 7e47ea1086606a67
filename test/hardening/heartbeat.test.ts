/**
 * The bridge's heartbeat against a real socket: a client that answers nothing is dropped, and a
 * bridge whose own thread was busy for several beats (the answers still unread when its timer
 * runs) does not drop the clients that did answer.
 */
import WebSocket from 'ws';
import { RawClient, startTestBridge, type TestBridge } from '../helpers/bridge-harness';

let tb: TestBridge;
beforeAll(async () => { tb = await startTestBridge({ heartbeatMs: 200 }); });
afterAll(async () => { await tb?.bridge.close(); });

const isOpen = (ws: WebSocket): boolean => ws.readyState === WebSocket.OPEN;

test('the bridge busy for several heartbeats right after a ping: the client that answered it is kept', async () => {
  const c = await RawClient.connect(tb);
  try {
    // ws answers the ping before it tells us; then this process (the bridge too) stalls 6 beats.
    await new Promise<void>((resolve) => c.ws.once('ping', () => {
      const until = Date.now() + 1200;
      while (Date.now() < until) { /* busy */ }
      resolve();
    }));
    await new Promise((r) => setTimeout(r, 700));
    expect(isOpen(c.ws)).toBe(true);
    c.send({ type: 'ping', t: 1 });
    expect(await c.next((m) => m.type === 'pong')).toMatchObject({ type: 'pong', t: 1 });
  } finally {
    c.ws.terminate();
  }
});

test('a client that answers no ping is dropped after two beats', async () => {
  const ws = new WebSocket(tb.wsUrl, { autoPong: false });
  await new Promise<void>((r, j) => { ws.once('open', () => r()); ws.once('error', j); });
  ws.send(JSON.stringify({ type: 'hello', protocol: 2, client: 'test', token: tb.token }));
  const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
  const code = await Promise.race([closed, new Promise<string>((r) => setTimeout(() => r('still open'), 2000))]);
  expect(code).not.toBe('still open');
});
