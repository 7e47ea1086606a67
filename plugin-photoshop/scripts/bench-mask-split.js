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
const { realLike } = require('./selections.js');

function median(fn, n = 3) {
  const t = [];
  let out;
  for (let i = 0; i < n; i++) { const a = performance.now(); out = fn(); t.push(performance.now() - a); }
  return { ms: t.sort((x, y) => x - y)[Math.floor(n / 2)], out };
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
