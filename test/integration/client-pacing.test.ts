/**
 * BridgeClient pacing against a real bridge and real sockets: the client keeps at most as many
 * jobs at the bridge as the bridge admits per client (welcome `limits.maxQueuePerClient`) and
 * holds the rest locally, so jobs submitted while disconnected (or many at once) all run instead
 * of being refused `queue_full` on the flush; a held job says it is queued, and its cancel ends it
 * without sending anything. A `queue_full` caused by other clients (the bridge's total cap) holds
 * the job while one of this client's own jobs is ahead of it (re-sent when one ends), and fails
 * with the code when none is.
 */
import WebSocket from 'ws';
import { BridgeClient, type BridgeJob, type SubmitInput, type WebSocketConstructor } from '@smartdrag/shared';
import { gradientImage, squarePolygon, startTestBridge, type TestBridge } from '../helpers/bridge-harness';

/** Text messages this client wrote (read before they are masked on the wire). */
const written: string[] = [];
class RecordingSocket extends WebSocket {
  override send(data: any, ...rest: any[]): void {
    if (typeof data === 'string') written.push(data);
    (super.send as (...a: unknown[]) => void)(data, ...rest);
  }
}
const WS = RecordingSocket as unknown as WebSocketConstructor;
const submitsOf = (id: string): number => written.filter((m) => m.includes('"job.submit"') && m.includes(`"${id}"`)).length;
const cancelsOf = (id: string): number => written.filter((m) => m.includes('"job.cancel"') && m.includes(`"${id}"`)).length;

const job = (intent?: string): SubmitInput => ({
  image: gradientImage(96, 64), quality: 'preview', ...(intent ? { intent } : {}),
  regions: [{ id: 'h1', polygon: squarePolygon(10, 10, 16) }], drags: [{ region: 'h1', points: [[18, 18], [30, 30]], kind: 'translate' }],
});
/** A job that runs until cancelled: `accepted` when the bridge queued it, `started` when its worker started (the sleep hook reports "plan 0"). */
const sleeping = (c: BridgeClient): { job: BridgeJob; accepted: Promise<void>; started: Promise<void> } => {
  let started!: () => void, accepted!: () => void;
  const s = new Promise<void>((r) => { started = r; }), a = new Promise<void>((r) => { accepted = r; });
  return { job: c.submit(job('__hook:sleep__'), { onQueued: () => accepted(), onProgress: () => { accepted(); started(); } }), accepted: a, started: s };
};
const settle = (jobs: BridgeJob[]) => Promise.allSettled(jobs.map((j) => j.result));
const codes = (r: PromiseSettledResult<unknown>[]) => r.map((x) => (x.status === 'fulfilled' ? 'ok' : (x.reason as { code?: string }).code));

const CAP = 3;
let tb: TestBridge;
beforeAll(async () => { tb = await startTestBridge({ limits: { maxQueuePerClient: CAP } }); });
afterAll(async () => { await tb?.bridge.close(); });
const clients: BridgeClient[] = [];
beforeEach(() => { written.length = 0; });
afterEach(() => { for (const c of clients.splice(0)) c.close(); });

const client = (bridge = tb): BridgeClient => {
  const c = new BridgeClient({ url: bridge.wsUrl, token: bridge.token, client: 'test', WebSocketImpl: WS, reconnect: { minDelayMs: 50, maxDelayMs: 200 } });
  clients.push(c);
  return c;
};

test('jobs submitted while disconnected, more than the per-client cap: on connect all of them run (none refused queue_full); the held ones say they are queued', async () => {
  const c = client();
  const N = 3 * CAP + 1;
  const queued: number[][] = Array.from({ length: N }, () => []);
  const jobs = Array.from({ length: N }, (_, i) => c.submit(job(), { onQueued: (p) => queued[i]!.push(p) }));
  const welcome = await c.connect();
  expect(welcome.limits.maxQueuePerClient).toBe(CAP);
  const out = await settle(jobs);
  expect(codes(out)).toEqual(Array(N).fill('ok'));
  for (const r of out) expect((r as PromiseFulfilledResult<{ layer: { width: number } }>).value.layer.width).toBeGreaterThan(0);
  // Each job went once (none was refused and sent again); those over the cap were held first and said so.
  for (const j of jobs) expect(submitsOf(j.id)).toBe(1);
  for (let i = CAP; i < N; i++) expect(queued[i]![0]).toBeGreaterThanOrEqual(1);
  c.close();
});

