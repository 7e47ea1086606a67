/**
 * `npm run build -w @smartdrag/plugin-photoshop` yields a loadable plugin folder: a bundle that
 * only requires host modules, index.html loading it, a manifest that validates offline, and a
 * .ccx with the manifest at its root.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
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
