import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import sharp from 'sharp';
import { createImage, createMask } from '../core/image';
import type { EditResult } from '../core/types';
import { encodeMaskPng, encodePng } from '../io/image-io';
import { registerBench } from '../cli/bench';
import { BenchReportSchema } from './report';
import { DOUBTFUL_BADNESS } from '../core/self-check';
import { inProcessEngine, lookOverlay, resolveSuites, runBench, tileFileName, type BenchEngine } from './runner';
import { ProgressReporter } from './progress';

const repoRoot = path.resolve(__dirname, '../../..');
const fixtures = path.join(repoRoot, 'test/fixtures');

describe('runBench', () => {
  let out: string;
  beforeEach(() => { out = mkdtempSync(path.join(os.tmpdir(), 'bench-out-')); });
  afterEach(() => rmSync(out, { recursive: true, force: true }));

  it('runs the synthetic suite through the real core and writes report.json, report.md and a sheet', async () => {
    const report = await runBench({ suites: ['synthetic'], dataDir: null, outDir: out, limit: 3, quality: 'preview', progress: null });
    const json = BenchReportSchema.parse(JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8')));
    expect(json.samples).toHaveLength(3);
    expect(report.summary.failed).toBe(0);
    for (const s of json.samples) {
      expect(s.ok).toBe(true);
      expect(s.suite).toBe('synthetic');
      expect(s.changedOutsideMask).toBeNull();
      // A good edit of a synthetic scene is close to its ground truth (the bench reports ~29–32 dB
      // on the crop); a NaN, a blank or a misplaced result would not be.
      expect(s.psnr!.crop).toBeGreaterThan(22);
      expect(s.ssim!.crop).toBeGreaterThan(0.7);
      expect(s.ssim!.crop).toBeLessThanOrEqual(1);
      expect(s.daiUnedited['10']).toBeGreaterThan(0);
      expect(Object.keys(s.ms)).toEqual(expect.arrayContaining(['plan', 'warp', 'fill', 'blend', 'total']));
      expect(s.planKinds.length).toBeGreaterThan(0);
    }
    expect(Object.keys(json.summary.suites.synthetic!.byTransform!).sort()).toEqual(['rotate', 'scale', 'translate']);
    expect(json.summary.stageMs.total!.count).toBe(3);
    expect(json.summary.peakMemory.rssBytes).toBeGreaterThan(0);
    const md = readFileSync(path.join(out, 'report.md'), 'utf8');
    expect(md).toContain('| synthetic | 3 | 0 |');
    expect(md).toContain('Synthetic ground truth per transform');
    const meta = await sharp(path.join(out, 'contact-synthetic.png')).metadata();
    // 2 tiles per row, 3 panels of ≤ 256 px each, 2 rows.
    expect(meta.width).toBeGreaterThan(2 * 3 * 192);
    expect(meta.height).toBeGreaterThan(2 * 160);
  });

  it('runs the cases suite on the bundled fixtures with --limit 2', async () => {
    const report = await runBench({ suites: ['cases'], dataDir: fixtures, outDir: out, limit: 2, quality: 'preview', progress: null });
    expect(report.samples.map((s) => s.id)).toEqual(['apple-move-right', 'apple-shrink']);
    for (const s of report.samples) {
      expect(s.ok).toBe(true);
      expect(s.width).toBeGreaterThan(0);
      expect(s.pairs).toBe(1);
    }
    for (const f of ['report.json', 'report.md', 'contact-cases.png', 'gallery.html']) expect(existsSync(path.join(out, f))).toBe(true);
    expect(BenchReportSchema.safeParse(report).success).toBe(true);
    // Look measures from the in-process engine's source map; the gallery lists worst first with relative tiles.
    for (const s of report.samples) {
      expect(s.look).not.toBeNull();
      expect(s.look!.synthesized).toBeGreaterThanOrEqual(0);
      expect(s.look!.synthesized).toBeLessThanOrEqual(1);
      expect(s.look!.stretch).toBeGreaterThanOrEqual(1);
      expect(s.check).toBeNull(); // previews: the bridge checks finals only
    }
    const html = readFileSync(path.join(out, 'gallery.html'), 'utf8');
    const srcs = [...html.matchAll(/<img loading="lazy" src="([^"]+)"/g)].map((m) => m[1]!);
    expect(srcs).toHaveLength(2);
    for (const src of srcs) {
      expect(path.isAbsolute(src)).toBe(false);
      expect(existsSync(path.join(out, src))).toBe(true);
    }
    const worst = [...report.samples].sort((a, b) => b.look!.badness - a.look!.badness)[0]!;
    expect(srcs[0]).toBe(tileFileName('cases', worst.id));
    expect(report.summary.suites.cases!.look!.badness!.count).toBe(2);
  });

  it('runs the photo cases at a multiple of their size (--scale): image resampled, polygons and arrows scaled', async () => {
    const seen: Array<{ w: number; h: number; box: number[] }> = [];
    const engine: BenchEngine = async (req, o) => {
      const m = req.regions[0]!.mask;
      seen.push({ w: req.image.width, h: req.image.height, box: [m.left, m.top, m.width, m.height] });
      return inProcessEngine(req, o);
    };
    const one = await runBench({ suites: ['cases'], dataDir: fixtures, outDir: out, limit: 1, quality: 'preview', progress: null, engine });
    const two = await runBench({ suites: ['cases'], dataDir: fixtures, outDir: out, limit: 1, quality: 'preview', progress: null, engine, scale: 2 });
    expect(seen[1]!.w).toBe(2 * seen[0]!.w);
    expect(seen[1]!.h).toBe(2 * seen[0]!.h);
    // The selection covers twice the span (rasterized again at the larger size: within its anti-aliased edge).
    expect(Math.abs(seen[1]!.box[2]! - 2 * seen[0]!.box[2]!)).toBeLessThanOrEqual(4);
    expect(Math.abs(seen[1]!.box[0]! - 2 * seen[0]!.box[0]!)).toBeLessThanOrEqual(3);
    expect(one.scale).toBeUndefined();
    expect(two.scale).toBe(2);
    expect(two.samples[0]!).toMatchObject({ ok: true, width: 2 * one.samples[0]!.width, height: 2 * one.samples[0]!.height });
    // The arrow is scaled with the photo: the moved content lands on the scaled target (DAI stays low).
    expect(two.samples[0]!.dai['10']!).toBeLessThan(two.samples[0]!.daiUnedited['10']!);
    expect(readFileSync(path.join(out, 'report.md'), 'utf8')).toContain('photo cases at 2× their size');
  });

  describe('with a DragBench folder and a fake engine', () => {
    const W = 16, H = 12;
    let data: string;
    beforeAll(async () => {
      data = mkdtempSync(path.join(os.tmpdir(), 'bench-data-'));
      const dir = path.join(data, 'dragbench', 'cat', 'one');
      mkdirSync(dir, { recursive: true });
      const img = createImage(W, H);
      for (let p = 0; p < W * H; p++) img.data.set([10, 20, 30, 255], p * 4);
      const mask = createMask(W, H);
      for (let y = 2; y < 8; y++) for (let x = 2; x < 10; x++) mask.data[y * W + x] = 255; // 48 px editable
      writeFileSync(path.join(dir, 'original_image.png'), await encodePng(img));
      writeFileSync(path.join(dir, 'mask.png'), await encodeMaskPng(mask));
      writeFileSync(path.join(dir, 'drag_instruction.json'), JSON.stringify({ prompt: 'x', points: [[4, 4], [6, 5]] }));
    });
    afterAll(() => rmSync(data, { recursive: true, force: true }));

    it('counts every changed pixel outside the editable mask and records engine timings', async () => {
      // Paints the whole document white: 192 - 48 = 144 pixels change outside the mask.
      const paintAll: BenchEngine = async (req) => {
        const layer = createImage(req.image.width, req.image.height);
        layer.data.fill(255);
        const plan = { operations: [{ region: req.regions[0]!.id, kind: 'translate' as const, params: { kind: 'translate' as const, dx: 2, dy: 1 }, source: 'user' as const, description: '', reason: '' }], warnings: [] };
        const r: EditResult = {
          plan, crop: { left: 0, top: 0, width: W, height: H }, edited: layer, targetMask: createMask(W, H), holeMask: createMask(W, H),
          layer: { left: 0, top: 0, image: layer }, timings: { plan: 1, warp: 2, total: 3 },
        };
        return r;
      };
      const report = await runBench({ suites: ['dragbench'], dataDir: data, outDir: out, quality: 'preview', progress: null, engine: paintAll });
      const s = report.samples[0]!;
      expect(s.id).toBe('cat/one');
      expect(s.changedOutsideMask).toBe(W * H - 48);
      expect(s.changedPixels).toBe(W * H);
      expect(s.ms).toEqual({ plan: 1, warp: 2, total: 3 });
      expect(s.planKinds).toEqual(['translate']);
      expect(s.elasticMaps).toEqual([]);
      // Flat input: unedited DAI is 0; the white result differs by known amounts.
      expect(s.daiUnedited['1']).toBe(0);
      const white = ((255 - 10) / 255) ** 2 + ((255 - 20) / 255) ** 2 + ((255 - 30) / 255) ** 2;
      expect(s.dai['1']).toBeCloseTo(white, 10);
      expect(report.summary.goal.outsideMaskGoalMet).toBe(false);
      expect(report.summary.suites.dragbench!.changedOutsideMask).toEqual({ total: 144, max: 144, samplesNonZero: 1, samplesChecked: 1 });
    });

    it('records a failing engine as a failed sample and still writes the report', async () => {
      const failing: BenchEngine = async () => { throw new RangeError('boom'); };
      const report = await runBench({ suites: ['dragbench'], dataDir: data, outDir: out, quality: 'preview', progress: null, engine: failing });
      expect(report.summary.failed).toBe(1);
      expect(report.samples[0]!.error).toBe('RangeError: boom');
      expect(existsSync(path.join(out, 'report.md'))).toBe(true);
    });

    it('keeps the real core from changing anything outside the mask', async () => {
      const report = await runBench({ suites: ['dragbench'], dataDir: data, outDir: out, quality: 'preview', progress: null });
      expect(report.samples[0]!.ok).toBe(true);
      expect(report.samples[0]!.changedOutsideMask).toBe(0);
    });

    it('runs DragBench at a multiple of its size (--scale) through the real core', async () => {
      const seen: Array<[number, number]> = [];
      const engine: BenchEngine = async (req, o) => { seen.push([req.image.width, req.image.height]); return inProcessEngine(req, o); };
      const report = await runBench({ suites: ['dragbench'], dataDir: data, outDir: out, quality: 'preview', progress: null, engine, scale: 2 });
      expect(seen).toEqual([[2 * W, 2 * H]]);
      expect(report.scale).toBe(2);
      expect(report.samples[0]!).toMatchObject({ ok: true, width: 2 * W, height: 2 * H, changedOutsideMask: 0 });
      expect(readFileSync(path.join(out, 'report.md'), 'utf8')).toContain('DragBench at 2× its size');
      // At its own size the report does not name a scale.
      expect((await runBench({ suites: ['dragbench'], dataDir: data, outDir: out, quality: 'preview', progress: null, scale: 1 })).scale).toBeUndefined();
    });

    it('resolves suites against the data folder', () => {
      expect(resolveSuites('all', data).suites).toEqual(['dragbench', 'synthetic']);
      expect(resolveSuites('all', null)).toEqual({ suites: ['synthetic'], skipped: ['dragbench', 'cases'] });
      expect(() => resolveSuites('cases', data)).toThrow(/cases/);
      expect(() => resolveSuites('nope', data)).toThrow(RangeError);
    });
  });

  it('records what the bridge tells the user about each final, beside the bench\'s measures', async () => {
    // apple-move-right: its edited crop (512² = 262,144 px) is over the check's 0.25 MP, so the
    // bridge measures a box proxy of it — close to, not the same as, the bench's full-size measures.
    const report = await runBench({ suites: ['cases'], dataDir: fixtures, outDir: out, limit: 1, quality: 'final', progress: null });
    const s = report.samples[0]!;
    expect(s.id).toBe('apple-move-right');
    expect(s.check).toBeTruthy();
    expect(s.check!.badness).not.toBe(s.look!.badness);
    expect(Math.abs(s.check!.badness - s.look!.badness)).toBeLessThan(0.05);
    expect(s.check!.doubtful).toBe(s.check!.badness >= DOUBTFUL_BADNESS);
    expect(s.check!.doubtful).toBe(false);
  });
});

describe('registerBench', () => {
  it('runs `bench` from the command line', async () => {
    const out = mkdtempSync(path.join(os.tmpdir(), 'bench-cli-'));
    const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const errWrite = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const program = new Command('smartdrag').exitOverride();
      registerBench(program);
      await program.parseAsync(['bench', '--suite', 'synthetic', '--limit', '1', '--quality', 'preview', '--out', out], { from: 'user' });
      expect(JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8')).samples).toHaveLength(1);
      expect(write.mock.calls.map((c) => String(c[0])).join('')).toContain('1 samples (0 failed)');
    } finally {
      write.mockRestore();
      errWrite.mockRestore();
      process.exitCode = undefined;
      rmSync(out, { recursive: true, force: true });
    }
  });
});

describe('ProgressReporter', () => {
  it('redraws one line with a bar on a TTY', () => {
    const chunks: string[] = [];
    const p = new ProgressReporter(4, { isTTY: true, columns: 200, write: (s: string) => chunks.push(s) });
    p.tick('a'); p.tick('b');
    p.finish();
    expect(chunks[1]).toMatch(/^\r.*\[#{12}-{12}\] 2\/4 .* b$/);
    expect(chunks[2]).toBe('\n');
  });

  it('writes a plain line at the start, every tenth of the run and at the end without a TTY', () => {
    const lines: string[] = [];
    let t = 0;
    const p = new ProgressReporter(100, { write: (s: string) => lines.push(s) }, { now: () => t, everyMs: 1e9 });
    for (let i = 0; i < 100; i++) { t += 10; p.tick(`s${i}`); }
    expect(lines.length).toBe(11);
    expect(lines[0]).toMatch(/^bench: 1\/100 done/);
    expect(lines[1]).toMatch(/^bench: 11\/100 done/);
    expect(lines[lines.length - 1]).toMatch(/^bench: 100\/100 done/);
    expect(lines.every((l) => l.endsWith('\n'))).toBe(true);
  });
});

describe('lookOverlay', () => {
  it('tints synthesized pixels green and paints unexplained cuts magenta, in document coordinates', () => {
    const img = createImage(20, 10);
    for (let i = 0; i < img.data.length; i += 4) img.data.set([100, 100, 100, 255], i);
    const crop = { left: 5, top: 2, width: 10, height: 6 };
    const holeMask = createMask(10, 6);
    holeMask.data[0] = 255; // doc (5, 2)
    const cuts = new Uint8Array(60);
    cuts[5 * 10 + 9] = 255; // doc (14, 7)
    const o = lookOverlay(img, { crop, holeMask }, cuts);
    const px = (x: number, y: number) => Array.from(o.data.subarray((y * 20 + x) * 4, (y * 20 + x) * 4 + 3));
    expect(px(5, 2)).toEqual([50, 160, 50]);
    expect(px(14, 7)).toEqual([255, 0, 255]);
    expect(px(0, 0)).toEqual([100, 100, 100]);
    expect(Array.from(img.data.subarray(0, 3))).toEqual([100, 100, 100]); // the input is not touched
  });
});
