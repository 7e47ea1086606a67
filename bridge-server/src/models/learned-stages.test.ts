/**
 * Learned filler, diffusion refiner, session reuse, cancellation and the no-models path, run on
 * tiny generated models with the real onnxruntime-node.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { TinyModels } from '../../../models/generate-tiny';
import { runEdit } from '../core/edit';
import { CancelledError, type Filler, type Mask, type RgbaImage } from '../core/types';
import { addModels, DiffusionRefiner, describeStages, initLearnedStages, lcmScalings, lcmTimesteps, LearnedFiller, SessionManager, type LearnedStages } from './index';
import { noiseImage, rectMask, tinyModelsIn } from './test-stages';

let tmp: string;
let tiny: TinyModels;
let homeAll: string;
let stages: LearnedStages;

beforeAll(async () => {
  ({ tmp, tiny } = tinyModelsIn('sd-stages-'));
  homeAll = path.join(tmp, 'home-all');
  const r = await addModels(path.join(tiny.filesDir, 'migan'), { home: homeAll, manifestsDir: tiny.manifestsDir });
  const r2 = await addModels(path.join(tiny.filesDir, 'sd15-inpaint'), { home: homeAll, manifestsDir: tiny.manifestsDir });
  expect([r.ok, r2.ok]).toEqual([true, true]);
  stages = await initLearnedStages({ home: homeAll, manifestsDir: tiny.manifestsDir, device: 'cpu' });
});
afterAll(async () => {
  await stages?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** Chebyshev distance of (x, y) to the rectangle [x0, x1) × [y0, y1). */
const distToRect = (x: number, y: number, x0: number, y0: number, x1: number, y1: number): number =>
  Math.max(x0 - x, x - (x1 - 1), 0, y0 - y, y - (y1 - 1));

describe('no models installed', () => {
  test('describeStages says which stages are off and why; initLearnedStages gives no filler/refiner', async () => {
    const opts = { home: path.join(tmp, 'empty-home'), manifestsDir: tiny.manifestsDir };
    const d = describeStages(opts);
    expect(d.stages.inpaint.enabled).toBe(false);
    expect(d.stages.inpaint.reason).toMatch(/no inpaint model installed/);
    expect(d.stages.refine.enabled).toBe(false);
    expect(d.stages.refine.reason).toMatch(/no refine model installed/);
    expect(d.models.map((m) => m.state)).toEqual(['absent', 'absent', 'absent']);
    const s = await initLearnedStages({ ...opts, device: 'auto' });
    // No GPU is required: on a machine without a working CUDA provider the probe says why.
    expect(['cpu', 'cuda']).toContain(s.probe.device);
    if (s.probe.device === 'cpu') expect(s.probe.reason.length).toBeGreaterThan(0);
    expect(Object.keys(s.describeStages().stages)).toEqual(['inpaint', 'refine']);
    expect(s.editOptions()).toEqual({});
    expect(s.filler).toBeUndefined();
    expect(s.refiner).toBeUndefined();
    await s.close();
  });

  test('a partial SD install is reported as incomplete, naming the missing files', async () => {
    const home = path.join(tmp, 'home-partial');
    expect((await addModels(path.join(tiny.filesDir, 'sd15-inpaint', 'unet.onnx'), { home, manifestsDir: tiny.manifestsDir })).ok).toBe(true);
    const d = describeStages({ home, manifestsDir: tiny.manifestsDir });
    expect(d.stages.refine.enabled).toBe(false);
    expect(d.stages.refine.reason).toBe('incomplete install: sd15-inpaint (text_encoder.onnx, vae_encoder.onnx, vae_decoder.onnx missing)');
  });
});

