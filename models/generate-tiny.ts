/**
 * Generates tiny ONNX models with the contracts of the REAL models (names, ranks, dtypes, fixed
 * dims, value ranges, mask conventions) as models/contracts/real-models.json states them from the real
 * export code and model cards, NOT from the manifests, plus test manifests (the built-in
 * manifests with sha256/size pinned to the generated files). A built-in manifest that disagrees
 * with the real export therefore rejects these tiny models in the tests. Nothing is downloaded.
 *
 *   npx tsx models/generate-tiny.ts <out-dir>
 *
 * writes `<out>/files/<id>/<file>.onnx`, `<out>/files/sd15-inpaint/tokenizer/{vocab.json,
 * merges.txt}` (a tiny CLIP-format BPE vocabulary) and `<out>/manifests/<id>.json`.
 *
 * What the tiny models compute:
 * - inpaint (MI-GAN/LaMa contracts): hole pixels become the mean colour of the known pixels,
 *   known pixels pass through (value ranges and mask conventions from the contract);
 * - text encoder: embedding lookup (ids mod 1024) and a projection to the hidden size;
 * - VAE: 8x8 average pooling and a 1x1 conv (encoder; extra output channels are the zero
 *   log-variance of Optimum's latent_parameters); 1x1 conv and linear upsampling (decoder);
 * - UNet: a 1x1 conv over the 9 input channels plus small terms from the text and the timestep.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createRng } from '../bridge-server/src/core/random';
import type { FileRole, ModelManifest } from '../bridge-server/src/models/manifest';
import { builtInManifestsDir, loadManifests } from '../bridge-server/src/models/manifest';
import type { GraphSpec, NodeSpec, OnnxDtype, ValueSpec } from '../bridge-server/src/models/onnx-build';
import { encodeModel, f32, i64 } from '../bridge-server/src/models/onnx-build';
import { byteToUnicode } from '../bridge-server/src/models/tokenizer';
import { contractTensor, loadContracts, type ContractTensor, type ModelContract } from './contracts';

/** Working size the tiny refine manifest uses (real SD uses 512; 64 keeps tests fast). */
export const TINY_REFINE_SIZE = 64;

/** The current export's form of a contract tensor (first name, dtype and shape). */
const value = (t: ContractTensor): ValueSpec => ({ name: t.names[0]!, dtype: t.dtypes[0]! as OnnxDtype, shape: [...t.shapes[0]!] });
const scalar = (name: string, v: number) => f32(name, [], [v]);

function toFloat(t: ValueSpec, out: string, nodes: NodeSpec[]): string {
  if (t.dtype === 'float32') return t.name;
  nodes.push({ op: 'Cast', inputs: [t.name], outputs: [out], attrs: { to: { i: 1 } } });
  return out;
}

/** Tiny inpainting graph: hole -> mean colour of known pixels (in the contract's ranges). */
export function tinyInpaintGraph(c: ModelContract, name = 'tiny-inpaint'): GraphSpec {
  const imgC = contractTensor(c, 'inpaint', 'inputs', 'image'), maskC = contractTensor(c, 'inpaint', 'inputs', 'mask');
  const resC = contractTensor(c, 'inpaint', 'outputs', 'result');
  const img = value(imgC), mask = value(maskC), res = value(resC);
  const mc = maskC.mask ?? { hole: 1, keep: 0 };
  const [inLo, inHi] = imgC.range ?? [0, 1], [outLo, outHi] = resC.range ?? [0, 1];
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
  const outF = res.dtype === 'float32' ? res.name : 'y2';
  nodes.push({ op: 'Add', inputs: ['y1', 'c_outlo'], outputs: [outF] });
  if (outF !== res.name) {
    nodes.push(
      { op: 'Round', inputs: ['y2'], outputs: ['y3'] },
      { op: 'Clip', inputs: ['y3', 'c_zero', 'c_255'], outputs: ['y4'] },
      { op: 'Cast', inputs: ['y4'], outputs: [res.name], attrs: { to: { i: 2 } } },
    );
  }
  return {
    name, inputs: [img, mask], outputs: [res], nodes,
    initializers: [
      scalar('c_hole', mc.hole), scalar('c_inv', 1 / (mc.keep - mc.hole)), i64('axes_hw', [2, 3]),
      scalar('c_eps', 1e-6), scalar('c_one', 1), scalar('c_inlo', inLo), scalar('c_scale', scaleOut),
      scalar('c_outlo', outLo),
      ...(outF !== res.name ? [scalar('c_zero', 0), scalar('c_255', 255)] : []),
    ],
    metadata: { smartdrag_tiny: 'inpaint-mean' },
  };
}

