/**
 * Hardening of the bridge (issue #10): per-user LAN tokens and per-user result scoping, the global
 * queue limit, messages above ws's read limit, learned stages reported by the real composition
 * root, `job.plan` before pixel work, and a guard that nothing executable is reachable from the
 * socket. Real bridges on port 0, real `ws` clients.
 */
import { mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JobResult } from '@smartdrag/shared';
import { addUserToken, loadConfig, readUserTokens, revokeUserToken, tokensFile } from '../../bridge-server/src/config';
import { startBridge, type StartedBridge } from '../../bridge-server/src/main';
import { authenticate, LOCAL_USER, ownerKey } from '../../bridge-server/src/server/security';
import { RawClient, sendJob, squareMoveJob, startTestBridge, type TestBridge } from '../helpers/bridge-harness';

const tmpHome = () => mkdtempSync(join(tmpdir(), 'smartdrag-sec-'));

async function resultOf(c: RawClient, id: string): Promise<JobResult> {
  const r = await c.next((m) => (m.type === 'job.result' || m.type === 'job.error') && 'jobId' in m && m.jobId === id, 20000);
  if (r.type !== 'job.result') throw new Error(`expected a result for ${id}: ${JSON.stringify(r)}`);
  await c.layer(id, r.frames);
  return r;
}

describe('per-user tokens', () => {
  it('token --add/--revoke keep a 0600 tokens file; each user gets a distinct 64-hex token', () => {
    const home = tmpHome();
    const a = addUserToken(home, 'alice');
    const b = addUserToken(home, 'bob');
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(b).not.toBe(a);
    expect(statSync(tokensFile(home)).mode & 0o777).toBe(0o600);
    expect(readUserTokens(home).map((u) => u.user)).toEqual(['alice', 'bob']);
    const a2 = addUserToken(home, 'alice'); // rotate
    expect(a2).not.toBe(a);
    expect(readUserTokens(home).find((u) => u.user === 'alice')!.token).toBe(a2);
    expect(revokeUserToken(home, 'bob')).toBe(true);
    expect(revokeUserToken(home, 'bob')).toBe(false);
    expect(readUserTokens(home).map((u) => u.user)).toEqual(['alice']);
    expect(() => addUserToken(home, 'local')).toThrow();
    expect(() => addUserToken(home, '../etc')).toThrow();
  });

  it('a non-loopback host needs --allow-lan AND at least one per-user token', () => {
    const home = tmpHome();
    const env = { SMARTDRAG_HOME: home };
    expect(() => loadConfig({ env, overrides: { host: '0.0.0.0', logFile: null } })).toThrow(/allow-lan/);
    expect(() => loadConfig({ env, overrides: { host: '0.0.0.0', allowLan: true, logFile: null } })).toThrow(/token --add/);
    addUserToken(home, 'alice');
    const cfg = loadConfig({ env, overrides: { host: '0.0.0.0', allowLan: true, logFile: null } });
    expect(cfg.users.map((u) => u.user)).toEqual(['alice']);
    expect(loadConfig({ env, overrides: { logFile: null } }).host).toBe('127.0.0.1');
  });

  it('authenticate: the bridge token only from this machine when shared on a LAN (loopback or its own addresses); user tokens work from anywhere', () => {
    const users = [{ user: 'alice', token: 'a'.repeat(64) }, { user: 'bob', token: 'b'.repeat(64) }];
    const lan = { host: '0.0.0.0', token: 'L'.repeat(64), users };
    // This machine's own interface addresses (injected: the test must not depend on the machine's).
    const own = new Set(['127.0.0.1', '::1', '192.168.1.5', 'fe80::1']);
    expect(authenticate('L'.repeat(64), lan, '127.0.0.1', own)).toEqual({ user: LOCAL_USER, owner: ownerKey('user:local') });
    expect(authenticate('L'.repeat(64), lan, '::ffff:127.0.0.1', own)?.user).toBe(LOCAL_USER);
    // This machine reaching the bridge through its LAN address (a bridge started with --host <lan-ip>).
    expect(authenticate('L'.repeat(64), lan, '192.168.1.5', own)?.user).toBe(LOCAL_USER);
    expect(authenticate('L'.repeat(64), lan, '::ffff:192.168.1.5', own)?.user).toBe(LOCAL_USER);
    expect(authenticate('L'.repeat(64), lan, 'fe80::1%eth0', own)?.user).toBe(LOCAL_USER);
    // A LAN peer: only its own token.
    expect(authenticate('L'.repeat(64), lan, '192.168.1.20', own)).toBeNull();
    expect(authenticate('a'.repeat(64), lan, '192.168.1.20', own)?.user).toBe('alice');
    expect(authenticate('b'.repeat(64), lan, '10.0.0.3', own)?.user).toBe('bob');
    expect(authenticate('a'.repeat(63), lan, '127.0.0.1')).toBeNull();
    expect(authenticate('', { ...lan, users: [] }, '127.0.0.1')).toBeNull();
    expect(authenticate(undefined, lan, '127.0.0.1')).toBeNull();
    const loop = { host: '127.0.0.1', token: 'L'.repeat(64), users };
    expect(authenticate('L'.repeat(64), loop, '192.168.1.20')?.user).toBe(LOCAL_USER);
    expect(authenticate('a'.repeat(64), loop, '127.0.0.1')!.owner).not.toBe(authenticate('b'.repeat(64), loop, '127.0.0.1')!.owner);
  });
});

