/**
 * Diffusion refinement behind the core's `Refiner` interface (SD-1.5 inpainting components,
 * optional): encode the edited crop with the VAE, re-noise it part-way (SDEdit, seeded), run the
 * manifest's sampler for a few steps of the inpainting UNet, decode, and composite ONLY where
 * `allowed` > 0 (soft weight allowed/255). Same seed ⇒ same pixels. Progress is reported per
 * step; cancellation is checked between ORT runs.
 *
 * Prompt: the intent, tokenized with CLIP's BPE from the export's `tokenizer/vocab.json` +
 * `merges.txt` when they are installed; without them the empty prompt (and `/v1/health` says so).
 * Sampler (`diffusion.scheduler`): `lcm` = diffusers' LCMScheduler (for a UNet with LCM-LoRA
 * fused), `ddim` = deterministic DDIM (η = 0). Guidance scale 1 (no classifier-free guidance).
 */
import { createRng } from '../core/random';
import type { RefineInput, Refiner } from '../core/types';
import type { FileRole, ModelManifest } from './manifest';
import { fileByRole, resolveTensorName, tensorByRole } from './manifest';
import { compositePlanes, contextRect, nonZeroBox, maskPlane, resizePlanes, rgbPlanes } from './pixels';
import type { SessionManager } from './session-manager';
import { checkedOutput, nativeRun, ort, throwIfAborted } from './session-manager';
import { emptyPrompt, loadClipTokenizer, type ClipTokenizer } from './tokenizer';

/** Options of {@link DiffusionRefiner}. */
export interface DiffusionRefinerOptions {
  manifest: ModelManifest;
  /** Installed path of each component file. */
  paths: Record<Exclude<FileRole, 'inpaint'>, string>;
  sessions: SessionManager;
  /** Override the manifest's step count. */
  steps?: number;
  /** Override the manifest's strength (0..1). */
  strength?: number;
  /** Installed tokenizer files; absent = the empty prompt. */
  tokenizerFiles?: { vocab: string; merges: string };
}

/** DDIM timesteps for `steps` steps starting at `strength` of a `trainSteps` schedule. */
export function ddimTimesteps(steps: number, strength: number, trainSteps: number): number[] {
  const tStart = Math.round(strength * (trainSteps - 1));
  const out: number[] = [];
  for (let k = 0; k < steps; k++) out.push(Math.round(tStart * (1 - k / steps)));
  return out;
}

/**
 * LCM timesteps as diffusers' `LCMScheduler.set_timesteps(steps, strength=…)` makes them: the
 * distillation grid `k·i − 1` (i = 1 … ⌊originalSteps·strength⌋, k = trainSteps / originalSteps),
 * descending, sampled at ⌊j·n/steps⌋. E.g. 4 steps, strength 1 → [999, 759, 499, 259].
 */
export function lcmTimesteps(steps: number, strength: number, trainSteps: number, originalSteps: number): number[] {
  const k = Math.floor(trainSteps / originalSteps), n = Math.floor(originalSteps * strength);
  if (n < steps) throw new RangeError(`LCM: ${originalSteps} x strength ${strength} gives ${n} grid steps, fewer than ${steps} steps`);
  return Array.from({ length: steps }, (_, j) => (n - Math.floor((j * n) / steps)) * k - 1);
}

/** LCM boundary-condition scalings (c_skip, c_out) at timestep t (σ_data = 0.5). */
export function lcmScalings(t: number, timestepScaling: number): { cSkip: number; cOut: number } {
  const s = t * timestepScaling, sd2 = 0.25;
  return { cSkip: sd2 / (s * s + sd2), cOut: s / Math.sqrt(s * s + sd2) };
}

/** ᾱ_t of SD's "scaled linear" beta schedule. */
export function alphasCumprod(betaStart: number, betaEnd: number, trainSteps: number): Float64Array {
  const out = new Float64Array(trainSteps);
  const a = Math.sqrt(betaStart), b = Math.sqrt(betaEnd);
  let prod = 1;
  for (let i = 0; i < trainSteps; i++) {
    const beta = (a + (i / (trainSteps - 1)) * (b - a)) ** 2;
    prod *= 1 - beta;
    out[i] = prod;
  }
  return out;
}

