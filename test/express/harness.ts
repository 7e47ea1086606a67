/**
 * Harness of the Adobe Express add-on tests: builds plugin-express/dist when stale, serves the
 * Express simulator (test/express/simulator) as https://new.express.adobe.com and the built add-on
 * as its own add-on subdomain (https://<id>.wxp.adobe-addons.com, the origin Express gives a
 * distributed add-on), both by request interception in chromium.
 */
import { readFileSync } from 'node:fs';
import { join, normalize } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { ROOT } from '../photopea/harness';

export const EXPRESS_PLUGIN = join(ROOT, 'plugin-express');
export const EXPRESS_DIST = join(EXPRESS_PLUGIN, 'dist');
export const SIM_DIR = join(__dirname, 'simulator');

/** Express's host origin, and the SDK URL add-ons import (the one in @adobe/ccweb-add-on-sdk-types). */
export const EXPRESS_ORIGIN = 'https://new.express.adobe.com';
export const SDK_URL = `${EXPRESS_ORIGIN}/static/add-on-sdk/sdk.js`;
/** A distributed add-on's origin: `https://<add-on id>.wxp.adobe-addons.com` (Express docs, "Add-on subdomain"). */
export const ADDON_ORIGIN = 'https://smartdragsim.wxp.adobe-addons.com';
/** Where `ccweb-add-on-scripts start` serves an add-on in developer mode (Express docs, hello-world). */
export const DEV_ADDON_ORIGIN = 'https://localhost:5241';
/** An add-on served from an Origin no bridge accepts (to test the refusal the panel explains). */
export const FOREIGN_ADDON_ORIGIN = 'https://smartdragsim.addons.example';
/** Developer mode with another https static server than Adobe's CLI (another port): refused too. */
export const OTHER_PORT_DEV_ADDON_ORIGIN = 'https://localhost:8443';

/** Build plugin-express/dist with webpack's Node API unless it is newer than every source. */
export async function ensureExpressBuilt(): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const m = require(join(EXPRESS_PLUGIN, 'scripts', 'ensure-built.js')) as { ensureBuilt(): Promise<boolean> };
  await m.ensureBuilt();
}

const TYPES: Record<string, string> = { '.js': 'text/javascript', '.html': 'text/html', '.json': 'application/json', '.css': 'text/css', '.png': 'image/png' };
const typeOf = (p: string) => TYPES[p.slice(p.lastIndexOf('.'))] ?? 'application/octet-stream';

/** Serve the simulator, the SDK shim, a sample image and the add-on folder on their origins. */
export async function routeExpress(ctx: BrowserContext, files: Record<string, Buffer> = {}): Promise<void> {
  const cors = { 'access-control-allow-origin': '*' };
  await ctx.route(`${EXPRESS_ORIGIN}/**`, async (route) => {
    const path = new URL(route.request().url()).pathname;
    if (path === '/static/add-on-sdk/sdk.js') return route.fulfill({ body: readFileSync(join(SIM_DIR, 'sdk.js')), contentType: 'text/javascript', headers: cors });
    const name = path.replace(/^\/sim\//, '');
    if (files[name]) return route.fulfill({ body: files[name], contentType: typeOf(name) });
    if (['index.html', 'express-sim.js'].includes(name)) return route.fulfill({ body: readFileSync(join(SIM_DIR, name)), contentType: typeOf(name) });
    return route.fulfill({ status: 404, body: 'not found' });
  });
  for (const origin of [ADDON_ORIGIN, DEV_ADDON_ORIGIN, FOREIGN_ADDON_ORIGIN, OTHER_PORT_DEV_ADDON_ORIGIN]) {
    await ctx.route(`${origin}/**`, async (route) => {
      const rel = normalize(new URL(route.request().url()).pathname).replace(/^\/+/, '') || 'index.html';
      if (rel.includes('..')) return route.fulfill({ status: 403, body: 'no' });
      try {
        return await route.fulfill({ body: readFileSync(join(EXPRESS_DIST, rel)), contentType: typeOf(rel), headers: cors });
      } catch {
        return route.fulfill({ status: 404, body: 'not found' });
      }
    });
  }
}
