/**
 * Fuzz test of the editing core on real photos (issue #13: "judged on photos you do not have"):
 * random loose selections (ellipses of every size, some past the frame, some a few pixels wide),
 * 1–3 drags of every kind (some of zero length, some ending off the picture), random intents, keep
 * boxes and both qualities, on the bundled photos. Every edit must finish with a plan, never write
 * a keep pixel, never write outside the editable area when it bends the selection elastically, hand
 * back a layer that is exactly the changed pixels, and give the same pixels again for the same
 * request. Seeded: a failure names its seed and case and reproduces with `CORE_FUZZ_SEED=<seed>`.
 */
import path from 'node:path';
import { createRng, type Rng } from '../../bridge-server/src/core/random';
import { runEdit } from '../../bridge-server/src/core/edit';
import type { DragKindOrAuto, EditRequest, EditResult, PlacedMask, Point, RgbaImage } from '../../bridge-server/src/core/types';
import { readImage } from '../../bridge-server/src/io/image-io';

const SEED = Number(process.env.CORE_FUZZ_SEED ?? 20261205);
const CASES = 36;
const PHOTOS = ['HappyFish', 'apple', 'butterfly', 'coffee', 'home', 'messi5', 'rocket', 'smarties', 'stuff'];
const KINDS: DragKindOrAuto[] = ['auto', 'auto', 'auto', 'translate', 'rotate', 'scale', 'deform'];
const INTENTS = ['', '', '', 'move it', 'turn the head', 'rotate 30 degrees', 'make it bigger', 'raise the arm', 'close the mouth', 'move the cup 40 px left', 'bend the tail'];

interface Case { name: string; req: EditRequest; mask: Uint8Array; keepBox?: { left: number; top: number; size: number } }

function ellipseCase(rng: Rng, photo: string, image: RgbaImage, i: number): Case {
  const W = image.width, H = image.height;
  // Half the cases draw as a user of a loose selection does (arrows inside it, no kind set: the
  // elastic reading's ground); the others anything (kinds, zero-length arrows, targets off the picture).
  const loose = rng() < 0.5;
  const cx = rng() * W, cy = rng() * H;
  const rx = loose ? 20 + rng() * W * 0.25 : 2 + rng() * W * (rng() < 0.15 ? 0.02 : 0.35);
  const ry = loose ? 20 + rng() * H * 0.25 : 2 + rng() * H * 0.35, th = rng() * Math.PI;
  const mask = new Uint8Array(W * H);
  const c = Math.cos(th), s = Math.sin(th);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
    const dx = x - cx, dy = y - cy, u = (dx * c + dy * s) / rx, v = (-dx * s + dy * c) / ry;
    if (u * u + v * v <= 1) mask[y * W + x] = 255;
  }
  const drags = [];
  const nd = 1 + Math.floor(rng() * 3);
  for (let d = 0; d < nd; d++) {
    const h: Point = loose ? [cx + (rng() - 0.5) * 0.5 * Math.min(rx, ry), cy + (rng() - 0.5) * 0.5 * Math.min(rx, ry)] : [cx + (rng() - 0.5) * rx, cy + (rng() - 0.5) * ry];
    const len = loose ? rng() * 0.35 * Math.min(rx, ry) : rng() < 0.1 ? 0 : rng() * Math.max(rx, ry) * 1.5, a = rng() * 2 * Math.PI;
    drags.push({ region: 'r1', points: [h, [h[0] + len * Math.cos(a), h[1] + len * Math.sin(a)] as Point], kind: loose ? 'auto' : KINDS[Math.floor(rng() * KINDS.length)]! });
  }
  const keepBox = rng() < 0.25 ? { left: Math.max(0, Math.min(W - 20, Math.floor(cx))), top: Math.max(0, Math.min(H - 20, Math.floor(cy))), size: 20 } : undefined;
  const keep: PlacedMask[] | undefined = keepBox ? [{ left: keepBox.left, top: keepBox.top, width: 20, height: 20, data: new Uint8Array(400).fill(255) }] : undefined;
  const req: EditRequest = {
    image, regions: [{ id: 'r1', mask: { left: 0, top: 0, width: W, height: H, data: mask } }], drags, keep,
    intent: loose && rng() < 0.6 ? '' : INTENTS[Math.floor(rng() * INTENTS.length)]!, quality: rng() < 0.3 ? 'preview' : 'final', seed: 1,
  };
  const name = `seed ${SEED} case ${i}: ${photo} ${loose ? 'loose ' : ''}ellipse (${cx | 0}, ${cy | 0}) r ${rx.toFixed(1)}×${ry.toFixed(1)} θ ${th.toFixed(3)} (cx ${cx.toFixed(2)}, cy ${cy.toFixed(2)}), drags ${JSON.stringify(drags.map((d) => [d.kind, d.points.map((p) => p.map((v) => +v.toFixed(2)))]))}, "${req.intent}", ${req.quality}`;
  return { name, req, mask, keepBox };
}

