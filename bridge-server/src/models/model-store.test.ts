/** Manifests, contract checks and `smartdrag models` on tiny generated ONNX models (real onnxruntime-node). */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { loadContracts } from '../../../models/contracts';
import { generateTinyModels, tinyInpaintGraph, type TinyModels } from '../../../models/generate-tiny';
import { registerModels } from '../cli/models';
import { encodeModel, type GraphSpec } from './onnx-build';
import { builtInManifestsDir, fileByRole, loadManifests, parseManifest, type ModelManifest } from './manifest';
import { addModels, checkModelFile, describeStages, listModels, modelsDir, verifyModels } from './index';
import { smartdragHome } from '../config';

let tmp: string;
let tiny: TinyModels;
const byId = (id: string): ModelManifest => tiny.manifests.find((m) => m.id === id)!;
const contracts = loadContracts();

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-models-'));
  tiny = generateTinyModels(path.join(tmp, 'tiny'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Write a variant of a tiny model (graph mutated) under `dir/name`. */
function writeVariant(dir: string, name: string, spec: GraphSpec): string {
  fs.mkdirSync(dir, { recursive: true });
  const p = path.join(dir, name);
  fs.writeFileSync(p, encodeModel(spec));
  return p;
}

describe('manifests', () => {
  test('the built-in manifests parse and cover MI-GAN, LaMa and SD-1.5 inpainting', () => {
    const ms = loadManifests(builtInManifestsDir());
    expect(ms.map((m) => m.id).sort()).toEqual(['lama', 'migan', 'sd15-inpaint']);
    expect(ms.find((m) => m.id === 'migan')!.licence.spdx).toBe('MIT');
    expect(ms.find((m) => m.id === 'lama')!.licence.spdx).toBe('Apache-2.0');
    expect(ms.find((m) => m.id === 'sd15-inpaint')!.files.map((f) => f.role).sort()).toEqual(['text_encoder', 'unet', 'vae_decoder', 'vae_encoder']);
  });

  test('the schema rejects a malformed sha256 and a refine model without a unet, naming the path', () => {
    const good = JSON.parse(fs.readFileSync(path.join(builtInManifestsDir(), 'sd15-inpaint.json'), 'utf8'));
    const badSha = structuredClone(good);
    badSha.files[0].sha256 = 'XYZ';
    expect(() => parseManifest(badSha, 'x.json')).toThrow(/x\.json.*\n.*files\.0\.sha256: sha256 must be 64 lowercase hex/);
    const noUnet = structuredClone(good);
    noUnet.files = noUnet.files.filter((f: { role: string }) => f.role !== 'unet');
    expect(() => parseManifest(noUnet)).toThrow(/needs a file with role "unet"/);
  });
});

describe('contract checks', () => {
  test('every generated tiny model passes its test manifest (sha256, size, names, dtypes, shapes)', async () => {
    for (const m of tiny.manifests) {
      for (const f of m.files) expect(await checkModelFile(tiny.paths[`${m.id}/${f.name}`]!, f)).toEqual([]);
    }
  });

  test('a wrong fixed shape is rejected with expected and found shapes', async () => {
    const m = byId('lama'), f = fileByRole(m, 'inpaint');
    const spec = tinyInpaintGraph(contracts.lama!);
    for (const v of [...spec.inputs, ...spec.outputs]) v.shape = v.shape.map((d) => (d === 512 ? 256 : d));
    const p = writeVariant(path.join(tmp, 'bad-shape'), f.name, spec);
    const issues = await checkModelFile(p, { ...f, sha256: null, bytes: null });
    expect(issues.map((i) => i.code)).toEqual(['shape_mismatch', 'shape_mismatch', 'shape_mismatch']);
    expect(issues[0]!.message).toBe('lama_fp32.onnx: input "image" shape: expected [1, 3, 512, 512], found ["batch", 3, 256, 256]');
  });

  test('a wrong input name and a wrong dtype are named', async () => {
    const m = byId('migan'), f = fileByRole(m, 'inpaint');
    const spec = tinyInpaintGraph(contracts.migan!);
    spec.inputs[1]!.name = 'msk';
    for (const n of spec.nodes) n.inputs = n.inputs.map((i) => (i === 'mask' ? 'msk' : i));
    const renamed = writeVariant(path.join(tmp, 'bad-name'), f.name, spec);
    const issues = await checkModelFile(renamed, { ...f, sha256: null, bytes: null });
    expect(issues.map((i) => i.code)).toEqual(['input_name_mismatch']);
    expect(issues[0]!.message).toContain('expected an input named "mask", found inputs "image", "msk"');

    const c = structuredClone(contracts.migan!);
    c.files.inpaint!.inputs[0]!.dtypes = ['float32'];
    const spec2 = tinyInpaintGraph(c);
    const retyped = writeVariant(path.join(tmp, 'bad-dtype'), f.name, spec2);
    const issues2 = await checkModelFile(retyped, { ...f, sha256: null, bytes: null });
    expect(issues2.map((i) => `${i.code}|${i.expected}|${i.found}`)).toEqual(['dtype_mismatch|uint8|float32']);
  });

  test('a file with the right name but different bytes fails the sha256 check and nothing is copied', async () => {
    const m = byId('lama'), f = fileByRole(m, 'inpaint');
    const spec = tinyInpaintGraph(contracts.lama!);
    spec.metadata = { note: 'tampered' };
    const p = writeVariant(path.join(tmp, 'bad-sha'), f.name, spec);
    const home = path.join(tmp, 'home-bad-sha');
    const r = await addModels(p, { home, manifestsDir: tiny.manifestsDir });
    expect(r.ok).toBe(false);
    expect(r.installed).toEqual([]);
    const sha = r.issues.find((i) => i.code === 'sha256_mismatch')!;
    expect(sha.expected).toBe(f.sha256);
    expect(sha.found).toMatch(/^[0-9a-f]{64}$/);
    expect(sha.found).not.toBe(f.sha256);
    expect(sha.message).toContain('lama_fp32.onnx: sha256: expected');
    expect(fs.existsSync(path.join(home, 'models'))).toBe(false);
  });

  test('an unknown file is rejected with the list of known files', async () => {
    const p = path.join(tmp, 'mystery.onnx');
    fs.copyFileSync(tiny.paths['migan/migan_pipeline_v2.onnx']!, p);
    fs.appendFileSync(p, Buffer.from([0]));
    const r = await addModels(p, { home: path.join(tmp, 'home-unknown'), manifestsDir: tiny.manifestsDir });
    expect(r.issues.map((i) => i.code)).toEqual(['unknown_model_file']);
    expect(r.issues[0]!.expected).toContain('migan/migan_pipeline_v2.onnx');
  });
});

describe('models folder', () => {
  test('add (Optimum folder layout), list, verify, and verify catching a corrupted file', async () => {
    const home = path.join(tmp, 'home-sd');
    const exportDir = path.join(tmp, 'optimum-export');
    for (const role of ['text_encoder', 'unet', 'vae_encoder', 'vae_decoder'] as const) {
      fs.mkdirSync(path.join(exportDir, role), { recursive: true });
      fs.copyFileSync(tiny.paths[`sd15-inpaint/${role}.onnx`]!, path.join(exportDir, role, 'model.onnx'));
    }
    const opts = { home, manifestsDir: tiny.manifestsDir };
    expect(listModels(opts).find((m) => m.id === 'sd15-inpaint')!.state).toBe('absent');
    const r = await addModels(exportDir, opts);
    expect(r.issues).toEqual([]);
    expect(r.installed.map((p) => path.relative(home, p)).sort()).toEqual([
      'models/sd15-inpaint/text_encoder.onnx', 'models/sd15-inpaint/unet.onnx',
      'models/sd15-inpaint/vae_decoder.onnx', 'models/sd15-inpaint/vae_encoder.onnx',
    ]);
    expect(listModels(opts).map((m) => [m.id, m.state])).toEqual([['lama', 'absent'], ['migan', 'absent'], ['sd15-inpaint', 'complete']]);
    // No tokenizer/ folder in this export: refinement is on, and health says the prompt is empty.
    expect(describeStages(opts).stages.refine).toEqual({
      enabled: true, model: 'sd15-inpaint',
      reason: '4 LCM steps (UNet with LCM-LoRA fused), EMPTY prompt: tokenizer/vocab.json and tokenizer/merges.txt are not installed (smartdrag models add <export folder> installs them)',
    });
    expect(await verifyModels(opts)).toEqual([{ id: 'sd15-inpaint', checked: 4, issues: [] }]);

    // Optimum ships tokenizer/vocab.json + merges.txt beside the ONNX folders: adding the folder
    // again installs them (checked against the manifest) and the intent becomes the prompt.
    fs.mkdirSync(path.join(exportDir, 'tokenizer'));
    for (const f of ['vocab.json', 'merges.txt']) fs.copyFileSync(tiny.paths[`sd15-inpaint/tokenizer/${f}`]!, path.join(exportDir, 'tokenizer', f));
    const r2 = await addModels(exportDir, opts);
    expect(r2.issues).toEqual([]);
    expect(r2.installed.map((p) => path.relative(home, p)).filter((p) => p.includes('tokenizer')).sort())
      .toEqual(['models/sd15-inpaint/tokenizer/merges.txt', 'models/sd15-inpaint/tokenizer/vocab.json']);
    expect(describeStages(opts).stages.refine.reason).toBe('4 LCM steps (UNet with LCM-LoRA fused), the intent as prompt (CLIP BPE from tokenizer/vocab.json + tokenizer/merges.txt)');

    // A vocabulary that disagrees with the manifest (other special-token ids) is refused, nothing copied.
    const badDir = path.join(tmp, 'optimum-export-bad-tokenizer');
    fs.cpSync(exportDir, badDir, { recursive: true });
    const vocab = JSON.parse(fs.readFileSync(path.join(badDir, 'tokenizer', 'vocab.json'), 'utf8')) as Record<string, number>;
    vocab['<|startoftext|>'] = 3;
    fs.writeFileSync(path.join(badDir, 'tokenizer', 'vocab.json'), JSON.stringify(vocab));
    const r3 = await addModels(badDir, { home: path.join(tmp, 'home-bad-tok'), manifestsDir: tiny.manifestsDir });
    expect(r3.ok).toBe(false);
    expect(r3.issues.map((i) => i.code)).toEqual(['tokenizer_invalid']);
    expect(r3.issues[0]!.message).toMatch(/<\|startoftext\|> is 3, the manifest says \d+/);
    expect(fs.existsSync(path.join(tmp, 'home-bad-tok', 'models'))).toBe(false);

    const unet = path.join(home, 'models', 'sd15-inpaint', 'unet.onnx');
    const bytes = fs.readFileSync(unet);
    bytes[bytes.length - 1] ^= 0x01; // same size, different content
    fs.writeFileSync(unet, bytes);
    const v = await verifyModels(opts);
    expect(v[0]!.issues.map((i) => i.code)).toContain('sha256_mismatch');
  });
});

describe('damaged installs are said as damaged', () => {
  test('verify reads the tokenizer files as the refiner does: a damaged vocab.json is a tokenizer_invalid problem (it verified "ok"), and list/health call the model damaged instead of "the intent as prompt"', async () => {
    const home = path.join(tmp, 'home-bad-vocab');
    const opts = { home, manifestsDir: tiny.manifestsDir };
    expect((await addModels(path.join(tiny.filesDir, 'sd15-inpaint'), opts)).issues).toEqual([]);
    expect(await verifyModels(opts)).toEqual([{ id: 'sd15-inpaint', checked: 6, issues: [] }]);
    expect(describeStages(opts).stages.refine.reason).toMatch(/the intent as prompt/);
    const vocab = path.join(home, 'models', 'sd15-inpaint', 'tokenizer', 'vocab.json');
    fs.writeFileSync(vocab, fs.readFileSync(vocab, 'utf8').slice(0, 40)); // truncated: not JSON
    const v = await verifyModels(opts);
    expect(v[0]!.issues.map((i) => [i.code, i.file])).toEqual([['tokenizer_invalid', vocab]]);
    const c = cli();
    await c.program.parseAsync(['node', 'smartdrag', 'models', 'verify', '--home', home, '--manifests', tiny.manifestsDir]);
    expect(c.codes).toEqual([1]);
    expect(c.err.join('')).toMatch(/sd15-inpaint: 1 problem\n {2}\[tokenizer_invalid\] vocab\.json: tokenizer files/);
    // The runtime would fail every final's refinement on these files: the stage is off, and says why.
    expect(listModels(opts).find((m) => m.id === 'sd15-inpaint')!.state).toBe('damaged');
    const refine = describeStages(opts).stages.refine;
    expect(refine.enabled).toBe(false);
    expect(refine.reason).toMatch(/^damaged: sd15-inpaint \(its tokenizer files cannot be read: .*vocab\.json.*\): run smartdrag models verify, then smartdrag models add the model again$/);
  });

  test('a model file of the wrong size is "damaged" in list and health (it was "absent", "no inpaint model installed")', async () => {
    const home = path.join(tmp, 'home-wrong-size');
    const opts = { home, manifestsDir: tiny.manifestsDir };
    expect((await addModels(tiny.paths['migan/migan_pipeline_v2.onnx']!, opts)).issues).toEqual([]);
    const file = path.join(home, 'models', 'migan', 'migan_pipeline_v2.onnx');
    fs.writeFileSync(file, fs.readFileSync(file).subarray(0, 1000));
    const m = listModels(opts).find((x) => x.id === 'migan')!;
    expect(m.state).toBe('damaged');
    expect(m.files).toEqual([expect.objectContaining({ name: 'migan_pipeline_v2.onnx', present: false, damaged: true })]);
    expect(describeStages(opts).stages.inpaint).toEqual({
      enabled: false, reason: 'damaged: migan (migan_pipeline_v2.onnx has the wrong size): run smartdrag models verify, then smartdrag models add the model again',
    });
    const c = cli();
    await c.program.parseAsync(['node', 'smartdrag', 'models', 'list', '--home', home, '--manifests', tiny.manifestsDir]);
    expect(c.out.join('')).toMatch(/ migan +inpaint +damaged /);
  });
});

function cli(): { program: Command; out: string[]; err: string[]; codes: number[] } {
  const out: string[] = [], err: string[] = [], codes: number[] = [];
  const program = new Command().exitOverride();
  registerModels(program, { out: (t) => out.push(t), err: (t) => err.push(t), exit: (c) => codes.push(c) });
  return { program, out, err, codes };
}

describe('smartdrag models (commander)', () => {
  test('models add installs a good file and models list shows the inpaint stage on', async () => {
    const home = path.join(tmp, 'home-cli');
    const c = cli();
    await c.program.parseAsync(['node', 'smartdrag', 'models', 'add', tiny.paths['migan/migan_pipeline_v2.onnx']!, '--home', home, '--manifests', tiny.manifestsDir]);
    expect(c.codes).toEqual([0]);
    expect(c.out.join('')).toBe(`installed ${path.join(home, 'models', 'migan', 'migan_pipeline_v2.onnx')}\n`);
    expect(fs.readFileSync(path.join(home, 'models', 'migan', 'migan_pipeline_v2.onnx'))).toEqual(fs.readFileSync(tiny.paths['migan/migan_pipeline_v2.onnx']!));

    const l = cli();
    await l.program.parseAsync(['node', 'smartdrag', 'models', 'list', '--json', '--home', home, '--manifests', tiny.manifestsDir]);
    const d = JSON.parse(l.out.join(''));
    expect(d.stages.inpaint).toEqual({ enabled: true, model: 'migan' });
    expect(d.stages.refine.enabled).toBe(false);
  });

  test('models add rejects a wrong-shape file with exit code 1 and a readable reason', async () => {
    const m = byId('lama'), f = fileByRole(m, 'inpaint');
    const spec = tinyInpaintGraph(contracts.lama!);
    for (const v of [...spec.inputs, ...spec.outputs]) v.shape = v.shape.map((d) => (d === 512 ? 256 : d));
    const p = writeVariant(path.join(tmp, 'cli-bad'), f.name, spec);
    const c = cli();
    await c.program.parseAsync(['node', 'smartdrag', 'models', 'add', p, '--home', path.join(tmp, 'home-cli-bad'), '--manifests', tiny.manifestsDir]);
    expect(c.codes).toEqual([1]);
    const text = c.err.join('');
    expect(text).toContain('rejected');
    expect(text).toContain('[sha256_mismatch]');
    expect(text).toContain('[shape_mismatch] lama_fp32.onnx: input "mask" shape: expected [1, 1, 512, 512], found ["batch", 1, 256, 256]');
  });

  test('a --model no manifest names and a --manifests that is not a folder are said, exit 1 (add had rejected every file as not matching; list had shown nothing and exited 0)', async () => {
    const home = path.join(tmp, 'home-cli-opts');
    const a = cli();
    await a.program.parseAsync(['node', 'smartdrag', 'models', 'add', tiny.paths['migan/migan_pipeline_v2.onnx']!, '--model', 'nope', '--home', home, '--manifests', tiny.manifestsDir]);
    expect(a.codes).toEqual([1]);
    expect(a.err.join('')).toMatch(/--model nope is not a known model \(known: .*migan.*\) \(nothing was copied\)/);
    expect(fs.existsSync(path.join(home, 'models', 'migan'))).toBe(false);
    const l = cli();
    await l.program.parseAsync(['node', 'smartdrag', 'models', 'list', '--home', home, '--manifests', path.join(tmp, 'no-such-folder')]);
    expect(l.codes).toEqual([1]);
    expect(l.err.join('')).toContain('is not a folder');
  });
});

test('the models folder is found where the bridge looks: $SMARTDRAG_HOME, else $XDG_CONFIG_HOME/smartdrag (models add had ignored XDG and installed where serve never looked)', () => {
  const saved = { home: process.env.SMARTDRAG_HOME, xdg: process.env.XDG_CONFIG_HOME };
  try {
    delete process.env.SMARTDRAG_HOME;
    process.env.XDG_CONFIG_HOME = '/tmp/xdg-test';
    expect(modelsDir()).toBe(path.join(smartdragHome(), 'models'));
    expect(modelsDir()).toBe('/tmp/xdg-test/smartdrag/models');
    process.env.SMARTDRAG_HOME = '/tmp/sd-home-test';
    expect(modelsDir()).toBe('/tmp/sd-home-test/models');
  } finally {
    if (saved.home === undefined) delete process.env.SMARTDRAG_HOME; else process.env.SMARTDRAG_HOME = saved.home;
    if (saved.xdg === undefined) delete process.env.XDG_CONFIG_HOME; else process.env.XDG_CONFIG_HOME = saved.xdg;
  }
});
