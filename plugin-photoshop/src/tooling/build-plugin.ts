/**
 * The plugin build: webpack bundle -> dist/ (index.js, index.html, manifest.json, icons) ->
 * offline manifest validation -> build/SmartDrag-<version>.ccx (a zip with manifest.json at its
 * root, which Creative Cloud installs on double-click). Node only.
 */
import { copyFileSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { DEFAULT_PORT } from '@smartdrag/shared';
import { createManifest, ICONS, validateManifest, type ManifestReport } from './manifest';
import { drawIcon, encodePngRgba } from './png';
import { createZip, type ZipEntry } from './zip';

const ROOT = resolve(__dirname, '..', '..');

/** Write manifest.json, index.html and icons into `dist`. */
export function writeStatic(dist: string, opts: { version: string; port: number }): void {
  mkdirSync(join(dist, 'icons'), { recursive: true });
  writeFileSync(join(dist, 'manifest.json'), `${JSON.stringify(createManifest(opts), null, 2)}\n`);
  copyFileSync(join(ROOT, 'static', 'index.html'), join(dist, 'index.html'));
  for (const icon of Object.values(ICONS)) {
    for (const scale of [1, 2]) {
      const size = icon.size * scale;
      const png = encodePngRgba(size, size, drawIcon(size, 'dark'));
      // With "scale": [1, 2] Photoshop loads <name>@1x.png and <name>@2x.png (the layout of every
      // AdobeDocs/uxp-photoshop-plugin-samples icons/ folder); the bare name is kept as well.
      writeFileSync(join(dist, icon.path.replace('.png', `@${scale}x.png`)), png);
      if (scale === 1) writeFileSync(join(dist, icon.path), png);
    }
  }
}

/** Validate the manifest of a plugin folder (files included). */
export function validateFolder(dir: string): ManifestReport {
  let m: unknown;
  try {
    m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  } catch (e) {
    return { errors: [`cannot read ${join(dir, 'manifest.json')}: ${(e as Error).message}`], warnings: [] };
  }
  return validateManifest(m, dir);
}

function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...listFiles(full));
    else out.push(full);
  }
  return out;
}

/** Zip a plugin folder into a .ccx (manifest.json first, at the root). */
export function packCcx(dir: string, outFile: string): number {
  const files = listFiles(dir).filter((f) => !f.endsWith('.map'));
  const entries: ZipEntry[] = files
    .map((f) => ({ path: relative(dir, f).split('\\').join('/'), data: new Uint8Array(readFileSync(f)) }))
    .sort((a, b) => (a.path === 'manifest.json' ? -1 : b.path === 'manifest.json' ? 1 : a.path.localeCompare(b.path)));
  const zip = createZip(entries);
  mkdirSync(dirname(outFile), { recursive: true });
  writeFileSync(outFile, zip);
  return zip.length;
}

async function runWebpack(): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const webpack = require('webpack') as typeof import('webpack');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const config = require(join(ROOT, 'webpack.config.js'));
  await new Promise<void>((res, rej) => {
    webpack(config, (err, stats) => {
      if (err) return rej(err);
      if (stats?.hasErrors()) return rej(new Error(stats.toString({ all: false, errors: true })));
      res();
    });
  });
}

function print(report: ManifestReport): void {
  for (const w of report.warnings) console.warn(`manifest warning: ${w}`);
  for (const e of report.errors) console.error(`manifest error: ${e}`);
}

/** CLI: build everything. Flags: --no-bundle (static files + package only, for tests). */
export async function main(argv: string[] = []): Promise<void> {
  const t0 = Date.now();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const pkg = require(join(ROOT, 'package.json')) as { version: string };
  const port = Number(process.env.SMARTDRAG_PORT || DEFAULT_PORT);
  const dist = join(ROOT, 'dist');
  if (!argv.includes('--no-bundle')) await runWebpack();
  writeStatic(dist, { version: pkg.version, port });
  const report = validateFolder(dist);
  print(report);
  if (report.errors.length) throw new Error(`manifest invalid (${report.errors.length} errors)`);
  const ccx = join(ROOT, 'build', `SmartDrag-${pkg.version}.ccx`);
  const bytes = packCcx(dist, ccx);
  console.log(`plugin folder: ${dist}  (load it with the UXP Developer Tool: Add Plugin -> manifest.json)`);
  console.log(`package:       ${ccx}  (${bytes} bytes; double-click to install)`);
  console.log(`network:       ws/http 127.0.0.1:${port} and localhost:${port}; built in ${Date.now() - t0} ms`);
}

/** CLI: validate a folder; exit code 0 when valid. */
export async function validateCli(argv: string[]): Promise<number> {
  const dir = resolve(argv[0] ?? join(ROOT, 'dist'));
  const report = validateFolder(dir);
  print(report);
  console.log(report.errors.length ? `${dir}: INVALID` : `${dir}: manifest valid (${report.warnings.length} warnings)`);
  return report.errors.length ? 1 : 0;
}
