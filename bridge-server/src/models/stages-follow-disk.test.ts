/**
 * The learned stages an edit runs follow the models folder as `/v1/health` reads it, also after
 * their sessions were loaded: a model file replaced in place is loaded again, a removed one is not
 * run from the loaded copy, and the refiner's prompt follows its tokenizer files (health says
 * "the intent as prompt" or "EMPTY prompt" from them). Real onnxruntime-node, tiny generated models.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { TinyModels } from '../../../models/generate-tiny';
import type { Mask, RgbaImage } from '../core/types';
import { addModels, encodeModel, initLearnedStages, SessionManager } from './index';
import { noiseImage, rectMask, tinyModelsIn } from './test-stages';

let tmp: string;
let tiny: TinyModels;

beforeAll(() => {
  ({ tmp, tiny } = tinyModelsIn('sd-follow-disk-'));
});
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** A one-node Identity model whose input is called `input`. */
const identity = (input: string): Uint8Array => encodeModel({
  name: input, nodes: [{ op: 'Identity', inputs: [input], outputs: ['y'] }],
  inputs: [{ name: input, dtype: 'float32', shape: [1] }], outputs: [{ name: 'y', dtype: 'float32', shape: [1] }],
});

describe('SessionManager', () => {
  test('a model file replaced since its session was made is loaded again; a removed one is not run from the loaded copy', async () => {
    const file = path.join(tmp, 'm.onnx');
    fs.writeFileSync(file, identity('a'));
    const sessions = new SessionManager({ device: 'cpu' });
    try {
      expect((await sessions.session('k', file)).inputNames).toEqual(['a']);
      expect((await sessions.session('k', file)).inputNames).toEqual(['a']);
      expect(sessions.sessionsCreated).toBe(1);
      // Replaced through a new file (as `models add` does): the next use loads the new one.
      fs.writeFileSync(`${file}.new`, identity('bb'));
      fs.renameSync(`${file}.new`, file);
      expect((await sessions.session('k', file)).inputNames).toEqual(['bb']);
      expect(sessions.sessionsCreated).toBe(2);
      // Removed: no session of a file that is gone.
      fs.rmSync(file);
      await expect(sessions.session('k', file)).rejects.toThrow();
      expect(sessions.has('k')).toBe(false);
    } finally {
      await sessions.release();
    }
  });
});

describe('initLearnedStages: editOptions follow the models folder', () => {
  const W = 96, H = 72;
  const refineScene = (): { image: RgbaImage; allowed: Mask } => ({ image: noiseImage(W, H, 21), allowed: rectMask(W, H, 30, 25, 60, 50) });

  test('the inpaint model removed after its session was loaded: the stage throws (the edit falls back) and health says off; installed again, it runs', async () => {
    const store = { home: path.join(tmp, 'home-removed'), manifestsDir: tiny.manifestsDir };
    expect((await addModels(path.join(tiny.filesDir, 'migan'), store)).ok).toBe(true);
    const s = await initLearnedStages({ ...store, device: 'cpu' });
    try {
      const fill = async (): Promise<void> => {
        const img = noiseImage(40, 40, 1);
        await s.editOptions().filler!.fill(img, rectMask(40, 40, 10, 10, 20, 20), rectMask(40, 40, 0, 0, 0, 0), { seed: 1 });
      };
      await fill();
      expect(s.sessions.sessionsCreated).toBe(1);
      fs.rmSync(path.join(store.home, 'models', 'migan'), { recursive: true });
      expect(s.describeStages().stages.inpaint.enabled).toBe(false);
      await expect(fill()).rejects.toThrow(/the inpaint model migan changed on disk since the bridge started: no inpaint model installed/);
      expect(s.sessions.has(`migan/${tiny.manifests.find((m) => m.id === 'migan')!.files[0]!.name}`)).toBe(false);
      expect((await addModels(path.join(tiny.filesDir, 'migan'), store)).ok).toBe(true);
      expect(s.describeStages().stages.inpaint.enabled).toBe(true);
      await fill();
      expect(s.sessions.sessionsCreated).toBe(2);
    } finally {
      await s.close();
    }
  });

  test('tokenizer files removed after the start: health says EMPTY prompt, and the edit\'s refiner uses the empty prompt (two intents, the same pixels)', async () => {
    const store = { home: path.join(tmp, 'home-tok'), manifestsDir: tiny.manifestsDir };
    expect((await addModels(path.join(tiny.filesDir, 'sd15-inpaint'), store)).ok).toBe(true);
    const s = await initLearnedStages({ ...store, device: 'cpu' });
    try {
      const refine = async (intent: string): Promise<Buffer> => {
        const sc = refineScene();
        await s.editOptions().refiner!.refine({ image: sc.image, allowed: sc.allowed, intent, seed: 5 });
        return Buffer.from(sc.image.data);
      };
      expect(s.describeStages().stages.refine.reason).toMatch(/the intent as prompt/);
      expect((await refine('move the cup to the left')).equals(await refine('make the tower taller'))).toBe(false);
      const tok = tiny.manifests.find((m) => m.id === 'sd15-inpaint')!.tokenizer!;
      fs.rmSync(path.join(store.home, 'models', 'sd15-inpaint', ...tok.files.vocab.split('/')));
      expect(s.describeStages().stages.refine.reason).toMatch(/EMPTY prompt/);
      expect((await refine('move the cup to the left')).equals(await refine('make the tower taller'))).toBe(true);
    } finally {
      await s.close();
    }
  });
});
