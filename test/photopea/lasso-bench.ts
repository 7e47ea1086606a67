/**
 * Dev-only measurement (not a test): what closing a large lasso costs the playground's page thread
 * in Chromium on a 48 MP photo (an 8000×6000 JPEG of noise, made once with sharp in `--cache`,
 * default /tmp/sd-lasso-bench, opened with Open image…), as a user draws it with the real mouse: the sync time of the editor's pointer-up (the lasso's mask made
 * from its polygon, the view drawn with the regions' tint) and, inside it, of its renders and of
 * making the regions' tint in them (`tint`); the longest main-thread task around it. Each run is a fresh page; the median of `--runs` (default 5).
 *
 *   CHROMIUM_PATH=/tmp/chromium npx tsx test/photopea/lasso-bench.ts [--width 5000] [--runs 5] [--dist <pages build>]
 *
 * `--dist` serves another build of the pages (e.g. one of the previous commit's, to compare on one machine).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { arg } from '../../bench/args';
import type { Point } from '@smartdrag/shared';
import { ensureBuilt, launchChromium, startBridge } from './harness';
import { lassoOnPage, openFile, openPlayground } from './pages';
import { probeScript, sinceScript, type ProbeReading } from './main-thread-probe';

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** A hand-drawn-like loop `width` px wide (and 0.72 of that high) around (4000, 3000), `n` points. */
function loop(width: number, n: number): Point[] {
  const rx = width / 2, ry = 0.36 * width, pts: Point[] = [];
  for (let i = 0; i < n; i++) {
    const t = (2 * Math.PI * i) / n, w = 1 + 0.08 * Math.sin(5 * t);
    pts.push([Math.round(4000 + rx * w * Math.cos(t)), Math.round(3000 + ry * w * Math.sin(t))]);
  }
  return pts;
}

async function main(): Promise<void> {
  process.env.CHROMIUM_PATH ??= '/tmp/chromium';
  const width = Number(arg('width', '5000')), runs = Number(arg('runs', '5'));
  const dir = arg('cache', '/tmp/sd-lasso-bench');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'noise-8000x6000.jpg');
  if (!existsSync(file)) writeFileSync(file, await sharp({ create: { width: 8000, height: 6000, channels: 3, background: '#000', noise: { type: 'gaussian', mean: 128, sigma: 40 } } }).jpeg({ quality: 90 }).toBuffer());
  const dist = arg('dist');
  if (!dist) await ensureBuilt();
  const [server, browser] = await Promise.all([startBridge(0, dist), launchChromium()]);
  type Reading = ProbeReading & { up: number; renders: number[]; tints: number[] };
  const got: Reading[] = [];
  try {
    for (let run = 0; run < runs; run++) {
      const ctx = await browser.newContext({ viewport: { width: 1200, height: 900 } });
      const page = await openPlayground(ctx, server.origin);
      await openFile(page, file, 8000);
      await page.waitForFunction(() => !(window as any).smartdrag.panel.reading, undefined, { timeout: 120000, polling: 100 });
      await page.click('[data-testid=tool-lasso]');
      await page.waitForTimeout(500);
      await page.evaluate(probeScript([['sd.panel.editor', 'onUp', 'editor.onUp'], ['sd.panel.editor', 'render', 'editor.render'], ['sd.panel.editor', 'tint', 'editor.tint']]));
      const t0 = await page.evaluate(() => performance.now());
      await lassoOnPage(page, loop(width, 64));
      await page.waitForTimeout(300);
      // The pointer-up of the lasso, and the renders it made (its own time includes theirs).
      const r = await page.evaluate(sinceScript(t0, `
        const up = b.calls.filter((c) => c[0] === 'editor.onUp' && c[1] >= t0).pop();
        const within = (name) => up ? b.calls.filter((c) => c[0] === name && c[1] >= up[1] && c[1] < up[1] + up[2]).map((c) => Math.round(c[2])) : [];
        return { up: up ? Math.round(up[2]) : 0, renders: within('editor.render'), tints: within('editor.tint') };`)) as Reading;
      if (process.env.LASSO_BENCH_DETAIL) process.stdout.write(`  run ${run + 1}: ${r.detail}\n`);
      got.push(r);
      await ctx.close();
    }
  } finally {
    await browser.close();
    await server.bridge.close();
  }
  const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
  const up = median(got.map((g) => g.up)), renders = median(got.map((g) => sum(g.renders))), tints = median(got.map((g) => sum(g.tints)));
  process.stdout.write(`a lasso ${width} px wide on 8000x6000, median of ${runs}: pointer-up ${up} ms, of which its renders ${renders} ms `
    + `(in them, the regions' tint made: ${tints} ms; the rest, ${up - renders} ms: the mask from the polygon, the panel told); longest task ${median(got.map((g) => g.longestTask))} ms `
    + `[per run, pointer-up (renders; tint): ${got.map((g) => `${g.up} (${g.renders.join('+')}; ${sum(g.tints)})`).join(' ')}]\n`);
}

void main();