function fixedDim(t: ValueSpec, axis: number): number {
  const d = t.shape[axis < 0 ? t.shape.length + axis : axis];
  if (typeof d !== 'number') throw new RangeError(`${t.name}: dim ${axis} must be fixed in the contract`);
  return d;
}

/** Tiny CLIP-text-encoder stand-in: ids -> embeddings (vocabulary folded mod 1024). */
export function tinyTextEncoderGraph(c: ModelContract, seed = 7): GraphSpec {
  const ids = value(contractTensor(c, 'text_encoder', 'inputs', 'input_ids'));
  const hs = value(contractTensor(c, 'text_encoder', 'outputs', 'hidden_states')), pooled = value(contractTensor(c, 'text_encoder', 'outputs', 'pooled'));
  const H = fixedDim(hs, -1), V = 1024, E = 8, rng = createRng(seed);
  const table = Array.from({ length: V * E }, () => rng() * 2 - 1);
  const proj = Array.from({ length: E * H }, () => (rng() * 2 - 1) * 0.5);
  return {
    name: 'tiny-text-encoder', inputs: [ids], outputs: [hs, pooled],
    nodes: [
      { op: 'Mod', inputs: [ids.name, 'c_vocab'], outputs: ['idm'] },
      { op: 'Gather', inputs: ['table', 'idm'], outputs: ['emb'], attrs: { axis: { i: 0 } } },
      { op: 'MatMul', inputs: ['emb', 'proj'], outputs: [hs.name] },
      { op: 'ReduceMean', inputs: [hs.name], outputs: [pooled.name], attrs: { axes: { ints: [1] }, keepdims: { i: 0 } } },
    ],
    initializers: [
      ids.dtype === 'int64' ? { name: 'c_vocab', dims: [], data: BigInt64Array.from([BigInt(V)]) } : { name: 'c_vocab', dims: [], data: Int32Array.from([V]) },
      f32('table', [V, E], table), f32('proj', [E, H], proj),
    ],
  };
}

/**
 * Tiny VAE encoder: average-pool by the latent factor, then a 1x1 conv 3 -> the contract's
 * output channels. The first `latentChannels` carry colour (then gray), any further ones are
 * zero (the log-variance half of Optimum's latent_parameters).
 */
export function tinyVaeEncoderGraph(c: ModelContract): GraphSpec {
  const px = value(contractTensor(c, 'vae_encoder', 'inputs', 'pixels')), lat = value(contractTensor(c, 'vae_encoder', 'outputs', 'latent'));
  const factor = Number(c.facts.latentFactor), C = Number(c.facts.latentChannels), out = fixedDim(lat, 1);
  const w = new Float32Array(out * 3);
  for (let o = 0; o < Math.min(out, C); o++) for (let k = 0; k < 3; k++) w[o * 3 + k] = o < 3 ? (o === k ? 1 : 0) : 1 / 3;
  return {
    name: 'tiny-vae-encoder', inputs: [px], outputs: [lat],
    nodes: [
      { op: 'AveragePool', inputs: [px.name], outputs: ['pooled'], attrs: { kernel_shape: { ints: [factor, factor] }, strides: { ints: [factor, factor] } } },
      { op: 'Conv', inputs: ['pooled', 'w'], outputs: [lat.name] },
    ],
    initializers: [f32('w', [out, 3, 1, 1], w)],
  };
}

