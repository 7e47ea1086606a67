/**
 * The bridge's memory budget (limits.maxHeldBytes): a job whose input does not fit is refused
 * with `queue_full` and a hint, the bridge keeps serving; kept results are dropped oldest first.
 */
import WebSocket from 'ws';
import { BridgeClient, BridgeError, type WebSocketConstructor } from '@smartdrag/shared';
import { MemoryBudget } from '../../bridge-server/src/server/memory-budget';
import { makeTexture } from '../../bridge-server/src/core/textures';
import { startTestBridge, type TestBridge } from '../helpers/bridge-harness';

const square = (x: number, y: number, s: number): [number, number][] => [[x, y], [x + s, y], [x + s, y + s], [x, y + s]];

describe('bridge memory budget', () => {
  let tb: TestBridge, client: BridgeClient;
  beforeAll(async () => {
    tb = await startTestBridge({ limits: { maxHeldBytes: 1024 * 1024 } });
    client = new BridgeClient({ url: tb.wsUrl, token: tb.token, client: 'test', WebSocketImpl: WebSocket as unknown as WebSocketConstructor, reconnect: false });
    await client.connect();
  });
  afterAll(async () => { client?.close(); await tb?.bridge.close(); });

  test('an input over the budget is refused with queue_full and a hint; the next job runs', async () => {
    const big = makeTexture('noise', 600, 600, 1); // 1.44 MB of RGBA > 1 MiB
    const err = await client.submit({ image: big, regions: [{ id: 'r', polygon: square(100, 100, 80) }], drags: [{ region: 'r', points: [[140, 140], [170, 150]] }], quality: 'preview' }).result.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BridgeError);
    expect((err as BridgeError).code).toBe('queue_full');
    expect((err as BridgeError).message).toMatch(/memory budget/);
    expect((err as BridgeError).hint).toMatch(/smaller crop|previewMaxPixels/);
    const small = makeTexture('noise', 200, 200, 2);
    const out = await client.submit({ image: small, regions: [{ id: 'r', polygon: square(50, 50, 60) }], drags: [{ region: 'r', points: [[80, 80], [110, 90]] }], quality: 'preview' }).result;
    expect(out.layer.width).toBeGreaterThan(0);
  });
});

describe('MemoryBudget', () => {
  test('a request larger than the whole budget drops no kept result and no held image', () => {
    const evicted: string[] = [], heldGone: string[] = [];
    const b = new MemoryBudget(1000, (id) => evicted.push(id));
    b.onHeldEvicted = (id) => heldGone.push(id);
    b.charge('a', 300); b.finish('a', 300);
    expect(b.hold('held:c1:doc:1', 400)).toBe(true);
    expect(() => b.charge('atk', 2 ** 32 - 1)).toThrow(expect.objectContaining({ code: 'queue_full' }));
    expect(b.hold('held:c2:big:1', 5000)).toBe(false);
    expect(evicted).toEqual([]);
    expect(heldGone).toEqual([]);
    expect(b.heldBytes).toBe(700);
    expect(b.heldImageCount).toBe(1);
  });

  test('kept results go oldest first to make room for an input; an input that cannot fit is refused and charges nothing', () => {
    const evicted: string[] = [];
    const b = new MemoryBudget(1000, (id) => evicted.push(id));
    b.charge('a', 300); b.finish('a', 200);
    b.charge('b', 300); b.finish('b', 300);
    expect(b.heldBytes).toBe(500);
    b.charge('c', 600); // needs 100 more than free: drops the oldest result (a)
    expect(evicted).toEqual(['a']);
    expect(b.heldBytes).toBe(900);
    b.charge('e', 100); // fits: 1000
    expect(evicted).toEqual(['a']);
    expect(() => b.charge('d', 500)).toThrow(expect.objectContaining({ code: 'queue_full' }));
    expect(evicted).toEqual(['a']); // dropping b (300) could not make room for 500: nothing is dropped
    expect(b.heldBytes).toBe(1000);
    b.finish('e', 0);
    expect(() => b.charge('d', 450)).toThrow(expect.objectContaining({ code: 'queue_full' })); // c's 600 + 450 > 1000 even without b
    expect(evicted).toEqual(['a']);
    b.charge('d', 300); // fits once b goes
    expect(evicted).toEqual(['a', 'b']);
    b.finish('d', 0);
    expect(b.heldBytes).toBe(600);
    b.setInput('c', 100); // re-charged at its decoded size
    expect(b.heldBytes).toBe(100);
    b.finish('c', 0); b.forget('c');
    expect(b.heldBytes).toBe(0);
  });
});
