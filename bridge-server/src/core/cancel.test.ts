/**
 * Cooperative cancel (core/cancel.ts): the long synchronous stages look at the edit's signal inside
 * themselves — the object reading between its steps and GrabCut rounds, the warp between bands of
 * rows (also when the rows are shared with the pixel threads), the fills between rows and
 * iterations, the self-check between its steps — and stop there with `CancelledError`. A signal
 * that never fires changes no byte. (Behaviour only: how soon a cancel lands in milliseconds is
 * measured against a real bridge, test/integration/cancel-cooperative.test.ts.)
 */
import { rasterizePolygon, type Point } from '@smartdrag/shared';
import { runEdit } from './edit';
import { fillPatchMatch, fillPushPullCoarse } from './fill';
import { createMask } from './image';
import { objectCacheEnabled, setObjectCache } from './plan/object-cache';
import { segmentObject } from './segment/grabcut';
import { makeSegmentScene } from './segment/test-scenes';
import { selfCheck } from './self-check';
import { makeTexture } from './textures';
import { CancelledError, type EditRequest, type Mask, type RgbaImage } from './types';
import { pixelHelperCount, pixelHelpersReady, setParallelMinWork, setPixelHelperCount, startPixelHelpers } from './parallel/rows';

/**
 * A signal that counts how often it is looked at and fires at look `fireAt` (never when omitted):
 * a run without firing tells how many looks a stage makes; firing at half of them lands inside it.
 */
function countingSignal(fireAt = Infinity): { signal: AbortSignal; looks: () => number } {
  let looks = 0;
  const signal = {
    get aborted() { looks++; return looks >= fireAt; },
    reason: undefined, onabort: null,
    addEventListener() { /* not used by the core */ }, removeEventListener() { /* not used by the core */ },
    dispatchEvent() { return true; }, throwIfAborted() { /* not used by the core */ },
  } as unknown as AbortSignal;
  return { signal, looks: () => looks };
}

/**
 * `run` looks at its signal at least `minLooks` times when it is not cancelled; fired at half of
 * those looks it throws `CancelledError` at that look (nothing of the rest of the run happens).
 */
function expectStopsMidway(run: (signal: AbortSignal) => unknown, minLooks: number): void {
  const free = countingSignal();
  run(free.signal);
  expect(free.looks()).toBeGreaterThanOrEqual(minLooks);
  const half = Math.floor(free.looks() / 2);
  const fired = countingSignal(half);
  expect(() => run(fired.signal)).toThrow(CancelledError);
  // (A check may look twice: its poll's look and its own.)
  expect(fired.looks()).toBeLessThanOrEqual(half + 1);
}

let cacheWas = true;
beforeAll(() => {
  // Every run reads the object afresh (a cached reading costs no check).
  cacheWas = objectCacheEnabled();
  setObjectCache(false);
});
afterAll(() => setObjectCache(cacheWas));

describe('the object reading stops inside itself', () => {
  const scene = makeSegmentScene('textured', 4); // 1280 × 960, a loose selection around a textured object

  test('GrabCut: between its steps and rounds and inside the graph cut', () => {
    expectStopsMidway((signal) => segmentObject(scene.image, scene.selection, scene.handles, { grow: 1 }, signal), 12);
  });

  test('an edit cancelled halfway through its object reading ends there: no plan is told, nothing after it runs', async () => {
    const req: EditRequest = {
      image: scene.image, regions: [{ id: 'r', mask: scene.selection }],
      drags: [{ region: 'r', kind: 'translate', points: [scene.handles[0]!, [scene.handles[0]![0] + 90.5, scene.handles[0]![1] + 30.25]] }],
      keep: [], quality: 'preview', seed: 1,
    };
    // Looks until the plan is told (the object reading ends just before).
    const free = countingSignal();
    let looksAtPlan = -1;
    await runEdit(req, { signal: free.signal, onPlan: () => { looksAtPlan = free.looks(); } });
    // The current code looked twice (before the plan and after the reading): the reading itself never.
    expect(looksAtPlan).toBeGreaterThanOrEqual(20);
    const half = Math.floor(looksAtPlan / 2);
    const fired = countingSignal(half);
    const told: string[] = [];
    await expect(runEdit(req, { signal: fired.signal, onPlan: () => told.push('plan'), onProgress: (s) => told.push(s) })).rejects.toBeInstanceOf(CancelledError);
    expect(told).toEqual([]);
    expect(fired.looks()).toBeLessThanOrEqual(half + 1);
  });
});

const warpImage = makeTexture('brick', 1400, 1300, 5);
const warpSquare: Point[] = [[100, 50], [1300, 50], [1300, 1250], [100, 1250]];
function warpReq(quality: 'preview' | 'final'): EditRequest {
  return {
    image: warpImage, regions: [{ id: 'r', mask: rasterizePolygon(warpSquare) }],
    drags: [{ region: 'r', kind: 'rotate', center: [700, 650], points: [[1200, 650], [1196, 700]] }],
    keep: [], quality, seed: 1,
  };
}