test('many jobs submitted at once while connected: all of them run, none refused', async () => {
  const c = client();
  await c.connect();
  const jobs = Array.from({ length: 4 * CAP }, () => c.submit(job()));
  expect(codes(await settle(jobs))).toEqual(Array(4 * CAP).fill('ok'));
  c.close();
});

test('a held job is cancellable: it ends cancelled and nothing of it is sent; the jobs behind it move up and run', async () => {
  const c = client();
  await c.connect();
  const sleepers = Array.from({ length: CAP }, () => sleeping(c));
  const heldQueued: number[] = [];
  // (The handler reads the handle submit() returns, as the Photoshop panel's do: it is told after submit() returned.)
  const held: BridgeJob = c.submit(job(), { onQueued: (p) => heldQueued.push(held.id ? p : -1) });
  const behind = c.submit(job());
  // (The bridge accepts them in the order their uploads are decoded, not always as sent.)
  await Promise.all(sleepers.map((s) => s.accepted));
  expect(heldQueued.length).toBeGreaterThanOrEqual(1);
  expect(heldQueued[0]).toBeGreaterThanOrEqual(CAP);
  held.cancel();
  await expect(held.result).rejects.toMatchObject({ code: 'cancelled' });
  for (const s of sleepers) s.job.cancel();
  expect(codes(await settle(sleepers.map((s) => s.job)))).toEqual(Array(CAP).fill('cancelled'));
  expect((await behind.result).layer.width).toBeGreaterThan(0);
  expect([submitsOf(held.id), cancelsOf(held.id)]).toEqual([0, 0]);
  expect(submitsOf(behind.id)).toBe(1);
  c.close();
});

describe('the bridge total cap filled by another client', () => {
  let full: TestBridge;
  beforeAll(async () => { full = await startTestBridge({ limits: { maxQueueTotal: 2 } }); });
  afterAll(async () => { await full?.bridge.close(); });

  test('queue_full while one of this client\'s own jobs is ahead: the job is held and sent again when that one ends, and runs', async () => {
    const other = client(full), me = client(full);
    await other.connect();
    await me.connect();
    const mine = sleeping(me);
    await mine.started;
    const theirs = sleeping(other);
    await theirs.accepted; // the total cap (2) is now full
    let told!: (p: number) => void;
    const queued = new Promise<number>((r) => { told = r; });
    const waiting = me.submit(job(), { onQueued: (p) => told(p) });
    // Refused queue_full (the bridge is full): held, not failed, and says it waits behind mine.
    expect(await queued).toBeGreaterThanOrEqual(1);
    expect(submitsOf(waiting.id)).toBe(1);
    mine.job.cancel();
    await expect(mine.job.result).rejects.toMatchObject({ code: 'cancelled' });
    theirs.job.cancel();
    expect((await waiting.result).layer.width).toBeGreaterThan(0);
    expect(submitsOf(waiting.id)).toBe(2);
    await theirs.job.result.catch(() => undefined);
    other.close(); me.close();
  });

  test('queue_full with none of this client\'s jobs ahead: the job fails with queue_full (no endless retry)', async () => {
    const other = client(full), me = client(full);
    await other.connect();
    await me.connect();
    const a = sleeping(other), b = sleeping(other);
    await Promise.all([a.accepted, b.accepted]);
    const refused = me.submit(job());
    await expect(refused.result).rejects.toMatchObject({ code: 'queue_full' });
    expect(submitsOf(refused.id)).toBe(1);
    a.job.cancel(); b.job.cancel();
    await settle([a.job, b.job]);
    other.close(); me.close();
  });
});