/** Seeded standard normal samples (Box–Muller over the core's mulberry32). */
export function gaussian(n: number, seed: number): Float32Array {
  const rng = createRng(seed ^ 0x5eed1e55), out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    const u = Math.max(rng(), 1e-12), v = rng();
    const r = Math.sqrt(-2 * Math.log(u));
    out[i] = r * Math.cos(2 * Math.PI * v);
    if (i + 1 < n) out[i + 1] = r * Math.sin(2 * Math.PI * v);
  }
  return out;
}

function floatTensor(data: Float32Array, dims: number[]): ort.Tensor {
  return new ort.Tensor('float32', data, dims);
}

function inputType(session: ort.InferenceSession, name: string): string {
  const m = session.inputMetadata.find((x) => x.name === name);
  return m && m.isTensor ? m.type : 'float32';
}

/** The diffusion refiner (sessions are created lazily, on the first refine). */
export class DiffusionRefiner implements Refiner {
  readonly name: string;
  private readonly o: DiffusionRefinerOptions;
  private tokenizer?: ClipTokenizer;

  constructor(opts: DiffusionRefinerOptions) {
    if (opts.manifest.task !== 'refine' || !opts.manifest.diffusion || !opts.manifest.tokenizer) {
      throw new TypeError(`DiffusionRefiner needs a refine manifest with diffusion and tokenizer settings (${opts.manifest.id})`);
    }
    this.o = opts;
    this.name = `diffusion:${opts.manifest.id}`;
  }

  /** Whether the intent is used as the prompt (tokenizer files installed). */
  get usesPrompt(): boolean {
    return this.o.tokenizerFiles !== undefined;
  }

  /** The prompt ids for `intent` (the empty prompt without tokenizer files). */
  promptIds(intent: string): Int32Array {
    const spec = this.o.manifest.tokenizer!;
    if (!this.o.tokenizerFiles) return emptyPrompt(spec);
    this.tokenizer ??= loadClipTokenizer(this.o.tokenizerFiles, spec);
    return this.tokenizer.tokenize(intent, spec.maxLength, spec.pad);
  }

  private session(role: Exclude<FileRole, 'inpaint'>): Promise<ort.InferenceSession> {
    const f = fileByRole(this.o.manifest, role);
    return this.o.sessions.session(`${this.o.manifest.id}/${f.name}`, this.o.paths[role]);
  }

  private async encode(pixels: Float32Array, S: number, C: number): Promise<Float32Array> {
    const file = fileByRole(this.o.manifest, 'vae_encoder');
    const inT = tensorByRole(file, 'pixels', 'inputs'), outT = tensorByRole(file, 'latent', 'outputs');
    const session = await this.session('vae_encoder');
    const outName = resolveTensorName(outT, session.outputNames, file.name); // latent_parameters (8 ch) or latent_sample (4 ch)
    const L = S / this.o.manifest.diffusion!.latentFactor;
    const outputs = await nativeRun(() => session.run({ [resolveTensorName(inT, session.inputNames, file.name)]: floatTensor(pixels, [1, 3, S, S]) }));
    const r = checkedOutput(outputs, outName, file.name, [1, null, L, L]);
    const d = r.data as Float32Array, ch = r.dims[1]!, hw = r.dims[2]! * r.dims[3]!;
    if (ch < C) throw new Error(`${file.name}: the model returned "${outName}" with ${ch} channels, expected at least ${C}`);
    // Exports that return the distribution's parameters (2C channels) give the mean first.
    const z = new Float32Array(C * hw);
    z.set(d.subarray(0, Math.min(ch, C) * hw));
    const scale = this.o.manifest.diffusion!.latentScale;
    for (let i = 0; i < z.length; i++) z[i]! *= scale;
    return z;
  }

