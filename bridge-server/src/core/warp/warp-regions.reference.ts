/**
 * Test oracle of the warp's render kernels (like blend/*.reference.ts): the general row kernel the
 * specialised ones in warp-regions.ts replaced, kept unchanged.
 */
import { type PatchSampler, sampleBilinear, samplerFor } from '../resample';
import { isIdentityAffine } from './affine';
import { affineSpan, type RenderTask, seamLookup, writeSample } from './warp-regions';

/**
 * The general row kernel as it was before the specialised kernels (any map, any sampler, no reach
 * map): kept unchanged as the reference the others are tested against (bit-identical;
 * warp-kernels.test.ts sets it with `setRenderReference`). Test-only: the product never runs it.
 */
export function renderRowsReference(task: RenderTask, y0: number, y1: number): void {
  const px = new Float32Array(4), acc = new Float32Array(4), seamOut = new Float64Array(2);
  const { crop, patch, field } = task;
  const sample: PatchSampler = samplerFor(task.quality);
  const cw = crop.width;
  const ed = task.edited, od = task.original, td = task.targetMask, kd = task.keepMask, sourceMap = task.sourceMap;
  const rm = task.mask;
  const [a, b, c, d, ee, f] = task.backward;
  const ss = task.supersample, inv = 1 / (ss * ss);
  const tb = task.targetBounds;
  const identityAffine = isIdentityAffine(task.backward);
  // Sample positions must fall inside the patch (less a border the kernels treat as empty);
  // supersample offsets stay within half a target pixel, i.e. `slack` source pixels.
  const slack = ss > 1 ? Math.abs(a) + Math.abs(b) + Math.abs(d) + Math.abs(ee) : 0;
  const pxMin = patch.left + 1 - slack, pxMax = patch.left + patch.width - 2 + slack;
  const pyMin = patch.top + 1 - slack, pyMax = patch.top + patch.height - 2 + slack;
  const spanX = new Float64Array(2);
  const bilinear = ss === 1 && sample === sampleBilinear;
  const pLeft = patch.left, pTop = patch.top, pw = patch.width, pMaxX = patch.width - 3, pMaxY = patch.height - 3;
  const pcov = patch.cov, prgba = patch.rgba;
  // Deform: the backward field interpolated to the current row once (row-incremental lookup).
  const fcols = field ? field.cols : 0;
  const rowEx = new Float64Array(fcols), rowEy = new Float64Array(fcols);
  const fLeft = field ? field.left : 0, fInvCell = field ? 1 / field.cell : 0, fMaxC = fcols - 1;
  const seam = field?.seam ?? null;
  let seamRow = -1, seamFy = 0;
  for (let ty = tb.top + y0; ty < tb.top + y1; ty++) {
    const row = (ty - crop.top) * cw - crop.left;
    let x0 = tb.left, x1 = tb.left + tb.width - 1;
    let fieldRow = false;
    if (field) {
      const gy = (ty - field.top) * fInvCell;
      if (gy >= 0 && gy < field.rows - 1) {
        const r = gy | 0, fy = gy - r, k0 = r * fcols, k1 = k0 + fcols;
        seamRow = r; seamFy = fy;
        const ex = field.ex, ey = field.ey;
        for (let c = 0; c < fcols; c++) {
          const a0 = ex[k0 + c]!, b0 = ey[k0 + c]!;
          rowEx[c] = a0 + (ex[k1 + c]! - a0) * fy;
          rowEy[c] = b0 + (ey[k1 + c]! - b0) * fy;
        }
        fieldRow = true;
      }
    }
    if (!field) {
      // Affine rows: sx = a·tx + (b·ty + c), sy = d·tx + (e·ty + f); keep the tx span whose
      // samples can land inside the patch.
      affineSpan(a, b * ty + c, pxMin, pxMax, spanX);
      x0 = Math.max(x0, spanX[0]!); x1 = Math.min(x1, spanX[1]!);
      affineSpan(d, ee * ty + f, pyMin, pyMax, spanX);
      x0 = Math.max(x0, spanX[0]!); x1 = Math.min(x1, spanX[1]!);
    }
    for (let tx = x0; tx <= x1; tx++) {
      const ti = row + tx;
      if (kd[ti]! > 0) continue;
      let qx = tx, qy = ty;
      if (fieldRow) {
        const gx = (tx - fLeft) * fInvCell;
        if (gx >= 0 && gx < fMaxC) {
          const c = gx | 0, fx = gx - c;
          if (seam !== null && seam[seamRow * fMaxC + c] === 1) {
            seamLookup(field!, seamRow, c, fx, seamFy, seamOut);
            qx += seamOut[0]!; qy += seamOut[1]!;
          } else {
            const a0 = rowEx[c]!, b0 = rowEy[c]!;
            qx += a0 + (rowEx[c + 1]! - a0) * fx;
            qy += b0 + (rowEy[c + 1]! - b0) * fx;
          }
        }
      }
      if (identityAffine && qx === tx && qy === ty) {
        // The pixel shows its own content (e.g. the still part of a deformed region): its
        // coverage is the mask's, and over unchanged pixels nothing needs resampling.
        const mx = tx - rm.left, my = ty - rm.top;
        const m = mx >= 0 && my >= 0 && mx < rm.width && my < rm.height ? rm.data[my * rm.width + mx]! : 0;
        if (m === 0) continue;
        if (m > td[ti]!) td[ti] = m;
        const q = ti * 4;
        if (ed[q] === od[q] && ed[q + 1] === od[q + 1] && ed[q + 2] === od[q + 2] && ed[q + 3] === od[q + 3]) continue;
      }
      const sx = a * qx + b * qy + c, sy = d * qx + ee * qy + f;
      let cov: number;
      if (bilinear) {
        // sampleBilinear, inlined (the hot path of every preview).
        const lx = sx - pLeft, ly = sy - pTop;
        // Truncation is the floor wherever the test passes (lx, ly ≥ 1); below 1 both fail it.
        if (!(lx >= 1 && ly >= 1)) continue;
        const ix = lx | 0, iy = ly | 0;
        if (!(ix <= pMaxX && iy <= pMaxY)) continue;
        const fx = lx - ix, fy = ly - iy;
        const i00 = iy * pw + ix, i01 = i00 + pw;
        const w00 = (1 - fx) * (1 - fy), w10 = fx * (1 - fy), w01 = (1 - fx) * fy, w11 = fx * fy;
        cov = pcov[i00]! * w00 + pcov[i00 + 1]! * w10 + pcov[i01]! * w01 + pcov[i01 + 1]! * w11;
        if (cov <= 0) continue;
        if (cov > 1) cov = 1;
        const q0 = i00 * 4, q1 = q0 + 4, q2 = i01 * 4, q3 = q2 + 4;
        px[0] = prgba[q0]! * w00 + prgba[q1]! * w10 + prgba[q2]! * w01 + prgba[q3]! * w11;
        px[1] = prgba[q0 + 1]! * w00 + prgba[q1 + 1]! * w10 + prgba[q2 + 1]! * w01 + prgba[q3 + 1]! * w11;
        px[2] = prgba[q0 + 2]! * w00 + prgba[q1 + 2]! * w10 + prgba[q2 + 2]! * w01 + prgba[q3 + 2]! * w11;
        px[3] = prgba[q0 + 3]! * w00 + prgba[q1 + 3]! * w10 + prgba[q2 + 3]! * w01 + prgba[q3 + 3]! * w11;
      } else if (ss === 1) {
        cov = sample(patch, sx, sy, px);
      } else {
        cov = 0; acc[0] = 0; acc[1] = 0; acc[2] = 0; acc[3] = 0;
        for (let j = 0; j < ss; j++) {
          const oy = (j + 0.5) / ss - 0.5;
          for (let i = 0; i < ss; i++) {
            const ox = (i + 0.5) / ss - 0.5;
            const cv = sample(patch, a * (qx + ox) + b * (qy + oy) + c, d * (qx + ox) + ee * (qy + oy) + f, px);
            if (cv > 0) { cov += cv; acc[0] += px[0]!; acc[1] += px[1]!; acc[2] += px[2]!; acc[3] += px[3]!; }
          }
        }
        cov *= inv; px[0] = acc[0]! * inv; px[1] = acc[1]! * inv; px[2] = acc[2]! * inv; px[3] = acc[3]! * inv;
      }
      const cov8 = Math.round(cov * 255);
      if (cov8 === 0) continue;
      if (cov8 > td[ti]!) td[ti] = cov8;
      writeSample(ed, ti * 4, px, cov, cov8);
      if (sourceMap) { sourceMap[2 * ti] = sx; sourceMap[2 * ti + 1] = sy; }
    }
  }
}
