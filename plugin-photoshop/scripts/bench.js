#!/usr/bin/env node
/** Micro-benchmark of the plugin's pure kernels (median of 5 runs): `node plugin-photoshop/scripts/bench.js`. */
require('tsx/cjs');
const { splitMask } = require('../src/geometry/mask-split.ts');
const { placeLayer, padToRect } = require('../src/geometry/placement.ts');
const { pathsToArrows } = require('../src/geometry/paths-to-arrows.ts');

function median(fn, n = 5) {
  const t = [];
  for (let i = 0; i < n; i++) { const a = performance.now(); fn(); t.push(performance.now() - a); }
  return t.sort((x, y) => x - y)[Math.floor(n / 2)];
}
const W = 4000, H = 3000;
const sel = new Uint8Array(W * H);
for (let k = 0; k < 12; k++) {
  const cx = 400 + (k % 4) * 1000, cy = 500 + Math.floor(k / 4) * 1000, r = 350;
  for (let y = cy - r - 3; y <= cy + r + 3; y++) for (let x = cx - r - 3; x <= cx + r + 3; x++) {
    const d = Math.hypot(x - cx, y - cy);
    sel[y * W + x] = d <= r ? 255 : d <= r + 3 ? Math.round(((r + 3 - d) / 3) * 255) : 0;
  }
}
const mask = { left: 0, top: 0, width: W, height: H, data: sel };
let parts;
const tSplit = median(() => { parts = splitMask(mask); });
const L = 2000;
const layer = { left: 100, top: 100, width: L, height: L, data: new Uint8Array(L * L * 4) };
for (let y = 500; y < 1500; y++) layer.data.fill(255, (y * L + 500) * 4, (y * L + 1500) * 4);
const tPlace = median(() => placeLayer(layer, W, H));
const rgb = { width: L, height: L, components: 3, data: new Uint8Array(L * L * 3) };
const tPad = median(() => padToRect(rgb, { left: 0, top: 0, width: L, height: L }, { left: 0, top: 0, width: L, height: L }));
const sp = Array.from({ length: 32 }, (_, i) => ({ closed: false, points: [{ anchor: [i, 0], forward: [i, 400] }, { anchor: [i + 300, 300], backward: [i + 300, 0] }] }));
const tPaths = median(() => pathsToArrows(sp), 9);
console.log(`splitMask ${W}x${H}, 12 feathered discs -> ${parts.length} regions: ${tSplit.toFixed(1)} ms`);
console.log(`placeLayer ${L}x${L} RGBA (clip + trim): ${tPlace.toFixed(1)} ms`);
console.log(`padToRect ${L}x${L} RGB -> RGBA: ${tPad.toFixed(1)} ms`);
console.log(`pathsToArrows 32 curved subpaths: ${tPaths.toFixed(3)} ms`);
