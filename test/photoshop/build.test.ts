/**
 * `npm run build -w @smartdrag/plugin-photoshop` yields a loadable plugin folder: a bundle that
 * only requires host modules, index.html loading it, a manifest that validates offline, and a
 * .ccx with the manifest at its root.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateFolder } from '../../plugin-photoshop/src/tooling/build-plugin';

const PLUGIN = join(__dirname, '..', '..', 'plugin-photoshop');

test('the build produces a valid, loadable plugin folder and a .ccx', () => {
  const out = execFileSync(process.execPath, [join(PLUGIN, 'scripts', 'build.js')], { cwd: PLUGIN, encoding: 'utf8', timeout: 120_000, env: { ...process.env, SMARTDRAG_PORT: '7341' } });
  expect(out).toContain('plugin folder:');
  const dist = join(PLUGIN, 'dist');
  expect(validateFolder(dist)).toEqual({ errors: [], warnings: [] });
  const bundle = readFileSync(join(dist, 'index.js'), 'utf8');
  const requires = [...new Set([...bundle.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]))].sort();
  expect(requires).toEqual(['photoshop', 'uxp']); // host modules only: no node: builtins, no fs
  expect(bundle).toContain('ws://127.0.0.1:7341'); // the allowed domains are baked in for the settings check
  expect(readFileSync(join(dist, 'index.html'), 'utf8')).toContain('<script src="index.js"></script>');
  const pkg = JSON.parse(readFileSync(join(PLUGIN, 'package.json'), 'utf8')) as { version: string };
  const ccx = join(PLUGIN, 'build', `SmartDrag-${pkg.version}.ccx`);
  expect(existsSync(ccx)).toBe(true);
  expect(readFileSync(ccx).subarray(30, 30 + 'manifest.json'.length).toString()).toBe('manifest.json');
});

test('a plugin built for another port (SMARTDRAG_PORT) defaults its bridge URL to that port', () => {
  // The bundle alone, into a temporary folder (dist/ stays the default build).
  const out = mkdtempSync(join(tmpdir(), 'sd-ps-port-'));
  try {
    const script = `const webpack = require('webpack'); const c = require('./webpack.config.js'); c.output.path = ${JSON.stringify(out)};
      webpack(c, (e, s) => { if (e || s.hasErrors()) { console.error(e || s.toString()); process.exit(1); } });`;
    execFileSync(process.execPath, ['-e', script], { cwd: PLUGIN, encoding: 'utf8', timeout: 120_000, env: { ...process.env, SMARTDRAG_PORT: '9000' } });
    const bundle = readFileSync(join(out, 'index.js'), 'utf8');
    expect(bundle).toContain('ws://127.0.0.1:9000/v1/ws'); // the default URL (was 7341 whatever the build)
    expect(bundle).toContain('"ws://127.0.0.1:9000"'); // the allowed domains
    expect(bundle).not.toContain('"ws://127.0.0.1:7341"');
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}, 120_000);
