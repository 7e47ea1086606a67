/**
 * ONNX external data in `smartdrag models add | list | verify` (and health), on a tiny UNet whose
 * weights are moved into `unet/model.onnx_data` as Optimum does for the real fp32 UNet (over 2 GB).
 * The installed model is loaded and run by the real onnxruntime-node.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { onnx } from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { generateTinyModels, type TinyModels } from '../../../models/generate-tiny';
import { registerModels } from '../cli/models';
import { learnedCapabilities } from '../main';
import { encodeModel } from './onnx-build';
import type { ModelManifest } from './manifest';
import { addModels, describeStages, listModels, readExternalRefs, sha256File, verifyModels } from './index';

let tmp: string;
let tiny: TinyModels;
/** The tiny manifests, the UNet unpinned (a user's own export, as the built-in sd15-inpaint is). */
let manifests: ModelManifest[];
/** The same, as a folder (for the CLI). */
let manifestsDir: string;
/** An Optimum-style export folder whose UNet keeps `w` and `c_text` in unet/model.onnx_data. */
let exportDir: string;

/**
 * Move the named initializers of an ONNX model into one external data file (16-byte aligned
 * offsets, as onnx's save_as_external_data writes them), returning the new model bytes and data.
 */
function externalize(model: Uint8Array, names: string[], location: string): { model: Uint8Array; data: Buffer } {
  const m = onnx.ModelProto.decode(model);
  const chunks: Buffer[] = [];
  let offset = 0;
  for (const t of m.graph!.initializer!) {
    if (!names.includes(t.name!)) continue;
    const raw = Buffer.from(t.rawData!);
    const pad = (16 - (offset % 16)) % 16;
    chunks.push(Buffer.alloc(pad), raw);
    offset += pad;
    t.rawData = new Uint8Array(0);
    t.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL;
    t.externalData = [{ key: 'location', value: location }, { key: 'offset', value: String(offset) }, { key: 'length', value: String(raw.length) }];
    offset += raw.length;
  }
  return { model: onnx.ModelProto.encode(m).finish(), data: Buffer.concat(chunks) };
}

function writeExport(dir: string): void {
  for (const role of ['text_encoder', 'vae_encoder', 'vae_decoder'] as const) {
    fs.mkdirSync(path.join(dir, role), { recursive: true });
    fs.copyFileSync(tiny.paths[`sd15-inpaint/${role}.onnx`]!, path.join(dir, role, 'model.onnx'));
  }
  fs.mkdirSync(path.join(dir, 'unet'), { recursive: true });
  const e = externalize(fs.readFileSync(tiny.paths['sd15-inpaint/unet.onnx']!), ['w', 'c_text'], 'model.onnx_data');
  fs.writeFileSync(path.join(dir, 'unet', 'model.onnx'), e.model);
  fs.writeFileSync(path.join(dir, 'unet', 'model.onnx_data'), e.data);
  fs.mkdirSync(path.join(dir, 'tokenizer'), { recursive: true });
  for (const f of ['vocab.json', 'merges.txt']) fs.copyFileSync(tiny.paths[`sd15-inpaint/tokenizer/${f}`]!, path.join(dir, 'tokenizer', f));
}

const copyExport = (name: string): string => {
  const d = path.join(tmp, name);
  fs.cpSync(exportDir, d, { recursive: true });
  return d;
};

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-extdata-'));
  tiny = generateTinyModels(path.join(tmp, 'tiny'));
  manifests = tiny.manifests.map((m) => (m.id !== 'sd15-inpaint' ? m : {
    ...m, files: m.files.map((f) => (f.role === 'unet' ? { ...f, sha256: null, bytes: null } : f)),
  }));
  manifestsDir = path.join(tmp, 'manifests');
  fs.mkdirSync(manifestsDir);
  for (const m of manifests) fs.writeFileSync(path.join(manifestsDir, `${m.id}.json`), JSON.stringify(m));
  exportDir = path.join(tmp, 'optimum-ext');
  writeExport(exportDir);
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Run a tiny UNet file with fixed inputs. */
async function runUnet(file: string): Promise<Float32Array> {
  const s = await ort.InferenceSession.create(file, { executionProviders: ['cpu'] });
  try {
    const sample = new Float32Array(9 * 8 * 8).map((_, i) => Math.sin(i));
    const ehs = new Float32Array(3 * 768).map((_, i) => Math.cos(i));
    const r = await s.run({
      sample: new ort.Tensor('float32', sample, [1, 9, 8, 8]),
      timestep: new ort.Tensor('float32', Float32Array.from([500]), []),
      encoder_hidden_states: new ort.Tensor('float32', ehs, [1, 3, 768]),
    });
    return Float32Array.from(r.out_sample!.data as Float32Array);
  } finally {
    await s.release();
  }
}