describe('a bridge with per-user tokens', () => {
  let tb: TestBridge;
  let alice: string, bob: string;
  beforeAll(async () => {
    const home = tmpHome();
    alice = addUserToken(home, 'alice');
    bob = addUserToken(home, 'bob');
    tb = await startTestBridge({ home, users: readUserTokens(home), limits: { maxQueueTotal: 2, maxFrameBytes: 16384 + 4096, maxChunkBytes: 16384 } });
  });
  afterAll(async () => { await tb?.bridge.close(); });

  it('results are scoped per user: another user can neither resume nor cancel them', async () => {
    const a = await RawClient.connect(tb, alice);
    const job = squareMoveJob('alice-1', { intent: '__hook:nap__' });
    sendJob(a, job);
    await a.next((m) => m.type === 'job.accepted');
    a.ws.terminate();
    await a.closed;
    const b = await RawClient.connect(tb, bob);
    b.send({ type: 'job.cancel', jobId: 'alice-1' });
    expect(await b.next((m) => m.type === 'job.error')).toMatchObject({ jobId: 'alice-1', code: 'job_not_found' });
    b.send({ type: 'job.resume', jobIds: ['alice-1'] });
    expect(await b.next((m) => m.type === 'job.error')).toMatchObject({ jobId: 'alice-1', code: 'job_not_found' });
    // Re-using alice's id is refused too (no hijack through submit-as-resume).
    sendJob(b, squareMoveJob('alice-1'));
    expect(await b.next((m) => m.type === 'job.error' && m.jobId === 'alice-1')).toMatchObject({ code: 'bad_message' });
    const local = await RawClient.connect(tb); // the bridge token is its own user
    local.send({ type: 'job.resume', jobIds: ['alice-1'] });
    expect(await local.next((m) => m.type === 'job.error')).toMatchObject({ code: 'job_not_found' });
    const a2 = await RawClient.connect(tb, alice);
    a2.send({ type: 'job.resume', jobIds: ['alice-1'] });
    const r = await resultOf(a2, 'alice-1');
    expect(r.plan.operations[0]).toMatchObject({ kind: 'translate', region: 'h1' });
    expect(b.texts().some((m) => m.type === 'job.result')).toBe(false);
    for (const c of [a2, b, local]) c.close();
  });

  it('the global queue limit answers queue_full to the next client; the bridge keeps serving', async () => {
    const a = await RawClient.connect(tb, alice);
    const b = await RawClient.connect(tb, bob);
    sendJob(a, squareMoveJob('g-1', { intent: '__hook:nap__' }));
    sendJob(a, squareMoveJob('g-2', { intent: '__hook:nap__' }));
    await a.next((m) => m.type === 'job.accepted' && m.jobId === 'g-2');
    sendJob(b, squareMoveJob('g-3'));
    const e = await b.next((m) => m.type === 'job.error' && m.jobId === 'g-3');
    expect(e).toMatchObject({ code: 'queue_full', hint: expect.any(String) });
    expect((e as { message: string }).message).toMatch(/bridge already holds 2/);
    await resultOf(a, 'g-1');
    await resultOf(a, 'g-2');
    sendJob(b, squareMoveJob('g-4'));
    await resultOf(b, 'g-4');
    a.close();
    b.close();
  });

  it('a message above the read limit (2x maxFrameBytes) gets frame_too_large, then close 4009; others keep working', async () => {
    const c = await RawClient.connect(tb, bob);
    c.sendRaw(new Uint8Array((16384 + 4096) * 2 + 1));
    expect(await c.next((m) => m.type === 'error')).toMatchObject({ code: 'frame_too_large', hint: expect.any(String) });
    expect(await c.closed).toEqual({ code: 4009, reason: 'frame_too_large' });
    const d = await RawClient.connect(tb, bob);
    sendJob(d, squareMoveJob('after-huge'));
    await resultOf(d, 'after-huge');
    d.close();
  });

  it('shared on a LAN (0.0.0.0, --allow-lan): health says so and a loopback client is served', async () => {
    const home = tmpHome();
    addUserToken(home, 'carol');
    const lan = await startTestBridge({ home, host: '0.0.0.0', allowLan: true, users: readUserTokens(home) });
    try {
      const health = await (await fetch(`${lan.url.replace('0.0.0.0', '127.0.0.1')}/v1/health`)).json() as { lan: { shared: boolean; users: number } };
      expect(health.lan).toEqual({ shared: true, users: 1 });
      const viaLoopback = await RawClient.connect({ ...lan, wsUrl: lan.wsUrl.replace('0.0.0.0', '127.0.0.1') });
      viaLoopback.close();
    } finally {
      await lan.bridge.close();
    }
  });

  // Needs a real non-loopback interface; reported as skipped (not passed) without one. A LAN peer
  // (another machine) cannot be made here: that the bridge token is refused from one is unit-tested
  // through authenticate() with injected addresses.
  const lanIp = Object.values(networkInterfaces()).flat().find((n) => n && n.family === 'IPv4' && !n.internal)?.address;
  (lanIp ? it : it.skip)('this machine reaching a LAN-shared bridge through its LAN address is this machine: the bridge token works (it was refused: the owner locked out), and a user token too', async () => {
    const home = tmpHome();
    const carol = addUserToken(home, 'carol');
    const lan = await startTestBridge({ home, host: lanIp!, allowLan: true, users: readUserTokens(home) });
    try {
      const wsUrl = `ws://${lanIp}:${lan.port}/v1/ws`;
      const own = await RawClient.connect({ ...lan, wsUrl }, lan.token);
      own.close();
      const ok = await RawClient.connect({ ...lan, wsUrl }, carol);
      ok.close();
    } finally {
      await lan.bridge.close();
    }
  });
});

