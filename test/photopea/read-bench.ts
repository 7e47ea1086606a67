/**
 * Dev-only measurement (not a test): one Smart Drag on a large document in the Photopea simulator,
 * timing each host read the panel makes (export + decode of the document, the selection, the
 * refresh after the layer is added) and listing every export the simulator wrote. The reads are
 * what a large Photopea document makes users wait for (saveToOE encodes PNGs with UPNG.js).
 *
 *   npx tsx test/photopea/read-bench.ts [--width 6000] [--height 4000] [--dist <pages build>]
 *
 * `--dist` serves another build of the pages (e.g. an earlier version's, to compare on one machine).
 */
import { arg } from '../../bench/args';
import { smartiesAt } from '../helpers/smarties-at';
import { ensureBuilt, launchChromium, startBridge } from './harness';
import { dragOnEditor, openSimulator } from './pages';

async function main(): Promise<void> {
  const W = Number(arg('width', '6000')), H = Number(arg('height', '4000'));
  // The sample photo enlarged to W×H: a photo's content, at the size users open.
  const { png: doc, selection, drag } = await smartiesAt(W, H);
  const dist = arg('dist');
  if (!dist) await ensureBuilt();
  const [server, browser] = await Promise.all([startBridge(0, dist), launchChromium()]);
  try {
    const ctx = await browser.newContext({ viewport: { width: 1120, height: 800 } });
    const { page, frame } = await openSimulator(ctx, server.origin, '', { 'big.png': doc });
    await frame.waitForFunction(() => { const p = (window as any).smartdrag.panel; return p.editor.documentSize.width > 0 && !p.reading; }, undefined, { timeout: 120000 })
      .catch(async (e) => {
        console.error('start-up read did not finish:', await frame.textContent('[data-testid=message]'), await page.evaluate(() => JSON.stringify({ errors: (window as any).sim.errors, scripts: (window as any).sim.scripts.length, docs: (window as any).sim.docs.length })));
        throw e;
      });
    await page.evaluate((m) => (window as any).sim.setSelection(m), { ...selection, data: Array.from(selection.data) });
    // The user presses Read (the region comes from the selection), then draws the arrow.
    await frame.click('[data-testid=read]');
    await frame.waitForFunction(() => /selection/.test(document.querySelector('[data-testid=info]')!.textContent!), undefined, { timeout: 300000 });
    await frame.waitForFunction(() => !(window as any).smartdrag.panel.reading, undefined, { timeout: 300000 });
    await dragOnEditor(page, frame, drag[0]!, drag[1]!);
    await frame.selectOption('[data-testid=kind]', 'translate');
    // Time every host call of the Smart Drag.
    await frame.evaluate(() => {
      const w = window as any, host = w.smartdrag.host;
      w.__calls = [];
      for (const m of ['readDocument', 'readSelection', 'readPaths', 'addLayer', 'readArea']) {
        const f = host[m];
        if (typeof f !== 'function') continue;
        host[m] = async (...args: unknown[]) => {
          const t0 = performance.now();
          try { return await f.apply(host, args); } finally { w.__calls.push([m, Math.round(performance.now() - t0)]); }
        };
      }
    });
    // …and every script the host sends (what it does, and how long Photopea took).
    await frame.evaluate(() => {
      const w = window as any, client = w.smartdrag.client, call = client.call;
      w.__scripts = [];
      client.call = async (body: string, opts: unknown) => {
        const t0 = performance.now();
        try { return await call.call(client, body, opts); } finally {
          w.__scripts.push([/duplicate\(/.test(body) ? 'area export (duplicate, crop, saveToOE, close)' : /saveToOE/.test(body) ? 'whole-document export'
            : /artLayers\.add/.test(body) ? 'mask layer setup' : /__rm\(d,/.test(body) ? 'remove temporary layers' : /app\.open/.test(body) ? 'paste' : 'other',
          Math.round(performance.now() - t0)]);
        }
      };
    });
    const exportsBefore = await page.evaluate(() => (window as any).sim.exports.length as number);
    const t0 = Date.now();
    await frame.click('[data-testid=apply]');
    await frame.waitForSelector('[data-testid=message][data-result]', { timeout: 600000 });
    await frame.waitForFunction(() => !(window as any).smartdrag.panel.reading, undefined, { timeout: 600000 });
    const total = Date.now() - t0;
    const result = await frame.getAttribute('[data-testid=message]', 'data-result');
    const calls = await frame.evaluate(() => (window as any).__calls as [string, number][]);
    const exports = await page.evaluate((n) => (window as any).sim.exports.slice(n), exportsBefore);
    const layers = await page.evaluate(() => (window as any).sim.layerInfo().map((l: any) => `${l.name} ${l.bounds.join(',')}`));
    console.log(`document ${W}×${H}; result: ${result}; Smart Drag total ${total} ms (click to done)`);
    for (const [m, ms] of calls) console.log(`  ${m.padEnd(14)} ${String(ms).padStart(6)} ms`);
    const scripts = await frame.evaluate(() => (window as any).__scripts as [string, number][]);
    for (const [what, ms] of scripts.filter(([w]) => w !== 'other')) console.log(`    script: ${what} ${ms} ms`);
    const read = calls.filter(([m]) => m !== 'addLayer').reduce((a, [, ms]) => a + ms, 0);
    console.log(`  reads together ${read} ms`);
    for (const e of exports) console.log(`  export ${e.width}×${e.height} (${((e.width * e.height) / 1e6).toFixed(2)} MP) ${e.bytes} bytes`);
    console.log(`  layers: ${layers.join(' | ')}`);
    await ctx.close();
  } finally {
    await browser.close();
    await server.bridge.close();
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
