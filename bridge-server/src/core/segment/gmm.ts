/**
 * Gaussian mixture colour models (full 3×3 covariance) as GrabCut uses them: components are
 * seeded by a deterministic k-means, then re-estimated from hard assignments (every sample to its
 * most likely component) each GrabCut round. Samples are colour triples in a Float32Array
 * (x0, y0, z0, x1, …) addressed by index lists, so one buffer serves both classes; the first
 * channel is lightness in 0..255 (scaled CIE Lab, {@link rgbToLab}).
 */

export const GMM_COMPONENTS = 5;
/** Added to the covariance diagonal (colour units²): keeps flat regions' Gaussians proper. */
const COV_EPS = 4;
const LOG_2PI_3 = 3 * Math.log(2 * Math.PI);

export class Gmm {
  readonly k: number;
  /** Per component: weight, mean (3), inverse covariance (9), log normaliser. */
  readonly weight: Float64Array;
  readonly mean: Float64Array;
  readonly icov: Float64Array;
  readonly logNorm: Float64Array;

  constructor(k = GMM_COMPONENTS) {
    this.k = k;
    this.weight = new Float64Array(k);
    this.mean = new Float64Array(k * 3);
    this.icov = new Float64Array(k * 9);
    this.logNorm = new Float64Array(k);
  }

  /** log of the weighted component density of colour (a, b, c); -Infinity for empty components. */
  componentLog(c: number, a: number, b: number, d: number): number {
    const w = this.weight[c]!;
    if (w <= 0) return -Infinity;
    const m = c * 3, v = c * 9, ic = this.icov;
    const x = a - this.mean[m]!, y = b - this.mean[m + 1]!, z = d - this.mean[m + 2]!;
    const q = x * (ic[v]! * x + ic[v + 1]! * y + ic[v + 2]! * z)
      + y * (ic[v + 3]! * x + ic[v + 4]! * y + ic[v + 5]! * z)
      + z * (ic[v + 6]! * x + ic[v + 7]! * y + ic[v + 8]! * z);
    return this.logNorm[c]! - 0.5 * q;
  }

  /** log p(colour) under the mixture. */
  logDensity(a: number, b: number, d: number): number {
    let best = -Infinity;
    const logs = TMP;
    for (let c = 0; c < this.k; c++) { const l = this.componentLog(c, a, b, d); logs[c] = l; if (l > best) best = l; }
    if (best === -Infinity) return -1e9;
    let s = 0;
    for (let c = 0; c < this.k; c++) if (logs[c]! > -Infinity) s += Math.exp(logs[c]! - best);
    return best + Math.log(s);
  }

  /** Index of the most likely component for a colour. */
  bestComponent(a: number, b: number, d: number): number {
    let best = -Infinity, bc = 0;
    for (let c = 0; c < this.k; c++) { const l = this.componentLog(c, a, b, d); if (l > best) { best = l; bc = c; } }
    return bc;
  }

