/**
 * Generates tiny ONNX models with the SAME input/output contracts (names, ranks, dtypes, fixed
 * dims) as the real models in this folder's manifests, but a handful of weights, plus test
 * manifests pinning the generated files' sha256 and size. Tests run the real loading, checking
 * and running code on them; nothing is downloaded.
 *
 *   npx tsx models/generate-tiny.ts <out-dir>
 *
 * writes `<out>/files/<id>/<file>.onnx` and `<out>/manifests/<id>.json`.
 *
 * What the tiny models compute:
 * - inpaint (MI-GAN/LaMa contracts): hole pixels become the mean colour of the known pixels,
 *   known pixels pass through (value ranges and mask conventions as in the manifest);
 * - text encoder: embedding lookup (ids mod 1024) and a projection to the hidden size;
 * - VAE: 8x8 average pooling and a 1x1 conv (encoder); 1x1 conv and linear upsampling (decoder);
 * - UNet: a 1x1 conv over the 9 input channels plus small terms from the text and the timestep.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createRng } from '../bridge-server/src/core/random';
import type { ModelFile, ModelManifest, TensorSpec } from '../bridge-server/src/models/manifest';
import { builtInManifestsDir, loadManifests, tensorByRole } from '../bridge-server/src/models/manifest';
import type { GraphSpec, NodeSpec, OnnxDtype, ValueSpec } from '../bridge-server/src/models/onnx-build';
import { encodeModel, f32, i64 } from '../bridge-server/src/models/onnx-build';

/** Working size the tiny refine manifest uses (real SD uses 512; 64 keeps tests fast). */
export const TINY_REFINE_SIZE = 64;

const firstDtype = (t: TensorSpec): OnnxDtype => {
  const d = Array.isArray(t.dtype) ? t.dtype[0]! : t.dtype;
  if (d === 'float16') throw new RangeError(`tiny models do not support float16 (${t.name})`);
  return d as OnnxDtype;
};
const value = (t: TensorSpec): ValueSpec => ({ name: t.name, dtype: firstDtype(t), shape: [...t.shape] });
const scalar = (name: string, v: number) => f32(name, [], [v]);

function toFloat(t: TensorSpec, out: string, nodes: NodeSpec[]): string {
  if (firstDtype(t) === 'float32') return t.name;
  nodes.push({ op: 'Cast', inputs: [t.name], outputs: [out], attrs: { to: { i: 1 } } });
  return out;
}

