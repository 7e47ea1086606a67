#!/usr/bin/env node
/**
 * Peak memory of the Photoshop host adapter's capture over the fake Photoshop
 * (test/photoshop/fake-photoshop.ts) on a large document: a `W`×`H` RGBA layer (default 8660×5774,
 * 50 MP), a feathered selection over most of it and a short arrow, so the edit's area is the whole
 * document. After a full GC, the live ArrayBuffer bytes are sampled at every host call the capture
 * makes with image data (each getData once it resolved, each dispose before it runs) and once the
 * capture returned; the peak minus the bytes live before the capture (the fake's own document) is
 * what the capture held at most at those points. Image data the fake hands out counts as the
 * host's memory it stands for (getData returns a copy, as the fake assumes). Sampled at host calls
 * only, it does not see what the selection's split holds while it runs (pure JS between two
 * calls): selection-memory.js hooks every large allocation of the selection path for that.
 *
 *   node --expose-gc plugin-photoshop/scripts/capture-memory.js [W H] [--background]
 *
 * `--background`: the layer is a Background layer (getPixels gives 3 components).
 * `--time`: no sampling (each sample is a full GC); prints how long the capture took.
 */
require('tsx/cjs');
const { FakePhotoshop } = require('../../test/photoshop/fake-photoshop.ts');
const { createPhotoshopHost } = require('../src/host/photoshop-host.ts');

if (typeof global.gc !== 'function') throw new Error('run with node --expose-gc');
const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const W = Number(args[0] ?? 8660), H = Number(args[1] ?? 5774);
const background = process.argv.includes('--background');
const timeOnly = process.argv.includes('--time');

const MB = (b) => (b / 1e6).toFixed(0);
const live = () => { global.gc(); return process.memoryUsage().arrayBuffers; };

async function main() {
  const ps = new FakePhotoshop();
  const doc = ps.openDocument(W, H);
  const px = new Uint8ClampedArray(W * H * 4);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) { const i = (y * W + x) * 4; px[i] = x & 255; px[i + 1] = y & 255; px[i + 2] = 120; px[i + 3] = 255; }
  doc.addLayer(background ? 'Background' : 'Photo', px, { background });
  const sel = new Uint8Array(W * H);
  const cx = W / 2, cy = H / 2, rx = W * 0.47, ry = H * 0.47;
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
    const d = (1 - Math.hypot((x - cx) / rx, (y - cy) / ry)) * Math.min(rx, ry);
    sel[y * W + x] = Math.round(Math.max(0, Math.min(1, d / 16 + 0.5)) * 255);
  }
  doc.selectionMask = sel;
  doc.addPath('Work Path', 'workPath', [{ closed: false, points: [{ anchor: [cx, cy] }, { anchor: [cx + 40, cy] }] }]);

  const samples = [];
  const sample = (what) => samples.push({ what, bytes: live() });
  const wrap = (result, kind) => {
    const img = result.imageData, getData = img.getData.bind(img), dispose = img.dispose.bind(img);
    img.getData = async (o) => { const d = await getData(o); sample(`${kind} getData ${img.width}x${img.height}x${img.components}`); return d; };
    img.dispose = () => { if (!img.disposed) sample(`${kind} dispose`); dispose(); };
    return result;
  };
  const getPixels = ps.imaging.getPixels, getSelection = ps.imaging.getSelection;
  if (!timeOnly) {
    ps.imaging.getPixels = async (o) => wrap(await getPixels(o), 'getPixels');
    ps.imaging.getSelection = async (o) => wrap(await getSelection(o), 'getSelection');
  }

  const host = createPhotoshopHost({ photoshop: ps });
  const before = live();
  const rss0 = process.memoryUsage().rss;
  const t = performance.now();
  const cap = await host.capture({ kind: 'translate' });
  const ms = performance.now() - t;
  if (timeOnly) {
    console.log(`${W}x${H} ${background ? 'Background (RGB)' : 'pixel layer (RGBA)'}: capture ${(ms / 1000).toFixed(2)} s, ${ps.getPixelsLog.length} getPixels call(s)`);
    return;
  }
  sample('capture returned');
  const peak = samples.reduce((a, s) => (s.bytes > a.bytes ? s : a));
  const area = cap.image.width * cap.image.height;
  console.log(`${W}x${H} ${background ? 'Background (RGB)' : 'pixel layer (RGBA)'}: edit area ${cap.image.width}x${cap.image.height} (${(area / 1e6).toFixed(1)} MP, its RGBA ${MB(area * 4)} MB)`);
  console.log(`  getPixels calls: ${ps.getPixelsLog.length}; live ArrayBuffers before: ${MB(before)} MB`);
  console.log(`  peak held by the capture: ${MB(peak.bytes - before)} MB (at "${peak.what}"); after it returned: ${MB(samples[samples.length - 1].bytes - before)} MB; RSS grew ${MB(process.memoryUsage().rss - rss0)} MB`);
  if (process.env.VERBOSE) for (const s of samples) console.log(`    ${MB(s.bytes - before).padStart(5)} MB  ${s.what}`);
}
main().catch((e) => { console.error(e); process.exit(1); });
