/**
 * A new user's path through `smartdrag models`, `smartdrag edit` and `smartdrag doctor` with tiny
 * real ONNX models (real onnxruntime-node): what each command says about a wrong, corrupted or
 * mismatched model, and what an edit does when a model that passed `models add` fails at run time.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadContracts } from '../../models/contracts';
import { generateTinyModels, tinyInpaintGraph, tinyVaeDecoderGraph, type TinyModels } from '../../models/generate-tiny';
import { runModelsAdd, runModelsList, runModelsRemove, runModelsVerify, type ModelsCliOptions } from '../../bridge-server/src/cli/models';
import { buildProgram } from '../../bridge-server/src/cli/main';
import { runEditCommand } from '../../bridge-server/src/cli/edit';
import { formatDoctor, runDoctor } from '../../bridge-server/src/cli/doctor';
import { runEdit } from '../../bridge-server/src/core/edit';
import type { EditRequest, Mask, RgbaImage } from '../../bridge-server/src/core/types';
import { createRng } from '../../bridge-server/src/core/random';
import {
  addModels, checkModelFile, DiffusionRefiner, encodeModel, fileByRole, LearnedFiller, SessionManager, type GraphSpec, type ModelManifest,
} from '../../bridge-server/src/models';
import { f32 } from '../../bridge-server/src/models/onnx-build';

const ROOT = path.resolve(__dirname, '..', '..');
const CASE = path.join(ROOT, 'test', 'fixtures', 'cases', 'smarties-move-red.json');

let tmp: string;
let tiny: TinyModels;
const contracts = loadContracts();
const byId = (id: string): ModelManifest => tiny.manifests.find((m) => m.id === id)!;
let sessions: SessionManager;

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-models-cli-'));
  tiny = generateTinyModels(path.join(tmp, 'tiny'));
  sessions = new SessionManager({ device: 'cpu' });
});
afterAll(async () => {
  await sessions.release();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** `smartdrag models <sub> …` as the CLI runs it, with its output and exit code captured. */
async function models(sub: 'list' | 'add' | 'remove' | 'verify', arg: string | undefined, o: ModelsCliOptions) {
  const out: string[] = [], err: string[] = [];
  const io = { out: (t: string) => { out.push(t); }, err: (t: string) => { err.push(t); } };
  const code = sub === 'list' ? runModelsList(o, io) : sub === 'add' ? await runModelsAdd(arg!, o, io) : sub === 'remove' ? runModelsRemove(arg!, o, io) : await runModelsVerify(o, io);
  return { out, err, codes: [code] };
}

function write(dir: string, name: string, bytes: Uint8Array | string): string {
  fs.mkdirSync(dir, { recursive: true });
  const p = path.join(dir, name);
  fs.writeFileSync(p, bytes);
  return p;
}

/** Run `fn` with environment variables set (in-process commands read them), then restore them. */
async function withEnv<T>(env: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const before = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  try {
    return await fn();
  } finally {
    for (const [k, v] of Object.entries(before)) { if (v === undefined) delete process.env[k]; else process.env[k] = v; }
  }
}

function noiseImage(w: number, h: number, seed: number): RgbaImage {
  const rng = createRng(seed), data = new Uint8ClampedArray(w * h * 4);
  for (let i = 0; i < data.length; i += 4) { data[i] = rng() * 256; data[i + 1] = rng() * 256; data[i + 2] = rng() * 256; data[i + 3] = 255; }
  return { width: w, height: h, data };
}
function rectMask(w: number, h: number, x0: number, y0: number, x1: number, y1: number): Mask {
  const data = new Uint8Array(w * h);
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) data[y * w + x] = 255;
  return { width: w, height: h, data };
}
function moveRequest(): EditRequest {
  const W = 96, H = 72;
  return {
    image: noiseImage(W, H, 4), quality: 'final', seed: 3, intent: 'move it',
    regions: [{ id: 'r', mask: { left: 0, top: 0, width: W, height: H, data: rectMask(W, H, 20, 20, 44, 44).data } }],
    drags: [{ region: 'r', points: [[32, 32], [62, 40]], kind: 'translate' }],
  };
}

