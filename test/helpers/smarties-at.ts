/**
 * The sample case (test/fixtures/cases/smarties-move-red.json) at a dev bench's document size:
 * the photo enlarged to `width`×`height` (a photo's content, at the size users open), the case's
 * lasso there as a selection, and its arrow.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { rasterizePolygon, type PlacedMask, type Point } from '@smartdrag/shared';
import { parseDragCase } from '../../bridge-server/src/core/case';

const FIXTURES = join(__dirname, '..', 'fixtures');

export async function smartiesAt(width: number, height: number): Promise<{ png: Buffer; selection: PlacedMask; drag: Point[] }> {
  const theCase = parseDragCase(JSON.parse(readFileSync(join(FIXTURES, 'cases', 'smarties-move-red.json'), 'utf8')));
  const sx = width / 413, sy = height / 356;
  const scale = (p: Point): Point => [Math.round(p[0] * sx), Math.round(p[1] * sy)];
  const png = await sharp(join(FIXTURES, 'photos', 'smarties.png')).resize(width, height, { fit: 'fill' }).png({ compressionLevel: 1 }).toBuffer();
  return {
    png,
    selection: rasterizePolygon((theCase.regions[0]!.polygon as Point[]).map(scale)),
    drag: theCase.drags[0]!.points.map((p) => scale(p as Point)),
  };
}
