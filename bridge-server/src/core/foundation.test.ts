import * as fs from 'fs';
import * as path from 'path';
import { caseToRequest, parseDragCase } from './case';
import { runEdit } from './edit';
import { makeTexture, TEXTURE_KINDS } from './textures';
import { psnr, ssim } from './metrics';
import { cloneImage } from './image';
import { readImage } from '../io/image-io';

const FIX = path.join(__dirname, '../../../test/fixtures');

describe('foundation', () => {
  test('every bundled case parses', () => {
    const files = fs.readdirSync(path.join(FIX, 'cases')).filter((f) => f.endsWith('.json'));
    expect(files.length).toBe(25);
    for (const f of files) parseDragCase(JSON.parse(fs.readFileSync(path.join(FIX, 'cases', f), 'utf8')));
  });

  test('smarties-move-red really moves pixels', async () => {
    const c = parseDragCase(JSON.parse(fs.readFileSync(path.join(FIX, 'cases/smarties-move-red.json'), 'utf8')));
    const img = await readImage(path.join(FIX, c.image));
    const res = await runEdit(caseToRequest(c, img));
    expect(res.plan.operations).toHaveLength(1);
    // the target point now shows the colour that was at the handle
    const [hx, hy] = c.drags[0]!.points[0]!;
    const [tx, ty] = c.drags[0]!.points[1]!;
    const si = (hy * img.width + hx) * 4;
    const lx = tx - res.crop.left, ly = ty - res.crop.top;
    const ti = (ly * res.crop.width + lx) * 4;
    expect(Array.from(res.edited.data.subarray(ti, ti + 3))).toEqual(Array.from(img.data.subarray(si, si + 3)));
  });

  test('metrics: identical images', () => {
    for (const k of TEXTURE_KINDS) {
      const a = makeTexture(k, 40, 30, 3);
      expect(psnr(a, cloneImage(a))).toBe(Infinity);
      expect(ssim(a, cloneImage(a))).toBeCloseTo(1, 10);
    }
  });

  test('metrics: known PSNR for a constant error', () => {
    const a = makeTexture('gradient', 20, 20, 1);
    const b = cloneImage(a);
    for (let i = 0; i < b.data.length; i += 4) { a.data[i] = 100; a.data[i + 1] = 100; a.data[i + 2] = 100; b.data[i] = 110; b.data[i + 1] = 110; b.data[i + 2] = 110; }
    expect(psnr(a, b)).toBeCloseTo(10 * Math.log10(255 * 255 / 100), 6);
  });
});

describe('textures', () => {
  test('no texture has large flat black areas (lattice lookups stay in range)', () => {
    for (const k of TEXTURE_KINDS) {
      const t = makeTexture(k, 128, 96, 7);
      let black = 0;
      for (let i = 0; i < t.data.length; i += 4) if (t.data[i] === 0 && t.data[i + 1] === 0 && t.data[i + 2] === 0) black++;
      expect(black / (128 * 96)).toBeLessThan(0.01);
    }
  });
});