function cli(): { program: Command; out: string[]; err: string[]; codes: number[] } {
  const out: string[] = [], err: string[] = [], codes: number[] = [];
  const program = new Command().exitOverride();
  registerModels(program, { out: (t) => out.push(t), err: (t) => err.push(t), exit: (c) => codes.push(c) });
  return { program, out, err, codes };
}

describe('reading external data references', () => {
  test('the references of initializers and of a Constant node\'s tensor, with offsets and the bytes their dims need', () => {
    const refs = readExternalRefs(path.join(exportDir, 'unet', 'model.onnx'));
    expect(refs).toEqual([
      { tensor: 'w', location: 'model.onnx_data', offset: 0, length: 4 * 9 * 4, needed: 4 * 9 * 4 },
      { tensor: 'c_text', location: 'model.onnx_data', offset: 144, length: 4, needed: 4 },
    ]);
    expect(readExternalRefs(tiny.paths['sd15-inpaint/text_encoder.onnx']!)).toEqual([]);

    // optimum (convert_attribute=True) also moves Constant nodes' tensors out.
    const m = onnx.ModelProto.decode(encodeModel({
      name: 'k', inputs: [{ name: 'x', dtype: 'float32', shape: [2] }], outputs: [{ name: 'y', dtype: 'float32', shape: [2] }],
      nodes: [{ op: 'Add', inputs: ['x', 'k'], outputs: ['y'] }],
    }));
    m.graph!.node!.unshift({
      opType: 'Constant', output: ['k'], name: 'const_k',
      attribute: [{ name: 'value', type: onnx.AttributeProto.AttributeType.TENSOR, t: {
        name: 'k_value', dims: [2], dataType: onnx.TensorProto.DataType.FLOAT, dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
        externalData: [{ key: 'location', value: 'k.bin' }],
      } }],
    });
    const p = path.join(tmp, 'const', 'model.onnx');
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, onnx.ModelProto.encode(m).finish());
    expect(readExternalRefs(p)).toEqual([{ tensor: 'k_value', location: 'k.bin', offset: 0, length: null, needed: 8 }]);
    expect(() => readExternalRefs(tiny.paths['sd15-inpaint/tokenizer/vocab.json']!)).toThrow();
  });
});

