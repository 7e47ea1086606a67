/**
 * Dev-only measurement (not a test): how long the Photopea plugin page could not respond in
 * Chromium while a Smart Drag's result is added to a large document in the Photopea simulator and
 * the panel takes it into its copy of the document and its thumbnail (PlacedLayer.plainTop: the
 * panel composites the layer's box itself; `--query '&groups=1&move=0'`: it reads the box back
 * with readArea). The sample photo is enlarged to `--width`×`--height` (default 8000×6000, 48 MP);
 * the red candy is selected in "Photopea", Read, an arrow drawn, Smart Drag pressed. From the
 * click until the result is said and no read is left: the longest main-thread task of the plugin
 * page (long-task observer), the longest gap between its 10 ms timer ticks, and where its thread
 * went, `name total/count` (host.addLayer and readArea — their waits on Photopea are not the page's
 * thread —, the editor's setDocument, updateDocument and render). Each run is a fresh page; the
 * median of `--runs` (default 3) is printed (`BENCH_DETAIL=1`: each run's tasks and steps).
 *
 *   CHROMIUM_PATH=/tmp/chromium npx tsx test/photopea/photopea-result-bench.ts [--width 8000] [--height 6000] [--runs 3] [--query '&groups=1&move=0'] [--dist <pages build>]
 *
 * `--dist` serves another build of the pages (e.g. one of the previous commit's, to compare on one machine).
 */
import type { Frame } from 'playwright-core';
import { arg } from '../../bench/args';
import { smartiesAt } from '../helpers/smarties-at';
import { ensureBuilt, launchChromium, startBridge } from './harness';
import { dragOnEditor, openSimulator } from './pages';
import { probeScript, sinceScript, type ProbeReading } from './main-thread-probe';

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
interface Run extends ProbeReading { afterTask: number; afterGap: number }

async function instrument(frame: Frame): Promise<void> {
  // (Only this page's own tasks: where the simulator's page shares its process, its tasks are reported too, apart.)
  await frame.evaluate(probeScript([
    ['sd.host', 'addLayer', 'host.addLayer (sync part)'], ['sd.host', 'readArea', 'host.readArea (sync part)'],
    ['sd.host', 'readDocument', 'host.readDocument (sync part)'], ['sd.panel', 'updateAfterAdd', 'panel.updateAfterAdd (sync part)'],
    ['sd.panel.editor', 'setDocument', 'editor.setDocument'], ['sd.panel.editor', 'updateDocument', 'editor.updateDocument'],
    ['sd.panel.editor', 'render', 'editor.render'],
  ], true));
}

async function since(frame: Frame, t0: number): Promise<Run> {
  // From when the panel began taking the added layer in (the tasks that end after it).
  return frame.evaluate(sinceScript(t0, `
    const add = b.calls.find((c) => c[1] >= t0 && c[0].startsWith('panel.updateAfterAdd'));
    const ta = add ? add[1] : Infinity;
    return { afterTask: longest(b.tasks, ta), afterGap: longest(b.beats, ta) };`)) as Promise<Run>;
}

async function main(): Promise<void> {
  process.env.CHROMIUM_PATH ??= '/tmp/chromium';
  const W = Number(arg('width', '8000')), H = Number(arg('height', '6000')), runs = Number(arg('runs', '3')), query = arg('query', '');
  const { png: doc, selection, drag } = await smartiesAt(W, H);
  const dist = arg('dist');
  if (!dist) await ensureBuilt();
  const [server, browser] = await Promise.all([startBridge(0, dist), launchChromium()]);
  const got: Run[] = [];
  try {
    for (let run = 0; run < runs; run++) {
      const ctx = await browser.newContext({ viewport: { width: 1120, height: 800 } });
      const { page, frame } = await openSimulator(ctx, server.origin, query, { 'big.png': doc });
      await frame.waitForFunction(() => { const p = (window as any).smartdrag.panel; return p.editor.documentSize.width > 0 && !p.reading && !p.editor.drawing; }, undefined, { timeout: 300000, polling: 100 });
      await page.evaluate((m) => (window as any).sim.setSelection(m), { ...selection, data: Array.from(selection.data) });
      await frame.click('[data-testid=read]');
      await frame.waitForFunction(() => /selection/.test(document.querySelector('[data-testid=info]')!.textContent!), undefined, { timeout: 300000 });
      await frame.waitForFunction(() => { const p = (window as any).smartdrag.panel; return !p.reading && !p.editor.drawing; }, undefined, { timeout: 300000, polling: 100 });
      await frame.selectOption('[data-testid=kind]', 'translate');
      await dragOnEditor(page, frame, drag[0]!, drag[1]!);
      await frame.waitForTimeout(500);
      await instrument(frame);
      const exportsBefore = await page.evaluate(() => (window as any).sim.exports.length as number);
      const t0 = await frame.evaluate(() => performance.now());
      await frame.click('[data-testid=apply]');
      await frame.waitForSelector('[data-testid=message][data-result]', { timeout: 600000 });
      await frame.waitForFunction(() => { const p = (window as any).smartdrag.panel; return !p.reading && !p.job && !p.editor.drawing; }, undefined, { timeout: 600000, polling: 100 });
      await frame.waitForTimeout(300);
      const r = await since(frame, t0);
      const exports = await page.evaluate((n) => (window as any).sim.exports.slice(n).map((e: any) => `${e.width}x${e.height}`), exportsBefore);
      const message = await frame.textContent('[data-testid=message]');
      r.detail += `; exports after the click: ${exports.join(' ') || 'none'}; message: ${message}`;
      got.push(r);
      if (process.env.BENCH_DETAIL) process.stdout.write(`  run ${run + 1}: ${r.detail}\n`);
      await ctx.close();
    }
  } finally {
    await browser.close();
    await server.bridge.close();
  }
  const names = [...new Set(got.flatMap((x) => Object.keys(x.steps)))].sort();
  const steps = names.map((n) => `${n} ${median(got.map((x) => x.steps[n]?.[0] ?? 0))}/${median(got.map((x) => x.steps[n]?.[1] ?? 0))}`).join(', ');
  process.stdout.write(`Photopea simulator ${W}x${H} (${Math.round((W * H) / 1e6)} MP)${query ? ` ${query}` : ''}, Smart Drag result added, median of ${runs}: after the layer was added (the panel taking it in): longest task ${median(got.map((x) => x.afterTask))} ms, longest gap ${median(got.map((x) => x.afterGap))} ms [runs: ${got.map((x) => `${x.afterTask}/${x.afterGap}`).join(' ')}]; click to done (the layer's PNG made and pasted too): longest task ${median(got.map((x) => x.longestTask))} ms, longest gap ${median(got.map((x) => x.gap))} ms [runs: ${got.map((x) => `${x.longestTask}/${x.gap}`).join(' ')}]; steps (ms total/calls): ${steps}\n`);
}

main().catch((e) => { console.error(e); process.exit(1); });