  async refine(input: RefineInput): Promise<void> {
    const { image, allowed, signal } = input;
    const report = input.onProgress ?? (() => undefined);
    if (allowed.width !== image.width || allowed.height !== image.height) throw new RangeError('allowed mask size differs from the image');
    const box = nonZeroBox(allowed);
    if (!box) {
      report(1);
      return;
    }
    const m = this.o.manifest, d = m.diffusion!, pre = m.preprocessing;
    const S = pre.size, f = d.latentFactor, C = d.latentChannels, L = S / f, LN = L * L, N = S * S;
    if (!Number.isInteger(L)) throw new RangeError(`working size ${S} is not a multiple of the latent factor ${f}`);
    const steps = this.o.steps ?? d.steps, strength = this.o.strength ?? d.strength;
    const total = steps + 3;
    let done = 0;
    const tick = (): void => report(Math.min(1, ++done / total));

    const rect = contextRect(box, Math.max(16, Math.round(0.25 * Math.max(box.width, box.height))), image.width, image.height);
    const weights = maskPlane(allowed, rect);
    const rgb = new Float32Array(3 * N), mS = new Float32Array(N), mL = new Float32Array(LN);
    resizePlanes(rgbPlanes(image, rect), rect.width, rect.height, 3, S, S, rgb);
    resizePlanes(weights, rect.width, rect.height, 1, S, S, mS);
    resizePlanes(mS, S, S, 1, L, L, mL);
    const [lo, hi] = pre.imageRange;
    const x = new Float32Array(3 * N), masked = new Float32Array(3 * N);
    for (let c = 0; c < 3; c++) {
      const sc = pre.channelOrder === 'bgr' ? 2 - c : c;
      for (let p = 0; p < N; p++) {
        const v = lo + (rgb[sc * N + p]! / 255) * (hi - lo);
        x[c * N + p] = v;
        masked[c * N + p] = mS[p]! > 1e-3 && pre.zeroHole ? 0 : v;
      }
    }
    for (let p = 0; p < LN; p++) mL[p] = mL[p]! > 1e-3 ? 1 : 0;

    // 1. Prompt.
    throwIfAborted(signal);
    const te = fileByRole(m, 'text_encoder');
    const idsT = tensorByRole(te, 'input_ids', 'inputs'), hsT = tensorByRole(te, 'hidden_states', 'outputs');
    const teS = await this.session('text_encoder');
    const ids = this.promptIds(input.intent);
    const idsTensor = inputType(teS, idsT.name) === 'int64'
      ? new ort.Tensor('int64', BigInt64Array.from(ids, (v) => BigInt(v)), [1, ids.length])
      : new ort.Tensor('int32', ids, [1, ids.length]);
    const hidden = (await nativeRun(() => teS.run({ [idsT.name]: idsTensor })))[hsT.name] as ort.Tensor;
    tick();

    // 2. Latents of the crop and of the masked crop.
    throwIfAborted(signal);
    const z0 = await this.encode(x, S, C);
    throwIfAborted(signal);
    const zMasked = await this.encode(masked, S, C);
    tick();

    // 3. SDEdit start: z_t = sqrt(ᾱ)·z0 + sqrt(1−ᾱ)·ε, seeded.
    const ac = alphasCumprod(d.betaStart, d.betaEnd, d.trainSteps);
    const lcm = d.scheduler === 'lcm';
    const ts = lcm ? lcmTimesteps(steps, strength, d.trainSteps, d.originalSteps) : ddimTimesteps(steps, strength, d.trainSteps);
    const noise = gaussian(C * LN, input.seed);
    const z = new Float32Array(C * LN);
    const a0 = ac[ts[0]!]!;
    for (let i = 0; i < z.length; i++) z[i] = Math.sqrt(a0) * z0[i]! + Math.sqrt(1 - a0) * noise[i]!;

    // 4. Steps. ε = UNet([z_t, mask, z_masked], t, text); x0 = (z_t − √(1−ᾱ_t)ε)/√ᾱ_t.
    //    ddim (η = 0): z_prev = √ᾱ_prev·x0 + √(1−ᾱ_prev)·ε (Song et al. 2021, eq. 12).
    //    lcm: d = c_out·x0 + c_skip·z_t; z_prev = √ᾱ_prev·d + √(1−ᾱ_prev)·fresh noise, last step z = d.
    const un = fileByRole(m, 'unet');
    const sT = tensorByRole(un, 'sample', 'inputs'), tT = tensorByRole(un, 'timestep', 'inputs');
    const eT = tensorByRole(un, 'encoder_hidden_states', 'inputs'), oT = tensorByRole(un, 'noise_pred', 'outputs');
    const unS = await this.session('unet');
    const tInt = inputType(unS, tT.name) === 'int64';
    const tMeta = unS.inputMetadata.find((x) => x.name === tT.name);
    const tDims = tMeta && tMeta.isTensor && tMeta.shape.length === 0 ? [] : [1]; // current Optimum: scalar; older: [1]
    const sample = new Float32Array((2 * C + 1) * LN);
    for (let k = 0; k < ts.length; k++) {
      throwIfAborted(signal);
      const t = ts[k]!, at = ac[t]!, last = k + 1 === ts.length, aPrev = last ? 1 : ac[ts[k + 1]!]!;
      sample.set(z, 0);
      sample.set(mL, C * LN);
      sample.set(zMasked, (C + 1) * LN);
      const feeds = {
        [sT.name]: floatTensor(sample, [1, 2 * C + 1, L, L]),
        [tT.name]: tInt ? new ort.Tensor('int64', BigInt64Array.from([BigInt(t)]), tDims) : floatTensor(Float32Array.from([t]), tDims),
        [eT.name]: hidden,
      };
      // (NaN here would reach the decoder; said at the UNet, where it came from.)
      const eps = checkedOutput(await nativeRun(() => unS.run(feeds)), oT.name, un.name, [1, C, L, L]);
      const e = eps.data as Float32Array;
      const sa = Math.sqrt(at), s1a = Math.sqrt(1 - at), sp = Math.sqrt(aPrev), s1p = Math.sqrt(1 - aPrev);
      if (lcm) {
        const { cSkip, cOut } = lcmScalings(t, d.timestepScaling);
        const fresh = last ? undefined : gaussian(z.length, (input.seed + 7919 * (k + 1)) >>> 0);
        for (let i = 0; i < z.length; i++) {
          const den = cOut * ((z[i]! - s1a * e[i]!) / sa) + cSkip * z[i]!;
          z[i] = fresh ? sp * den + s1p * fresh[i]! : den;
        }
      } else {
        for (let i = 0; i < z.length; i++) {
          const x0 = (z[i]! - s1a * e[i]!) / sa;
          z[i] = sp * x0 + s1p * e[i]!;
        }
      }
      tick();
    }

    // 5. Decode, map back to 0..255, resize to the context rect, composite where allowed.
    throwIfAborted(signal);
    const de = fileByRole(m, 'vae_decoder');
    const dIn = tensorByRole(de, 'latent', 'inputs'), dOut = tensorByRole(de, 'pixels', 'outputs');
    for (let i = 0; i < z.length; i++) z[i]! /= d.latentScale;
    const decoder = await this.session('vae_decoder');
    // Pixels of another size, or NaN (an fp16 VAE decoder that overflows), painted the refined
    // area black: an error instead, and the result stays unrefined (the core says so).
    const px = checkedOutput(await nativeRun(() => decoder.run({ [dIn.name]: floatTensor(z, [1, C, L, L]) })), dOut.name, de.name, [1, 3, S, S]);
    throwIfAborted(signal);
    const pd = px.data as Float32Array, [olo, ohi] = pre.outputRange;
    const res = new Float32Array(3 * N);
    for (let c = 0; c < 3; c++) {
      const sc = pre.channelOrder === 'bgr' ? 2 - c : c;
      for (let p = 0; p < N; p++) res[c * N + p] = Math.min(255, Math.max(0, ((pd[sc * N + p]! - olo) / (ohi - olo)) * 255));
    }
    const back = new Float32Array(3 * rect.width * rect.height);
    resizePlanes(res, S, S, 3, rect.width, rect.height, back);
    compositePlanes(image, rect, back, weights);
    tick();
  }
}