describe('the composed bridge (main.ts)', () => {
  let sb: StartedBridge;
  beforeAll(async () => {
    sb = await startBridge({ env: { SMARTDRAG_HOME: tmpHome() }, overrides: { port: 0, logFile: null, logLevel: 'silent', workers: 1 } });
  });
  afterAll(async () => { await sb?.bridge.close(); });

  it('with no models installed, /v1/health and welcome say the learned stages are off, with reasons and the probed device', async () => {
    const c = await RawClient.connect({ bridge: sb.bridge, token: sb.config.token, port: sb.port, url: sb.url, wsUrl: sb.wsUrl, home: sb.config.home });
    sendJob(c, squareMoveJob('m-1')); // a finished job proves the worker is ready (it reported its probe)
    await resultOf(c, 'm-1');
    const h = await (await fetch(`${sb.url}/v1/health`)).json() as Record<string, any>;
    expect(h.stages).toMatchObject({ inpaint: false, refine: false });
    expect(h.stageInfo.inpaint).toMatchObject({ enabled: false, reason: expect.stringMatching(/no inpaint model installed/) });
    expect(h.stageInfo.refine).toMatchObject({ enabled: false, reason: expect.stringMatching(/no refine model installed/) });
    expect(['cpu', 'cuda']).toContain(h.device);
    expect(h.deviceReason).not.toMatch(/not probed/);
    expect(h.reasoner).toBe('rules');
    expect(h.models.length).toBeGreaterThan(0);
    expect(h.models.every((m: { present: boolean }) => m.present === false)).toBe(true);
    const c2 = await RawClient.connect({ bridge: sb.bridge, token: sb.config.token, port: sb.port, url: sb.url, wsUrl: sb.wsUrl, home: sb.config.home });
    c2.close();
    c.close();
  });

  it('job.plan reaches the client before any progress and before the result', async () => {
    const c = await RawClient.connect({ bridge: sb.bridge, token: sb.config.token, port: sb.port, url: sb.url, wsUrl: sb.wsUrl, home: sb.config.home });
    c.send({ type: 'ping', t: 1 });
    await c.next((m) => m.type === 'pong');
    sendJob(c, squareMoveJob('order-1'));
    await resultOf(c, 'order-1');
    const seen = c.texts().filter((m) => 'jobId' in m && m.jobId === 'order-1').map((m) => m.type);
    const firstProgress = seen.indexOf('job.progress');
    expect(seen.filter((t) => t === 'job.plan')).toHaveLength(1);
    expect(firstProgress).toBeGreaterThan(seen.indexOf('job.plan'));
    expect(seen.indexOf('job.plan')).toBeGreaterThan(seen.indexOf('job.started'));
    c.close();
  });
});

it('nothing executable is reachable from the socket: no eval, Function, vm, child processes or client-named files in the server', () => {
  const dir = join(__dirname, '..', '..', 'bridge-server', 'src', 'server');
  const files = readdirSync(dir).filter((f) => /\.(ts|js)$/.test(f) && !f.endsWith('.test.ts'));
  expect(files.length).toBeGreaterThan(5);
  for (const f of files) {
    const src = readFileSync(join(dir, f), 'utf8');
    expect([f, /\beval\s*\(|new\s+Function\s*\(|node:vm|child_process|\bexecSync\b|\bexecFile\b/.test(src)]).toEqual([f, false]);
    // File access only from configuration (static root, index.html), never from message fields.
    for (const m of src.matchAll(/(readFileSync|existsSync|createReadStream|readFile)\(([^)]*)\)/g)) {
      expect([f, m[2]]).toEqual([f, expect.not.stringMatching(/submit|msg\.|req\.(body|query|params)|frame/)]);
    }
  }
});
