/**
 * The object reading of a quick lasso (core/segment/grabcut.ts inside plan/object-reading.ts): each
 * photo case whose region is moved, turned or scaled as a whole has its object outlined by a tight
 * polygon; here that object is lassoed loosely instead — ellipses 1.3× and 1.6× its box, and the
 * polygon grown by 8% and 16% of √(its area), as a person draws a lasso — and the object found
 * inside is compared with the polygon (∩ the lasso): recall (how much of the object moves; a stem
 * or a pencil's point left out stays behind, torn off) and precision (how much backdrop moves with
 * it), for the plain GrabCut object and for the whole object the object reading uses
 * (`wholeObject`: appendages in colours of their own joined, other objects the lasso cuts left
 * out). The polygons were drawn by hand a pixel or two off the edge and without shadows, so neither
 * figure reaches 1 even when the object is right.
 *
 * Dev-only script:
 *   npx tsx bench/object-lasso.ts [--scales 1,2] [--tiles DIR] [--cases test/fixtures/cases]
 * `--tiles`: one PNG per lasso at 1× (green: object ∩ polygon, yellow: object only, red: polygon only).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { maskAt } from '@smartdrag/shared';
import { segmentObject } from '../bridge-server/src/core/segment/grabcut';
import { squaredDistance } from '../bridge-server/src/core/distance-transform';
import type { PlacedMask } from '../bridge-server/src/core/types';
import { arg } from './args';
import { ellipse, rigidRegions } from './lasso-shapes';

/** `m` grown by `r` px (Euclidean), clipped to the image. */
function grown(m: PlacedMask, r: number, W: number, H: number): PlacedMask {
  const pad = Math.ceil(r) + 1;
  const left = Math.max(0, m.left - pad), top = Math.max(0, m.top - pad);
  const w = Math.min(W, m.left + m.width + pad) - left, h = Math.min(H, m.top + m.height + pad) - top;
  const seed = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) seed[y * w + x] = maskAt(m, x + left, y + top) >= 128 ? 1 : 0;
  const d2 = squaredDistance(seed, w, h);
  const data = new Uint8Array(w * h);
  for (let p = 0; p < w * h; p++) data[p] = d2[p]! <= r * r ? 255 : 0;
  return { left, top, width: w, height: h, data };
}

interface Row { id: string; lasso: string; scale: number; reading: 'plain' | 'whole'; reliable: boolean; recall: number; precision: number }

async function main(): Promise<void> {
  const scales = arg('scales', '1,2').split(',').map(Number);
  if (scales.some((s) => !(s >= 1))) throw new RangeError('--scales takes numbers ≥ 1, e.g. 1,2');
  const tiles = arg('tiles');
  const dir = arg('cases', path.join(__dirname, '..', 'test', 'fixtures', 'cases'));
  if (tiles) fs.mkdirSync(tiles, { recursive: true });
  const rows: Row[] = [];
  for await (const { id, reg, json: j, scale: s, req } of rigidRegions(dir, scales)) {
    const W = req.image.width, H = req.image.height;
    const truth = req.regions[0]!.mask;
    let area = 0;
    for (const v of truth.data) if (v >= 128) area++;
    const lassos: [string, PlacedMask][] = [
      ['ellipse 1.3', ellipse(reg.polygon, 1.3, j.size[0], j.size[1], s)],
      ['ellipse 1.6', ellipse(reg.polygon, 1.6, j.size[0], j.size[1], s)],
      ['grown 8%', grown(truth, 0.08 * Math.sqrt(area), W, H)],
      ['grown 16%', grown(truth, 0.16 * Math.sqrt(area), W, H)],
    ];
    const handles = req.drags.map((d) => d.points[0]!);
    for (const [name, lasso] of lassos) {
      for (const reading of ['plain', 'whole'] as const) {
        const seg = segmentObject(req.image, lasso, handles, { grow: 1, ...(reading === 'whole' ? { wholeObject: true } : {}) });
        const o = seg.mask;
        let both = 0, obj = 0, tIn = 0;
        for (let y = 0; y < H; y++) {
          for (let x = 0; x < W; x++) {
            const ov = maskAt(o, x, y) >= 128, tv = maskAt(truth, x, y) >= 128 && maskAt(lasso, x, y) >= 128;
            if (ov) obj++; if (tv) tIn++; if (ov && tv) both++;
          }
        }
        rows.push({ id, lasso: name, scale: s, reading, reliable: seg.reliable, recall: both / Math.max(1, tIn), precision: both / Math.max(1, obj) });
        if (tiles && s === 1 && reading === 'whole') {
          const out = new Uint8ClampedArray(req.image.data);
          for (let y = 0; y < H; y++) {
            for (let x = 0; x < W; x++) {
              const p = (y * W + x) * 4, ov = maskAt(o, x, y) >= 128, tv = maskAt(truth, x, y) >= 128;
              if (ov && tv) out[p + 1] = out[p + 1]! * 0.5 + 127;
              else if (ov) { out[p] = out[p]! * 0.4 + 150; out[p + 1] = out[p + 1]! * 0.4 + 150; out[p + 2] = 0; }
              else if (tv) { out[p] = out[p]! * 0.4 + 150; out[p + 1] = out[p + 1]! * 0.4; out[p + 2] = out[p + 2]! * 0.4; }
              else if (maskAt(lasso, x, y) >= 128) out[p + 2] = out[p + 2]! * 0.7 + 76;
            }
          }
          await sharp(Buffer.from(out.buffer), { raw: { width: W, height: H, channels: 4 } }).png().toFile(path.join(tiles, `${id.replace(':', '-')}-${name.replace(/[ %]/g, '')}.png`));
        }
      }
    }
  }
  const fmt = (x: number): string => x.toFixed(3);
  console.log('| region | lasso | scale | plain recall | plain precision | whole recall | whole precision |');
  console.log('|---|---|---|---|---|---|---|');
  for (let i = 0; i < rows.length; i += 2) {
    const p = rows[i]!, w = rows[i + 1]!;
    const cell = (r: Row, x: number): string => (r.reliable ? fmt(x) : `(${fmt(x)})`);
    console.log(`| ${p.id} | ${p.lasso} | ${p.scale}× | ${cell(p, p.recall)} | ${cell(p, p.precision)} | ${cell(w, w.recall)} | ${cell(w, w.precision)} |`);
  }
  console.log('');
  console.log('(in brackets: the object was not trusted — the whole selection moves)');
  console.log('');
  for (const reading of ['plain', 'whole'] as const) {
    const r = rows.filter((x) => x.reading === reading && x.reliable);
    const mean = (k: 'recall' | 'precision'): string => fmt(r.reduce((s, x) => s + x[k], 0) / Math.max(1, r.length));
    const worst = [...r].sort((a, b) => a.recall - b.recall)[0];
    console.log(`- ${reading}: ${r.length} trusted lassos of ${rows.length / 2}; mean recall ${mean('recall')}, mean precision ${mean('precision')}; recall < 0.95 in ${r.filter((x) => x.recall < 0.95).length}, < 0.90 in ${r.filter((x) => x.recall < 0.9).length}; lowest ${worst ? `${fmt(worst.recall)} (${worst.id}, ${worst.lasso}, ${worst.scale}×)` : '–'}`);
  }
}

void main();
