import { createImage } from '../image';
import type { Drag, EditRequest, PlacedMask, RgbaImage } from '../types';
import { makePlan } from './index';
import { LOOSE_FIT, regionFit } from './region-fit';

const W = 256, H = 256;

/** A smooth vertical gradient with an orange disc of radius 40 at (128, 128). */
function scene(): RgbaImage {
  const img = createImage(W, H);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
    const p = (y * W + x) * 4, inDisc = Math.hypot(x - 128, y - 128) <= 40;
    img.data[p] = inDisc ? 230 : 40 + y / 4; img.data[p + 1] = inDisc ? 120 : 90 + y / 8; img.data[p + 2] = inDisc ? 30 : 150; img.data[p + 3] = 255;
  }
  return img;
}

function discMask(r: number): PlacedMask {
  const data = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) if (Math.hypot(x - 128, y - 128) <= r) data[y * W + x] = 255;
  return { left: 0, top: 0, width: W, height: H, data };
}

describe('region fit (tight outline vs loose editable area)', () => {
  it('an outline on the object edge fits, one 30 px outside does not', () => {
    const img = scene();
    const tight = regionFit(img, discMask(40.5));
    const loose = regionFit(img, discMask(70));
    expect(tight.fit).toBeGreaterThan(0.9);
    expect(loose.fit).toBeLessThan(LOOSE_FIT);
    expect(tight.samples).toBeGreaterThan(100);
  });

  it('a blank image gives no evidence of looseness (used as given)', () => {
    expect(regionFit(createImage(W, H), discMask(70)).fit).toBe(1);
  });
});

describe('planner: rigid move vs elastic drag (table)', () => {
  const straight: Drag['points'] = [[128, 128], [150, 120]];
  const arc: Drag['points'] = [[168, 128], [163, 148], [148, 163], [128, 168]];
  const rows: Array<{ name: string; image: 'scene' | 'blank'; r: number; points: Drag['points']; kind?: Drag['kind']; intent?: string; want: string }> = [
    { name: 'tight selection, drag from the core', image: 'scene', r: 40.5, points: straight, want: 'translate' },
    { name: 'loose area, same drag', image: 'scene', r: 75, points: straight, want: 'deform elastic' },
    { name: 'loose area, kind forced by the user', image: 'scene', r: 75, points: straight, kind: 'translate', want: 'translate' },
    { name: 'loose area, an arc', image: 'scene', r: 75, points: arc, want: 'rotate' },
    { name: 'blank image (no edges): used as given', image: 'blank', r: 75, points: straight, want: 'translate' },
  ];
  it.each(rows)('$name → $want', async (row) => {
    const req: EditRequest = {
      image: row.image === 'scene' ? scene() : createImage(W, H), regions: [{ id: 'a', mask: discMask(row.r) }],
      drags: [{ region: 'a', points: row.points, ...(row.kind ? { kind: row.kind } : {}) }], intent: row.intent ?? '', quality: 'preview', seed: 1,
    } as EditRequest;
    const plan = await makePlan(req);
    const op = plan.operations[0]!;
    const got = op.kind === 'deform' && (op.params as { elastic?: boolean }).elastic ? 'deform elastic' : op.kind;
    expect(got).toBe(row.want);
    if (got === 'deform elastic') {
      expect(op.params).toMatchObject({ handles: [[128, 128]], targets: [[150, 120]] });
      expect(op.reason).toMatch(/editable area/);
    }
  });
});
