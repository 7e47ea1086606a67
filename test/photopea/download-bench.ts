/**
 * Dev-only measurement (not a test): the playground's downloads in Chromium — PNG (util/png.ts,
 * streamed) against JPEG and WebP (util/encode-image.ts: the browser's encoder in a worker,
 * quality 0.92, an ICC profile and a camera's EXIF put back) — through `CanvasHost.exportImage` on
 * a synthetic photo-like image of 24 and 48 MP: time, the time of each stage the page shows
 * (copying the pixels to the worker, flattening, encoding, writing the profile and EXIF; PNG's
 * encoding), file size and the longest main-thread task while it ran (a task over 50 ms is what
 * freezes the page). "jpeg+alpha" has transparent pixels (flattened onto white first).
 *
 *   npx tsx test/photopea/download-bench.ts
 */
import sharp from 'sharp';
import { ensureBuilt, launchChromium, startBridge } from './harness';
import { buildTiff, cameraTiff } from '../../plugin-photopea/src/util/test-exif';

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
      const exif = buildTiff(cameraTiff(false, 1, w, h, new Uint8Array(8000).fill(0x55)));
      for (const kind of ['png', 'jpeg', 'jpeg+alpha', 'webp'] as const) {
        const r = await page.evaluate(async ([W, H, k, profile, tiff]) => {
          const d = new Uint8ClampedArray(W * H * 4);
          let s = 1;
          for (let y = 0, i = 0; y < H; y++) for (let x = 0; x < W; x++, i += 4) {
            s = (s * 1103515245 + 12345) & 0x7fffffff;
            const n = (s >> 16) & 15;
            d[i] = (x * 255) / W + n; d[i + 1] = (y * 255) / H; d[i + 2] = ((x ^ y) & 63) + n; d[i + 3] = k === 'jpeg+alpha' && x < W / 4 ? 128 : 255;
          }
          const fmt = k === 'jpeg+alpha' ? 'jpeg' : k;
          const host = (window as any).smartdrag.host;
          host.setImage(`bench.${fmt === 'jpeg' ? 'jpg' : fmt}`, { width: W, height: H, data: d }, { format: fmt, icc: new Uint8Array(profile), exif: new Uint8Array(tiff) });
          await new Promise((res) => setTimeout(res, 100));
          let longest = 0;
          const obs = new PerformanceObserver((l) => { for (const e of l.getEntries()) longest = Math.max(longest, e.duration); });
          obs.observe({ type: 'longtask', buffered: false });
          // A heartbeat: the longest gap between timer ticks is how long the page could not respond.
          let last = performance.now(), gap = 0;
          const beat = setInterval(() => { const t = performance.now(); gap = Math.max(gap, t - last); last = t; }, 10);
          // When each stage began.
          const stages: [string, number][] = [];
          const t0 = performance.now();
          const file = await host.exportImage(fmt, (p: { stage: string }) => { if (stages.at(-1)?.[0] !== p.stage) stages.push([p.stage, performance.now()]); });
          const t1 = performance.now();
          // What the page does after: the download's blob.
          const blob = new Blob([file.bytes], { type: file.type });
          const t2 = performance.now();
          await new Promise((res) => setTimeout(res, 50));
          obs.disconnect();
          clearInterval(beat);
          const spans = stages.map(([name, t], i) => `${name} ${Math.round((stages[i + 1]?.[1] ?? t1) - t)}`).join(', ');
          return { ms: Math.round(t1 - t0), before: Math.round((stages[0]?.[1] ?? t1) - t0), spans, blobMs: Math.round(t2 - t1), mb: +(blob.size / 1e6).toFixed(1), longestTaskMs: Math.round(longest), gapMs: Math.round(gap), got: file.format, exif: !file.exifLeftOut };
        }, [w, h, kind, Array.from(icc), Array.from(exif)] as const);
        process.stdout.write(`${w}x${h} (${Math.round((w * h) / 1e6)} MP) ${kind} -> ${r.got}: ${r.ms} ms (first stage after ${r.before} ms; ${r.spans}; blob ${r.blobMs} ms), ${r.mb} MB, EXIF ${r.exif ? 'in' : 'left out'}, longest main-thread task ${r.longestTaskMs} ms, longest gap between 10 ms timer ticks ${r.gapMs} ms\n`);
      }
    }
  } finally {
    await browser.close();
    await server.bridge.close();
  }
}

void main();
