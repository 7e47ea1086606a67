/**
 * Dev-only measurement (not a test): the playground's Download PNG in Chromium — the pages' own
 * encoder (`CanvasHost.exportPng`, util/png.ts) on a synthetic photo-like image of 6, 24 and 48 MP,
 * its time, file size and the longest main-thread task while it ran (a task over 50 ms is what
 * freezes the page).
 *
 *   npx tsx test/photopea/png-bench.ts
 */
import { ensureBuilt, launchChromium, startBridge } from './harness';

async function main(): Promise<void> {
  // The Chromium the tests use (jest's global setup unpacks @sparticuz/chromium to /tmp/chromium).
  process.env.CHROMIUM_PATH ??= '/tmp/chromium';
  await ensureBuilt();
  const [server, browser] = await Promise.all([startBridge(0), launchChromium()]);
  try {
    const page = await browser.newPage();
    await page.goto(`${server.origin}/`);
    await page.waitForSelector('[data-testid=status][data-state=connected]', { timeout: 30000 });
    for (const [w, h] of [[3000, 2000], [6000, 4000], [8000, 6000]] as const) {
      const r = await page.evaluate(async ([W, H]) => {
        const d = new Uint8ClampedArray(W * H * 4);
        let s = 1;
        for (let y = 0, i = 0; y < H; y++) for (let x = 0; x < W; x++, i += 4) {
          s = (s * 1103515245 + 12345) & 0x7fffffff;
          const n = (s >> 16) & 15;
          d[i] = (x * 255) / W + n; d[i + 1] = (y * 255) / H; d[i + 2] = ((x ^ y) & 63) + n; d[i + 3] = 255;
        }
        const host = (window as any).smartdrag.host;
        host.setImage('bench.png', { width: W, height: H, data: d });
        let longest = 0;
        const obs = new PerformanceObserver((l) => { for (const e of l.getEntries()) longest = Math.max(longest, e.duration); });
        obs.observe({ type: 'longtask', buffered: false });
        const t0 = performance.now();
        const png: Uint8Array = await host.exportPng();
        const t1 = performance.now();
        await new Promise((res) => setTimeout(res, 50));
        obs.disconnect();
        return { ms: Math.round(t1 - t0), mb: +(png.length / 1e6).toFixed(1), longestTaskMs: Math.round(longest) };
      }, [w, h] as const);
      process.stdout.write(`${w}x${h} (${Math.round((w * h) / 1e6)} MP): ${r.ms} ms, ${r.mb} MB, longest main-thread task ${r.longestTaskMs} ms\n`);
    }
  } finally {
    await browser.close();
    await server.bridge.close();
  }
}

void main();
