/**
 * Dev-only measurement (not a test): opening a large photo in the playground in Chromium (Open
 * image…, as a user does) — a phone JPEG (Display P3, EXIF Orientation 6), a WebP, an opaque PNG,
 * a PNG with transparency, a 16-bit PNG and a palette PNG with transparency, synthetic photo-like
 * pixels of 24 or 48 MP — and how long the page could not respond meanwhile: the longest
 * main-thread task (long-task observer) and the longest gap between 10 ms timer ticks (a
 * heartbeat), for the whole open, while the file was read and decoded, and from the moment the
 * decoded pixels became the document (the panel drawing them, `ArrowEditor.setDocument`, timed on
 * its own). The heartbeat is the measure to read: Chromium's long-task observer missed the ~1 s
 * `getImageData` task of the old decoder on a JPEG. Each file is opened `--runs` times (default 3)
 * in a fresh page; the median is printed (`OPEN_BENCH_DETAIL=1`: each run's tasks and gaps). Files
 * are made once with sharp and kept in `--cache` (default /tmp/sd-open-bench).
 *
 *   CHROMIUM_PATH=/tmp/chromium npx tsx test/photopea/open-bench.ts [--mp 48|24] [--runs 3] [--only jpeg,png-alpha] [--dist <pages build>]
 *
 * `--dist` serves another build of the pages (e.g. one of the previous commit's, to compare on one machine).
 */
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { arg } from '../../bench/args';
import { ensureBuilt, launchChromium, startBridge } from './harness';
import { buildTiff, cameraTiff } from '../../plugin-photopea/src/util/test-exif';

/** Synthetic photo-like pixels (gradients, texture, noise), `channels` 3 or 4 (alpha: a soft left quarter). */
function photo(w: number, h: number, channels: 3 | 4): Buffer {
  const d = Buffer.alloc(w * h * channels);
  let s = 1;
  for (let y = 0, i = 0; y < h; y++) for (let x = 0; x < w; x++, i += channels) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    const n = (s >> 16) & 15;
    d[i] = Math.min(255, (x * 255) / w + n); d[i + 1] = (y * 255) / h; d[i + 2] = ((x ^ y) & 63) + n;
    if (channels === 4) d[i + 3] = x < w / 4 ? Math.round((x * 255) / (w / 4)) : 255;
  }
  return d;
}

type Kind = 'jpeg' | 'webp' | 'png' | 'png-alpha' | 'png16' | 'png-palette';
const KINDS: Kind[] = ['jpeg', 'webp', 'png', 'png-alpha', 'png16', 'png-palette'];
const EXT: Record<Kind, string> = { jpeg: 'jpg', webp: 'webp', png: 'png', 'png-alpha': 'png', png16: 'png', 'png-palette': 'png' };

/** The file of `kind` at w×h (made once). JPEG: stored 90° turned, EXIF Orientation 6 (opens h×w). */
async function fileOf(dir: string, kind: Kind, w: number, h: number): Promise<string> {
  const file = join(dir, `${kind}-${w}x${h}.${EXT[kind]}`);
  if (existsSync(file)) return file;
  const rgb = { raw: { width: w, height: h, channels: 3 as const } }, rgba = { raw: { width: w, height: h, channels: 4 as const } };
  let out: Buffer;
  switch (kind) {
    case 'jpeg': {
      const plain = await sharp(photo(w, h, 3), rgb).withIccProfile('p3').jpeg({ quality: 92 }).toBuffer();
      const tiff = buildTiff(cameraTiff(false, 6, w, h, new Uint8Array(8000).fill(0x55)));
      const body = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]);
      out = Buffer.concat([plain.subarray(0, 2), Buffer.from([0xff, 0xe1, (body.length + 2) >> 8, (body.length + 2) & 255]), body, plain.subarray(2)]);
      break;
    }
    case 'webp': out = await sharp(photo(w, h, 3), rgb).webp({ quality: 92, effort: 0 }).toBuffer(); break;
    case 'png': out = await sharp(photo(w, h, 3), rgb).png({ compressionLevel: 1 }).toBuffer(); break;
    case 'png-alpha': out = await sharp(photo(w, h, 4), rgba).png({ compressionLevel: 1 }).toBuffer(); break;
    case 'png16': out = await sharp(photo(w, h, 3), rgb).toColourspace('rgb16').png({ compressionLevel: 1 }).toBuffer(); break;
    case 'png-palette': out = await sharp(photo(w, h, 4), rgba).png({ palette: true, colours: 200, dither: 0, compressionLevel: 1 }).toBuffer(); break;
  }
  writeFileSync(file, out);
  return file;
}

