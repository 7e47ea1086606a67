/**
 * Two regions meeting behind a hole, for the exemplar fill (fill/patch-match.ts). When the hole's
 * border runs through two plainly different regions that meet on it at two places — leaves above
 * a pot's rim and the pot below it, where a peg hung over the rim; bark and a blurred sky on either
 * side of a trunk's edge, where a bird sat on it — the boundary between them runs on behind the
 * hole, as the structure propagation of straight edges does for lines (fill/structure.ts): here it
 * is continued straight from one meeting place to the other, and each side of it copies only from
 * its own region. Without it the search copies whatever matches its first estimate best, and a
 * coherent texture (the pot's) grows up through the hole into the leaves as a block.
 *
 * The regions are read weight-free from a ring of known pixels around the hole, their colours and
 * grain blurred at twice the patch's scale: 2-means, kept only when the two are far apart
 * (SEPARATION), both large (MIN_SHARE) and lie in the ring as runs rather than speckles
 * (COHERENCE: a mottled texture split into its light and dark parts alternates along the ring).
 * The two must meet on the hole's border at exactly two places, and each must lie on its own side
 * of the line through them (SIDE_SHARE) — else nothing is constrained. (A constraint read from
 * the distance to each region — a hole pixel copying only from the nearest regions — was tried:
 * it fixed the pot but let the bark grow halfway into the sky beside the trunk, and let a cup's
 * white lip grow down into the saucer.)
 */
import { squaredDistance } from '../distance-transform';

const KNOWN = 0, HOLE = 1;

/** Width of the ring of known pixels read, in patch radii. */
const RING_RADII = 4;
/** Radius of the box that blurs the colours, in patch radii. */
const BLUR_RADII = 2;
/** Smallest share of the ring's pixels a region holds. */
export const MIN_SHARE = 0.2;
/** Smallest distance between two regions' mean features ({@link toFeatures}), and in pooled standard deviations. */
export const SEPARATION = 36;
export const SEPARATION_SD = 2.5;
/** Largest share of neighbouring ring pixel pairs whose regions differ. */
export const COHERENCE = 0.04;
/** Share of a ring pixel's known neighbours (a patch) of its own region for it to count on its side. */
export const PURE = 0.9;
/** Share of a ring pixel's neighbourhood (a patch) that is known, for it to count on its side. */
export const SOLID = 0.5;
/** A pixel belongs to the region whose mean it is nearest to only within this many spreads of it. */
export const MEMBER_SPREAD = 2.5;
/** Share of each region's ring pixels that must lie on its own side of the continued boundary. */
export const SIDE_SHARE = 0.85;

/** The two regions around a hole and the boundary continued between them, on the level they were read on. */
export interface RegionSplit {
  /** The regions' mean features ({@link toFeatures}, F each) and the root-mean-square distance of their ring pixels from it. */
  centres: Float32Array;
  spread: Float32Array;
  /** The continued boundary: from (ax, ay) to (bx, by), in pixels of the level read. */
  line: [number, number, number, number];
  /** The region (0 or 1) on the left of the line (positive cross product). */
  left: number;
  /** Half-width (pixels of the level read) of the band along the line where both regions may be copied. */
  band: number;
  /** Every pixel's region on the level read ({@link RegionLabels.label}). */
  label: Uint8Array;
}

/** A level's regions: which sources each target may copy from. */
export interface RegionLabels {
  /** Per pixel: bit i set when a patch centred there may copy from region i. */
  allow: Uint8Array;
  /** Per pixel: the bit of the region its blurred colour belongs to (0: neither). */
  label: Uint8Array;
}

/**
 * The features ({@link toFeatures}) of every pixel's surroundings: the mean colour and grain of the
 * KNOWN pixels in its (2R + 1)² box; `wt` counts them (0: no feature).
 */
