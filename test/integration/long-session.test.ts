/**
 * A bridge and its panels left open for hours: what must not pile up once the work is over.
 * - The main thread's dead buffers (uploads, expired results): V8 collects only when a thread
 *   allocates, so an idle bridge kept them; a collection runs once it is idle (idle-collector.ts).
 * - The ids a connection remembers: only those of jobs the bridge still has (a panel dragging at
 *   30 previews a second all day grew its list without bound); resume works while a result is kept.
 * - A client back after its result expired is told so (the bridge did not restart).
 * Real bridge, real edit worker, short result TTL.
 */
import WebSocket from 'ws';
import { BridgeClient, ErrorCode, type WebSocketConstructor } from '@smartdrag/shared';
import { SessionHub, type Session } from '../../bridge-server/src/server/session';
import { gradientImage, RawClient, sendJob, squareMoveJob, squarePolygon, startTestBridge, type TestBridge } from '../helpers/bridge-harness';

const MiB = 1024 * 1024;

/** Wait until `pred` holds (polling); fails with `what` after `ms`. */
async function until(pred: () => boolean, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('an idle bridge lets go of the dead buffers on its main thread', () => {
  let tb: TestBridge;
  let client: BridgeClient;
  afterEach(async () => { client?.close(); await tb?.bridge.close(); });

  test('a large job\'s end, then the expiry of its large result, each run a full collection once the bridge is idle (counted in /v1/health)', async () => {
    tb = await startTestBridge({ resultTtlMs: 1000, learnedStages: false }, { idleCollection: { settleMs: 20, minIntervalMs: 50 } });
    client = new BridgeClient({ url: tb.wsUrl, token: tb.token, client: 'test', WebSocketImpl: WebSocket as unknown as WebSocketConstructor, reconnect: false, reuseImages: false });
    await client.connect();
    expect(tb.bridge.stats().idleCollections).toBe(0);
    // 17 MB of RGBA in; a 1400 px square moved 300 px: a layer of about 10 MB kept for resume.
    const out = await client.submit({
      image: gradientImage(2400, 1800), quality: 'preview',
      regions: [{ id: 'r', polygon: squarePolygon(200, 200, 1400) }],
      drags: [{ region: 'r', points: [[900, 900], [1200, 1000]], kind: 'translate' }],
    }).result;
    expect(out.layer.data.byteLength).toBeGreaterThanOrEqual(8 * MiB);
    await until(() => tb.bridge.stats().idleCollections >= 1, 'a collection after the job');
    const afterJob = tb.bridge.stats().idleCollections;
    await until(() => tb.bridge.stats().stored === 0, 'the result to expire');
    await until(() => tb.bridge.stats().idleCollections > afterJob, 'a collection after the result expired');
    const health = await (await fetch(`${tb.url}/v1/health`)).json() as { jobs: { idleCollections: number } };
    expect(health.jobs.idleCollections).toBe(tb.bridge.stats().idleCollections);
  });
});

describe('a connection open all day', () => {
  let tb: TestBridge;
  let hub: SessionHub | undefined;
  const connect = SessionHub.prototype.connect;
  beforeAll(() => {
    jest.spyOn(SessionHub.prototype, 'connect').mockImplementation(function (this: SessionHub, ...args: Parameters<SessionHub['connect']>) {
      hub = this; // (the bridge's own hub: its sessions are what the test looks at)
      return connect.apply(this, args);
    });
  });
  afterAll(() => jest.restoreAllMocks());
  afterEach(async () => { await tb?.bridge.close(); });

  test('remembers only the jobs the bridge still has: expired ones are forgotten, a kept one still resumes', async () => {
    tb = await startTestBridge({ resultTtlMs: 1000 });
    const c = await RawClient.connect(tb);
    const session = (): Session => [...hub!.sessions][0]!;
    const N = 24;
    for (let i = 0; i < N; i++) {
      sendJob(c, squareMoveJob(`j${i}`));
      if (i % 2) c.send({ type: 'job.cancel', jobId: `j${i}` }); // a drag's superseded preview
      await c.next((m) => (m.type === 'job.result' || m.type === 'job.cancelled' || m.type === 'job.error') && m.jobId === `j${i}`);
    }
    await until(() => tb.bridge.stats().stored === 0, 'every result to expire');
    expect(session().jobs.size).toBe(0);
    // A result still kept resumes on the same connection; once expired it is job_not_found.
    sendJob(c, squareMoveJob('kept'));
    await c.next((m) => m.type === 'job.result' && m.jobId === 'kept');
    expect([...session().jobs]).toEqual(['kept']);
    c.send({ type: 'job.resume', jobIds: ['kept'] });
    await c.next((m) => m.type === 'job.result' && m.jobId === 'kept');
    await until(() => tb.bridge.stats().stored === 0, 'the kept result to expire');
    expect(session().jobs.size).toBe(0);
    c.send({ type: 'job.resume', jobIds: ['kept'] });
    const gone = await c.next((m) => m.type === 'job.error' && m.jobId === 'kept');
    expect(gone).toMatchObject({ code: ErrorCode.job_not_found });
    c.close();
  });
});

describe('a client back after its result expired', () => {
  let tb: TestBridge;
  let client: BridgeClient;
  afterEach(async () => { client?.close(); await tb?.bridge.close(); });

  test('hears that the bridge keeps results only for a while (not that it restarted); the code stays job_not_found', async () => {
    tb = await startTestBridge({ resultTtlMs: 1000 });
    // The laptop sleeps: the socket drops once the job is accepted, and no connection gets
    // through until the result expired at the bridge.
    let asleep = false;
    let sock: WebSocket | null = null;
    const wsUrl = tb.wsUrl;
    class SleepyLaptop extends WebSocket {
      constructor(url: string) {
        super(asleep ? 'ws://127.0.0.1:9/v1/ws' : url); // (port 9: refused)
        sock = this;
      }
    }
    client = new BridgeClient({ url: wsUrl, token: tb.token, client: 'test', WebSocketImpl: SleepyLaptop as unknown as WebSocketConstructor, reconnect: { minDelayMs: 50, maxDelayMs: 200 } });
    await client.connect();
    const job = client.submit({
      image: gradientImage(400, 300), quality: 'final',
      regions: [{ id: 'r', polygon: squarePolygon(100, 100, 100) }],
      drags: [{ region: 'r', points: [[150, 150], [250, 160]], kind: 'translate' }],
    }, { onQueued: () => { if (!asleep) { asleep = true; sock!.terminate(); } } });
    const outcome = job.result.then(() => null, (e: { code: string; message: string }) => e);
    await until(() => asleep && tb.bridge.stats().stored === 1, 'the job to finish while the client is away');
    await until(() => tb.bridge.stats().stored === 0, 'its result to expire');
    asleep = false; // the laptop wakes: the client reconnects and asks for its job
    const err = await outcome;
    expect(err).not.toBeNull();
    expect(err!.code).toBe(ErrorCode.job_not_found);
    expect(err!.message).toMatch(/keeps finished results only for a while/);
    expect(err!.message).not.toMatch(/it was restarted while the connection was down/);
  });
});
