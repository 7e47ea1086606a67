/**
 * Dev-only measurement (not a test): how long the playground's page could not respond in Chromium
 * around a lasso and an arrow (until their live preview is shown), a Smart Drag's result, an Undo
 * and a Redo on a large photo (a 48 MP JPEG by default, synthetic photo-like pixels with a red
 * disc that is lassoed and moved), as a user does them (Open image…, lasso, arrow, Smart Drag,
 * Undo, Redo with the real mouse and buttons). For each step: the longest main-thread task
 * (long-task observer) and the longest gap between 10 ms timer ticks (a heartbeat, the measure to
 * read), from the click until the page is settled again (the result or the undone image shown,
 * the live preview Undo and Redo bring made), and where the main thread went: the sync time of the page's own steps that may be long (the host's addLayer, undo
 * and redo, the editor's setDocument and render, the preview proxy of the document), each as
 * `name total/count`. Each run is a fresh page; the median of `--runs` (default 3) is printed
 * (`UNDO_BENCH_DETAIL=1`: each run's tasks and steps). The file is made once with sharp, in
 * `--cache` (default /tmp/sd-undo-bench).
 *
 *   CHROMIUM_PATH=/tmp/chromium npx tsx test/photopea/undo-bench.ts [--mp 48|24] [--runs 3] [--dist <pages build>]
 *
 * `--dist` serves another build of the pages (e.g. one of the previous commit's, to compare on one machine).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { arg } from '../../bench/args';
import type { Page } from 'playwright-core';
import type { Point } from '@smartdrag/shared';
import { ensureBuilt, launchChromium, startBridge } from './harness';
import { lassoRingAndDrag, previewsSettled } from './pages';
import { probeScript, sinceScript, type ProbeReading } from './main-thread-probe';

/** Photo-like pixels (gradients, texture, noise) with a red disc of radius `r` at `c`, RGB. */
function scene(w: number, h: number, c: Point, r: number): Buffer {
  const d = Buffer.alloc(w * h * 3);
  let s = 1;
  for (let y = 0, i = 0; y < h; y++) for (let x = 0; x < w; x++, i += 3) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    const n = (s >> 16) & 15;
    if ((x - c[0]) ** 2 + (y - c[1]) ** 2 <= r * r) { d[i] = 210 + n; d[i + 1] = 40; d[i + 2] = 45; continue; }
    d[i] = Math.min(255, (x * 160) / w + 40 + n); d[i + 1] = (y * 160) / h + 40; d[i + 2] = ((x ^ y) & 63) + 90 + n;
  }
  return d;
}

type Step = ProbeReading;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Install the observers and the wrappers of the page's steps (once per page). */
async function instrument(page: Page): Promise<void> {
  await page.evaluate(probeScript([
    ['sd.host', 'addLayer', 'host.addLayer'], ['sd.host', 'undo', 'host.undo'], ['sd.host', 'redo', 'host.redo'],
    ['sd.panel.editor', 'setDocument', 'editor.setDocument'], ['sd.panel.editor', 'updateDocument', 'editor.updateDocument'],
    ['sd.panel.editor', 'render', 'editor.render'], ['sd.panel.proxyCache', 'image', 'proxy image'], ['sd.panel', 'buildRequest', 'panel.buildRequest'],
  ]));
}

/** The longest task and gap, and the steps' time, from `t0` until now. */
async function since(page: Page, t0: number): Promise<Step> {
  return page.evaluate(sinceScript(t0)) as Promise<Step>;
}

const now = (page: Page): Promise<number> => page.evaluate(() => performance.now());

/** Click `testid` and wait until the page has settled: no job, read or preview left, and `done` true. */
async function clickAndSettle(page: Page, testid: string, done: string): Promise<Step> {
  const t0 = await now(page);
  await page.click(`[data-testid=${testid}]`);
  await page.waitForFunction(done, undefined, { timeout: 300000, polling: 100 });
  await previewsSettled(page);
  await page.waitForTimeout(300);
  return since(page, t0);
}