function blurKnown(w: number, h: number, col: ArrayLike<number>, state: Uint8Array, R: number): { blur: Float32Array; wt: Float32Array } {
  const W1 = w + 1;
  const s = new Float64Array(W1 * (h + 1) * 5);
  for (let y = 0; y < h; y++) {
    let a0 = 0, a1 = 0, a2 = 0, a3 = 0, an = 0;
    for (let x = 0; x < w; x++) {
      const p = y * w + x;
      if (state[p] === KNOWN) {
        const r = col[3 * p]!, gr = col[3 * p + 1]!, b = col[3 * p + 2]!;
        a0 += r; a1 += gr; a2 += b; an++;
        // The grain: grey steps to the known right and lower neighbours (grey as (R + G + B) / 3).
        const g = r + gr + b;
        if (x + 1 < w && state[p + 1] === KNOWN) a3 += Math.abs(col[3 * p + 3]! + col[3 * p + 4]! + col[3 * p + 5]! - g) / 3;
        if (y + 1 < h && state[p + w] === KNOWN) { const q = 3 * (p + w); a3 += Math.abs(col[q]! + col[q + 1]! + col[q + 2]! - g) / 3; }
      }
      const q = ((y + 1) * W1 + x + 1) * 5, u = (y * W1 + x + 1) * 5;
      s[q] = s[u]! + a0; s[q + 1] = s[u + 1]! + a1; s[q + 2] = s[u + 2]! + a2; s[q + 3] = s[u + 3]! + a3; s[q + 4] = s[u + 4]! + an;
    }
  }
  const blur = new Float32Array(w * h * F), wt = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    const y0 = Math.max(0, y - R), y1 = Math.min(h, y + R + 1);
    for (let x = 0; x < w; x++) {
      const x0 = Math.max(0, x - R), x1 = Math.min(w, x + R + 1);
      const A = (y0 * W1 + x0) * 5, B = (y0 * W1 + x1) * 5, C = (y1 * W1 + x0) * 5, D = (y1 * W1 + x1) * 5;
      const n = s[D + 4]! - s[B + 4]! - s[C + 4]! + s[A + 4]!;
      const p = y * w + x;
      wt[p] = n;
      if (n <= 0) continue;
      toFeatures((s[D]! - s[B]! - s[C]! + s[A]!) / n, (s[D + 1]! - s[B + 1]! - s[C + 1]! + s[A + 1]!) / n,
        (s[D + 2]! - s[B + 2]! - s[C + 2]! + s[A + 2]!) / n, (s[D + 3]! - s[B + 3]! - s[C + 3]! + s[A + 3]!) / n, blur, F * p);
    }
  }
  return { blur, wt };
}

/** Features per pixel ({@link toFeatures}). */
const F = 4;
/** Weight of the chromaticity (r, g shares of R + G + B, × 255), of the grey level and of the grain in the features. */
const CHROMA_WEIGHT = 3, GREY_WEIGHT = 0.35, GRAIN_WEIGHT = 3;

/**
 * The features a region is told by: its chromaticity, strongly, and its grey level, weakly — the
 * lit and the shaded leaves of one plant differ mostly in brightness, a pot and the leaves in hue.
 * (Below a grey level of 10 the chromaticity is noise: it is read as grey there.)
 */
function toFeatures(R: number, G: number, B: number, grain: number, out: Float32Array, o: number): void {
  const S = R + G + B;
  const rs = S >= 30 ? R / S : 1 / 3, gs = S >= 30 ? G / S : 1 / 3;
  out[o] = CHROMA_WEIGHT * 255 * rs;
  out[o + 1] = CHROMA_WEIGHT * 255 * gs;
  out[o + 2] = (GREY_WEIGHT * S) / 3;
  out[o + 3] = GRAIN_WEIGHT * grain;
}

/** Per cluster: its points and the sum of their squared distances from its centre. */
function tally(pts: Float32Array, n: number, k: number, km: { centres: Float32Array; lab: Uint8Array }): { cnt: Float64Array; sq: Float64Array } {
  const cnt = new Float64Array(k), sq = new Float64Array(k);
  for (let i = 0; i < n; i++) { const j = km.lab[i]!; cnt[j]++; sq[j] += d2(pts, F * i, km.centres, F * j); }
  return { cnt, sq };
}

/** Root-mean-square distance of each cluster's points from its centre ({@link tally}). */
function spreads(t: { cnt: Float64Array; sq: Float64Array }): Float32Array {
  return Float32Array.from(t.sq, (v, j) => Math.sqrt(v / Math.max(1, t.cnt[j]!)));
}