describe('the warp stops between bands of rows', () => {
  // A turn of a 1200-row region: the render reports its rows in bands (a pass of ≥ 1024 rows).
  const req = warpReq;

  /**
   * Cancel at the warp's first report of rows inside its pass: no later report of the warp, and no
   * later stage. Returns false when the pass had no report inside it — with a helper thread on a
   * loaded machine the helper can render every other chunk while the calling thread renders its
   * first (the caller tells only between its own chunks), so the first report is the pass's end;
   * nothing was cancelled then and the edit ends whole, as it must.
   */
  async function cancelAtFirstBand(quality: 'preview' | 'final'): Promise<boolean> {
    const ac = new AbortController();
    const after: string[] = [];
    let bands = 0;
    const run = runEdit(req(quality), {
      signal: ac.signal,
      onProgress: (stage, f) => {
        if (ac.signal.aborted) { after.push(`${stage} ${f.toFixed(2)}`); return; }
        if (stage === 'warp' && f > 0 && f < 1) { bands++; ac.abort(); }
      },
    });
    const outcome = await run.then(() => 'finished' as const, (e: unknown) => e);
    if (bands === 0) {
      expect(outcome).toBe('finished');
      return false;
    }
    expect(outcome).toBeInstanceOf(CancelledError);
    expect(bands).toBe(1);
    // The current code rendered every remaining band (and reported it) before it looked.
    expect(after).toEqual([]);
    return true;
  }

  test('on the calling thread', async () => {
    // (One thread reports after every band: there is always a report inside the pass.)
    expect(await cancelAtFirstBand('preview')).toBe(true);
  });

  describe('with the rows shared among the pixel threads', () => {
    const helpersWere = pixelHelperCount();
    let minWorkWas = 0;
    beforeAll(async () => {
      minWorkWas = setParallelMinWork(0);
      setPixelHelperCount(1);
      startPixelHelpers();
      await pixelHelpersReady();
    });
    afterAll(() => { setParallelMinWork(minWorkWas); setPixelHelperCount(helpersWere); });

    test('a cancel stops the pass; the next edit is the same to the byte as one that was never cancelled', async () => {
      // A few tries for a pass with a report inside it (see cancelAtFirstBand); each try that had
      // one must have stopped there.
      let stopped = false;
      for (let i = 0; i < 5 && !stopped; i++) stopped = await cancelAtFirstBand('preview');
      expect(stopped).toBe(true);
      // The helpers' chunks under way ended before the cancel returned: nothing writes into the
      // next edit's arrays, and a signal that never fires changes nothing.
      await expectSignalChangesNothing('preview');
    });

    test('a signal that never fires changes no byte of a final (its passes cut into smaller chunks)', async () => {
      await expectSignalChangesNothing('final', small);
    });
  });

  test('a signal that never fires changes no byte (on the calling thread)', async () => {
    await expectSignalChangesNothing('preview');
  });
});

/** A turn of an ellipse on a 640² document (its final is quick). */
const small: EditRequest = {
  image: makeTexture('brick', 640, 640, 3),
  regions: [{ id: 'r', mask: rasterizePolygon(Array.from({ length: 64 }, (_, i) => { const t = (i / 64) * 2 * Math.PI; return [320 + 150 * Math.cos(t), 320 + 130 * Math.sin(t)] as Point; })) }],
  drags: [{ region: 'r', kind: 'rotate', center: [320, 320], points: [[470, 320], [460, 370]] }],
  keep: [], quality: 'final', seed: 1,
};

async function expectSignalChangesNothing(quality: 'preview' | 'final', base?: EditRequest): Promise<void> {
  const r = base ? { ...base, quality } : warpReq(quality);
  const plain = await runEdit(r, { selfCheck: true, forOutline: true });
  const signalled = await runEdit(r, { selfCheck: true, forOutline: true, signal: new AbortController().signal });
  expect(Buffer.compare(Buffer.from(signalled.edited.data), Buffer.from(plain.edited.data))).toBe(0);
  expect(Buffer.compare(Buffer.from(signalled.holeMask.data), Buffer.from(plain.holeMask.data))).toBe(0);
  expect(Buffer.compare(Buffer.from(signalled.layer.image.data), Buffer.from(plain.layer.image.data))).toBe(0);
  expect(signalled.check?.badness).toBe(plain.check?.badness);
}

describe('the fills stop inside themselves', () => {
  function holeScene(size: number): { image: RgbaImage; hole: Mask; forbidden: Mask } {
    const image = makeTexture('noise', size, size, 3);
    const hole = createMask(size, size), forbidden = createMask(size, size);
    const c = size / 2, r = size * 0.3;
    for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) {
      if ((x - c) ** 2 + (y - c) ** 2 <= r * r) { hole.data[y * size + x] = 255; forbidden.data[y * size + x] = 255; }
    }
    return { image, hole, forbidden };
  }

  test('the preview fill: between rows and steps', () => {
    const s = holeScene(1200);
    expectStopsMidway((signal) => fillPushPullCoarse({ ...s.image, data: s.image.data.slice() }, s.hole, s.forbidden, signal), 6);
  });

  test('the exemplar fill: a cancel at its first report stops it before its next iteration', async () => {
    const s = holeScene(256);
    const ac = new AbortController();
    const after: number[] = [];
    const run = fillPatchMatch(s.image, s.hole, s.forbidden, {
      seed: 1, signal: ac.signal,
      onProgress: (f) => { if (ac.signal.aborted) after.push(f); else if (f > 0) ac.abort(); },
    });
    await expect(run).rejects.toBeInstanceOf(CancelledError);
    // The current code finished the level's iterations (reporting each) before it looked.
    expect(after).toEqual([]);
  });
});

test('the self-check stops between its steps', async () => {
  const scene = makeSegmentScene('textured', 3);
  const req: EditRequest = {
    image: scene.image, regions: [{ id: 'r', mask: scene.selection }],
    drags: [{ region: 'r', kind: 'rotate', center: scene.handles[0]!, points: [[scene.handles[0]![0] + 100, scene.handles[0]![1]], [scene.handles[0]![0] + 96, scene.handles[0]![1] + 30]] }],
    keep: [], quality: 'preview', seed: 1,
  };
  const res = await runEdit(req, { withSourceMap: true });
  // On a small proxy (the path every large crop takes): images averaged, then measured.
  expectStopsMidway((signal) => selfCheck(req, res, 20_000, signal), 4);
});
