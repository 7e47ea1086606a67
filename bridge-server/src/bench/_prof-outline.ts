import { rasterizePolygon, contourGrid, traceContourGrid } from '@smartdrag/shared';
import { runEdit } from '../core/edit';
import { movedOutline, movedMask } from '../core/outline';
import { makeTexture } from '../core/textures';
import { speedDrag, speedRegionPolygon, type SpeedKind } from './edit-speed';
async function main() {
  const size = 1024, image = makeTexture('noise', size, size, 5);
  const region = { id: 'r', mask: rasterizePolygon(speedRegionPolygon(size)) };
  for (const kind of ['translate', 'elastic'] as SpeedKind[]) {
    const ts: number[] = [], tm: number[] = [], tt: number[] = [];
    for (let i = 0; i < 20; i++) {
      const r = await runEdit({ image, regions: [region], drags: [speedDrag(kind, size, i)], quality: 'preview', seed: 1 }, { forOutline: true });
      let t = performance.now();
      const o = movedOutline(r);
      ts.push(performance.now() - t);
      t = performance.now();
      const m = movedMask(r);
      tm.push(performance.now() - t);
      const g = contourGrid(m.width, m.height);
      for (let y = 0; y < m.height; y++) for (let x = 0; x < m.width; x++) if (m.data[y * m.width + x]! >= 128) g.v[(((y / g.cell) | 0) + 1) * g.sw + ((x / g.cell) | 0) + 1]! += 1;
      t = performance.now();
      traceContourGrid(m, g, { maxPoints: 2000 });
      tt.push(performance.now() - t);
      if (i === 19) console.log(kind, 'crop', r.crop.width, r.crop.height, 'mask', m.width, m.height, 'cell', g.cell, 'pts', o.reduce((n, q) => n + q.length, 0));
    }
    const med = (a: number[]) => a.slice(10).sort((x, y) => x - y)[5]!.toFixed(2);
    console.log(kind, 'movedOutline', med(ts), 'movedMask', med(tm), 'trace only', med(tt));
  }
}
void main();