/** Tiny inpainting graph: hole -> mean colour of known pixels (in the manifest's ranges). */
export function tinyInpaintGraph(m: ModelManifest, file: ModelFile): GraphSpec {
  const img = tensorByRole(file, 'image', 'inputs'), mask = tensorByRole(file, 'mask', 'inputs');
  const res = tensorByRole(file, 'result', 'outputs');
  const pre = m.preprocessing, mc = pre.mask ?? { hole: 0, keep: 1 };
  const [inLo, inHi] = pre.imageRange, [outLo, outHi] = pre.outputRange;
  const nodes: NodeSpec[] = [];
  const x = toFloat(img, 'x', nodes), mf = toFloat(mask, 'mf', nodes);
  const scaleOut = (outHi - outLo) / (inHi - inLo);
  nodes.push(
    // keep = (mask - hole) / (keep - hole), 1 on known pixels and 0 in the hole.
    { op: 'Sub', inputs: [mf, 'c_hole'], outputs: ['m0'] },
    { op: 'Mul', inputs: ['m0', 'c_inv'], outputs: ['keep'] },
    { op: 'Mul', inputs: [x, 'keep'], outputs: ['known'] },
    { op: 'ReduceSum', inputs: ['known', 'axes_hw'], outputs: ['sum'], attrs: { keepdims: { i: 1 } } },
    { op: 'ReduceSum', inputs: ['keep', 'axes_hw'], outputs: ['cnt0'], attrs: { keepdims: { i: 1 } } },
    { op: 'Add', inputs: ['cnt0', 'c_eps'], outputs: ['cnt'] },
    { op: 'Div', inputs: ['sum', 'cnt'], outputs: ['mean'] },
    { op: 'Sub', inputs: ['c_one', 'keep'], outputs: ['hole'] },
    { op: 'Mul', inputs: ['hole', 'mean'], outputs: ['fill'] },
    { op: 'Add', inputs: ['known', 'fill'], outputs: ['y'] },
    { op: 'Sub', inputs: ['y', 'c_inlo'], outputs: ['y0'] },
    { op: 'Mul', inputs: ['y0', 'c_scale'], outputs: ['y1'] },
  );
  const outF = firstDtype(res) === 'float32' ? res.name : 'y2';
  nodes.push({ op: 'Add', inputs: ['y1', 'c_outlo'], outputs: [outF] });
  if (outF !== res.name) {
    nodes.push(
      { op: 'Round', inputs: ['y2'], outputs: ['y3'] },
      { op: 'Clip', inputs: ['y3', 'c_zero', 'c_255'], outputs: ['y4'] },
      { op: 'Cast', inputs: ['y4'], outputs: [res.name], attrs: { to: { i: 2 } } },
    );
  }
  return {
    name: `tiny-${m.id}`, inputs: [value(img), value(mask)], outputs: [value(res)], nodes,
    initializers: [
      scalar('c_hole', mc.hole), scalar('c_inv', 1 / (mc.keep - mc.hole)), i64('axes_hw', [2, 3]),
      scalar('c_eps', 1e-6), scalar('c_one', 1), scalar('c_inlo', inLo), scalar('c_scale', scaleOut),
      scalar('c_outlo', outLo),
      ...(outF !== res.name ? [scalar('c_zero', 0), scalar('c_255', 255)] : []),
    ],
    metadata: { smartdrag_tiny: 'inpaint-mean' },
  };
}

function hiddenSize(t: TensorSpec): number {
  const d = t.shape[t.shape.length - 1];
  if (typeof d !== 'number') throw new RangeError(`${t.name}: last dim must be fixed`);
  return d;
}

/** Tiny CLIP-text-encoder stand-in: ids -> embeddings (vocabulary folded mod 1024). */
export function tinyTextEncoderGraph(file: ModelFile, seed = 7): GraphSpec {
  const ids = tensorByRole(file, 'input_ids', 'inputs');
  const hs = tensorByRole(file, 'hidden_states', 'outputs'), pooled = tensorByRole(file, 'pooled', 'outputs');
  const H = hiddenSize(hs), V = 1024, E = 8, rng = createRng(seed);
  const table = Array.from({ length: V * E }, () => rng() * 2 - 1);
  const proj = Array.from({ length: E * H }, () => (rng() * 2 - 1) * 0.5);
  const idt = firstDtype(ids);
  return {
    name: 'tiny-text-encoder', inputs: [value(ids)], outputs: [value(hs), value(pooled)],
    nodes: [
      { op: 'Mod', inputs: [ids.name, 'c_vocab'], outputs: ['idm'] },
      { op: 'Gather', inputs: ['table', 'idm'], outputs: ['emb'], attrs: { axis: { i: 0 } } },
      { op: 'MatMul', inputs: ['emb', 'proj'], outputs: [hs.name] },
      { op: 'ReduceMean', inputs: [hs.name], outputs: [pooled.name], attrs: { axes: { ints: [1] }, keepdims: { i: 0 } } },
    ],
    initializers: [
      idt === 'int64' ? { name: 'c_vocab', dims: [], data: BigInt64Array.from([BigInt(V)]) } : { name: 'c_vocab', dims: [], data: Int32Array.from([V]) },
      f32('table', [V, E], table), f32('proj', [E, H], proj),
    ],
  };
}

