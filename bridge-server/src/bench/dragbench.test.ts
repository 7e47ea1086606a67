import { mkdtempSync, rmSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { maskAt } from '@smartdrag/shared';
import { createImage, createMask } from '../core/image';
import { encodeMaskPng, encodePng } from '../io/image-io';
import { makePlan } from '../core/plan';
import type { Point } from '../core/types';
import { componentAt, dragBenchToRequest, labelComponents, listDragBench, loadDragBenchSample, scaleDragBenchSample, splitPoints } from './dragbench';

const W = 40, H = 30;

/** Two rectangular editable blobs: A = x 2..11, y 2..9; B = x 20..35, y 12..25. */
function inA(x: number, y: number): boolean { return x >= 2 && x <= 11 && y >= 2 && y <= 9; }
function inB(x: number, y: number): boolean { return x >= 20 && x <= 35 && y >= 12 && y <= 25; }

async function writeSample(root: string, cat: string, name: string, points: number[][]): Promise<void> {
  const dir = path.join(root, cat, name);
  mkdirSync(dir, { recursive: true });
  const img = createImage(W, H);
  for (let p = 0; p < W * H; p++) img.data.set([(p * 7) % 256, (p * 13) % 256, (p * 29) % 256, 255], p * 4);
  const mask = createMask(W, H);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) if (inA(x, y) || inB(x, y)) mask.data[y * W + x] = 255;
  writeFileSync(path.join(dir, 'original_image.png'), await encodePng(img));
  writeFileSync(path.join(dir, 'mask.png'), await encodeMaskPng(mask));
  writeFileSync(path.join(dir, 'drag_instruction.json'), JSON.stringify({ prompt: 'a test', points }));
}

