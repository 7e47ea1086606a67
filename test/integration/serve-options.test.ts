/**
 * `smartdrag serve` as a user starts it: the environment's port (SMARTDRAG_PORT, as documented in
 * config.ts) and the limits / learned-stage switches the error hints point at reach the bridge.
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ERROR_HINTS } from '@smartdrag/shared';
import { spawnServe, stopServe } from '../helpers/serve-process';

let tmp: string;
let child: ChildProcess | undefined;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const p = (s.address() as net.AddressInfo).port; s.close(() => resolve(p)); });
  });
}

/** Start `serve` with `args` and `env` (one worker, silent); resolves with the URL it printed. */
async function serve(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  const started = await spawnServe(['--workers', '1', '--log-level', 'silent', ...args], env);
  child = started.child;
  return started.url;
}

beforeAll(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-serve-opts-')); });
afterEach(async () => {
  await stopServe(child);
  child = undefined;
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

test('SMARTDRAG_PORT chooses the port; --max-megapixels, --max-job-seconds and --no-learned reach /v1/health', async () => {
  const port = await freePort();
  const url = await serve(['--max-megapixels', '2', '--max-job-seconds', '30', '--no-learned'], { SMARTDRAG_HOME: path.join(tmp, 'home'), SMARTDRAG_PORT: String(port) });
  expect(url).toBe(`http://127.0.0.1:${port}`); // was 7341 whatever the environment said
  type Health = { limits: { maxImagePixels: number; maxJobMs: number }; stages: Record<string, boolean>; deviceReason: string };
  // The device line comes from the edit worker once it has started.
  let h = await (await fetch(`${url}/v1/health`)).json() as Health;
  for (let i = 0; i < 100 && /not probed yet/.test(h.deviceReason); i++) {
    await new Promise((r) => setTimeout(r, 100));
    h = await (await fetch(`${url}/v1/health`)).json() as Health;
  }
  expect(h.limits).toMatchObject({ maxImagePixels: 2_000_000, maxJobMs: 30_000 });
  expect(h.stages).toEqual({ inpaint: false, refine: false });
  expect(h.deviceReason).toMatch(/--no-learned/);
  // The hints that name these switches.
  expect(ERROR_HINTS.image_too_large).toMatch(/--max-megapixels/);
  expect(ERROR_HINTS.job_timeout).toMatch(/--max-job-seconds/);
}, 60_000);

test('--port beats SMARTDRAG_PORT; a bad SMARTDRAG_PORT is refused with the variable named', async () => {
  const port = await freePort();
  const url = await serve(['--port', String(port)], { SMARTDRAG_HOME: path.join(tmp, 'home'), SMARTDRAG_PORT: '1' });
  expect(url).toBe(`http://127.0.0.1:${port}`);
  await stopServe(child);
  await expect(serve([], { SMARTDRAG_HOME: path.join(tmp, 'home'), SMARTDRAG_PORT: 'seven' })).rejects.toThrow(/SMARTDRAG_PORT[\s\S]*expected an integer/);
}, 60_000);

test('--allow-origin and SMARTDRAG_ALLOWED_ORIGINS let a trusted page in (with the token); other pages stay refused, a bad origin is refused at start', async () => {
  // The refusal's hint used to say 'add it to "allowedOrigins" in the bridge config', which no
  // file, flag or variable set: a developer serving the Express add-on on another port was stuck.
  const home = path.join(tmp, 'home-origins');
  const url = await serve(['--port', '0', '--allow-origin', 'https://LocalHost:8443/'], { SMARTDRAG_HOME: home, SMARTDRAG_ALLOWED_ORIGINS: 'https://studio.example:9000' });
  const token = fs.readFileSync(path.join(home, 'token'), 'utf8').trim();
  const health = (origin: string) => fetch(`${url}/v1/health`, { headers: { origin, authorization: `Bearer ${token}` } });
  expect((await health('https://localhost:8443')).status).toBe(200);
  expect((await health('https://studio.example:9000')).status).toBe(200);
  const other = await health('https://localhost:8444');
  expect(other.status).toBe(403);
  expect(((await other.json()) as { hint: string }).hint).toMatch(/--allow-origin/);
  await stopServe(child);
  await expect(serve(['--port', '0', '--allow-origin', 'https://localhost:8443/panel'], { SMARTDRAG_HOME: home })).rejects.toThrow(/not a page origin/);
}, 60_000);