/** Tiny VAE decoder: 1x1 conv C -> 3 (inverse of the encoder's), then linear upsampling. */
export function tinyVaeDecoderGraph(c: ModelContract): GraphSpec {
  const lat = value(contractTensor(c, 'vae_decoder', 'inputs', 'latent')), px = value(contractTensor(c, 'vae_decoder', 'outputs', 'pixels'));
  const factor = Number(c.facts.latentFactor), C = fixedDim(lat, 1);
  const w = new Float32Array(3 * C);
  for (let k = 0; k < 3; k++) w[k * C + k] = 1;
  return {
    name: 'tiny-vae-decoder', inputs: [lat], outputs: [px],
    nodes: [
      { op: 'Conv', inputs: [lat.name, 'w'], outputs: ['rgb'] },
      { op: 'Resize', inputs: ['rgb', '', 'scales'], outputs: [px.name], attrs: { mode: { s: 'linear' } } },
    ],
    initializers: [f32('w', [3, C, 1, 1], w), f32('scales', [4], [1, 1, factor, factor])],
  };
}

/** Tiny UNet: eps = 1x1 conv over the input channels + 0.1·mean(text) + 1e-4·timestep. */
export function tinyUnetGraph(c: ModelContract, seed = 11): GraphSpec {
  const sample = value(contractTensor(c, 'unet', 'inputs', 'sample')), t = value(contractTensor(c, 'unet', 'inputs', 'timestep'));
  const ehs = value(contractTensor(c, 'unet', 'inputs', 'encoder_hidden_states')), out = value(contractTensor(c, 'unet', 'outputs', 'noise_pred'));
  const cin = fixedDim(sample, 1), cout = fixedDim(out, 1);
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
    // A scalar timestep (current Optimum) or a [1] one (older exports) -> [1, 1, 1, 1].
    { op: 'Unsqueeze', inputs: [tf, 'axt'], outputs: ['t4'] },
    { op: 'Mul', inputs: ['t4', 'c_time'], outputs: ['tt'] },
    { op: 'Add', inputs: ['conv', 'tb'], outputs: ['s1'] },
    { op: 'Add', inputs: ['s1', 'tt'], outputs: [out.name] },
  );
  return {
    name: 'tiny-unet', inputs: [sample, t, ehs], outputs: [out], nodes,
    initializers: [
      f32('w', [cout, cin, 1, 1], w), i64('ax3', [3]), i64('axt', t.shape.length === 0 ? [0, 1, 2, 3] : [1, 2, 3]),
      scalar('c_text', 0.1), scalar('c_time', 1e-4),
    ],
  };
}

/** The tiny graph for one file role of a real model. */
export function tinyGraphFor(c: ModelContract, role: FileRole): GraphSpec {
  switch (role) {
    case 'inpaint': return tinyInpaintGraph(c);
    case 'text_encoder': return tinyTextEncoderGraph(c);
    case 'unet': return tinyUnetGraph(c);
    case 'vae_encoder': return tinyVaeEncoderGraph(c);
    case 'vae_decoder': return tinyVaeDecoderGraph(c);
  }
}

/** Words the tiny tokenizer has whole-word tokens for (anything else splits into characters). */
export const TINY_TOKENIZER_WORDS = ['move', 'the', 'cup', 'to', 'left', 'right', 'make', 'tower', 'taller', 'rotate', 'square'];

/**
 * A tiny vocabulary in CLIP's format: the 256 byte characters (GPT-2 table order), the same with
 * `</w>`, merges that build each of {@link TINY_TOKENIZER_WORDS} left to right, then
 * `<|startoftext|>` and `<|endoftext|>`.
 */
