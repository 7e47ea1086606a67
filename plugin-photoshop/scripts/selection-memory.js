#!/usr/bin/env node
/**
 * Peak memory and time of the Photoshop host adapter's SELECTION path over the fake Photoshop
 * (test/photoshop/fake-photoshop.ts): scope #1 reads the selection's mask (getSelection over its
 * bounds), then the mask is split into regions (mask-split.ts) and the edit built — everything a
 * capture does before the first getPixels. The capture is run with an aborted signal, so it stops
 * right there (`cancelled`), before any pixel of the layer is read.
 *
 * Unlike capture-memory.js (which samples at host calls only, and so never sees what the split
 * holds while it runs), every typed array of 1 MB or more that JS allocates is hooked: a full GC,
 * then the live ArrayBuffer bytes plus the new array's, so the peak includes the split's own
 * transient buffers (its labels, queues and crops). Image data the fake hands out counts as the
 * host's memory it stands for. The peak is given above the bytes live before the capture (the
 * fake's document).
 *
 *   node --expose-gc plugin-photoshop/scripts/selection-memory.js [24] [50] [--shape=ellipse|objects] [--16bit] [--time]
 *
 * `ellipse` (default): one feathered ellipse over most of the document (as capture-memory.js);
 * `objects`: bench-mask-split.js's real-like selection (a large feathered object with a wavy
 * outline, two whose soft edges touch, a marquee part, specks) over 90 % of the document.
 * `--16bit`: a 16-bit document (getSelection gives 0..32768). `--time`: no hooks; the median of 3
 * runs of the selection path.
 */
const timeOnly = process.argv.includes('--time');
if (!timeOnly && typeof global.gc !== 'function') throw new Error('run with node --expose-gc');

const MB = (b) => (b / 1e6).toFixed(0);
require('tsx/cjs');
const { FakePhotoshop } = require('../../test/photoshop/fake-photoshop.ts');
const { createPhotoshopHost } = require('../src/host/photoshop-host.ts');
const { realLike } = require('./selections.js');

let hook = null;
if (!timeOnly) {
  // Every `new XArray(n)` / copy of 1 MB or more reports its bytes.
  for (const name of ['Uint8Array', 'Uint8ClampedArray', 'Int8Array', 'Uint16Array', 'Int16Array', 'Int32Array', 'Uint32Array', 'Float32Array', 'Float64Array']) {
    const Base = globalThis[name];
    const Hooked = class extends Base {
      constructor(...a) {
        const n = typeof a[0] === 'number' ? a[0] : a[0] && typeof a[0] === 'object' && !(a[0] instanceof ArrayBuffer) && typeof a[0].length === 'number' ? a[0].length : 0;
        if (hook && n * Base.BYTES_PER_ELEMENT >= 1e6) hook(`new ${name}(${n})`, n * Base.BYTES_PER_ELEMENT);
        super(...a);
      }
      // Arrays made before (Node's own, TextEncoder's) are still instances.
      static [Symbol.hasInstance](x) { return x instanceof Base; }
    };
    Object.defineProperty(Hooked, 'name', { value: name });
    globalThis[name] = Hooked;
  }
}

const sizes = { 24: [6000, 4000], 50: [8660, 5774] };
const which = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const shape = (process.argv.find((a) => a.startsWith('--shape=')) ?? '--shape=ellipse').slice(8);
const deep = process.argv.includes('--16bit');

function selection(W, H) {
  const sel = new Uint8Array(W * H);
  if (shape === 'ellipse') {
    const cx = W / 2, cy = H / 2, rx = W * 0.47, ry = H * 0.47;
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
      const d = (1 - Math.hypot((x - cx) / rx, (y - cy) / ry)) * Math.min(rx, ry);
      sel[y * W + x] = Math.round(Math.max(0, Math.min(1, d / 16 + 0.5)) * 255);
    }
  } else if (shape === 'objects') {
    // bench-mask-split.js's real-like selection, over the box 5 %..95 % of the document.
    const bx = Math.round(W * 0.05), by = Math.round(H * 0.05), w = Math.round(W * 0.9), h = Math.round(H * 0.9);
    const box = realLike(w, h).data;
    for (let y = 0; y < h; y++) sel.set(box.subarray(y * w, (y + 1) * w), (by + y) * W + bx);
  } else throw new Error(`--shape=${shape}?`);
  return sel;
}

async function one(mp) {
  const [W, H] = sizes[mp];
  const ps = new FakePhotoshop();
  const doc = ps.openDocument(W, H, deep ? { bitsPerChannel: 'bitDepth16' } : {});
  const px = new Uint8ClampedArray(W * H * 4);
  for (let i = 0; i < px.length; i += 4) { px[i] = i & 255; px[i + 1] = 90; px[i + 2] = 120; px[i + 3] = 255; }
  doc.addLayer('Photo', px);
  doc.selectionMask = selection(W, H);
  const cx = W / 2, cy = H / 2;
  doc.addPath('Work Path', 'workPath', [{ closed: false, points: [{ anchor: [cx, cy] }, { anchor: [cx + 40, cy] }] }]);
  const bounds = doc.selection.bounds;
  const host = createPhotoshopHost({ photoshop: ps });
  const ac = new AbortController();
  ac.abort();
  const run = async () => {
    try {
      await host.capture({ kind: 'translate', signal: ac.signal });
      throw new Error('the capture was not stopped by its aborted signal');
    } catch (e) {
      if (e.code !== 'cancelled') throw e;
    }
    if (ps.liveImageData !== 0) throw new Error(`${ps.liveImageData} image data left undisposed`);
  };
  const label = `${mp} MP (${W}×${H}${deep ? ', 16-bit' : ''}), ${shape}: selection ${bounds.right - bounds.left}×${bounds.bottom - bounds.top} (${((bounds.right - bounds.left) * (bounds.bottom - bounds.top) / 1e6).toFixed(1)} MP)`;
  if (timeOnly) {
    const t = [];
    for (let i = 0; i < 3; i++) { const a = performance.now(); await run(); t.push(performance.now() - a); }
    console.log(`${label}: selection path ${t.sort((x, y) => x - y)[1].toFixed(0)} ms (median of 3)`);
    return;
  }
  global.gc();
  const before = process.memoryUsage().arrayBuffers;
  let peak = { bytes: 0, what: '' };
  const samples = [];
  hook = (what, bytes) => {
    global.gc();
    const now = process.memoryUsage().arrayBuffers + bytes - before;
    samples.push(`${MB(now).padStart(5)} MB  ${what}`);
    if (now > peak.bytes) peak = { bytes: now, what };
  };
  await run();
  hook = null;
  await new Promise((r) => setImmediate(r));
  global.gc();
  console.log(`${label}`);
  console.log(`  peak held by the selection path: ${MB(peak.bytes)} MB (at ${peak.what}); ${samples.length} allocations of 1 MB+; after: ${MB(process.memoryUsage().arrayBuffers - before)} MB`);
  if (process.env.VERBOSE) for (const s of samples) console.log(`    ${s}`);
}

(async () => {
  for (const mp of which.length > 0 ? which : ['24', '50']) await one(mp);
})().catch((e) => { console.error(e); process.exit(1); });