/** Tiny VAE encoder: average-pool by the latent factor, then a 1x1 conv 3 -> C. */
export function tinyVaeEncoderGraph(file: ModelFile, factor: number, channels: number): GraphSpec {
  const px = tensorByRole(file, 'pixels', 'inputs'), lat = tensorByRole(file, 'latent', 'outputs');
  // Channel c < 3 carries colour c, the rest carry the gray mean, so the decoder can invert it.
  const w = new Float32Array(channels * 3);
  for (let c = 0; c < channels; c++) for (let k = 0; k < 3; k++) w[c * 3 + k] = c < 3 ? (c === k ? 1 : 0) : 1 / 3;
  return {
    name: 'tiny-vae-encoder', inputs: [value(px)], outputs: [value(lat)],
    nodes: [
      { op: 'AveragePool', inputs: [px.name], outputs: ['pooled'], attrs: { kernel_shape: { ints: [factor, factor] }, strides: { ints: [factor, factor] } } },
      { op: 'Conv', inputs: ['pooled', 'w'], outputs: [lat.name] },
    ],
    initializers: [f32('w', [channels, 3, 1, 1], w)],
  };
}

/** Tiny VAE decoder: 1x1 conv C -> 3 (inverse of the encoder's), then linear upsampling. */
export function tinyVaeDecoderGraph(file: ModelFile, factor: number, channels: number): GraphSpec {
  const lat = tensorByRole(file, 'latent', 'inputs'), px = tensorByRole(file, 'pixels', 'outputs');
  const w = new Float32Array(3 * channels);
  for (let k = 0; k < 3; k++) w[k * channels + k] = 1;
  return {
    name: 'tiny-vae-decoder', inputs: [value(lat)], outputs: [value(px)],
    nodes: [
      { op: 'Conv', inputs: [lat.name, 'w'], outputs: ['rgb'] },
      { op: 'Resize', inputs: ['rgb', '', 'scales'], outputs: [px.name], attrs: { mode: { s: 'linear' } } },
    ],
    initializers: [f32('w', [3, channels, 1, 1], w), f32('scales', [4], [1, 1, factor, factor])],
  };
}

/** Tiny UNet: eps = 1x1 conv over the 9 channels + 0.1·mean(text) + 1e-4·timestep. */
export function tinyUnetGraph(file: ModelFile, seed = 11): GraphSpec {
  const sample = tensorByRole(file, 'sample', 'inputs'), t = tensorByRole(file, 'timestep', 'inputs');
  const ehs = tensorByRole(file, 'encoder_hidden_states', 'inputs'), out = tensorByRole(file, 'noise_pred', 'outputs');
  const cin = sample.shape[1], cout = out.shape[1];
  if (typeof cin !== 'number' || typeof cout !== 'number') throw new RangeError('unet channel dims must be fixed');
  const rng = createRng(seed), w = new Float32Array(cout * cin);
  for (let o = 0; o < cout; o++) for (let i = 0; i < cin; i++) w[o * cin + i] = (o === i ? 0.1 : 0) + (rng() - 0.5) * 0.02;
  const nodes: NodeSpec[] = [
    { op: 'Conv', inputs: [sample.name, 'w'], outputs: ['conv'] },
    { op: 'ReduceMean', inputs: [ehs.name], outputs: ['tm'], attrs: { axes: { ints: [1, 2] }, keepdims: { i: 1 } } },
    { op: 'Unsqueeze', inputs: ['tm', 'ax3'], outputs: ['tm4'] },
    { op: 'Mul', inputs: ['tm4', 'c_text'], outputs: ['tb'] },
  ];
  const tf = toFloat(t, 'tf', nodes);
  nodes.push(
    { op: 'Unsqueeze', inputs: [tf, 'ax123'], outputs: ['t4'] },
    { op: 'Mul', inputs: ['t4', 'c_time'], outputs: ['tt'] },
    { op: 'Add', inputs: ['conv', 'tb'], outputs: ['s1'] },
    { op: 'Add', inputs: ['s1', 'tt'], outputs: [out.name] },
  );
  return {
    name: 'tiny-unet', inputs: [value(sample), value(t), value(ehs)], outputs: [value(out)], nodes,
    initializers: [f32('w', [cout, cin, 1, 1], w), i64('ax3', [3]), i64('ax123', [1, 2, 3]), scalar('c_text', 0.1), scalar('c_time', 1e-4)],
  };
}

