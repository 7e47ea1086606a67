#!/usr/bin/env node
/**
 * splitMask against the implementation it replaced (mask-split.reference.ts) on real-like
 * selections read over their own bounds, as Photoshop hands them to the plugin: at 24 MP
 * (6000×4000) and 50 MP (8660×5774) — a large feathered object with a wavy outline, two smaller
 * feathered ones whose soft edges touch, a hard-edged part (a marquee added to the selection), a
 * few specks and stray soft pixels. Prints the median of 3 runs of each and checks that both give
 * the same parts, byte for byte.
 *
 *   node plugin-photoshop/scripts/bench-mask-split.js [24] [50]
 */
require('tsx/cjs');
const { splitMask } = require('../src/geometry/mask-split.ts');
const { splitMaskReference } = require('../src/geometry/mask-split.reference.ts');

function median(fn, n = 3) {
  const t = [];
  let out;
  for (let i = 0; i < n; i++) { const a = performance.now(); out = fn(); t.push(performance.now() - a); }
  return { ms: t.sort((x, y) => x - y)[Math.floor(n / 2)], out };
}

/** A feathered blob: coverage 255 inside r(θ), falling to 0 over `feather` px across its outline. */
function blob(data, W, H, cx, cy, R, feather, waves) {
  const reach = R * 1.3 + feather;
  const y0 = Math.max(0, Math.floor(cy - reach)), y1 = Math.min(H, Math.ceil(cy + reach));
  const x0 = Math.max(0, Math.floor(cx - reach)), x1 = Math.min(W, Math.ceil(cx + reach));
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const dx = x + 0.5 - cx, dy = y + 0.5 - cy, d = Math.hypot(dx, dy), t = Math.atan2(dy, dx);
      let r = R;
      for (const [k, a, ph] of waves) r += R * a * Math.sin(k * t + ph);
      const v = feather === 0 ? (d <= r ? 255 : 0) : Math.round(Math.max(0, Math.min(1, (r - d) / feather + 0.5)) * 255);
      const i = y * W + x;
      if (v > data[i]) data[i] = v;
    }
  }
}

function realLike(W, H) {
  const data = new Uint8Array(W * H);
  const s = Math.min(W, H);
  // The main object (most of the box), feathered ~24 px, wavy outline.
  blob(data, W, H, W * 0.42, H * 0.5, s * 0.36, 24, [[5, 0.08, 0.3], [13, 0.03, 1.1], [31, 0.01, 2]]);
  // Two smaller objects whose soft edges touch (two parts), feathered 40 and 12 px.
  blob(data, W, H, W * 0.82, H * 0.3, s * 0.14, 40, [[3, 0.1, 0]]);
  blob(data, W, H, W * 0.82, H * 0.3 + s * 0.14 * 2 + 30, s * 0.14, 12, [[7, 0.05, 0.5]]);
  // A hard-edged rectangle (a marquee added to the selection).
  for (let y = Math.floor(H * 0.78); y < Math.floor(H * 0.95); y++) data.fill(255, y * W + Math.floor(W * 0.7), y * W + Math.floor(W * 0.95));
  // Specks and stray soft pixels.
  let seed = 11;
  const rnd = () => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed / 0x7fffffff; };
  for (let k = 0; k < 400; k++) data[Math.floor(rnd() * W * H)] = Math.floor(rnd() * 256);
  return { left: 100, top: 80, width: W, height: H, data };
}

function same(a, b) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const p = a[i], q = b[i];
    if (p.left !== q.left || p.top !== q.top || p.width !== q.width || p.height !== q.height) return false;
    if (Buffer.compare(Buffer.from(p.data.buffer, p.data.byteOffset, p.data.byteLength), Buffer.from(q.data.buffer, q.data.byteOffset, q.data.byteLength)) !== 0) return false;
  }
  return true;
}

const sizes = { 24: [6000, 4000], 50: [8660, 5774] };
const which = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['24', '50'];
for (const mp of which) {
  const [W, H] = sizes[mp];
  const t0 = performance.now();
  const mask = realLike(W, H);
  let fringe = 0;
  for (const v of mask.data) if (v > 0 && v < 128) fringe++;
  console.log(`${mp} MP (${W}×${H}): mask made in ${((performance.now() - t0) / 1000).toFixed(1)} s; soft pixels ${(fringe / 1e6).toFixed(2)} M`);
  const ref = median(() => splitMaskReference(mask));
  const now = median(() => splitMask(mask));
  console.log(`  old (mask-split.reference.ts): ${ref.ms.toFixed(0)} ms -> ${ref.out.length} parts`);
  console.log(`  new (mask-split.ts):           ${now.ms.toFixed(0)} ms -> ${now.out.length} parts; same parts: ${same(ref.out, now.out)}`);
}