describe('models add installs the external data a model references', () => {
  test('an Optimum export with unet/model.onnx_data: installed beside the UNet, loaded and run by onnxruntime, listed complete, verified, refine on', async () => {
    const home = path.join(tmp, 'home-ok');
    const opts = { home, manifests };
    const r = await addModels(exportDir, opts);
    expect(r.issues).toEqual([]);
    expect(r.installed.map((p) => path.relative(home, p)).sort()).toEqual([
      'models/sd15-inpaint/text_encoder.onnx',
      'models/sd15-inpaint/tokenizer/merges.txt', 'models/sd15-inpaint/tokenizer/vocab.json',
      'models/sd15-inpaint/unet/model.onnx_data', 'models/sd15-inpaint/unet/unet.onnx',
      'models/sd15-inpaint/vae_decoder.onnx', 'models/sd15-inpaint/vae_encoder.onnx',
    ]);
    const installed = path.join(home, 'models', 'sd15-inpaint', 'unet', 'unet.onnx');
    // The installed UNet computes what the original (weights inside the file) computes.
    expect(await runUnet(installed)).toEqual(await runUnet(tiny.paths['sd15-inpaint/unet.onnx']!));

    const m = listModels(opts).find((x) => x.id === 'sd15-inpaint')!;
    expect(m.state).toBe('complete');
    expect(m.files.find((f) => f.role === 'unet')!.path).toBe(installed);
    expect(await verifyModels(opts)).toEqual([{ id: 'sd15-inpaint', checked: 7, issues: [] }]);
    expect(describeStages(opts).stages.refine).toMatchObject({ enabled: true, model: 'sd15-inpaint' });
  });

  test('a UNet whose model.onnx_data is missing is refused with external_data_missing, nothing copied', async () => {
    const dir = copyExport('export-no-data');
    fs.rmSync(path.join(dir, 'unet', 'model.onnx_data'));
    const home = path.join(tmp, 'home-missing');
    const r = await addModels(dir, { home, manifests });
    expect(r.ok).toBe(false);
    expect(r.installed).toEqual([]);
    expect(r.issues.map((i) => i.code)).toEqual(['external_data_missing']);
    expect(r.issues[0]!.message).toBe(`model.onnx: external data model.onnx_data: expected the external data file model.onnx_data beside the model (2 tensors, at least 148 bytes), found nothing there at ${path.join(dir, 'unet', 'model.onnx_data')}`);
    expect(fs.existsSync(path.join(home, 'models'))).toBe(false);

    const c = cli();
    await c.program.parseAsync(['node', 'smartdrag', 'models', 'add', dir, '--home', home, '--manifests', manifestsDir]);
    expect(c.codes).toEqual([1]);
    expect(c.err.join('')).toBe(`smartdrag models add: rejected ${dir} (nothing was copied):\n  [external_data_missing] ${r.issues[0]!.message}\n`);
  });

  test('a data file shorter than its tensors need is refused with external_data_truncated; a location outside the folder with external_data_invalid', async () => {
    const short = copyExport('export-short');
    fs.truncateSync(path.join(short, 'unet', 'model.onnx_data'), 100);
    const r = await addModels(short, { home: path.join(tmp, 'home-short'), manifests });
    expect(r.issues.map((i) => [i.code, i.found])).toEqual([['external_data_truncated', '100 bytes']]);

    const escape = copyExport('export-escape');
    const e = externalize(fs.readFileSync(tiny.paths['sd15-inpaint/unet.onnx']!), ['w'], '../secret.bin');
    fs.writeFileSync(path.join(escape, 'unet', 'model.onnx'), e.model);
    fs.writeFileSync(path.join(escape, 'secret.bin'), e.data);
    const r2 = await addModels(escape, { home: path.join(tmp, 'home-escape'), manifests });
    expect(r2.issues.map((i) => i.code)).toEqual(['external_data_invalid']);
    expect(r2.issues[0]!.found).toMatch(/leaves the model's folder/);
    expect(fs.existsSync(path.join(tmp, 'home-escape', 'models'))).toBe(false);
  });

  test('pins: a pinned data file with other bytes fails sha256; a pinned model referencing an unlisted data file is refused', async () => {
    const data = path.join(exportDir, 'unet', 'model.onnx_data');
    const pinned = (sha256: string): ModelManifest[] => manifests.map((m) => (m.id !== 'sd15-inpaint' ? m : {
      ...m, files: m.files.map((f) => (f.role === 'unet' ? { ...f, externalData: [{ location: 'model.onnx_data', sha256, bytes: fs.statSync(data).size }] } : f)),
    }));
    const r = await addModels(exportDir, { home: path.join(tmp, 'home-pin'), manifests: pinned('a'.repeat(64)) });
    expect(r.issues.map((i) => [i.code, i.expected])).toEqual([['sha256_mismatch', 'a'.repeat(64)]]);
    expect(fs.existsSync(path.join(tmp, 'home-pin', 'models'))).toBe(false);
    expect((await addModels(exportDir, { home: path.join(tmp, 'home-pin-ok'), manifests: pinned(await sha256File(data)) })).issues).toEqual([]);

    const unetSha = await sha256File(path.join(exportDir, 'unet', 'model.onnx'));
    const pinnedModel = manifests.map((m) => (m.id !== 'sd15-inpaint' ? m : {
      ...m, files: m.files.map((f) => (f.role === 'unet' ? { ...f, sha256: unetSha, externalData: [] } : f)),
    }));
    const r3 = await addModels(exportDir, { home: path.join(tmp, 'home-pin-unlisted'), manifests: pinnedModel });
    expect(r3.issues.map((i) => [i.code, i.found])).toEqual([['external_data_invalid', 'a file the manifest does not list']]);
  });
});

describe('an installed model whose external data is missing is damaged, never "on"', () => {
  test('list and health say damaged with the reason, verify fails, the refine stage is off', async () => {
    const home = path.join(tmp, 'home-damaged');
    const opts = { home, manifests };
    expect((await addModels(exportDir, opts)).issues).toEqual([]);
    fs.rmSync(path.join(home, 'models', 'sd15-inpaint', 'unet', 'model.onnx_data'));
    const m = listModels(opts).find((x) => x.id === 'sd15-inpaint')!;
    expect(m.state).toBe('damaged');
    expect(m.installed).toBe(true);
    expect(m.reason).toBe('unet.onnx references external data model.onnx_data, which is missing');
    expect(describeStages(opts).stages.refine).toEqual({
      enabled: false,
      reason: 'damaged: sd15-inpaint (unet.onnx references external data model.onnx_data, which is missing): run smartdrag models verify, then smartdrag models add the model again',
    });
    const v = await verifyModels(opts);
    expect(v[0]!.issues.map((i) => i.code)).toEqual(['external_data_missing']);

    // A data file cut short is damaged too.
    expect((await addModels(exportDir, opts)).issues).toEqual([]);
    expect(listModels(opts).find((x) => x.id === 'sd15-inpaint')!.state).toBe('complete');
    fs.truncateSync(path.join(home, 'models', 'sd15-inpaint', 'unet', 'model.onnx_data'), 10);
    expect(listModels(opts).find((x) => x.id === 'sd15-inpaint')!.reason).toBe('unet.onnx references external data model.onnx_data, which is too short (10 bytes, at least 148 bytes (2 tensors read up to there))');
    expect((await verifyModels(opts))[0]!.issues.map((i) => i.code)).toEqual(['external_data_truncated']);
  });

  test('an install made before the fix (unet.onnx copied alone) shows damaged; adding the export again repairs it', async () => {
    const home = path.join(tmp, 'home-old');
    const dir = path.join(home, 'models', 'sd15-inpaint');
    fs.mkdirSync(dir, { recursive: true });
    for (const role of ['text_encoder', 'unet', 'vae_encoder', 'vae_decoder']) fs.copyFileSync(path.join(exportDir, role, 'model.onnx'), path.join(dir, `${role}.onnx`));
    const opts = { home, manifests };
    expect(listModels(opts).find((x) => x.id === 'sd15-inpaint')!.state).toBe('damaged');
    const c = cli();
    await c.program.parseAsync(['node', 'smartdrag', 'models', 'list', '--home', home, '--manifests', manifestsDir]);
    expect(c.out.join('')).toMatch(/ sd15-inpaint +refine +damaged /);
    expect(c.out.join('')).toMatch(/refine +off - damaged: sd15-inpaint \(unet\.onnx references external data model\.onnx_data, which is missing\)/);

    expect((await addModels(exportDir, opts)).issues).toEqual([]);
    expect(fs.existsSync(path.join(dir, 'unet.onnx'))).toBe(false);
    expect(listModels(opts).find((x) => x.id === 'sd15-inpaint')!.state).toBe('complete');
    expect(await runUnet(path.join(dir, 'unet', 'unet.onnx'))).toEqual(await runUnet(tiny.paths['sd15-inpaint/unet.onnx']!));
  });
});

describe('health models[]', () => {
  test('a damaged model is present (its files are installed) with state damaged and the reason; an absent one is not present', async () => {
    const home = path.join(tmp, 'home-health');
    const saved = process.env.SMARTDRAG_MANIFESTS;
    process.env.SMARTDRAG_MANIFESTS = tiny.manifestsDir;
    try {
      expect((await addModels(path.join(tiny.filesDir, 'sd15-inpaint'), { home, manifestsDir: tiny.manifestsDir })).issues).toEqual([]);
      const vocab = path.join(home, 'models', 'sd15-inpaint', 'tokenizer', 'vocab.json');
      const caps = (): ReturnType<typeof learnedCapabilities> => learnedCapabilities({ home, learnedStages: true }, null);
      expect(caps().models.find((m) => m.id === 'sd15-inpaint')).toEqual({ id: 'sd15-inpaint', present: true, state: 'complete' });
      fs.writeFileSync(vocab, '{"truncated');
      const d = caps();
      expect(d.stageInfo!.refine!.reason).toMatch(/^damaged: sd15-inpaint \(its tokenizer files cannot be read/);
      expect(d.models.find((m) => m.id === 'sd15-inpaint')).toEqual({
        id: 'sd15-inpaint', present: true, state: 'damaged', reason: expect.stringMatching(/^its tokenizer files cannot be read: /),
      });
      expect(d.models.find((m) => m.id === 'migan')).toEqual({ id: 'migan', present: false, state: 'absent' });
      fs.rmSync(path.join(home, 'models', 'sd15-inpaint', 'unet.onnx'));
      expect(caps().models.find((m) => m.id === 'sd15-inpaint')).toEqual({ id: 'sd15-inpaint', present: false, state: 'partial', reason: 'unet.onnx missing' });
    } finally {
      if (saved === undefined) delete process.env.SMARTDRAG_MANIFESTS; else process.env.SMARTDRAG_MANIFESTS = saved;
    }
  });
});
