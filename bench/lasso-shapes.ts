/** Quick-lasso shapes drawn around a photo case's polygon (dev scripts bench/object-lasso.ts, bench/object-clip.ts). */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { rasterizePolygon, type Point } from '@smartdrag/shared';
import { enlargedRequest } from '../test/helpers/enlarged-case';
import type { EditRequest, PlacedMask } from '../bridge-server/src/core/types';

/** An ellipse `g`× the polygon's box, clipped to the W0 × H0 case image, in `s`× pixels. */
export function ellipse(poly: readonly Point[], g: number, W0: number, H0: number, s: number): PlacedMask {
  const xs = poly.map((p) => p[0]), ys = poly.map((p) => p[1]);
  const cx = (Math.min(...xs) + Math.max(...xs)) / 2, cy = (Math.min(...ys) + Math.max(...ys)) / 2;
  const rx = ((Math.max(...xs) - Math.min(...xs)) / 2) * g, ry = ((Math.max(...ys) - Math.min(...ys)) / 2) * g;
  const pts: Point[] = [];
  for (let i = 0; i < 64; i++) {
    const a = (i / 64) * 2 * Math.PI;
    const x = Math.min(W0 - 1, Math.max(0, cx + rx * Math.cos(a))), y = Math.min(H0 - 1, Math.max(0, cy + ry * Math.sin(a)));
    pts.push([(x + 0.5) * s - 0.5, (y + 0.5) * s - 0.5]);
  }
  return rasterizePolygon(pts);
}

/** A photo case region moved, turned or scaled as a whole, at one scale: its request (the region alone, nothing kept) and polygon. */
export interface RigidRegion {
  /** `<case>:<region>`, and the case's file name without `.json`. */
  id: string; file: string;
  reg: { id: string; polygon: Point[] };
  /** The case's JSON (its `size` is the 1× image's). */
  json: { size: [number, number] };
  scale: number;
  req: EditRequest;
}

const RIGID = new Set(['translate', 'rotate', 'scale']);

/** Every rigid region with a polygon of the photo cases in `dir`, at each of `scales` (the image enlarged, test/helpers/enlarged-case.ts). */
export async function* rigidRegions(dir: string, scales: readonly number[]): AsyncGenerator<RigidRegion> {
  for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.json')).sort()) {
    const j = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
    for (const reg of j.regions as { id: string; polygon?: Point[] }[]) {
      const drags = (j.drags as { region: string; kind: string }[]).filter((d) => d.region === reg.id);
      if (!reg.polygon || drags.length === 0 || !drags.every((d) => RIGID.has(d.kind))) continue;
      for (const s of scales) {
        const req = await enlargedRequest({ ...j, regions: [reg], drags, keep: undefined }, s);
        yield { id: `${f.replace('.json', '')}:${reg.id}`, file: f.replace('.json', ''), reg: { id: reg.id, polygon: reg.polygon }, json: j, scale: s, req };
      }
    }
  }
}
