/**
 * What health says about a learned stage whose model is on disk but not in the edit workers
 * (installed after they started, as `smartdrag models add` beside a running bridge does).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateTinyModels } from '../../models/generate-tiny';
import { learnedCapabilities } from './main';
import { addModels } from './models';

test('a model installed after the workers started: the stage is off, and health says to restart the bridge', async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-caps-'));
  const before = process.env.SMARTDRAG_MANIFESTS;
  try {
    const tiny = generateTinyModels(path.join(tmp, 'tiny'));
    const home = path.join(tmp, 'home');
    expect((await addModels(path.join(tiny.filesDir, 'migan'), { home, manifestsDir: tiny.manifestsDir })).ok).toBe(true);
    process.env.SMARTDRAG_MANIFESTS = tiny.manifestsDir;
    // The workers started before the model was added: they built no filler.
    const caps = learnedCapabilities({ home, learnedStages: true }, { device: 'cpu', deviceReason: 'CPU requested', filler: false, refiner: false, reasoner: 'rules' });
    expect(caps.stages.inpaint).toBe(false);
    expect(caps.stageInfo!.inpaint!.reason).toMatch(/migan was installed after the bridge started: restart the bridge/);
    // Workers that did build it: on.
    const on = learnedCapabilities({ home, learnedStages: true }, { device: 'cpu', deviceReason: 'CPU requested', filler: true, refiner: false, reasoner: 'rules' });
    expect(on.stages.inpaint).toBe(true);
  } finally {
    if (before === undefined) delete process.env.SMARTDRAG_MANIFESTS; else process.env.SMARTDRAG_MANIFESTS = before;
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}, 60_000);
