/**
 * The manifests against the real models' published signatures (models/contracts/real-models.json,
 * written from the export code and model cards, not from the manifests), and the tiny test
 * models against the same signatures (read back from the ONNX files with onnxruntime-node).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { InferenceSession } from 'onnxruntime-node';
import { builtInManifestsDir, loadManifests, type ModelManifest } from '../bridge-server/src/models/manifest';
import { readModelContract } from '../bridge-server/src/models/store';
import { checkManifestAgainstContract, loadContracts } from './contracts';
import { generateTinyModels } from './generate-tiny';

const contracts = loadContracts();
const manifests = loadManifests(builtInManifestsDir());
const byId = (id: string): ModelManifest => structuredClone(manifests.find((m) => m.id === id)!);

test('every built-in manifest accepts every name, dtype and shape of its real export, with its value ranges', () => {
  expect(manifests.map((m) => m.id).sort()).toEqual(Object.keys(contracts).sort());
  for (const m of manifests) expect([m.id, checkManifestAgainstContract(m, contracts[m.id]!)]).toEqual([m.id, []]);
});

test('each contract names its sources and states every tensor fully', () => {
  for (const [id, c] of Object.entries(contracts)) {
    expect([id, c.sources.length > 0 && c.sources.every((s) => /https:\/\/|third-party/.test(s))]).toEqual([id, true]);
    for (const f of Object.values(c.files)) {
      for (const t of [...f!.inputs, ...f!.outputs]) {
        expect(t.names.length).toBeGreaterThan(0);
        expect(t.dtypes.length).toBeGreaterThan(0);
        expect(t.shapes.length).toBeGreaterThan(0);
      }
    }
  }
});

test('manifests that disagree with the real exports are caught (what the previous sd15/lama manifests would have missed)', () => {
  // Current Optimum names the VAE encoder output latent_parameters (8 channels) and makes the
  // timestep a float32 scalar: a manifest that only knows the older export misses both.
  const sd = byId('sd15-inpaint');
  const enc = sd.files.find((f) => f.role === 'vae_encoder')!;
  enc.outputs = [{ ...enc.outputs[0]!, name: 'latent_sample', altNames: [], shape: ['batch', 4, 'latent_height', 'latent_width'], altShapes: [] }];
  const unet = sd.files.find((f) => f.role === 'unet')!;
  unet.inputs = unet.inputs.map((t) => (t.role === 'timestep' ? { ...t, dtype: 'int64' as const, shape: ['steps'], altShapes: [] } : t));
  const problems = checkManifestAgainstContract(sd, contracts['sd15-inpaint']!);
  expect(problems).toEqual([
    'sd15-inpaint/unet.onnx input timestep: real dtype float32 not accepted (manifest: int64)',
    'sd15-inpaint/unet.onnx input timestep: real shape [] not accepted (manifest: ["steps"])',
    'sd15-inpaint/vae_encoder.onnx output latent: real name "latent_parameters" not accepted (manifest: latent_sample)',
    'sd15-inpaint/vae_encoder.onnx output latent: real shape ["batch_size",8,"sample_height / 8","sample_width / 8"] not accepted (manifest: ["batch",4,"latent_height","latent_width"])',
  ]);
  const lama = byId('lama');
  lama.preprocessing.outputRange = [0, 1];
  lama.preprocessing.mask = { hole: 0, keep: 1 };
  expect(checkManifestAgainstContract(lama, contracts.lama!)).toEqual([
    'lama: outputRange [0,1], real [0,255]',
    'lama: mask {"hole":0,"keep":1}, real {"hole":1,"keep":0}',
  ]);
  const migan = byId('migan');
  migan.files[0]!.inputs[0]!.shape = [1, 3, 512, 256];
  expect(checkManifestAgainstContract(migan, contracts.migan!)).toEqual([]); // symbolic real dims take any size we feed
  migan.files[0]!.outputs[0]!.shape = [1, 3, 'height', 256];
  expect(checkManifestAgainstContract(migan, contracts.migan!)).toEqual([
    'migan/migan_pipeline_v2.onnx output result: real shape [1,3,512,512] not accepted (manifest: [1,3,"height",256])',
  ]);
});

test('the tiny models have exactly the current real export\'s names, dtypes and shapes', async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-contracts-'));
  try {
    const tiny = generateTinyModels(tmp);
    for (const m of tiny.manifests) {
      for (const f of m.files) {
        const real = contracts[m.id]!.files[f.role]!;
        const got = await readModelContract(tiny.paths[`${m.id}/${f.name}`]!);
        const view = (xs: readonly InferenceSession.ValueMetadata[]) => xs.map((x) => (x.isTensor ? { name: x.name, dtype: x.type, shape: [...x.shape] } : { name: x.name }));
        const want = (xs: typeof real.inputs) => xs.map((t) => ({ name: t.names[0], dtype: t.dtypes[0], shape: t.shapes[0] }));
        expect([`${m.id}/${f.name}`, view(got.inputs), view(got.outputs)]).toEqual([`${m.id}/${f.name}`, want(real.inputs), want(real.outputs)]);
      }
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