describe('models add: what a wrong file is called', () => {
  test('bytes that are no ONNX model (a text file, a truncated download) are model_unloadable, not an external-data problem', async () => {
    const entry = { ...fileByRole(byId('migan'), 'inpaint'), sha256: null, bytes: null };
    const text = write(path.join(tmp, 'garbage'), 'migan_pipeline_v2.onnx', 'hello, this is not a model\n');
    const good = fs.readFileSync(tiny.paths['migan/migan_pipeline_v2.onnx']!);
    const cut = write(path.join(tmp, 'truncated'), 'migan_pipeline_v2.onnx', good.subarray(0, Math.floor(good.length / 2)));
    for (const p of [text, cut]) {
      const issues = await checkModelFile(p, entry);
      expect(issues.map((i) => i.code)).toEqual(['model_unloadable']);
      expect(issues[0]!.message).toMatch(/^migan_pipeline_v2\.onnx: ONNX model: expected an ONNX model file \(protobuf\), found bytes that are not one: /);
    }
  });

  test('--model <id> with another model\'s file names the id asked for and the model the file is', async () => {
    const home = path.join(tmp, 'home-wrong-id');
    const c = await models('add', tiny.paths['lama/lama_fp32.onnx']!, { model: 'migan', home, manifests: tiny.manifestsDir });
    expect(c.codes).toEqual([1]);
    const said = c.err.join('');
    expect(said).toContain('[unknown_model_file] lama_fp32.onnx: model file: expected a file of migan (--model migan) by sha256 or name (migan/migan_pipeline_v2.onnx), found lama\'s lama_fp32.onnx (add it without --model, or with --model lama)');
    // (It had listed every manifest's files — lama/lama_fp32.onnx among them — as what was expected.)
    expect(said).not.toMatch(/[(,] ?lama\/lama_fp32\.onnx/);
    expect(fs.existsSync(path.join(home, 'models'))).toBe(false);
  });

  test('a manifest that is not valid JSON is a coded manifest_invalid for list, add and verify (list had exited 0 showing no model)', async () => {
    const dir = path.join(tmp, 'bad-manifests');
    fs.mkdirSync(dir, { recursive: true });
    for (const f of fs.readdirSync(tiny.manifestsDir)) fs.copyFileSync(path.join(tiny.manifestsDir, f), path.join(dir, f));
    write(dir, 'zz-broken.json', '{"id": "x"');
    const home = path.join(tmp, 'home-bad-manifests');
    for (const sub of ['list', 'add', 'verify'] as const) {
      const c = await models(sub, tiny.paths['migan/migan_pipeline_v2.onnx']!, { home, manifests: dir });
      expect([sub, c.codes]).toEqual([sub, [1]]);
      expect(c.err.join('')).toMatch(new RegExp(`^smartdrag models ${sub}: .*zz-broken\\.json is not valid JSON.*\\[manifest_invalid\\].*\\n {2}hint: fix or remove that file`));
    }
    expect(fs.existsSync(path.join(home, 'models'))).toBe(false);
  });
});

describe('models remove', () => {
  test('removes an installed model (list says absent after), refuses an unknown id, a path and a model not installed', async () => {
    const home = path.join(tmp, 'home-remove');
    for (const id of ['migan', 'sd15-inpaint']) expect((await addModels(path.join(tiny.filesDir, id), { home, manifestsDir: tiny.manifestsDir })).ok).toBe(true);
    const opts = { home, manifests: tiny.manifestsDir };
    // (It is a command of the CLI: `smartdrag models remove <id>`.)
    const cmd = buildProgram().commands.find((c) => c.name() === 'models')!.commands.find((c) => c.name() === 'remove');
    expect(cmd?.registeredArguments.map((a) => a.name())).toEqual(['id']);
    const gone = await models('remove', 'sd15-inpaint', opts);
    expect(gone.codes).toEqual([0]);
    expect(gone.out.join('')).toBe(`removed ${path.join(home, 'models', 'sd15-inpaint')}\n`);
    expect(fs.existsSync(path.join(home, 'models', 'sd15-inpaint'))).toBe(false);
    const list = await models('list', undefined, opts);
    expect(list.out.join('')).toMatch(/ sd15-inpaint +refine +absent /);
    expect(list.out.join('')).toMatch(/ migan +inpaint +complete /);

    const unknown = await models('remove', 'nope', opts);
    expect(unknown.codes).toEqual([1]);
    expect(unknown.err.join('')).toBe('smartdrag models remove: nope is not a known model (known: lama, migan, sd15-inpaint) [unknown_model]\n');
    const escape = await models('remove', '..', opts);
    expect(escape.codes).toEqual([1]);
    expect(fs.existsSync(path.join(home, 'models', 'migan'))).toBe(true);
    const absent = await models('remove', 'lama', opts);
    expect(absent.codes).toEqual([1]);
    expect(absent.err.join('')).toMatch(/lama is not installed .*\[not_installed\]/);
  });
});

describe('a model that passed models add fails at run time: the edit falls back and says why', () => {
  /** MI-GAN's contract, but the result comes back at half the input's size (its dims are symbolic, so add cannot tell). */
  function halfSizeMigan(): string {
    const spec: GraphSpec = tinyInpaintGraph(contracts.migan!);
    const out = spec.outputs[0]!, name = out.name;
    spec.nodes.find((n) => n.outputs.includes(name))!.outputs = ['full'];
    spec.nodes.push({ op: 'Resize', inputs: ['full', '', 'half'], outputs: [name], attrs: { mode: { s: 'nearest' } } });
    spec.initializers!.push(f32('half', [4], [1, 1, 0.5, 0.5]));
    out.shape = [out.shape[0]!, 3, 'out_h', 'out_w'];
    return write(path.join(tmp, 'half'), 'migan_pipeline_v2.onnx', encodeModel(spec));
  }

  test('an inpainting result of another size than its input: the filler throws, the classical fill takes over (it painted garbage)', async () => {
    const m = byId('migan'), file = halfSizeMigan();
    expect(await checkModelFile(file, { ...fileByRole(m, 'inpaint'), sha256: null, bytes: null })).toEqual([]);
    const filler = new LearnedFiller({ manifest: m, modelPath: file, sessions });
    const img = noiseImage(64, 64, 1), before = Buffer.from(img.data);
    await expect(filler.fill(img, rectMask(64, 64, 20, 20, 40, 40), rectMask(64, 64, 0, 0, 0, 0), { seed: 1 }))
      .rejects.toThrow('migan_pipeline_v2.onnx: the model returned "result" of shape [1, 3, 256, 256], expected [1, 3, 512, 512]');
    expect(Buffer.from(img.data).equals(before)).toBe(true);

    const classical = await runEdit(moveRequest());
    const r = await runEdit(moveRequest(), { filler });
    expect(r.plan.warnings.filter((w) => w.startsWith('The learned inpainting could not run (migan_pipeline_v2.onnx: the model returned "result" of shape'))).toHaveLength(1);
    expect(Buffer.from(r.edited.data).equals(Buffer.from(classical.edited.data))).toBe(true);
  });

  test('a VAE decoder that returns NaN (an fp16 overflow): the refiner throws and the result stays unrefined (it was painted black)', async () => {
    const m = byId('sd15-inpaint');
    const spec = tinyVaeDecoderGraph(contracts['sd15-inpaint']!);
    (spec.initializers!.find((i) => i.name === 'w')!.data as Float32Array).fill(NaN);
    const decoder = write(path.join(tmp, 'nan-decoder'), 'vae_decoder.onnx', encodeModel(spec));
    const p = (role: 'text_encoder' | 'unet' | 'vae_encoder') => tiny.paths[`sd15-inpaint/${fileByRole(m, role).name}`]!;
    const refiner = new DiffusionRefiner({ manifest: m, sessions, paths: { text_encoder: p('text_encoder'), unet: p('unet'), vae_encoder: p('vae_encoder'), vae_decoder: decoder } });
    const img = noiseImage(64, 64, 2), before = Buffer.from(img.data);
    await expect(refiner.refine({ image: img, allowed: rectMask(64, 64, 16, 16, 48, 48), intent: '', seed: 1 }))
      .rejects.toThrow('vae_decoder.onnx: the model returned non-finite values (NaN or infinity) in "sample"');
    expect(Buffer.from(img.data).equals(before)).toBe(true);

    const plain = await runEdit(moveRequest());
    const r = await runEdit(moveRequest(), { refiner });
    expect(r.plan.warnings.filter((w) => w.startsWith('The learned refinement could not run (vae_decoder.onnx: the model returned non-finite values'))).toHaveLength(1);
    expect(Buffer.from(r.edited.data).equals(Buffer.from(plain.edited.data))).toBe(true);
  });
});

describe('smartdrag edit', () => {
  test('in-process, an installed model that is damaged is said in the plan (the final ran without it and said nothing)', async () => {
    const home = path.join(tmp, 'home-damaged');
    expect((await addModels(path.join(tiny.filesDir, 'migan'), { home, manifestsDir: tiny.manifestsDir })).ok).toBe(true);
    fs.writeFileSync(path.join(home, 'models', 'migan', 'migan_pipeline_v2.onnx'), 'not a model');
    const s = await withEnv({ SMARTDRAG_HOME: home, SMARTDRAG_MANIFESTS: tiny.manifestsDir },
      () => runEditCommand({ case: CASE, out: path.join(tmp, 'out-damaged'), quality: 'final', json: true }, () => undefined));
    expect(s.plan.warnings.filter((w) => w.startsWith('The learned inpainting is off (damaged: migan (migan_pipeline_v2.onnx has the wrong size)'))).toHaveLength(1);
    expect(s.plan.warnings.some((w) => w.includes('learned inpainting could not run'))).toBe(false);
    expect(Object.keys(s.timings).filter((k) => k.startsWith('learned.'))).toEqual([]);
    // --no-learned asked for no learned stage: nothing to say.
    const off = await withEnv({ SMARTDRAG_HOME: home, SMARTDRAG_MANIFESTS: tiny.manifestsDir },
      () => runEditCommand({ case: CASE, out: path.join(tmp, 'out-damaged-off'), quality: 'final', json: true, learned: false }, () => undefined));
    expect(off.plan.warnings.filter((w) => /learned/i.test(w))).toEqual([]);
  });

  test('--no-learned with --server is refused with a code and what to do (the bridge ran its models anyway)', async () => {
    await expect(runEditCommand({ case: CASE, out: path.join(tmp, 'out-server'), quality: 'final', server: 'ws://127.0.0.1:9/v1/ws', token: 'x', learned: false }, () => undefined))
      .rejects.toMatchObject({ code: 'option_unsupported', message: expect.stringContaining('--no-learned applies to an in-process edit only'), hint: expect.stringContaining('smartdrag serve --no-learned') });
    expect(fs.existsSync(path.join(tmp, 'out-server'))).toBe(false);
  });
});

describe('smartdrag doctor reports the learned stages and the models', () => {
  test('from /v1/health: each stage on or off with why, and the installed models with their state', () => {
    const text = formatDoctor({
      version: '0.0.0', home: '/h', port: 7341, probes: [], diag: null,
      health: {
        ok: true, protocol: 2, device: 'cpu',
        stageInfo: { inpaint: { enabled: true, model: 'lama' }, refine: { enabled: false, reason: 'incomplete install: sd15-inpaint (unet.onnx missing)' } },
        models: [{ id: 'lama', present: true, state: 'complete' }, { id: 'migan', present: true, state: 'damaged', reason: 'migan_pipeline_v2.onnx has the wrong size' }, { id: 'sd15-inpaint', present: false, state: 'partial', reason: 'unet.onnx missing' }],
      },
    });
    expect(text).toContain('learned stages: inpaint on (lama) · refine off — incomplete install: sd15-inpaint (unet.onnx missing)\n');
    expect(text).toContain('models: lama complete · migan damaged (migan_pipeline_v2.onnx has the wrong size) · sd15-inpaint partial\n');
  });

  test('with no bridge answering: what the models on disk would give a bridge started from this home', async () => {
    const home = path.join(tmp, 'home-doctor');
    expect((await addModels(path.join(tiny.filesDir, 'migan'), { home, manifestsDir: tiny.manifestsDir })).ok).toBe(true);
    fs.writeFileSync(path.join(home, 'models', 'migan', 'migan_pipeline_v2.onnx'), 'not a model');
    const text = await withEnv({ SMARTDRAG_MANIFESTS: tiny.manifestsDir }, () => runDoctor({ port: 9, json: false }, home));
    expect(text).toContain(`learned stages (the models on disk in ${path.join(home, 'models')}; no bridge answers on port 9): inpaint off — damaged: migan (migan_pipeline_v2.onnx has the wrong size)`);
    expect(text).toContain('models: migan damaged\n');
    const json = JSON.parse(await withEnv({ SMARTDRAG_MANIFESTS: tiny.manifestsDir }, () => runDoctor({ port: 9, json: true }, home)));
    expect(json.localModels.stages.inpaint).toMatchObject({ enabled: false });
  });
});
