/**
 * The Express add-on's manifest, checked offline by Adobe's own validator (npm
 * @adobe/ccweb-add-on-manifest, the rules Express's developer mode applies), and the built folder
 * holds every file the manifest names. Also pins what the schema does NOT allow (a network
 * permission), which is why the bridge's Origin allow-list carries the Express origins instead.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureExpressBuilt, EXPRESS_DIST } from './harness';

const ROOT = join(__dirname, '..', '..');
const VALIDATE = join(__dirname, 'validate-manifest.mjs');

interface Result {
  success: boolean;
  errorDetails?: { instancePath?: string; keyword?: string; params?: unknown; message?: string }[];
  created: boolean;
  entryPoints: { id: string; type: string; main: string; documentSandbox?: string }[] | null;
}

function validate(manifest: unknown, developer: boolean): Result {
  const out = execFileSync(process.execPath, [VALIDATE], { cwd: ROOT, input: JSON.stringify({ manifest, developer }), encoding: 'utf8', timeout: 60000 });
  return JSON.parse(out) as Result;
}

beforeAll(async () => {
  await ensureExpressBuilt();
}, 180_000);

const built = () => JSON.parse(readFileSync(join(EXPRESS_DIST, 'manifest.json'), 'utf8')) as Record<string, any>;

test('the built manifest passes Adobe\'s developer-workflow validation and names files that exist in dist/', () => {
  const manifest = built();
  const r = validate(manifest, true);
  expect(r.errorDetails ?? []).toEqual([]);
  expect(r.success).toBe(true);
  expect(r.created).toBe(true);
  expect(r.entryPoints).toEqual([{ id: 'smartdrag-panel', type: 'panel', main: 'index.html', documentSandbox: 'code.js' }]);
  // The page is rendered with RenditionIntent.preview, which "requires the renditionPreview flag to be
  // set to true in the manifest requirements" (app-document reference, createRenditions).
  expect(manifest.requirements.renditionPreview).toBe(true);
  for (const e of r.entryPoints!) {
    expect(existsSync(join(EXPRESS_DIST, e.main))).toBe(true);
    expect(existsSync(join(EXPRESS_DIST, e.documentSandbox!))).toBe(true);
  }
  // The page loads the bundle that index.html names, as an ES module (Express's SDK is one).
  const html = readFileSync(join(EXPRESS_DIST, 'index.html'), 'utf8');
  expect(html).toMatch(/<script type="module" src="index\.js"><\/script>/);
  expect(readFileSync(join(EXPRESS_DIST, 'index.js'), 'utf8')).toContain('https://new.express.adobe.com/static/add-on-sdk/sdk.js');
  expect(readFileSync(join(EXPRESS_DIST, 'code.js'), 'utf8')).toMatch(/from\s*"express-document-sdk"/);
});

test('the validator rejects what Express rejects: a network permission, an unknown sandbox flag, a missing testId', () => {
  const m = built();
  const withNetwork = { ...m, entryPoints: [{ ...m.entryPoints[0], permissions: { network: ['http://127.0.0.1:7341', 'ws://127.0.0.1:7341'] } }] };
  const r1 = validate(withNetwork, true);
  expect(r1.success).toBe(false);
  expect(r1.errorDetails).toEqual(expect.arrayContaining([expect.objectContaining({ keyword: 'additionalProperties', params: { additionalProperty: 'network' } })]));
  const withLna = { ...m, entryPoints: [{ ...m.entryPoints[0], permissions: { sandbox: ['allow-local-network-access'] } }] };
  expect(validate(withLna, true).success).toBe(false);
  const { testId: _omit, ...noTestId } = m;
  expect(validate(noTestId, true).success).toBe(false);
});

test('experimental APIs (VisualNode.createRendition) keep the add-on in developer mode: a marketplace submission is refused', () => {
  const r = validate(built(), false);
  expect(r.success).toBe(false);
  expect(r.errorDetails).toEqual([expect.objectContaining({ instancePath: '/requirements/experimentalApis' })]);
});