async function main(): Promise<void> {
  process.env.CHROMIUM_PATH ??= '/tmp/chromium';
  const mp = Number(arg('mp', '48')), runs = Number(arg('runs', '3'));
  const [w, h] = mp >= 40 ? [8000, 6000] : [6000, 4000];
  const k = w / 8000, c: Point = [Math.round(3000 * k), Math.round(2500 * k)], r = Math.round(400 * k), to: Point = [Math.round(4800 * k), Math.round(3900 * k)];
  const dir = arg('cache', '/tmp/sd-undo-bench');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `disc-${w}x${h}.jpg`);
  if (!existsSync(file)) writeFileSync(file, await sharp(scene(w, h, c, r), { raw: { width: w, height: h, channels: 3 } }).jpeg({ quality: 92 }).toBuffer());
  const dist = arg('dist');
  if (!dist) await ensureBuilt();
  const [server, browser] = await Promise.all([startBridge(0, dist), launchChromium()]);
  const got: Record<'lasso' | 'apply' | 'undo' | 'redo', Step[]> = { lasso: [], apply: [], undo: [], redo: [] };
  try {
    for (let run = 0; run < runs; run++) {
      const ctx = await browser.newContext({ viewport: { width: 1200, height: 900 } });
      const page = await ctx.newPage();
      await page.goto(`${server.origin}/`);
      await page.waitForSelector('[data-testid=status][data-state=connected]', { timeout: 30000 });
      await page.setInputFiles('[data-testid=open-file]', file);
      await page.waitForFunction((sw) => { const p = (window as any).smartdrag.panel; return p.editor.documentSize.width === sw && !p.reading; }, w, { timeout: 300000, polling: 100 });
      await instrument(page);
      await page.selectOption('[data-testid=kind]', 'translate');
      const tl = await now(page);
      await lassoRingAndDrag(page, c, r + 120, to);
      await previewsSettled(page);
      await page.waitForTimeout(300);
      got.lasso.push(await since(page, tl));
      got.apply.push(await clickAndSettle(page, 'apply', '(() => { const sd = window.smartdrag; return sd.host.layers.length === 1 && !sd.panel.job; })()'));
      got.undo.push(await clickAndSettle(page, 'undo', '(() => { const sd = window.smartdrag; return sd.host.layers.length === 0 && !!sd.panel.editor.movedPolygons; })()'));
      got.redo.push(await clickAndSettle(page, 'redo', '(() => window.smartdrag.host.layers.length === 1)()'));
      if (process.env.UNDO_BENCH_DETAIL) for (const s of ['lasso', 'apply', 'undo', 'redo'] as const) process.stdout.write(`  run ${run + 1} ${s}: ${got[s][run]!.detail}\n`);
      await ctx.close();
    }
  } finally {
    await browser.close();
    await server.bridge.close();
  }
  process.stdout.write(`${w}x${h} (${Math.round((w * h) / 1e6)} MP JPEG), median of ${runs}:\n`);
  for (const s of ['lasso', 'apply', 'undo', 'redo'] as const) {
    const xs = got[s];
    const names = [...new Set(xs.flatMap((x) => Object.keys(x.steps)))].sort();
    const steps = names.map((n) => `${n} ${median(xs.map((x) => x.steps[n]?.[0] ?? 0))}/${median(xs.map((x) => x.steps[n]?.[1] ?? 0))}`).join(', ');
    process.stdout.write(`  ${s === 'lasso' ? 'Lasso and arrow (to the live preview)' : s === 'apply' ? 'Smart Drag' : s === 'undo' ? 'Undo' : 'Redo'}: longest task ${median(xs.map((x) => x.longestTask))} ms, longest gap ${median(xs.map((x) => x.gap))} ms [runs: ${xs.map((x) => `${x.longestTask}/${x.gap}`).join(' ')}]; steps (ms total/calls): ${steps}\n`);
  }
}

void main();
