/**
 * "Move a part, not the whole region" evidence (DragBench follow-up of issues #5/#6): a short
 * arrow from off the centre of a large region deforms that part; a central drag on a compact
 * blob stays a translate; a handle well inside the outline pulling radially is a part, not a
 * rim to scale; two arrows pinching close together inside a region bend it (a beak closing), while
 * arrows on opposite rims still scale; zero-length drags next to moving ones are pins.
 */
import type { Drag, EditRequest, PlacedMask, Point } from '../types';
import { makePlan } from './index';

const W = 600, H = 600;

/** A filled disc of radius r about (cx, cy), placed over the whole canvas. */
function disc(cx: number, cy: number, r: number): PlacedMask {
  const data = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) if ((x - cx) ** 2 + (y - cy) ** 2 <= r * r) data[y * W + x] = 255;
  return { left: 0, top: 0, width: W, height: H, data };
}

function req(mask: PlacedMask, drags: Point[][]): EditRequest {
  return {
    image: { width: W, height: H, data: new Uint8ClampedArray(W * H * 4) },
    regions: [{ id: 'a', mask }],
    drags: drags.map((points): Drag => ({ region: 'a', points })),
    quality: 'preview',
  };
}

const BIG = disc(300, 300, 200); // radius of gyration 141, inscribed radius 200
const SMALL = disc(300, 300, 30);

describe('part drags on large regions', () => {
  it('a short arrow from off the centre of a large blob deforms that part', async () => {
    // Handle 110 px right of the centre (0.78 radii of gyration: the core reading alone says
    // translate), arrow 50 px = 0.25 of the inscribed radius, sideways.
    const plan = await makePlan(req(BIG, [[[410, 300], [410, 250]]]));
    expect(plan.operations).toHaveLength(1);
    expect(plan.operations[0]!.kind).toBe('deform');
    expect(plan.operations[0]!.params).toEqual({ kind: 'deform', handles: [[410, 300]], targets: [[410, 250]] });
    expect(plan.operations[0]!.reason).toMatch(/moves that part/);
  });

  it('the same arrow from the centre of the blob translates it', async () => {
    const plan = await makePlan(req(BIG, [[[305, 300], [305, 250]]]));
    expect(plan.operations.map((o) => o.kind)).toEqual(['translate']);
  });

  it('a long arrow from the same off-centre handle still translates (it reaches across the region)', async () => {
    const plan = await makePlan(req(BIG, [[[410, 300], [410, 100]]]));
    expect(plan.operations.map((o) => o.kind)).toEqual(['translate']);
  });

  it('a compact blob with a drag near its centre translates', async () => {
    const plan = await makePlan(req(SMALL, [[[303, 302], [330, 290]]]));
    expect(plan.operations[0]!.params).toEqual({ kind: 'translate', dx: 27, dy: -12 });
  });

  it('a handle on the outline pulling inwards scales, one well inside pulling the same way deforms', async () => {
    const onRim = await makePlan(req(BIG, [[[499, 300], [459, 300]]]));
    expect(onRim.operations.map((o) => o.kind)).toEqual(['scale']);
    // 60 px inside the outline (1.5 × the 0.1·200 = 20 px depth unit is 30 px): a part.
    const inside = await makePlan(req(BIG, [[[440, 300], [400, 300]]]));
    expect(inside.operations.map((o) => o.kind)).toEqual(['deform']);
  });

  it('two arrows closing towards each other inside a large blob bend it; on opposite rims they scale', async () => {
    // Handles 40 px apart (0.28 radii of gyration): a beak closing.
    const beak = await makePlan(req(BIG, [[[420, 280], [420, 295]], [[420, 320], [420, 305]]]));
    expect(beak.operations).toHaveLength(1);
    expect(beak.operations[0]!.params).toEqual({ kind: 'deform', handles: [[420, 280], [420, 320]], targets: [[420, 295], [420, 305]] });
    const pinch = await makePlan(req(BIG, [[[101, 300], [141, 300]], [[499, 300], [459, 300]]]));
    expect(pinch.operations.map((o) => o.kind)).toEqual(['scale']);
    const p = pinch.operations[0]!.params as { sx: number };
    expect(p.sx).toBeCloseTo(318 / 398, 3);
  });

  it('two move arrows that disagree on one region become one deform with both handles', async () => {
    const plan = await makePlan(req(SMALL, [[[300, 300], [320, 300]], [[305, 305], [305, 330]]]));
    expect(plan.operations).toHaveLength(1);
    expect(plan.operations[0]!.kind).toBe('deform');
    expect((plan.operations[0]!.params as { handles: Point[] }).handles).toEqual([[300, 300], [305, 305]]);
  });

  it('two parallel move arrows on one region still translate it by their mean', async () => {
    const plan = await makePlan(req(SMALL, [[[300, 300], [320, 300]], [[305, 305], [326, 305]]]));
    expect(plan.operations[0]!.params).toEqual({ kind: 'translate', dx: 20.5, dy: 0 });
  });

  it('zero-length drags next to a moving one are pins the deform keeps fixed', async () => {
    const plan = await makePlan(req(SMALL, [[[300, 300], [320, 300]], [[290, 290], [290, 290]]]));
    expect(plan.operations).toHaveLength(1);
    expect(plan.operations[0]!.params).toEqual({ kind: 'deform', handles: [[300, 300], [290, 290]], targets: [[320, 300], [290, 290]] });
    expect(plan.operations[0]!.reason).toMatch(/1 pinned point/);
  });
});
