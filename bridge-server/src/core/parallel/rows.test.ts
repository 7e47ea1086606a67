/**
 * Row-parallel pixel passes: the threaded path (helper threads over SharedArrayBuffers) gives
 * bit-identical results to the single-thread path, and the helpers really do part of the rows.
 * (Speed is measured by the speed suite, never here.)
 */
import { rasterizePolygon, type Point } from '@smartdrag/shared';
import { runEdit } from '../edit';
import { fillPatchMatch } from '../fill';
import { createMask } from '../image';
import { makeTexture } from '../textures';
import type { DragKind, EditRequest } from '../types';
import { warpRegions } from '../warp';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  HELPER_START_FAILURES_MAX, pixelHelperCount, pixelHelpersReady, pixelHelperStartFailures, registerRowKernel, rowsInBands, rowsRunByHelpers, runRows,
  setParallelMinWork, setPixelHelperCount, setPixelHelperEntry, sharedBytes, startPixelHelpers, stopPixelHelpers,
} from './rows';

const ellipse = (cx: number, cy: number, ax: number, ay: number): Point[] =>
  Array.from({ length: 64 }, (_, i) => { const t = (i / 64) * 2 * Math.PI; return [cx + ax * Math.cos(t), cy + ay * Math.sin(t)] as Point; });

const size = 640;
const image = makeTexture('brick', size, size, 3);
const region = { id: 'r', mask: rasterizePolygon(ellipse(320, 320, 150, 130)) };
const drags: Record<string, EditRequest['drags'][number]> = {
  translate: { region: 'r', kind: 'translate', points: [[320, 320], [397.3, 281.6]] },
  rotate: { region: 'r', kind: 'rotate', center: [320, 320], points: [[470, 320], [460, 370]] },
  // Shrinking by more than 1.2× makes the final warp supersample.
  scale: { region: 'r', kind: 'scale', center: [320, 320], points: [[470, 320], [380, 320]] },
  deform: { region: 'r', kind: 'deform', points: [[430, 320], [470, 292]] },
};

const helpersBefore = pixelHelperCount();
// These documents are small: force their passes onto the helpers (the default threshold keeps
// passes under a few megapixels on the calling thread).
let minWorkBefore = 0;
beforeAll(() => { minWorkBefore = setParallelMinWork(48_000); });
afterAll(() => { setPixelHelperCount(helpersBefore); setParallelMinWork(minWorkBefore); });

async function both<T>(run: () => T | Promise<T>): Promise<{ single: T; threaded: T }> {
  setPixelHelperCount(0);
  const single = await run();
  setPixelHelperCount(1);
  startPixelHelpers();
  await pixelHelpersReady();
  const threaded = await run();
  return { single, threaded };
}

function expectSame(a: ArrayLike<number>, b: ArrayLike<number>): void {
  expect(b.length).toBe(a.length);
  let diff = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i] && !(Number.isNaN(a[i]) && Number.isNaN(b[i]))) diff++;
  expect(diff).toBe(0);
}

describe('threaded pixel passes equal the single-thread path bit for bit', () => {
  test.each([
    ['translate', 'final'], ['rotate', 'final'], ['scale', 'final'], ['deform', 'final'],
    ['rotate', 'preview'], ['deform', 'preview'],
  ] as Array<[DragKind, 'preview' | 'final']>)('warp %s (%s): edited, masks and source map', async (kind, quality) => {
    const helperRows = rowsRunByHelpers();
    const req: EditRequest = { image, regions: [region], drags: [drags[kind]!], quality, seed: 1 };
    const plan = (await runEdit(req)).plan;
    const { single, threaded } = await both(() => warpRegions({ image, regions: [region], operations: plan.operations, quality, withSourceMap: true }));
    expect(threaded.crop).toEqual(single.crop);
    expectSame(single.edited.data, threaded.edited.data);
    expectSame(single.targetMask.data, threaded.targetMask.data);
    expectSame(single.holeMask.data, threaded.holeMask.data);
    expectSame(single.sourceMap!, threaded.sourceMap!);
    // The threaded run really shared its rows (the render is far above the test's threshold).
    expect(rowsRunByHelpers()).toBeGreaterThan(helperRows);
  });

  test.each(['translate', 'deform'] as DragKind[])('whole final edit (%s): the same layer', async (kind) => {
    const req: EditRequest = { image, regions: [region], drags: [drags[kind]!], quality: 'final', seed: 4 };
    const { single, threaded } = await both(() => runEdit(req));
    expect(threaded.layer.left).toBe(single.layer.left);
    expect(threaded.layer.top).toBe(single.layer.top);
    expectSame(single.layer.image.data, threaded.layer.image.data);
  });
});