  /**
   * Estimate every component from the samples `idx` of `colours` with component labels `label`
   * (indexed like `idx`). Components with too few samples get weight 0.
   */
  fit(colours: Float32Array, idx: Int32Array, count: number, label: Uint8Array): void {
    const k = this.k;
    const s = new Float64Array(k * 10); // n, sum (3), sum of products (6)
    for (let t = 0; t < count; t++) {
      const i = idx[t]! * 3, c = label[t]! * 10;
      const a = colours[i]!, b = colours[i + 1]!, d = colours[i + 2]!;
      s[c]++; s[c + 1] += a; s[c + 2] += b; s[c + 3] += d;
      s[c + 4] += a * a; s[c + 5] += a * b; s[c + 6] += a * d; s[c + 7] += b * b; s[c + 8] += b * d; s[c + 9] += d * d;
    }
    for (let c = 0; c < k; c++) {
      const o = c * 10, n = s[o]!;
      if (n < 3) { this.weight[c] = 0; continue; }
      const ma = s[o + 1]! / n, mb = s[o + 2]! / n, md = s[o + 3]! / n;
      const caa = s[o + 4]! / n - ma * ma + COV_EPS, cab = s[o + 5]! / n - ma * mb, cad = s[o + 6]! / n - ma * md;
      const cbb = s[o + 7]! / n - mb * mb + COV_EPS, cbd = s[o + 8]! / n - mb * md, cdd = s[o + 9]! / n - md * md + COV_EPS;
      // Inverse of the symmetric 3×3 by cofactors.
      const A = cbb * cdd - cbd * cbd, B = cad * cbd - cab * cdd, C = cab * cbd - cad * cbb;
      const det = caa * A + cab * B + cad * C;
      if (!(det > 1e-9)) { this.weight[c] = 0; continue; }
      const E = caa * cdd - cad * cad, F = cab * cad - caa * cbd, I = caa * cbb - cab * cab;
      const v = c * 9, ic = this.icov;
      ic[v] = A / det; ic[v + 1] = B / det; ic[v + 2] = C / det;
      ic[v + 3] = B / det; ic[v + 4] = E / det; ic[v + 5] = F / det;
      ic[v + 6] = C / det; ic[v + 7] = F / det; ic[v + 8] = I / det;
      this.weight[c] = n / count;
      this.mean[c * 3] = ma; this.mean[c * 3 + 1] = mb; this.mean[c * 3 + 2] = md;
      this.logNorm[c] = Math.log(n / count) - 0.5 * (LOG_2PI_3 + Math.log(det));
    }
  }

  /**
   * For every pixel p < count with `select[p] !== skip`: `bestOut[p]` = its most likely component
   * and `logOut[p]` = the log of that component's weighted density (one pass over the components).
   */
  evaluate(colours: Float32Array, count: number, select: Uint8Array, skip: number, logOut: Float64Array | null, bestOut: Uint8Array): void {
    const k = this.k, mean = this.mean, ic = this.icov, ln = this.logNorm, wt = this.weight;
    const logs = new Float64Array(k);
    for (let p = 0; p < count; p++) {
      if (select[p] === skip) continue;
      const a = colours[p * 3]!, b = colours[p * 3 + 1]!, d = colours[p * 3 + 2]!;
      let best = -Infinity, bc = 0;
      for (let c = 0; c < k; c++) {
        if (wt[c]! <= 0) { logs[c] = -Infinity; continue; }
        const m = c * 3, v = c * 9;
        const x = a - mean[m]!, y = b - mean[m + 1]!, z = d - mean[m + 2]!;
        const q = x * (ic[v]! * x + 2 * (ic[v + 1]! * y + ic[v + 2]! * z)) + y * (ic[v + 4]! * y + 2 * ic[v + 5]! * z) + z * ic[v + 8]! * z;
        const l = ln[c]! - 0.5 * q;
        logs[c] = l;
        if (l > best) { best = l; bc = c; }
      }
      bestOut[p] = bc;
      // The data term of GrabCut: the pixel's most likely component (its assigned k), not the sum.
      if (logOut) logOut[p] = best === -Infinity ? -1e9 : best;
    }
  }

  /** Label every sample with its most likely component. */
  assign(colours: Float32Array, idx: Int32Array, count: number, label: Uint8Array): void {
    for (let t = 0; t < count; t++) {
      const i = idx[t]! * 3;
      label[t] = this.bestComponent(colours[i]!, colours[i + 1]!, colours[i + 2]!);
    }
  }
}

const TMP = new Float64Array(16);

/** Histogram bin (0..765) of a colour's first channel (lightness, 0..255). */
function lightBin(v: number): number {
  const b = Math.round(v * 3);
  return b < 0 ? 0 : b > 765 ? 765 : b;
}

const SRGB_LINEAR = new Float64Array(256);
for (let v = 0; v < 256; v++) { const c = v / 255; SRGB_LINEAR[v] = c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; }
function srgbLinear(v: number): number {
  const i = v | 0;
  if (i >= 255) return SRGB_LINEAR[255]!;
  const f = v - i;
  return f === 0 ? SRGB_LINEAR[i]! : SRGB_LINEAR[i]! + (SRGB_LINEAR[i + 1]! - SRGB_LINEAR[i]!) * f;
}
function labF(t: number): number { return t > 0.008856 ? Math.cbrt(t) : 7.787 * t + 16 / 116; }