export function tinyTokenizerFiles(): { vocab: Record<string, number>; merges: string; bos: number; eos: number; size: number } {
  const table = byteToUnicode();
  const printable = (b: number): boolean => (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
  const order = [...Array(256).keys()].filter(printable).concat([...Array(256).keys()].filter((b) => !printable(b)));
  const tokens = [...order.map((b) => table[b]!), ...order.map((b) => `${table[b]!}</w>`)];
  const merges: string[] = [];
  for (const word of TINY_TOKENIZER_WORDS) {
    const chars = Array.from(word);
    let acc = chars[0]!;
    for (let i = 1; i < chars.length; i++) {
      const next = i === chars.length - 1 ? `${chars[i]}</w>` : chars[i]!;
      const line = `${acc} ${next}`;
      acc += next;
      if (!merges.includes(line)) { merges.push(line); tokens.push(acc); }
    }
  }
  tokens.push('<|startoftext|>', '<|endoftext|>');
  const vocab = Object.fromEntries(tokens.map((t, i) => [t, i]));
  return { vocab, merges: `#version: 0.2\n${merges.join('\n')}\n`, bos: tokens.length - 2, eos: tokens.length - 1, size: tokens.length };
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
 * Write the tiny models (from models/contracts/real-models.json) and their test manifests (the built-in
 * manifests with sha256/size pinned to the generated files; for refinement a small working size
 * ({@link TINY_REFINE_SIZE}) and the tiny tokenizer's ids) under `outDir`.
 */
export function generateTinyModels(
  outDir: string, source: ModelManifest[] = loadManifests(builtInManifestsDir()), contracts: Record<string, ModelContract> = loadContracts(),
): TinyModels {
  const manifestsDir = path.join(outDir, 'manifests'), filesDir = path.join(outDir, 'files');
  fs.mkdirSync(manifestsDir, { recursive: true });
  const paths: Record<string, string> = {};
  const manifests: ModelManifest[] = [];
  for (const m of source) {
    const c = contracts[m.id];
    if (!c) throw new Error(`models/contracts/real-models.json has no contract for manifest ${m.id}`);
    const files = m.files.map((f) => {
      const bytes = encodeModel(tinyGraphFor(c, f.role));
      const p = path.join(filesDir, m.id, f.name);
      fs.mkdirSync(path.dirname(p), { recursive: true });
      fs.writeFileSync(p, bytes);
      paths[`${m.id}/${f.name}`] = p;
      return { ...f, sha256: crypto.createHash('sha256').update(bytes).digest('hex'), bytes: bytes.byteLength };
    });
    let tokenizer = m.tokenizer;
    if (tokenizer) {
      const t = tinyTokenizerFiles();
      const vocabPath = path.join(filesDir, m.id, ...tokenizer.files.vocab.split('/'));
      const mergesPath = path.join(filesDir, m.id, ...tokenizer.files.merges.split('/'));
      fs.mkdirSync(path.dirname(vocabPath), { recursive: true });
      fs.mkdirSync(path.dirname(mergesPath), { recursive: true });
      fs.writeFileSync(vocabPath, JSON.stringify(t.vocab));
      fs.writeFileSync(mergesPath, t.merges);
      paths[`${m.id}/${tokenizer.files.vocab}`] = vocabPath;
      paths[`${m.id}/${tokenizer.files.merges}`] = mergesPath;
      tokenizer = { ...tokenizer, bos: t.bos, eos: t.eos, pad: t.eos, vocabSize: t.size };
    }
    const tiny: ModelManifest = {
      ...m, files, verify: [],
      description: `TINY TEST MODEL with the contract of ${m.name}`,
      preprocessing: m.task === 'refine' ? { ...m.preprocessing, size: TINY_REFINE_SIZE } : m.preprocessing,
      ...(tokenizer ? { tokenizer } : {}),
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
