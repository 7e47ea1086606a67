/**
 * A bundled photo case (test/fixtures/cases) as a final request, its photo and geometry enlarged
 * `scale`× (Lanczos 3, pixel centres kept): the same scene as the larger photo a user opens.
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { caseToRequest, parseDragCase } from '../../bridge-server/src/core/case';
import type { EditRequest } from '../../bridge-server/src/core/types';
import { readImage } from '../../bridge-server/src/io/image-io';

const FIX = path.join(__dirname, '..', 'fixtures');

export async function enlargedCaseRequest(id: string, scale = 1): Promise<EditRequest> {
  return enlargedRequest(JSON.parse(fs.readFileSync(path.join(FIX, 'cases', `${id}.json`), 'utf8')), scale);
}

/** {@link enlargedCaseRequest} of a case given as its JSON object (its image one of test/fixtures). */
export async function enlargedRequest(json: unknown, scale = 1): Promise<EditRequest> {
  const c = parseDragCase(json);
  const image = await readImage(path.join(FIX, c.image));
  if (scale === 1) return caseToRequest(c, image, { quality: 'final' });
  const W = image.width * scale, H = image.height * scale;
  const raw = await sharp(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength), { raw: { width: image.width, height: image.height, channels: 4 } })
    .resize(W, H, { kernel: 'lanczos3' }).raw().toBuffer();
  const sp = (p: readonly number[]): [number, number] => [(p[0]! + 0.5) * scale - 0.5, (p[1]! + 0.5) * scale - 0.5];
  const big = parseDragCase({
    ...c, size: [W, H],
    regions: c.regions.map((r) => ({ ...r, ...(r.polygon ? { polygon: r.polygon.map(sp) } : {}) })),
    drags: c.drags.map((d) => ({ ...d, points: d.points.map(sp), ...(d.center ? { center: sp(d.center) } : {}) })),
    ...(c.keep ? { keep: c.keep.map((k) => k.map(sp)) } : {}),
  });
  return caseToRequest(big, { width: W, height: H, data: new Uint8ClampedArray(raw.buffer, raw.byteOffset, raw.byteLength) }, { quality: 'final' });
}