/** Squared distance between feature vectors `a` at `ia` and `b` at `ib` (F each). */
function d2(a: Float32Array, ia: number, b: Float32Array, ib: number): number {
  let d = 0;
  for (let c = 0; c < F; c++) d += (a[ia + c]! - b[ib + c]!) ** 2;
  return d;
}

/** k-means (farthest-point start, at most 12 rounds) on `pts` (F per point); returns centres and labels. */
function kmeans(pts: Float32Array, n: number, k: number): { centres: Float32Array; lab: Uint8Array } {
  const centres = new Float32Array(F * k);
  // Start: the point farthest from the mean, then each next farthest from the centres so far.
  const mean = new Float32Array(F);
  for (let i = 0; i < n; i++) for (let c = 0; c < F; c++) mean[c] += pts[F * i + c]! / n;
  const near = new Float32Array(n).fill(Infinity);
  let far = 0, fd = -1;
  for (let i = 0; i < n; i++) {
    const d = d2(pts, F * i, mean, 0);
    if (d > fd) { fd = d; far = i; }
  }
  for (let j = 0; j < k; j++) {
    for (let c = 0; c < F; c++) centres[F * j + c] = pts[F * far + c]!;
    fd = -1;
    for (let i = 0; i < n; i++) {
      const d = d2(pts, F * i, centres, F * j);
      if (d < near[i]!) near[i] = d;
      if (near[i]! > fd) { fd = near[i]!; far = i; }
    }
  }
  const lab = new Uint8Array(n);
  const sum = new Float64Array((F + 1) * k);
  for (let it = 0; it < 12; it++) {
    sum.fill(0);
    let moved = 0;
    for (let i = 0; i < n; i++) {
      const j = nearestCentre(centres, k, pts, F * i);
      if (j !== lab[i] || it === 0) moved++;
      lab[i] = j;
      for (let c = 0; c < F; c++) sum[(F + 1) * j + c] += pts[F * i + c]!;
      sum[(F + 1) * j + F]++;
    }
    for (let j = 0; j < k; j++) {
      const m = sum[(F + 1) * j + F]!;
      if (m > 0) for (let c = 0; c < F; c++) centres[F * j + c] = sum[(F + 1) * j + c]! / m;
    }
    if (moved === 0) break;
  }
  return { centres, lab };
}

/** The centre nearest to the feature vector `v` at `o`. */
function nearestCentre(centres: Float32Array, k: number, v: Float32Array, o: number): number {
  let best = 0, bd = Infinity;
  for (let j = 0; j < k; j++) {
    const d = d2(v, o, centres, F * j);
    if (d < bd) { bd = d; best = j; }
  }
  return best;
}

/** Why a clustering of the ring is not a set of plainly different regions; null when it is. */
function clusteringFault(n: number, k: number, km: { centres: Float32Array; lab: Uint8Array }, { cnt, sq }: { cnt: Float64Array; sq: Float64Array }, ringIdx: Int32Array, ringPos: Int32Array, w: number): string | null {
  for (let j = 0; j < k; j++) if (cnt[j]! < MIN_SHARE * n) return `a region of ${Math.round((100 * cnt[j]!) / n)}% of the ring`;
  for (let a = 0; a < k; a++) {
    for (let b = a + 1; b < k; b++) {
      const d = Math.sqrt(d2(km.centres, F * a, km.centres, F * b));
      const sd = Math.sqrt((sq[a]! + sq[b]!) / (cnt[a]! + cnt[b]!));
      if (d < SEPARATION || d < SEPARATION_SD * sd) return `two regions ${Math.round(d)} apart (spread ${Math.round(sd)})`;
    }
  }
  // Neighbouring ring pixels in different regions (right and lower neighbours that are ring pixels).
  let pairs = 0, differ = 0;
  for (let i = 0; i < n; i++) {
    const p = ringIdx[i]!;
    for (let s = 0; s < 2; s++) {
      if (s === 0 && p % w === w - 1) continue;
      const jq = ringPos[s === 0 ? p + 1 : p + w];
      if (jq === undefined || jq < 0) continue;
      pairs++;
      if (km.lab[jq] !== km.lab[i]) differ++;
    }
  }
  if (pairs > 0 && differ > COHERENCE * pairs) return `regions speckled along the ring (${Math.round((1000 * differ) / pairs) / 10}% of neighbours differ)`;
  return null;
}