/** The tiny graph for one manifest file. */
export function tinyGraphFor(m: ModelManifest, file: ModelFile): GraphSpec {
  const d = m.diffusion;
  switch (file.role) {
    case 'inpaint': return tinyInpaintGraph(m, file);
    case 'text_encoder': return tinyTextEncoderGraph(file);
    case 'unet': return tinyUnetGraph(file);
    case 'vae_encoder': return tinyVaeEncoderGraph(file, d?.latentFactor ?? 8, d?.latentChannels ?? 4);
    case 'vae_decoder': return tinyVaeDecoderGraph(file, d?.latentFactor ?? 8, d?.latentChannels ?? 4);
  }
}

/** What {@link generateTinyModels} wrote. */
export interface TinyModels {
  /** Folder of test manifests (pinned to the generated files). */
  manifestsDir: string;
  /** Folder holding `<id>/<file>.onnx`. */
  filesDir: string;
  manifests: ModelManifest[];
  /** Path of each generated file, by `<id>/<file name>`. */
  paths: Record<string, string>;
}

/**
 * Write the tiny models and their test manifests under `outDir`. The test manifests are the
 * real ones with sha256/bytes pinned to the generated files and, for refinement, a small
 * working size ({@link TINY_REFINE_SIZE}) and the hash stand-in tokenizer.
 */
export function generateTinyModels(outDir: string, source: ModelManifest[] = loadManifests(builtInManifestsDir())): TinyModels {
  const manifestsDir = path.join(outDir, 'manifests'), filesDir = path.join(outDir, 'files');
  fs.mkdirSync(manifestsDir, { recursive: true });
  const paths: Record<string, string> = {};
  const manifests: ModelManifest[] = [];
  for (const m of source) {
    const files = m.files.map((f) => {
      const bytes = encodeModel(tinyGraphFor(m, f));
      const p = path.join(filesDir, m.id, f.name);
      fs.mkdirSync(path.dirname(p), { recursive: true });
      fs.writeFileSync(p, bytes);
      paths[`${m.id}/${f.name}`] = p;
      return { ...f, sha256: crypto.createHash('sha256').update(bytes).digest('hex'), bytes: bytes.byteLength };
    });
    const tiny: ModelManifest = {
      ...m, files, verify: [],
      description: `TINY TEST MODEL with the contract of ${m.name}`,
      preprocessing: m.task === 'refine' ? { ...m.preprocessing, size: TINY_REFINE_SIZE } : m.preprocessing,
      ...(m.tokenizer ? { tokenizer: { ...m.tokenizer, kind: 'hash-stand-in' as const } } : {}),
    };
    fs.writeFileSync(path.join(manifestsDir, `${m.id}.json`), `${JSON.stringify(tiny, null, 2)}\n`);
    manifests.push(tiny);
  }
  return { manifestsDir, filesDir, manifests, paths };
}

if (require.main === module) {
  const out = process.argv[2];
  if (!out) {
    process.stderr.write('usage: npx tsx models/generate-tiny.ts <out-dir>\n');
    process.exit(2);
  }
  const r = generateTinyModels(path.resolve(out));
  for (const [k, p] of Object.entries(r.paths)) process.stdout.write(`${k}\t${fs.statSync(p).size} bytes\t${p}\n`);
  process.stdout.write(`manifests: ${r.manifestsDir}\n`);
}