describe('DragBench adapter', () => {
  let root: string;
  beforeAll(async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'dragbench-'));
    // Pairs: A (5,5)->(8,6); B (25,15)->(30,20); B again (22,22)->(24,22); anchor (33,14).
    await writeSample(root, 'animals', 's1', [[5, 5], [8, 6], [25, 15], [30, 20], [22, 22], [24, 22], [33, 14], [33, 14]]);
    await writeSample(root, 'art_work', 's2', [[5, 5], [6, 6]]);
    mkdirSync(path.join(root, 'art_work', 'not-a-sample'));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('lists sample folders sorted, skipping folders without drag_instruction.json', async () => {
    expect(await listDragBench(root)).toEqual(['animals/s1', 'art_work/s2']);
  });

  it('splits points into pairs and anchors and rejects an odd count', () => {
    const s = splitPoints([[1, 2], [3, 4], [5, 5], [5, 5]]);
    expect(s.pairs).toEqual([{ handle: [1, 2], target: [3, 4] }]);
    expect(s.anchors).toEqual([[5, 5]]);
    expect(() => splitPoints([[1, 2]])).toThrow(RangeError);
  });

  it('labels 8-connected components', () => {
    const m = createMask(5, 3);
    m.data.set([255, 0, 0, 0, 255, 0, 255, 0, 0, 255, 0, 0, 0, 0, 0]);
    const { labels, count } = labelComponents(m);
    expect(count).toBe(2); // (0,0)-(1,1) touch diagonally; (4,0)-(4,1) is the other
    expect(labels[0]).toBe(labels[6]);
    expect(labels[4]).toBe(labels[9]);
    expect(labels[0]).not.toBe(labels[4]);
    expect(componentAt(labels, 5, 3, [2, 2], 0)).toBe(0);
    expect(componentAt(labels, 5, 3, [2, 2], 1)).toBe(labels[6]);
  });

  it('builds regions from the mask component around each handle, keeps outside the mask and anchors', async () => {
    const sample = await loadDragBenchSample(root, 'animals/s1');
    expect(sample.pairs).toHaveLength(3);
    expect(sample.anchors).toEqual([[33, 14]]);
    const { request, regionOfPair } = dragBenchToRequest(sample, { quality: 'preview', anchorRadius: 2 });
    // Both B pairs share one region; A has its own.
    expect(request.regions).toHaveLength(2);
    expect(regionOfPair[1]).toBe(regionOfPair[2]);
    expect(regionOfPair[0]).not.toBe(regionOfPair[1]);
    const regA = request.regions.find((r) => r.id === regionOfPair[0])!.mask;
    const regB = request.regions.find((r) => r.id === regionOfPair[1])!.mask;
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        expect(maskAt(regA, x, y) > 0).toBe(inA(x, y));
        expect(maskAt(regB, x, y) > 0).toBe(inB(x, y));
      }
    }
    // Three pairs, then the anchor (inside B, which is dragged) as a zero-length drag on B.
    expect(request.drags.map((d) => d.kind)).toEqual(['auto', 'auto', 'auto', 'auto']);
    expect(request.drags[1]!.points).toEqual([[25, 15], [30, 20]]);
    expect(request.drags[3]).toEqual({ region: regionOfPair[1], kind: 'auto', points: [[33, 14], [33, 14]] });
    expect(dragBenchToRequest(sample, { quality: 'preview', pinAnchors: false }).request.drags).toHaveLength(3);
    expect(request.intent).toBe('');
    // keep[0] = complement of the mask, keep[1] = disc of radius 2 at the anchor.
    const [outside, anchor] = request.keep!;
    expect(maskAt(outside!, 0, 0)).toBe(255);
    expect(maskAt(outside!, 5, 5)).toBe(0);
    expect(maskAt(anchor!, 33, 14)).toBe(255);
    expect(maskAt(anchor!, 35, 14)).toBe(255);
    expect(maskAt(anchor!, 35, 16)).toBe(0);
  });

  it('plans a region with two arrows and a pinned anchor as one deform that keeps the anchor fixed', async () => {
    const sample = await loadDragBenchSample(root, 'animals/s1');
    const { request, regionOfPair } = dragBenchToRequest(sample, { quality: 'preview' });
    const plan = await makePlan(request);
    const ops = plan.operations.filter((o) => o.region === regionOfPair[1]);
    expect(ops).toHaveLength(1);
    expect(ops[0]!.kind).toBe('deform');
    const p = ops[0]!.params as { handles: Point[]; targets: Point[] };
    expect(p.handles).toEqual([[25, 15], [22, 22], [33, 14]]);
    expect(p.targets).toEqual([[30, 20], [24, 22], [33, 14]]);
    // An anchor outside every dragged region stays only a keep disc.
    sample.anchors = [[5, 28]];
    expect(dragBenchToRequest(sample, { quality: 'preview' }).request.drags).toHaveLength(3);
  });

  it('gives a handle outside every component a disc region of its own', async () => {
    const sample = await loadDragBenchSample(root, 'art_work/s2');
    sample.pairs = [{ handle: [15, 28], target: [16, 28] }]; // far (>16 px) from both blobs? (B starts at x=20: 5 px away)
    const near = dragBenchToRequest(sample, { quality: 'preview' });
    expect(near.regionOfPair[0]).toMatch(/^m/); // snapped to blob B within the search radius
    sample.mask.data.fill(0);
    const far = dragBenchToRequest(sample, { quality: 'preview' });
    expect(far.regionOfPair[0]).toBe('d1');
    expect(maskAt(far.request.regions[0]!.mask, 15, 28)).toBe(255);
  });

  it('scales a sample as a larger photo of the same scene (bench --scale): image, mask, points and the pixel sizes', async () => {
    const sample = await loadDragBenchSample(root, 'animals/s1');
    const big = await scaleDragBenchSample(sample, 2);
    expect([big.image.width, big.image.height, big.mask.width, big.mask.height]).toEqual([2 * W, 2 * H, 2 * W, 2 * H]);
    // The mask stays binary and each pixel becomes 2×2 of the same value.
    let count = 0;
    for (let y = 0; y < 2 * H; y++) for (let x = 0; x < 2 * W; x++) {
      const v = big.mask.data[y * 2 * W + x]!;
      expect(v).toBe(inA(x >> 1, y >> 1) || inB(x >> 1, y >> 1) ? 255 : 0);
      if (v) count++;
    }
    expect(count).toBe(4 * sample.mask.data.filter((v) => v > 0).length);
    expect(big.pairs[1]).toEqual({ handle: [50, 30], target: [60, 40] });
    expect(big.anchors).toEqual([[66, 28]]);
    // A flat colour stays that colour (the resampling keeps the image, only larger).
    const flat = { ...sample, image: createImage(W, H) };
    for (let p = 0; p < W * H; p++) flat.image.data.set([200, 120, 40, 255], p * 4);
    const flatBig = await scaleDragBenchSample(flat, 2);
    for (let p = 0; p < 4 * W * H; p++) expect(Array.from(flatBig.image.data.subarray(p * 4, p * 4 + 4))).toEqual([200, 120, 40, 255]);
    // The anchor disc grows with the scale: radius 12 at 2× (6 at 1×).
    const { request } = dragBenchToRequest(big, { quality: 'preview', pxScale: 2 });
    const anchor = request.keep![1]!;
    expect(maskAt(anchor, 66 + 12, 28)).toBe(255);
    expect(maskAt(anchor, 66 + 13, 28)).toBe(0);
    expect(await scaleDragBenchSample(sample, 1)).toBe(sample);
    await expect(scaleDragBenchSample(sample, 0)).rejects.toThrow(RangeError);
    const half = await scaleDragBenchSample(sample, 0.5);
    expect([half.image.width, half.image.height]).toEqual([W / 2, H / 2]);
  });
});
