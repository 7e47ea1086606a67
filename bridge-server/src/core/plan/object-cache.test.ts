import { runEdit } from '../edit';
import { makeSegmentScene } from '../segment/test-scenes';
import type { EditRequest, RgbaImage } from '../types';
import { clearObjectCache, objectCacheStats, setObjectCache } from './object-cache';

const copyImage = (im: RgbaImage): RgbaImage => ({ width: im.width, height: im.height, data: new Uint8ClampedArray(im.data) });
const same = (a: { layer: { left: number; top: number; image: RgbaImage } }, b: typeof a): boolean =>
  a.layer.left === b.layer.left && a.layer.top === b.layer.top && a.layer.image.width === b.layer.image.width &&
  Buffer.from(a.layer.image.data).equals(Buffer.from(b.layer.image.data));

describe('object reading cache: the reading of a selection is kept across jobs while the selection and its pixels stay', () => {
  const scene = makeSegmentScene('textured');
  const base = (image: RgbaImage, target: [number, number], quality: 'preview' | 'final' = 'preview', selection = scene.selection): EditRequest => ({
    image, regions: [{ id: 'r', mask: selection }], drags: [{ region: 'r', points: [[150, 120], target], kind: 'translate' }], quality, seed: 1,
  });
  afterAll(() => setObjectCache(true));

  it('a second preview with the arrow moved (fresh buffers, same content) reuses the reading and gives the uncached result', async () => {
    setObjectCache(false);
    const coldA = await runEdit(base(copyImage(scene.image), [150, 160]));
    const coldB = await runEdit(base(copyImage(scene.image), [170, 150]));
    setObjectCache(true);
    clearObjectCache();
    const s0 = objectCacheStats();
    const warmA = await runEdit(base(copyImage(scene.image), [150, 160]));
    const warmB = await runEdit(base(copyImage(scene.image), [170, 150]));
    const s1 = objectCacheStats();
    expect(s1.misses - s0.misses).toBe(1);
    expect(s1.hits - s0.hits).toBe(1);
    expect(warmA.plan.operations[0]!.reason).toMatch(/moves the object found inside the selection/);
    expect(same(warmA, coldA)).toBe(true);
    expect(same(warmB, coldB)).toBe(true);
    // A final reads the selection on its own (finer) grid: another reading.
    await runEdit(base(copyImage(scene.image), [150, 160], 'final'));
    expect(objectCacheStats().misses - s1.misses).toBe(1);
  });

  it('a changed pixel near the selection, or a changed selection, is read anew and gives the uncached result', async () => {
    setObjectCache(true);
    clearObjectCache();
    await runEdit(base(copyImage(scene.image), [150, 160]));
    // Recolour a block of the object: the reading must not come from the cache.
    const edited = copyImage(scene.image);
    for (let y = 110; y < 130; y++) for (let x = 140; x < 170; x++) edited.data.set([250, 250, 20, 255], (y * edited.width + x) * 4);
    const s0 = objectCacheStats();
    const warm = await runEdit(base(edited, [150, 160]));
    expect(objectCacheStats().misses - s0.misses).toBe(1);
    // Another selection (its first solid rows dropped) on the original pixels.
    const sel = { ...scene.selection, data: new Uint8Array(scene.selection.data) };
    const first = sel.data.findIndex((v) => v > 0);
    sel.data.fill(0, first, first + sel.width * 3);
    const warmSel = await runEdit(base(copyImage(scene.image), [150, 160], 'preview', sel));
    expect(objectCacheStats().misses - s0.misses).toBe(2);
    setObjectCache(false);
    expect(same(warm, await runEdit(base(edited, [150, 160])))).toBe(true);
    expect(same(warmSel, await runEdit(base(copyImage(scene.image), [150, 160], 'preview', sel)))).toBe(true);
  });
});

