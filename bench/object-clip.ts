/**
 * The tips a quick lasso clips (plan/object-extension.ts): each photo case whose region is moved,
 * turned or scaled as a whole is lassoed with an ellipse that clips its object — 1.0× and 1.1× the
 * polygon's box (an ellipse in the box cuts its corners: a stem, a handle, a leg) — and the object
 * the object reading finds (GrabCut, `wholeObject`) is compared with the WHOLE polygon, inside the
 * lasso or not, without and with the extension past the lasso's edge: recall (how much of the
 * object moves; what the lasso clipped stays behind, torn off, without the extension) and
 * precision (how much that is not the object moves with it). The polygons were drawn by hand a
 * pixel or two off the edge and without shadows, so neither figure reaches 1 even when the object
 * is right.
 *
 * Dev-only script:
 *   npx tsx bench/object-clip.ts [--scales 1,2] [--cases test/fixtures/cases]
 */
import * as path from 'node:path';
import { maskAt } from '@smartdrag/shared';
import { segmentObject } from '../bridge-server/src/core/segment/grabcut';
import { ATTACHED_MIN_PX, outlineOnEdge } from '../bridge-server/src/core/plan/object-reading';
import { extendPastSelection } from '../bridge-server/src/core/plan/object-extension';
import type { PlacedMask } from '../bridge-server/src/core/types';
import { arg } from './args';
import { ellipse, rigidRegions } from './lasso-shapes';

interface Row { id: string; lasso: string; scale: number; clipped: number; extended: boolean; before: [number, number]; after: [number, number] }

async function main(): Promise<void> {
  const scales = arg('scales', '1,2').split(',').map(Number);
  if (scales.some((s) => !(s >= 1))) throw new RangeError('--scales takes numbers ≥ 1, e.g. 1,2');
  const dir = arg('cases', path.join(__dirname, '..', 'test', 'fixtures', 'cases'));
  const rows: Row[] = [];
  let untrusted = 0, inside = 0;
  for await (const { id, reg, json: j, scale: s, req } of rigidRegions(dir, scales)) {
    const W = req.image.width, H = req.image.height;
    const truth = req.regions[0]!.mask;
    const handles = req.drags.map((d) => d.points[0]!);
    for (const g of [1.0, 1.1]) {
      const lasso = ellipse(reg.polygon, g, j.size[0], j.size[1], s);
      const seg = segmentObject(req.image, lasso, handles, { grow: 1, wholeObject: true });
      if (!seg.reliable) { untrusted++; continue; }
      const edge = outlineOnEdge(seg.mask, lasso);
      // (The object reading looks for tips where the object meets the lasso's edge, along 4 px or more.)
      if (edge.onEdge < ATTACHED_MIN_PX) { inside++; continue; }
      const ext = extendPastSelection(req.image, lasso, seg, []);
      const score = (m: PlacedMask): [number, number] => {
        let both = 0, obj = 0, t = 0;
        for (let y = 0; y < H; y++) {
          for (let x = 0; x < W; x++) {
            const ov = maskAt(m, x, y) >= 128, tv = maskAt(truth, x, y) >= 128;
            if (ov) obj++; if (tv) t++; if (ov && tv) both++;
          }
        }
        return [both / Math.max(1, t), both / Math.max(1, obj)];
      };
      let clippedPx = 0, tArea = 0;
      for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) if (maskAt(truth, x, y) >= 128) { tArea++; if (maskAt(lasso, x, y) < 128) clippedPx++; }
      const before = score(seg.mask);
      if (process.env.CLIP_TILES && ext) {
        const sharp = (await import('sharp')).default;
        const out = new Uint8ClampedArray(req.image.data);
        for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
          const p = (y * W + x) * 4, o = maskAt(seg.mask, x, y) >= 128, e = maskAt(ext.mask, x, y) >= 128, t = maskAt(truth, x, y) >= 128, l = maskAt(lasso, x, y) >= 128;
          if (e && !o) { if (t) { out[p] = 0; out[p + 1] = 255; out[p + 2] = 0; } else { out[p] = 255; out[p + 1] = 0; out[p + 2] = 255; } }
          else if (l !== (maskAt(lasso, x + 1, y) >= 128)) { out[p] = 0; out[p + 1] = 0; out[p + 2] = 255; }
        }
        await sharp(Buffer.from(out.buffer), { raw: { width: W, height: H, channels: 4 } }).png().toFile(`${process.env.CLIP_TILES}/${id.replace(':', '-')}-${g}-${s}.png`);
      }
      rows.push({ id, lasso: `ellipse ${g.toFixed(1)}`, scale: s, clipped: clippedPx / Math.max(1, tArea), extended: ext !== null, before, after: ext ? score(ext.mask) : before });
    }
  }
  const fmt = (x: number): string => x.toFixed(3);
  console.log('| region | lasso | scale | clipped | recall before | recall after | precision before | precision after |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.id} | ${r.lasso} | ${r.scale}× | ${fmt(r.clipped)} | ${fmt(r.before[0])} | ${r.extended ? fmt(r.after[0]) : '='} | ${fmt(r.before[1])} | ${r.extended ? fmt(r.after[1]) : '='} |`);
  const mean = (k: (r: Row) => number): string => fmt(rows.reduce((a, r) => a + k(r), 0) / Math.max(1, rows.length));
  console.log('');
  console.log(`- ${rows.length} lassos whose object runs onto their edge (${inside} more hold their object inside, ${untrusted} not trusted); extended ${rows.filter((r) => r.extended).length}`);
  console.log(`- mean recall ${mean((r) => r.before[0])} → ${mean((r) => r.after[0])}, mean precision ${mean((r) => r.before[1])} → ${mean((r) => r.after[1])}`);
  console.log(`- recall < 0.95: ${rows.filter((r) => r.before[0] < 0.95).length} → ${rows.filter((r) => r.after[0] < 0.95).length}; precision fell by more than 0.02 in ${rows.filter((r) => r.after[1] < r.before[1] - 0.02).length}`);
}

void main();