/** Each pixel's region (bit 0 or 1; 0 when its blurred colour is neither region's) from the blurred features. */
function labelPixels(blur: Float32Array, wt: Float32Array, n: number, centres: Float32Array, spread: Float32Array): Uint8Array {
  const label = new Uint8Array(n);
  for (let p = 0; p < n; p++) {
    if (wt[p]! <= 0) continue;
    const j = nearestCentre(centres, 2, blur, F * p);
    // A colour neither region by the hole holds (an object elsewhere in the window) is no
    // region's: no hole pixel copies from it.
    if (d2(blur, F * p, centres, F * j) > (MEMBER_SPREAD * spread[j]!) ** 2) continue;
    label[p] = 1 << j;
  }
  return label;
}

/**
 * Read the two regions around the hole of a level (`col` interleaved RGB, `state` KNOWN / HOLE /
 * other) with patch radius `r`, and the boundary continued between them; null when the border
 * does not run through two plainly different regions meeting at two places.
 */
export function readRegionSplit(w: number, h: number, col: ArrayLike<number>, state: Uint8Array, r: number): RegionSplit | null {
  const n = w * h;
  const R = Math.max(1, r);
  const seedHole = new Uint8Array(n);
  let holes = 0;
  for (let p = 0; p < n; p++) if (state[p] === HOLE) { seedHole[p] = 1; holes++; }
  if (holes === 0) return null;
  const dHole = squaredDistance(seedHole, w, h);
  const ringW = RING_RADII * R;
  const { blur, wt } = blurKnown(w, h, col, state, BLUR_RADII * R);
  const ringPos = new Int32Array(n).fill(-1);
  const ringList: number[] = [];
  for (let p = 0; p < n; p++) {
    if (state[p] !== KNOWN || wt[p]! <= 0 || dHole[p]! > ringW * ringW) continue;
    ringPos[p] = ringList.length;
    ringList.push(p);
  }
  const nr = ringList.length;
  if (nr < 64) return null;
  const ringIdx = Int32Array.from(ringList);
  const pts = new Float32Array(F * nr);
  for (let i = 0; i < nr; i++) for (let c = 0; c < F; c++) pts[F * i + c] = blur[F * ringIdx[i]! + c]!;
  const km = kmeans(pts, nr, 2);
  const t = tally(pts, nr, 2, km);
  if (clusteringFault(nr, 2, km, t, ringIdx, ringPos, w)) return null;
  const spread = spreads(t);
  const label = labelPixels(blur, wt, n, km.centres, spread);
  // Where the two meet on the hole's border: border pixels (known, a hole pixel among their 8
  // neighbours) of one region with a ring pixel of the other within a patch — each ring pixel
  // taken as the region it is nearer to (across the boundary the blurred colours are a mix that
  // belongs to neither, and the two would not meet).
  const near = new Uint8Array(n);
  for (let i = 0; i < nr; i++) near[ringIdx[i]!] = 1 + km.lab[i]!;
  const junction = new Uint8Array(n);
  const junctions: number[] = [];
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      const p = y * w + x, b = near[p]!;
      if (state[p] !== KNOWN || b === 0 || dHole[p]! > 2) continue;
      let meets = false;
      for (let dy = -R; dy <= R && !meets; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= h) continue;
        for (let dx = -R; dx <= R; dx++) {
          const xx = x + dx;
          if (xx < 0 || xx >= w) continue;
          const q = yy * w + xx;
          if (near[q] !== 0 && near[q] !== b) { meets = true; break; }
        }
      }
      if (meets) { junction[p] = 1; junctions.push(p); }
    }
  }
  // The meeting places: groups of junction pixels (joined within 2 px); exactly two.
  const group = new Int32Array(n).fill(-1);
  const places: { sx: number; sy: number; n: number }[] = [];
  for (const p0 of junctions) {
    if (group[p0]! >= 0) continue;
    const g = places.length;
    const place = { sx: 0, sy: 0, n: 0 };
    places.push(place);
    const stack = [p0];
    group[p0] = g;
    while (stack.length > 0) {
      const p = stack.pop()!, x = p % w, y = (p - x) / w;
      place.sx += x; place.sy += y; place.n++;
      for (let dy = -2; dy <= 2; dy++) {
        for (let dx = -2; dx <= 2; dx++) {
          const xx = x + dx, yy = y + dy;
          if (xx < 0 || yy < 0 || xx >= w || yy >= h) continue;
          const q = yy * w + xx;
          if (junction[q] === 1 && group[q]! < 0) { group[q] = g; stack.push(q); }
        }
      }
    }
  }
  if (places.length !== 2) return null;
  const [P, Q] = places as [typeof places[0], typeof places[0]];
  const ax = P.sx / P.n, ay = P.sy / P.n, bx = Q.sx / Q.n, by = Q.sy / Q.n;
  const len = Math.hypot(bx - ax, by - ay);
  if (len < 2 * R) return null;
  // Each region on its own side: its ring pixels that are of it through a whole patch (not a
  // thin line or a fringe) and not a sliver between the hole and the moved content.
  const side = [[0, 0], [0, 0]];
  for (let i = 0; i < nr; i++) {
    const p = ringIdx[i]!, b = label[p]!;
    if (b === 0) continue;
    const j = b === 1 ? 0 : 1;
    const x = p % w, y = (p - x) / w;
    let known = 0, same = 0, all = 0;
    for (let yy = Math.max(0, y - R); yy <= Math.min(h - 1, y + R); yy++) {
      for (let xx = Math.max(0, x - R); xx <= Math.min(w - 1, x + R); xx++) {
        const q = yy * w + xx;
        all++;
        if (state[q] !== KNOWN) continue;
        known++;
        if (label[q] === b) same++;
      }
    }
    if (known < SOLID * all || same < PURE * known) continue;
    const cross = (bx - ax) * (y - ay) - (by - ay) * (x - ax);
    side[j]![cross > 0 ? 0 : 1]++;
  }
  const share = (j: number, s: number): number => side[j]![s]! / Math.max(1, side[j]![0]! + side[j]![1]!);
  let left: number;
  if (share(0, 0) >= SIDE_SHARE && share(1, 1) >= SIDE_SHARE) left = 0;
  else if (share(0, 1) >= SIDE_SHARE && share(1, 0) >= SIDE_SHARE) left = 1;
  else return null;
  return { centres: km.centres, spread, line: [ax, ay, bx, by], left, band: R, label };
}