interface Run { ms: number; longestTask: number; gap: number; decodeGap: number; showLongestTask: number; showGap: number; setDocumentMs: number }

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  process.env.CHROMIUM_PATH ??= '/tmp/chromium';
  const mp = Number(arg('mp', '48')), runs = Number(arg('runs', '3'));
  const [w, h] = mp >= 40 ? [8000, 6000] : mp >= 20 ? [6000, 4000] : [Math.round(Math.sqrt(mp * 1.5e6)), Math.round(Math.sqrt(mp * 1e6 / 1.5))];
  const only = arg('only')?.split(',') as Kind[] | undefined;
  const dir = arg('cache', '/tmp/sd-open-bench');
  mkdirSync(dir, { recursive: true });
  const dist = arg('dist');
  if (!dist) await ensureBuilt();
  const [server, browser] = await Promise.all([startBridge(0, dist), launchChromium()]);
  try {
    for (const kind of only ?? KINDS) {
      const file = await fileOf(dir, kind, w, h);
      const shownW = kind === 'jpeg' ? h : w;
      const got: Run[] = [];
      for (let r = 0; r < runs; r++) {
        const ctx = await browser.newContext({ viewport: { width: 1200, height: 900 } });
        const page = await ctx.newPage();
        await page.goto(`${server.origin}/`);
        await page.waitForSelector('[data-testid=status][data-state=connected]', { timeout: 30000 });
        await page.evaluate(() => {
          const w = window as any, sd = w.smartdrag;
          const b = w.__bench = { tasks: [] as [number, number][], beats: [] as [number, number][], shownAt: 0, setDocumentMs: 0, t0: 0 };
          new PerformanceObserver((l) => { for (const e of l.getEntries()) b.tasks.push([e.startTime, e.duration]); }).observe({ type: 'longtask', buffered: false });
          let last = performance.now();
          setInterval(() => { const t = performance.now(); b.beats.push([last, t - last]); last = t; }, 10);
          // The moment the decoded pixels become the document, and the panel's drawing of them.
          sd.host.onChange(() => { if (!b.shownAt) b.shownAt = performance.now(); });
          const ed = sd.panel.editor, set = ed.setDocument.bind(ed);
          ed.setDocument = (img: unknown) => { const t = performance.now(); set(img); b.setDocumentMs += performance.now() - t; };
        });
        await page.waitForTimeout(300);
        await page.evaluate(() => { (window as any).__bench.t0 = performance.now(); });
        await page.setInputFiles('[data-testid=open-file]', file);
        await page.waitForFunction((sw) => { const p = (window as any).smartdrag.panel; return p.editor.documentSize.width === sw && !p.reading; }, shownW, { timeout: 300000, polling: 100 });
        await page.waitForTimeout(200);
        // (A string: tsx names the arrow functions of a function given to evaluate with a helper the page lacks.)
        const run = await page.evaluate(`(() => {
          const b = window.__bench;
          const end = b.shownAt + b.setDocumentMs + 1;
          // A task or gap counts when it ends after the open began (t0), or after the pixels became the document (shownAt).
          function longest(xs, from) { return Math.round(Math.max(0, ...xs.filter((x) => x[0] + x[1] > from).map((x) => x[1]))); }
          // Before: the gaps that ended before the pixels became the document (reading and decoding the file).
          const before = b.beats.filter((x) => x[0] + x[1] <= b.shownAt);
          return { ms: Math.round(end - b.t0), longestTask: longest(b.tasks, b.t0), gap: longest(b.beats, b.t0), decodeGap: longest(before, b.t0), showLongestTask: longest(b.tasks, b.shownAt), showGap: longest(b.beats, b.shownAt), setDocumentMs: Math.round(b.setDocumentMs),
            detail: 'tasks ' + b.tasks.filter((x) => x[0] + x[1] > b.t0).map((x) => Math.round(x[0] - b.t0) + '+' + Math.round(x[1])).join(' ') + '; gaps ' + b.beats.filter((x) => x[0] + x[1] > b.t0 && x[1] > 50).map((x) => Math.round(x[0] - b.t0) + '+' + Math.round(x[1])).join(' ') + '; shown at ' + Math.round(b.shownAt - b.t0) };
        })()`) as Run & { detail: string };
        if (process.env.OPEN_BENCH_DETAIL) process.stdout.write(`  ${run.detail}\n`);
        got.push(run);
        await ctx.close();
      }
      const m = (k: keyof Run) => median(got.map((g) => g[k]));
      process.stdout.write(`${kind} ${w}x${h} (${Math.round((w * h) / 1e6)} MP, ${(statSync(file).size / 1e6).toFixed(1)} MB): open ${m('ms')} ms; longest main-thread task ${m('longestTask')} ms, longest gap between 10 ms ticks ${m('gap')} ms (${m('decodeGap')} ms while the file was read and decoded); then from the pixels becoming the document: task ${m('showLongestTask')} ms, gap ${m('showGap')} ms (the panel drawing them, ArrowEditor.setDocument, ${m('setDocumentMs')} ms)  [runs: ${got.map((g) => `${g.longestTask}/${g.gap}`).join(' ')}]\n`);
    }
  } finally {
    await browser.close();
    await server.bridge.close();
  }
}

void main();