/**
 * CIE L*a*b* (D65) of an sRGB8 colour averaged in the caller's way, scaled by 2.55 so lightness
 * spans 0..255 like the RGB channels, written to `out[o..o+2]`. Channels may be fractional.
 */
export function rgbToLab(r: number, g: number, b: number, out: Float32Array, o: number): void {
  const R = srgbLinear(r), G = srgbLinear(g), B = srgbLinear(b);
  const x = labF((0.4124 * R + 0.3576 * G + 0.1805 * B) / 0.95047);
  const y = labF(0.2126 * R + 0.7152 * G + 0.0722 * B);
  const z = labF((0.0193 * R + 0.1192 * G + 0.9505 * B) / 1.08883);
  out[o] = 2.55 * (116 * y - 16); out[o + 1] = 2.55 * 500 * (x - y); out[o + 2] = 2.55 * 200 * (y - z);
}

/**
 * Deterministic k-means seeding of component labels: the centres start at the mean colours of the
 * k brightness quantile bands (no randomness), then a few Lloyd iterations.
 */
export function kmeansLabels(colours: Float32Array, idx: Int32Array, count: number, k: number, label: Uint8Array, iterations = 4): void {
  if (count === 0) return;
  const hist = new Int32Array(766);
  for (let t = 0; t < count; t++) { const i = idx[t]! * 3; hist[lightBin(colours[i]!)]++; }
  // band[v]: the quantile band of brightness v.
  const band = new Uint8Array(766);
  let acc = 0;
  for (let v = 0; v < 766; v++) { band[v] = Math.min(k - 1, Math.floor(((acc + hist[v]! / 2) * k) / count)); acc += hist[v]!; }
  const centre = new Float64Array(k * 3);
  const seed = new Float64Array(k * 4);
  for (let t = 0; t < count; t++) {
    const i = idx[t]! * 3, c = band[lightBin(colours[i]!)]! * 4;
    seed[c] += colours[i]!; seed[c + 1] += colours[i + 1]!; seed[c + 2] += colours[i + 2]!; seed[c + 3]++;
  }
  for (let c = 0; c < k; c++) {
    const n = Math.max(1, seed[c * 4 + 3]!);
    centre[c * 3] = seed[c * 4]! / n; centre[c * 3 + 1] = seed[c * 4 + 1]! / n; centre[c * 3 + 2] = seed[c * 4 + 2]! / n;
  }
  const sum = new Float64Array(k * 4);
  for (let it = 0; it < iterations; it++) {
    sum.fill(0);
    for (let t = 0; t < count; t++) {
      const i = idx[t]! * 3;
      const a = colours[i]!, b = colours[i + 1]!, d = colours[i + 2]!;
      let best = Infinity, bc = 0;
      for (let c = 0; c < k; c++) {
        const x = a - centre[c * 3]!, y = b - centre[c * 3 + 1]!, z = d - centre[c * 3 + 2]!;
        const e = x * x + y * y + z * z;
        if (e < best) { best = e; bc = c; }
      }
      label[t] = bc;
      sum[bc * 4] += a; sum[bc * 4 + 1] += b; sum[bc * 4 + 2] += d; sum[bc * 4 + 3]++;
    }
    for (let c = 0; c < k; c++) {
      const n = sum[c * 4 + 3]!;
      if (n > 0) { centre[c * 3] = sum[c * 4]! / n; centre[c * 3 + 1] = sum[c * 4 + 1]! / n; centre[c * 3 + 2] = sum[c * 4 + 2]! / n; }
    }
  }
}

/** A colour mixture fitted to Lab samples (3 per colour: k-means, then two fits); null with fewer than 20. */
export function fitColourModel(col: readonly number[]): Gmm | null {
  const count = col.length / 3;
  if (count < 20) return null;
  const colours = Float32Array.from(col), idx = new Int32Array(count), label = new Uint8Array(count);
  for (let t = 0; t < count; t++) idx[t] = t;
  const g = new Gmm();
  kmeansLabels(colours, idx, count, g.k, label);
  g.fit(colours, idx, count, label);
  g.assign(colours, idx, count, label);
  g.fit(colours, idx, count, label);
  return g;
}