describe('learned inpainting filler', () => {
  test('changes only hole + seam-band pixels; hole becomes opaque', async () => {
    const W = 120, H = 90, box = [50, 30, 80, 55] as const;
    const img = noiseImage(W, H, 3), before = new Uint8ClampedArray(img.data);
    const hole = rectMask(W, H, ...box);
    for (let p = 0; p < W * H; p++) if (hole.data[p]) img.data[p * 4 + 3] = 0; // as the core leaves it
    const holeBefore = new Uint8ClampedArray(img.data);
    const progress: number[] = [];
    await stages.filler!.fill(img, hole, hole, { seed: 1, onProgress: (f) => progress.push(f) });
    const band = 4;
    let changedOutside = 0, changedBand = 0;
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const i = (y * W + x) * 4, d = distToRect(x, y, ...box);
        const same = img.data[i] === holeBefore[i] && img.data[i + 1] === holeBefore[i + 1] && img.data[i + 2] === holeBefore[i + 2] && img.data[i + 3] === holeBefore[i + 3];
        if (d === 0) expect(img.data[i + 3]).toBe(255);
        else if (d > band + 1 && !same) changedOutside++;
        else if (d > 0 && !same) changedBand++;
      }
    }
    expect(changedOutside).toBe(0);
    expect(changedBand).toBeGreaterThan(0);
    expect(before.length).toBe(img.data.length);
    expect(progress[progress.length - 1]).toBe(1);
  });

  test('on a uniform background the tiny models fill the hole with that colour (MI-GAN and LaMa contracts)', async () => {
    const sessions = new SessionManager({ device: 'cpu' });
    for (const id of ['migan', 'lama'] as const) {
      const m = tiny.manifests.find((x) => x.id === id)!;
      const filler = new LearnedFiller({ manifest: m, modelPath: tiny.paths[`${id}/${m.files[0]!.name}`]!, sessions });
      const W = 80, H = 64, img: RgbaImage = { width: W, height: H, data: new Uint8ClampedArray(W * H * 4) };
      for (let i = 0; i < img.data.length; i += 4) img.data.set([90, 140, 200, 255], i);
      const hole = rectMask(W, H, 20, 16, 50, 40);
      for (let p = 0; p < W * H; p++) if (hole.data[p]) img.data.set([255, 0, 0, 0], p * 4);
      await filler.fill(img, hole, hole, { seed: 5 });
      let maxErr = 0;
      for (let p = 0; p < W * H; p++) {
        for (let c = 0; c < 3; c++) maxErr = Math.max(maxErr, Math.abs(img.data[p * 4 + c]! - [90, 140, 200][c]!));
      }
      expect([id, maxErr <= 2]).toEqual([id, true]);
    }
    await sessions.release();
  });

  test('one session per model is reused across jobs', async () => {
    const sessions = new SessionManager({ device: 'cpu' });
    const m = tiny.manifests.find((x) => x.id === 'migan')!;
    const filler = new LearnedFiller({ manifest: m, modelPath: tiny.paths['migan/migan_pipeline_v2.onnx']!, sessions });
    for (let k = 0; k < 3; k++) {
      const img = noiseImage(40, 40, k);
      await filler.fill(img, rectMask(40, 40, 10, 10, 20, 20), rectMask(40, 40, 0, 0, 0, 0), { seed: k });
    }
    expect(sessions.sessionsCreated).toBe(1);
    await sessions.release();
  });

  test('a learned stage that throws is not timed: learned.<stage> appears only when the stage ran', async () => {
    const home = path.join(tmp, 'home-timed');
    for (const id of ['migan', 'sd15-inpaint']) expect((await addModels(path.join(tiny.filesDir, id), { home, manifestsDir: tiny.manifestsDir })).ok).toBe(true);
    const s = await initLearnedStages({ home, manifestsDir: tiny.manifestsDir, device: 'cpu' });
    try {
      // Damaged after the stages were chosen (sessions load on first use): both stages throw.
      fs.writeFileSync(path.join(home, 'models', 'migan', 'migan_pipeline_v2.onnx'), 'not a model');
      fs.writeFileSync(path.join(home, 'models', 'sd15-inpaint', 'unet.onnx'), 'not a model');
      const W = 96, H = 72, timings: Record<string, number> = {};
      const r = await runEdit({
        image: noiseImage(W, H, 4), quality: 'final', seed: 3, intent: 'move it',
        regions: [{ id: 'r', mask: { left: 0, top: 0, width: W, height: H, data: rectMask(W, H, 20, 20, 44, 44).data } }],
        drags: [{ region: 'r', points: [[32, 32], [62, 40]], kind: 'translate' }],
      }, s.editOptions(timings));
      expect(r.plan.warnings.filter((w) => /learned (inpainting|refinement) could not run/.test(w))).toHaveLength(2);
      expect(timings).toEqual({});
    } finally {
      await s.close();
    }
  });

  test('runEdit uses the injected learned filler for final quality', async () => {
    const W = 96, H = 72, img = noiseImage(W, H, 9);
    const region = rectMask(W, H, 20, 20, 44, 44);
    let calls = 0;
    const spy: Filler = { name: 'spy', fill: async (...a) => { calls++; await stages.filler!.fill(...a); } };
    const r = await runEdit({
      image: img, quality: 'final', seed: 3,
      regions: [{ id: 'r', mask: { left: 0, top: 0, width: W, height: H, data: region.data } }],
      drags: [{ region: 'r', points: [[32, 32], [62, 40]], kind: 'translate' }],
    }, { filler: spy });
    expect(calls).toBe(1);
    let holePx = 0;
    for (let p = 0; p < r.holeMask.data.length; p++) {
      if (r.holeMask.data[p]! > 0) { holePx++; expect(r.edited.data[p * 4 + 3]).toBe(255); }
    }
    expect(holePx).toBeGreaterThan(100);
  });
});