/** Every way the result can break the rules, in words (empty when it keeps them). */
function violations(c: Case, r: EditResult): string[] {
  const out: string[] = [];
  const img = c.req.image, W = img.width;
  const { crop, edited, layer } = r;
  if (r.plan.operations.length === 0 && r.plan.warnings.length === 0) out.push('no operation and no warning');
  if (edited.width !== crop.width || edited.height !== crop.height) out.push('edited size is not the crop');
  if (crop.left < 0 || crop.top < 0 || crop.left + crop.width > img.width || crop.top + crop.height > img.height) out.push('crop outside the picture');
  const elasticOnly = r.plan.operations.length > 0 && r.plan.operations.every((o) => o.params.kind === 'deform' && o.params.elastic === true);
  let keepWritten = 0, outside = 0, layerWrong = 0;
  for (let y = 0; y < crop.height; y++) {
    for (let x = 0; x < crop.width; x++) {
      const X = x + crop.left, Y = y + crop.top, o = (Y * W + X) * 4, e = (y * crop.width + x) * 4;
      let changed = false;
      for (let k = 0; k < 4; k++) if (edited.data[e + k] !== img.data[o + k]) changed = true;
      const lx = X - layer.left, ly = Y - layer.top;
      const inLayer = lx >= 0 && ly >= 0 && lx < layer.image.width && ly < layer.image.height;
      const la = inLayer ? layer.image.data[(ly * layer.image.width + lx) * 4 + 3]! : 0;
      // The layer holds exactly the changed pixels (alpha 0 elsewhere).
      if (changed !== (la > 0)) layerWrong++;
      if (!changed) continue;
      const kb = c.keepBox;
      if (kb && X >= kb.left && Y >= kb.top && X < kb.left + kb.size && Y < kb.top + kb.size) keepWritten++;
      if (elasticOnly && c.mask[Y * W + X] === 0) outside++;
    }
  }
  if (keepWritten) out.push(`${keepWritten} keep pixels written`);
  if (outside) out.push(`${outside} pixels written outside the area by an elastic drag`);
  if (layerWrong) out.push(`${layerWrong} pixels where the layer and the changed pixels disagree`);
  return out;
}

describe('core fuzz on the bundled photos', () => {
  const images = new Map<string, RgbaImage>();
  beforeAll(async () => {
    for (const p of PHOTOS) images.set(p, await readImage(path.join(__dirname, '../fixtures/photos', `${p}.png`)));
  });

  it(`${CASES} random selections and drags: each edit finishes, keeps keep pixels and the area, and its layer is its change`, async () => {
    const rng = createRng(SEED);
    const failures: string[] = [];
    const kinds = new Set<string>();
    let elastic = 0;
    for (let i = 0; i < CASES; i++) {
      const photo = PHOTOS[Math.floor(rng() * PHOTOS.length)]!;
      const c = ellipseCase(rng, photo, images.get(photo)!, i);
      let r: EditResult;
      try {
        r = await runEdit(c.req);
      } catch (e) {
        failures.push(`${c.name}: threw ${(e as Error).name}: ${(e as Error).message}`);
        continue;
      }
      for (const o of r.plan.operations) kinds.add(o.kind);
      if (r.plan.operations.some((o) => o.params.kind === 'deform' && o.params.elastic)) elastic++;
      const v = violations(c, r);
      if (v.length) failures.push(`${c.name}: ${v.join('; ')}`);
    }
    expect(failures).toEqual([]);
    // The fuzz reaches every reading (else it tests less than it says).
    expect([...kinds].sort()).toEqual(['deform', 'rotate', 'scale', 'translate']);
    expect(elastic).toBeGreaterThan(3);
  });

  it('the same request gives the same pixels (a final and a preview of random cases)', async () => {
    const rng = createRng(SEED + 1);
    for (let i = 0; i < 4; i++) {
      const photo = PHOTOS[Math.floor(rng() * PHOTOS.length)]!;
      const c = ellipseCase(rng, photo, images.get(photo)!, i);
      const a = await runEdit(c.req), b = await runEdit(c.req);
      expect({ case: c.name, crop: b.crop, same: Buffer.compare(Buffer.from(a.edited.data), Buffer.from(b.edited.data)) === 0 })
        .toEqual({ case: c.name, crop: a.crop, same: true });
    }
  });
});