describe('region shape cache', () => {
  it('the same mask content gives the same shape (own copies of its fields); another mask its own', async () => {
    const { describeRegion } = await import('./region-shape');
    const scene = makeSegmentScene('textured');
    const m = scene.selection;
    const a = describeRegion('r', { ...m, data: new Uint8Array(m.data) });
    const b = describeRegion('r', { ...m, data: new Uint8Array(m.data) });
    expect(b.centroid).toEqual(a.centroid);
    expect(b.centroid).not.toBe(a.centroid);
    b.centroid[0] = -1;
    expect(describeRegion('r', m).centroid[0]).toBe(a.centroid[0]);
    expect(b.depthAt([150, 120])).toBe(a.depthAt([150, 120]));
    const smaller = { ...m, data: new Uint8Array(m.data) };
    const first = smaller.data.findIndex((v) => v > 0);
    smaller.data.fill(0, first, first + m.width * 20);
    setObjectCache(false);
    const cold = describeRegion('r', smaller);
    setObjectCache(true);
    const warm = describeRegion('r', smaller);
    expect(warm.area).toBe(cold.area);
    expect(warm.area).toBeLessThan(a.area);
    expect(warm.centroid).toEqual(cold.centroid);
  });
});

describe('source patch cache (warp)', () => {
  it('a rotate preview repeated on fresh buffers reuses the patch and gives the uncached layer; changed pixels give their own', async () => {
    const { buildSourcePatch } = await import('../resample');
    const scene = makeSegmentScene('textured');
    const rot = (image: RgbaImage): EditRequest => ({
      image, regions: [{ id: 'r', mask: scene.selection }], drags: [{ region: 'r', kind: 'rotate', center: [150, 120], points: [[200, 120], [190, 150]] }], quality: 'preview', seed: 1,
    });
    const edited = copyImage(scene.image);
    for (let y = 100; y < 140; y++) for (let x = 120; x < 180; x++) edited.data.set([10, 240, 30, 255], (y * edited.width + x) * 4);
    setObjectCache(false);
    const cold = await runEdit(rot(copyImage(scene.image)));
    const coldEdited = await runEdit(rot(edited));
    setObjectCache(true);
    const p1 = buildSourcePatch(copyImage(scene.image), scene.selection);
    expect(buildSourcePatch(copyImage(scene.image), { ...scene.selection, data: new Uint8Array(scene.selection.data) })).toBe(p1);
    expect(buildSourcePatch(edited, scene.selection)).not.toBe(p1);
    const warm1 = await runEdit(rot(copyImage(scene.image)));
    const warm2 = await runEdit(rot(copyImage(scene.image)));
    expect(same(warm1, cold)).toBe(true);
    expect(same(warm2, cold)).toBe(true);
    expect(same(await runEdit(rot(copyImage(edited))), coldEdited)).toBe(true);
    expect(same(coldEdited, cold)).toBe(false);
  });
});

describe('the elastic reading\'s edge test is kept too', () => {
  afterAll(() => setObjectCache(true));
  it('a drag\'s next elastic preview (fresh buffers, same selection and pixels) reuses it; a changed pixel near the selection does not; results equal the uncached ones', async () => {
    const { makeTexture } = await import('../textures');
    const { rasterizePolygon } = await import('@smartdrag/shared');
    const W = 200, image = makeTexture('noise', W, W, 3);
    const pts: Array<[number, number]> = Array.from({ length: 40 }, (_, i) => [100 + 70 * Math.cos((i / 40) * 2 * Math.PI), 100 + 70 * Math.sin((i / 40) * 2 * Math.PI)]);
    const mask = rasterizePolygon(pts);
    const req = (img: RgbaImage, tx: number): EditRequest => ({ image: img, regions: [{ id: 'r', mask: { ...mask, data: Uint8Array.from(mask.data) } }], drags: [{ region: 'r', points: [[110, 100], [tx, 90]] }], quality: 'preview', seed: 1 });
    setObjectCache(false);
    const cold = await runEdit(req(copyImage(image), 130));
    setObjectCache(true);
    clearObjectCache();
    const s0 = objectCacheStats();
    await runEdit(req(copyImage(image), 128));
    const warm = await runEdit(req(copyImage(image), 130));
    const s1 = objectCacheStats();
    expect(warm.plan.operations[0]!.params).toMatchObject({ kind: 'deform', elastic: true });
    expect(s1.misses - s0.misses).toBe(1);
    expect(s1.hits - s0.hits).toBeGreaterThanOrEqual(1);
    expect(same(warm, cold)).toBe(true);
    const changed = copyImage(image);
    changed.data[(100 * W + 100) * 4] ^= 0xff;
    await runEdit(req(changed, 130));
    expect(objectCacheStats().misses - s1.misses).toBe(1);
  });
});