/**
 * The regions of a level `f` times finer than the one `split` was read on (f = 1: that level;
 * 1/2: the next coarser): every pixel's region by its blurred colour, and which regions a patch
 * centred at each pixel may copy from — the region on its side of the continued boundary, both
 * within the band along it.
 */
export function regionsAt(split: RegionSplit, f: number, w: number, h: number, col: ArrayLike<number>, state: Uint8Array, r: number): RegionLabels {
  const n = w * h;
  // (The level read has its regions already.)
  let label = split.label;
  if (f !== 1) {
    const { blur, wt } = blurKnown(w, h, col, state, BLUR_RADII * Math.max(1, r));
    label = labelPixels(blur, wt, n, split.centres, split.spread);
  }
  const [ax, ay, bx, by] = split.line;
  const len = Math.hypot(bx - ax, by - ay);
  const allow = new Uint8Array(n);
  const leftBit = 1 << split.left, rightBit = 1 << (1 - split.left);
  for (let y = 0; y < h; y++) {
    const Y = (y + 0.5) / f - 0.5;
    for (let x = 0; x < w; x++) {
      const X = (x + 0.5) / f - 0.5;
      const sd = ((bx - ax) * (Y - ay) - (by - ay) * (X - ax)) / len;
      allow[y * w + x] = sd > split.band ? leftBit : sd < -split.band ? rightBit : leftBit | rightBit;
    }
  }
  return { allow, label };
}
