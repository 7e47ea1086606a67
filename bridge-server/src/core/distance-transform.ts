/**
 * Exact Euclidean distance transform on a grid (Felzenszwalb & Huttenlocher 2012, "Distance
 * transforms of sampled functions"): the planner's region shapes and the elastic field's node
 * clearance use it. Also the 3-4 chamfer transform (Borgefors 1986) that the look measures and the
 * learned filler's seam band use.
 */

// Module-level copy: global lookups (Infinity) are slow inside hot loops when the code runs in a vm
// context (jest, some worker sandboxes).
const INF = Number.POSITIVE_INFINITY;

/**
 * Exact 1-D squared distance transform (Felzenszwalb & Huttenlocher 2012, "Distance transforms
 * of sampled functions"): lower envelope of parabolas rooted at f(q). Scratch arrays are passed
 * in so the 2-D pass allocates nothing per line.
 */
function edt1d(f: Float64Array, n: number, d: Float64Array, v: Int32Array, z: Float64Array): void {
  let k = 0;
  v[0] = 0; z[0] = -INF; z[1] = INF;
  for (let q = 1; q < n; q++) {
    if (f[q] === INF) continue;
    if (f[v[k]!] === INF) { v[k] = q; continue; }
    let s = ((f[q]! + q * q) - (f[v[k]!]! + v[k]! * v[k]!)) / (2 * q - 2 * v[k]!);
    while (s <= z[k]!) {
      k--;
      s = ((f[q]! + q * q) - (f[v[k]!]! + v[k]! * v[k]!)) / (2 * q - 2 * v[k]!);
    }
    k++; v[k] = q; z[k] = s; z[k + 1] = INF;
  }
  k = 0;
  for (let q = 0; q < n; q++) {
    while (z[k + 1]! < q) k++;
    const r = v[k]!;
    d[q] = f[r] === INF ? INF : (q - r) * (q - r) + f[r]!;
  }
}

/** Squared Euclidean distance (in cells) from every cell to the nearest cell where `seed` is 1. */
export function squaredDistance(seed: Uint8Array, w: number, h: number): Float64Array {
  const out = new Float64Array(w * h);
  const n = Math.max(w, h);
  const f = new Float64Array(n), d = new Float64Array(n), z = new Float64Array(n + 1);
  const v = new Int32Array(n);
  for (let i = 0; i < w * h; i++) out[i] = seed[i] ? 0 : INF;
  for (let x = 0; x < w; x++) {
    for (let y = 0; y < h; y++) f[y] = out[y * w + x]!;
    edt1d(f, h, d, v, z);
    for (let y = 0; y < h; y++) out[y * w + x] = d[y]!;
  }
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let x = 0; x < w; x++) f[x] = out[row + x]!;
    edt1d(f, w, d, v, z);
    for (let x = 0; x < w; x++) out[row + x] = d[x]!;
  }
  return out;
}

/**
 * 3-4 chamfer distance transform in place (Borgefors 1986): `d` holds 0 at the seeds and a large
 * value (the caller's "infinity", below 2^31 − 5) elsewhere; afterwards every pixel holds three
 * times its chamfer distance to the nearest seed (integers: 3 per straight step, 4 per diagonal).
 */
export function chamfer34(d: Int32Array, w: number, h: number): void {
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      let v = d[i]!;
      if (v === 0) continue;
      if (x > 0) v = Math.min(v, d[i - 1]! + 3);
      if (y > 0) {
        v = Math.min(v, d[i - w]! + 3);
        if (x > 0) v = Math.min(v, d[i - w - 1]! + 4);
        if (x < w - 1) v = Math.min(v, d[i - w + 1]! + 4);
      }
      d[i] = v;
    }
  }
  for (let y = h - 1; y >= 0; y--) {
    for (let x = w - 1; x >= 0; x--) {
      const i = y * w + x;
      let v = d[i]!;
      if (v === 0) continue;
      if (x < w - 1) v = Math.min(v, d[i + 1]! + 3);
      if (y < h - 1) {
        v = Math.min(v, d[i + w]! + 3);
        if (x < w - 1) v = Math.min(v, d[i + w + 1]! + 4);
        if (x > 0) v = Math.min(v, d[i + w - 1]! + 4);
      }
      d[i] = v;
    }
  }
}