describe('diffusion refiner', () => {
  function scene(): { img: RgbaImage; allowed: Mask } {
    const W = 96, H = 80, img = noiseImage(W, H, 21);
    return { img, allowed: rectMask(W, H, 30, 25, 60, 50) };
  }

  test('runs its steps with per-step progress, changes only allowed pixels, deterministic per seed', async () => {
    const a = scene(), before = new Uint8ClampedArray(a.img.data);
    const progress: number[] = [];
    await stages.refiner!.refine({ image: a.img, allowed: a.allowed, intent: 'make the cup taller', seed: 42, onProgress: (f) => progress.push(f) });
    // text encode + VAE encode + 4 UNet steps + decode
    expect(progress).toEqual([1, 2, 3, 4, 5, 6, 7].map((k) => k / 7));
    let inside = 0;
    for (let p = 0; p < a.allowed.data.length; p++) {
      const diff = [0, 1, 2, 3].some((c) => a.img.data[p * 4 + c] !== before[p * 4 + c]);
      if (a.allowed.data[p] === 0) expect(diff).toBe(false);
      else if (diff) inside++;
    }
    expect(inside).toBeGreaterThan(600);

    const b = scene();
    await stages.refiner!.refine({ image: b.img, allowed: b.allowed, intent: 'make the cup taller', seed: 42 });
    expect(Buffer.from(b.img.data).equals(Buffer.from(a.img.data))).toBe(true);
    const c = scene();
    await stages.refiner!.refine({ image: c.img, allowed: c.allowed, intent: 'make the cup taller', seed: 43 });
    expect(Buffer.from(c.img.data).equals(Buffer.from(a.img.data))).toBe(false);
    const e = scene();
    await stages.refiner!.refine({ image: e.img, allowed: e.allowed, intent: 'rotate the tower', seed: 42 });
    expect(Buffer.from(e.img.data).equals(Buffer.from(a.img.data))).toBe(false);
  });

  test('the intent is the prompt: two intents give different token ids and different pixels; without tokenizer files both give the empty prompt and the same pixels', async () => {
    const refiner = stages.refiner as DiffusionRefiner;
    expect(refiner.usesPrompt).toBe(true);
    expect(stages.describeStages().stages.refine.reason).toMatch(/the intent as prompt \(CLIP BPE/);
    const idsA = Array.from(refiner.promptIds('move the cup to the left')), idsB = Array.from(refiner.promptIds('make the tower taller'));
    const m = tiny.manifests.find((x) => x.id === 'sd15-inpaint')!;
    const { bos, eos } = m.tokenizer!;
    // whole-word tokens of the tiny vocabulary: BOS, 6 words, EOS, then EOS padding
    expect(idsA.slice(0, 8).map((v) => v === bos ? 'BOS' : v === eos ? 'EOS' : 'w')).toEqual(['BOS', 'w', 'w', 'w', 'w', 'w', 'w', 'EOS']);
    expect(idsA[2]).toBe(idsA[5]); // "the" twice
    expect(idsA).not.toEqual(idsB);
    const a = scene(), b = scene();
    await refiner.refine({ image: a.img, allowed: a.allowed, intent: 'move the cup to the left', seed: 5 });
    await refiner.refine({ image: b.img, allowed: b.allowed, intent: 'make the tower taller', seed: 5 });
    expect(Buffer.from(a.img.data).equals(Buffer.from(b.img.data))).toBe(false);

    const sessions = new SessionManager({ device: 'cpu' });
    const paths = Object.fromEntries(m.files.map((f) => [f.role, tiny.paths[`sd15-inpaint/${f.name}`]!])) as ConstructorParameters<typeof DiffusionRefiner>[0]['paths'];
    const noPrompt = new DiffusionRefiner({ manifest: m, sessions, paths });
    expect(noPrompt.usesPrompt).toBe(false);
    expect(Array.from(noPrompt.promptIds('move the cup to the left'))).toEqual(Array.from(noPrompt.promptIds('make the tower taller')));
    const c = scene(), d = scene();
    await noPrompt.refine({ image: c.img, allowed: c.allowed, intent: 'move the cup to the left', seed: 5 });
    await noPrompt.refine({ image: d.img, allowed: d.allowed, intent: 'make the tower taller', seed: 5 });
    expect(Buffer.from(c.img.data).equals(Buffer.from(d.img.data))).toBe(true);
    await sessions.release();
  });

  test('a manifest asking for DDIM gets DDIM: other pixels than LCM from the same seed, still deterministic', async () => {
    const m = tiny.manifests.find((x) => x.id === 'sd15-inpaint')!;
    const ddim = { ...m, diffusion: { ...m.diffusion!, scheduler: 'ddim' as const } };
    const sessions = new SessionManager({ device: 'cpu' });
    const paths = Object.fromEntries(m.files.map((f) => [f.role, tiny.paths[`sd15-inpaint/${f.name}`]!])) as ConstructorParameters<typeof DiffusionRefiner>[0]['paths'];
    const run = async (manifest: typeof m): Promise<Buffer> => {
      const sc = scene();
      await new DiffusionRefiner({ manifest, sessions, paths }).refine({ image: sc.img, allowed: sc.allowed, intent: '', seed: 9 });
      return Buffer.from(sc.img.data);
    };
    const [d1, d2, l1] = [await run(ddim), await run(ddim), await run(m)];
    expect(d1.equals(d2)).toBe(true);
    expect(d1.equals(l1)).toBe(false);
    expect(d1.equals(Buffer.from(scene().img.data))).toBe(false);
    await sessions.release();
  });

  test('LCM schedule as diffusers builds it; the boundary condition is the identity at t = 0', () => {
    expect(lcmTimesteps(4, 1, 1000, 50)).toEqual([999, 759, 499, 259]);
    expect(lcmTimesteps(4, 0.6, 1000, 50)).toEqual([599, 459, 299, 159]);
    expect(() => lcmTimesteps(4, 0.05, 1000, 50)).toThrow(RangeError);
    expect(lcmScalings(0, 10)).toEqual({ cSkip: 1, cOut: 0 });
    const s = lcmScalings(599, 10);
    expect(s.cOut).toBeCloseTo(1, 6);
    expect(s.cSkip).toBeLessThan(1e-6);
  });

  test('cancel between steps: aborting after the second step stops with CancelledError and leaves the image untouched', async () => {
    const s = scene(), before = new Uint8ClampedArray(s.img.data);
    const ac = new AbortController();
    const progress: number[] = [];
    const run = stages.refiner!.refine({
      image: s.img, allowed: s.allowed, intent: '', seed: 1, signal: ac.signal,
      onProgress: (f) => { progress.push(f); if (progress.length === 3) ac.abort(); },
    });
    await expect(run).rejects.toBeInstanceOf(CancelledError);
    expect(progress.length).toBe(3);
    expect(Buffer.from(s.img.data).equals(Buffer.from(before))).toBe(true);
  });

  test('an already-aborted signal cancels the learned filler before any model runs', async () => {
    const ac = new AbortController();
    ac.abort();
    const img = noiseImage(40, 40, 1), before = new Uint8ClampedArray(img.data);
    await expect(stages.filler!.fill(img, rectMask(40, 40, 5, 5, 15, 15), rectMask(40, 40, 0, 0, 0, 0), { seed: 1, signal: ac.signal }))
      .rejects.toBeInstanceOf(CancelledError);
    expect(Buffer.from(img.data).equals(Buffer.from(before))).toBe(true);
  });
});
