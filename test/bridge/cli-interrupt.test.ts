/**
 * Ctrl-C on `smartdrag edit --server` while the bridge runs its job: the job is cancelled at the
 * bridge, not left running. (A closed socket alone does not cancel: the bridge keeps a client's
 * job running so that a client that reconnects collects it — the edit went on holding a worker
 * until it ended, up to `--max-job-seconds`.) Real bin in a child process, real bridge, real
 * WebSocket; the job waits in the edit worker's `sleep` test hook (until cancelled, at most
 * 10 s, then the edit runs and ends `done`).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { gradientImage, startTestBridge, type TestBridge } from '../helpers/bridge-harness';
import { SMARTDRAG_BIN } from '../helpers/serve-process';

/** Wait until `pred` holds (polling); fails with `what` after `ms`. */
async function until(pred: () => boolean, what: string, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

let tb: TestBridge | undefined;
afterEach(async () => { await tb?.bridge.close(); tb = undefined; });

it('Ctrl-C on `edit --server` cancels the running job at the bridge and exits 130; nothing is written', async () => {
  tb = await startTestBridge({ workers: 1 });
  const dir = mkdtempSync(join(tmpdir(), 'sd-interrupt-'));
  mkdirSync(join(dir, 'cases'));
  mkdirSync(join(dir, 'photos'));
  const img = gradientImage(96, 64);
  await sharp(Buffer.from(img.data.buffer), { raw: { width: 96, height: 64, channels: 4 } }).png().toFile(join(dir, 'photos', 'g.png'));
  const kase = join(dir, 'cases', 'g-move-square.json');
  writeFileSync(kase, JSON.stringify({
    id: 'g-move-square', image: 'photos/g.png', size: [96, 64], intent: '__hook:sleep__ move the square',
    regions: [{ id: 'h1', polygon: [[10, 10], [26, 10], [26, 26], [10, 26]] }],
    drags: [{ region: 'h1', kind: 'translate', points: [[18, 18], [58, 38]] }],
  }));
  const out = join(dir, 'out');
  const child = spawn(process.execPath, [SMARTDRAG_BIN, 'edit', '--case', kase, '--out', out, '--server', tb.wsUrl, '--token', tb.token],
    { env: { ...process.env, SMARTDRAG_HOME: tb.home }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));

  // The job is in the edit worker (sleeping in the hook) when Ctrl-C comes.
  await until(() => tb!.bridge.stats().running === 1, 'the job to run');
  child.kill('SIGINT');
  expect(await exited).toBe(130);

  // The job ended at the bridge, and it ended cancelled (left running, it ends done after the hook).
  await until(() => tb!.bridge.stats().running === 0 && tb!.bridge.stats().queued === 0, 'the job to end');
  const cliRecord = () => tb!.bridge.recentClients().find((c) => c.client === 'cli')!;
  await until(() => { const j = cliRecord().jobs; return j.done + j.failed + j.cancelled > 0; }, 'the job\'s end to be counted');
  expect(cliRecord().jobs).toMatchObject({ cancelled: 1, done: 0, failed: 0 });
  // The user is told so, and nothing was written.
  expect(stderr).toMatch(/interrupted; the job at the bridge was cancelled; nothing was written/);
  expect(existsSync(join(out, 'edited.png'))).toBe(false);
}, 60_000);
