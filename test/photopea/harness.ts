/**
 * Test harness for the Photopea plugin and playground browser tests: builds the pages when
 * dist/ is missing or stale, runs a real bridge on a port (0 = any), and launches Debian's
 * chromium through playwright-core (flags of ../shared/docs/STACK.md §7).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { chromium, type Browser } from 'playwright-core';
import { loadConfig } from '../../bridge-server/src/config';
import { createBridge, type Bridge } from '../../bridge-server/src/server';

export const ROOT = join(__dirname, '..', '..');
export const PLUGIN = join(ROOT, 'plugin-photopea');
export const DIST = join(PLUGIN, 'dist');
export const ARTIFACTS = join(ROOT, 'test-artifacts');

/** Build plugin-photopea/dist with webpack's Node API unless it is newer than every source. */
export async function ensureBuilt(): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const pages = require(join(PLUGIN, 'scripts', 'ensure-built.js')) as { ensureBuilt(): Promise<boolean> };
  await pages.ensureBuilt();
}

/** Token every test bridge uses (so a restarted bridge accepts the page's token). */
export const TEST_TOKEN = 'photopea-browser-test-token-0123456789';

/** A bridge {@link startBridge} started: the bridge, its port and its http origin. */
export type TestBridge = { bridge: Bridge; port: number; origin: string };

/** Start a real bridge serving dist/ (or `staticRoot`: another build of the pages) on `port` (0 = any free port). */
export async function startBridge(port = 0, staticRoot = DIST, opts: { debugHooks?: boolean } = {}): Promise<TestBridge> {
  const home = mkdtempSync(join(tmpdir(), 'sd-photopea-'));
  const config = loadConfig({
    env: {},
    overrides: { port, home, token: TEST_TOKEN, logFile: null, logLevel: 'silent', staticRoot, workers: 1, ...(opts.debugHooks ? { debugHooks: true } : {}) },
  });
  const bridge = createBridge({ config, logger: pino({ level: 'silent' }) });
  const addr = await bridge.listen();
  return { bridge, port: addr.port, origin: `http://127.0.0.1:${addr.port}` };
}

/**
 * The chromium binary: $CHROMIUM_PATH — set by jest's global setup (test/helpers/global-setup.js)
 * to the Chromium that the npm package @sparticuz/chromium ships (no download, no apt step on a
 * fresh machine) — else a system `chromium`.
 */
export function chromiumPath(): string {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  try {
    return execFileSync('sh', ['-c', 'command -v chromium || command -v chromium-browser'], { encoding: 'utf8' }).trim().split('\n')[0]!;
  } catch {
    throw new Error('chromium not found: run npm ci (it installs @sparticuz/chromium), or set CHROMIUM_PATH');
  }
}

/** Launch headless chromium with the flags of STACK.md §7. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    timeout: 30000,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-quic',
      // The simulator is served as https://www.photopea.com by request interception; let its
      // loopback plugin iframe load without the Local Network Access prompt a user would accept.
      '--disable-features=LocalNetworkAccessChecks,LocalNetworkAccessChecksWebSockets,BlockInsecurePrivateNetworkRequests,PrivateNetworkAccessSendPreflights',
    ],
  });
}

/** What {@link bridgeAndChromium} starts for a test file: read its fields inside the tests (they are set in beforeAll). */
export type BrowserTestEnv = { server: TestBridge; browser: Browser };

/**
 * A test file's bridge (any free port) and Chromium: `prepare` (the file's fixtures) runs first,
 * then the pages are built if stale and both are started, in beforeAll (240 s); both are closed in
 * afterAll. Call it at the top level of the file.
 */
export function bridgeAndChromium(prepare?: () => Promise<void>): BrowserTestEnv {
  const env = {} as BrowserTestEnv;
  beforeAll(async () => {
    await prepare?.();
    await ensureBuilt();
    [env.server, env.browser] = await Promise.all([startBridge(0), launchChromium()]);
  }, 240_000);
  afterAll(async () => {
    await env.browser?.close();
    await env.server?.bridge.close();
  });
  return env;
}

/** Folder for screenshots (gitignored). */
export function artifactsDir(): string {
  mkdirSync(ARTIFACTS, { recursive: true });
  return ARTIFACTS;
}