test('PatchMatch fill: the full-resolution vote on threads gives the same pixels', async () => {
  // A hole large enough for light (full-resolution) vote levels above the pyramid's working level.
  const hole = createMask(size, size), forbidden = createMask(size, size);
  for (let y = 200; y < 420; y++) for (let x = 180; x < 460; x++) { const i = y * size + x; hole.data[i] = 255; forbidden.data[i] = 255; }
  const run = async (): Promise<Uint8ClampedArray> => {
    const img = { width: size, height: size, data: new Uint8ClampedArray(image.data) };
    await fillPatchMatch(img, hole, forbidden, { seed: 3 });
    return img.data;
  };
  setPixelHelperCount(0);
  const single = await run();
  setPixelHelperCount(1);
  startPixelHelpers();
  await pixelHelpersReady();
  const before = rowsRunByHelpers();
  const threaded = await run();
  expectSame(single, threaded);
  expect(rowsRunByHelpers()).toBeGreaterThan(before);
});

/**
 * Run `body` with the pixel helpers started from a script of `source` (written to a temporary
 * file) instead of the real entry; afterwards the helpers are stopped and the entry and count
 * restored.
 */
async function withHelperEntry(source: string, body: () => Promise<void>): Promise<void> {
  const file = join(mkdtempSync(join(tmpdir(), 'smartdrag-rows-')), 'helper.js');
  writeFileSync(file, source);
  await stopPixelHelpers();
  const prev = setPixelHelperEntry(file);
  try {
    await body();
  } finally {
    await stopPixelHelpers();
    setPixelHelperEntry(prev);
    setPixelHelperCount(helpersBefore);
  }
}

describe('runRows', () => {
  // Each row writes its own index: every row is done exactly once, whoever runs it.
  registerRowKernel('test.rows', (t: { out: Uint8Array; hits: Uint8Array }, y0: number, y1: number) => {
    for (let y = y0; y < y1; y++) { t.out[y] = y % 251; t.hits[y]!++; }
  });

  test('every row exactly once, on one thread or several; small passes stay on the caller', async () => {
    for (const helpers of [0, 1]) {
      setPixelHelperCount(helpers);
      startPixelHelpers();
      await pixelHelpersReady();
      for (const rows of [1, 15, 1000, 4099]) {
        const t = { out: sharedBytes(rows), hits: sharedBytes(rows) };
        // The helper thread does not know this test's kernel: with helpers, only the caller may run it,
        // so the pass must stay on the caller (work below the threshold).
        runRows('test.rows', t, rows, 100);
        for (let y = 0; y < rows; y++) { expect(t.hits[y]).toBe(1); expect(t.out[y]).toBe(y % 251); }
      }
    }
  });

  test('helpers that cannot start: every pass still runs all rows on the caller, and after a few failed starts no more are started', async () => {
    await withHelperEntry("throw new Error('cannot load the kernels');\n", async () => {
      setPixelHelperCount(1);
      for (let pass = 0; pass < 2 * HELPER_START_FAILURES_MAX; pass++) {
        const rows = 300, t = { out: sharedBytes(rows), hits: sharedBytes(rows) };
        // Above the threshold: the pass starts a helper and hands it chunks it never takes.
        runRows('test.rows', t, rows, 1e9);
        for (let y = 0; y < rows; y++) { expect(t.hits[y]).toBe(1); expect(t.out[y]).toBe(y % 251); }
        await pixelHelpersReady();
        await new Promise((r) => setTimeout(r, 20));
      }
      // Each failed start was counted once, and starting stopped there (it was 6 passes).
      expect(pixelHelperStartFailures()).toBe(HELPER_START_FAILURES_MAX);
    });
  });

  test('a pass that reports its progress hands out at most a twentieth at a time: a caller left alone reports all along', async () => {
    // A helper that starts but never takes a chunk: the caller runs every row itself, and it can
    // tell only between two of its own chunks (with a quarter of the pass as its first chunk, a
    // helper on a loaded machine once finished all the rest meanwhile and no report came).
    await withHelperEntry("const { parentPort } = require('node:worker_threads');\nparentPort.postMessage('ready');\nparentPort.on('message', () => {});\n", async () => {
      setPixelHelperCount(1);
      startPixelHelpers();
      await pixelHelpersReady();
      const rows = 2000, t = { out: sharedBytes(rows), hits: sharedBytes(rows) }, seen: number[] = [];
      runRows('test.rows', t, rows, 1e9, (f) => seen.push(f));
      for (let y = 0; y < rows; y++) expect(t.hits[y]).toBe(1);
      expect(seen[seen.length - 1]).toBe(1);
      for (let i = 1; i < seen.length; i++) expect(seen[i]!).toBeGreaterThan(seen[i - 1]!);
      // Twenty chunks of a hundred rows, a report after each (the last one is the whole pass).
      expect(seen.filter((f) => f < 1).length).toBe(19);
      // Without reports the chunks are not capped: the pass ends in fewer, larger chunks.
      const u = { out: sharedBytes(rows), hits: sharedBytes(rows) };
      let calls = 0;
      registerRowKernel('test.count', (c: typeof u, y0: number, y1: number) => { calls++; for (let y = y0; y < y1; y++) c.hits[y]!++; });
      runRows('test.count', u, rows, 1e9);
      expect(calls).toBeLessThan(20);
      for (let y = 0; y < rows; y++) expect(u.hits[y]).toBe(1);
    });
  });

  test('an unknown kernel is an error', () => {
    expect(() => runRows('no.such.kernel', {}, 10, 1e9)).toThrow(/not registered/);
  });
});

