/**
 * Dev-only measurement (not a test): the playground's downloads in Chromium — PNG (util/png.ts,
 * streamed) against JPEG (util/encode-image.ts: the browser's encoder in a worker, quality 0.92,
 * an ICC profile put back) — through `CanvasHost.exportImage` on a synthetic photo-like image of
 * 24 and 48 MP: time, file size and the longest main-thread task while it ran (a task over 50 ms
 * is what freezes the page).
 *
 *   npx tsx test/photopea/download-bench.ts
 */
import sharp from 'sharp';
import { ensureBuilt, launchChromium, startBridge } from './harness';

async function main(): Promise<void> {
  process.env.CHROMIUM_PATH ??= '/tmp/chromium';
  await ensureBuilt();
  const icc = (await sharp(await sharp({ create: { width: 2, height: 2, channels: 3, background: '#888' } }).withIccProfile('p3').png().toBuffer()).metadata()).icc!;
  const [server, browser] = await Promise.all([startBridge(0), launchChromium()]);
  try {
    const page = await browser.newPage();
    await page.goto(`${server.origin}/`);
    await page.waitForSelector('[data-testid=status][data-state=connected]', { timeout: 30000 });
    for (const [w, h] of [[6000, 4000], [8000, 6000]] as const) {
      for (const format of ['png', 'jpeg'] as const) {
        const r = await page.evaluate(async ([W, H, fmt, profile]) => {
          const d = new Uint8ClampedArray(W * H * 4);
          let s = 1;
          for (let y = 0, i = 0; y < H; y++) for (let x = 0; x < W; x++, i += 4) {
            s = (s * 1103515245 + 12345) & 0x7fffffff;
            const n = (s >> 16) & 15;
            d[i] = (x * 255) / W + n; d[i + 1] = (y * 255) / H; d[i + 2] = ((x ^ y) & 63) + n; d[i + 3] = 255;
          }
          const host = (window as any).smartdrag.host;
          host.setImage('bench.jpg', { width: W, height: H, data: d }, { format: 'jpeg', icc: new Uint8Array(profile) });
          await new Promise((res) => setTimeout(res, 100));
          let longest = 0;
          const obs = new PerformanceObserver((l) => { for (const e of l.getEntries()) longest = Math.max(longest, e.duration); });
          obs.observe({ type: 'longtask', buffered: false });
          // A heartbeat: the longest gap between timer ticks is how long the page could not respond.
          let last = performance.now(), gap = 0;
          const beat = setInterval(() => { const t = performance.now(); gap = Math.max(gap, t - last); last = t; }, 10);
          const t0 = performance.now();
          const file = await host.exportImage(fmt);
          const t1 = performance.now();
          await new Promise((res) => setTimeout(res, 50));
          obs.disconnect();
          clearInterval(beat);
          return { ms: Math.round(t1 - t0), mb: +(file.bytes.length / 1e6).toFixed(1), longestTaskMs: Math.round(longest), gapMs: Math.round(gap), got: file.format };
        }, [w, h, format, Array.from(icc)] as const);
        process.stdout.write(`${w}x${h} (${Math.round((w * h) / 1e6)} MP) ${format} -> ${r.got}: ${r.ms} ms, ${r.mb} MB, longest main-thread task ${r.longestTaskMs} ms, longest gap between 10 ms timer ticks ${r.gapMs} ms\n`);
      }
    }
  } finally {
    await browser.close();
    await server.bridge.close();
  }
}

void main();