describe('progress of long passes', () => {
  test('rowsInBands: a long pass runs in bands and reports the share done after each; a short one in one call', () => {
    const seen: number[] = [], bands: Array<[number, number]> = [];
    rowsInBands((_t: null, y0: number, y1: number) => { bands.push([y0, y1]); }, null, 3000, (f) => seen.push(f));
    expect(bands[0]![0]).toBe(0);
    expect(bands[bands.length - 1]![1]).toBe(3000);
    for (let i = 1; i < bands.length; i++) expect(bands[i]![0]).toBe(bands[i - 1]![1]);
    expect(bands.length).toBeGreaterThanOrEqual(10);
    expect(seen).toEqual(bands.map(([, y1]) => y1 / 3000));
    const short: Array<[number, number]> = [];
    rowsInBands((_t: null, y0: number, y1: number) => { short.push([y0, y1]); }, null, 500, (f) => seen.push(f));
    expect(short).toEqual([[0, 500]]);
  });

  test('a region over a thousand rows tall: the warp reports while it renders, on one thread and with helpers', async () => {
    const big = makeTexture('noise', 1200, 1200, 4);
    const req: EditRequest = { image: big, quality: 'preview', seed: 1, regions: [{ id: 'r', mask: rasterizePolygon(ellipse(600, 600, 400, 560)) }], drags: [{ region: 'r', kind: 'rotate', center: [600, 600], points: [[600, 1000], [560, 995]] }] };
    for (const helpers of [0, 1]) {
      setPixelHelperCount(helpers);
      const warp: number[] = [];
      await runEdit(req, { onProgress: (s, f) => { if (s === 'warp') warp.push(f); } });
      const inside = warp.filter((f) => f > 0 && f < 1);
      // On one thread: after each of its bands. With a helper the caller reports after each of its
      // own chunks (at most a twentieth of the pass each) and while it waits for the helper's: how
      // many depends on who took what, at least one unless the helper did nineteen twentieths.
      expect([helpers, inside.length >= (helpers ? 1 : 10)]).toEqual([helpers, true]);
      for (let i = 1; i < warp.length; i++) expect(warp[i]!).toBeGreaterThanOrEqual(warp[i - 1]!);
    }
  });
});
