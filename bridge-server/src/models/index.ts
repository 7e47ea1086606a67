/**
 * Learned stages on onnxruntime-node: model manifests and the user's models folder, a session
 * manager (CUDA when it really works, else CPU), the learned inpainting `Filler`, the diffusion
 * `Refiner`, the GridSample warp, and `describeStages()` for `/v1/health`.
 *
 * Composition (server main): `const learned = await initLearnedStages()` once at start, then
 * `runEdit(req, { filler: learned.filler, refiner: learned.refiner })` and
 * `health provider = () => learned.describeStages()`. With no models installed both are
 * `undefined` and the classical core runs alone.
 */
import type { Filler, Refiner } from '../core/types';
import { DiffusionRefiner } from './diffusion-refiner';
import { GridSampleWarp } from './gridsample-warp';
import { LearnedFiller } from './learned-filler';
import type { ModelManifest } from './manifest';
import type { Device, DeviceProbe, SessionManagerOptions } from './session-manager';
import { SessionManager } from './session-manager';
import type { InstalledModel, StoreOptions } from './store';
import { installedPath, listModels, modelsDir, storeManifests } from './store';

export * from './manifest';
export * from './store';
export * from './session-manager';
export * from './learned-filler';
export * from './diffusion-refiner';
export * from './gridsample-warp';
export * from './tokenizer';
export { encodeModel } from './onnx-build';
export type { GraphSpec, NodeSpec, ValueSpec, InitializerSpec, OnnxDtype } from './onnx-build';

/** One stage's state for `/v1/health`. */
export interface StageInfo {
  enabled: boolean;
  /** Manifest id of the model in use. */
  model?: string;
  /** Why the stage is off (or a note when on). */
  reason?: string;
}

/** What `/v1/health` reports about learned stages. */
export interface StagesDescription {
  device: Device;
  deviceReason: string;
  stages: { inpaint: StageInfo; refine: StageInfo; warpGpu: StageInfo };
  models: Pick<InstalledModel, 'id' | 'name' | 'task' | 'licence' | 'state'>[];
  modelsDir: string;
}

/** Options of {@link initLearnedStages} and {@link describeStages}. */
export interface LearnedStagesOptions extends StoreOptions, SessionManagerOptions {
  /** Share an existing session manager (default: a new one). */
  sessions?: SessionManager;
  /** Inpainting models in order of preference (default: migan, lama, then any other). */
  preferInpaint?: string[];
  /** Device to report when none was probed (describeStages only). */
  probe?: DeviceProbe;
}

let lastProbe: DeviceProbe | undefined;

interface Selection {
  manifests: ModelManifest[];
  installed: InstalledModel[];
  inpaint?: ModelManifest;
  refine?: ModelManifest;
  error?: string;
}

function select(opts: LearnedStagesOptions): Selection {
  let manifests: ModelManifest[];
  try {
    manifests = storeManifests(opts);
  } catch (e) {
    return { manifests: [], installed: [], error: (e as Error).message };
  }
  const installed = listModels({ ...opts, manifests });
  const complete = new Set(installed.filter((m) => m.state === 'complete').map((m) => m.id));
  const order = opts.preferInpaint ?? ['migan', 'lama'];
  const inpaints = manifests.filter((m) => m.task === 'inpaint' && complete.has(m.id))
    .sort((a, b) => (order.indexOf(a.id) + 1 || 99) - (order.indexOf(b.id) + 1 || 99));
  const refine = manifests.find((m) => m.task === 'refine' && complete.has(m.id));
  return { manifests, installed, inpaint: inpaints[0], refine };
}

function describe(sel: Selection, probe: DeviceProbe | undefined, dir: string): StagesDescription {
  const device = probe?.device ?? 'cpu';
  const partial = (task: string): string => {
    const p = sel.installed.filter((m) => m.task === task && m.state === 'partial').map((m) => `${m.id} (${m.files.filter((f) => !f.present).map((f) => f.name).join(', ')} missing)`);
    return p.length ? `incomplete install: ${p.join('; ')}` : `no ${task} model installed (smartdrag models add <file>)`;
  };
  const off = sel.error ? `model manifests unreadable: ${sel.error.split('\n')[0]}` : undefined;
  return {
    device,
    deviceReason: probe?.reason ?? 'execution provider not probed yet (CPU assumed)',
    stages: {
      inpaint: sel.inpaint ? { enabled: true, model: sel.inpaint.id } : { enabled: false, reason: off ?? partial('inpaint') },
      refine: sel.refine
        ? { enabled: true, model: sel.refine.id, reason: sel.refine.tokenizer?.kind === 'clip-bpe' ? 'prompt tokenizer not bundled: refinement runs with the empty prompt' : undefined }
        : { enabled: false, reason: off ?? partial('refine') },
      warpGpu: device === 'cuda'
        ? { enabled: true, reason: 'GridSample warp on the CUDA execution provider' }
        : { enabled: false, reason: 'needs the CUDA execution provider; the TypeScript warp runs on CPU' },
    },
    models: sel.installed.map(({ id, name, task, licence, state }) => ({ id, name, task, licence, state })),
    modelsDir: dir,
  };
}

/**
 * Which learned stages are on, which model each uses, the execution provider, and every known
 * model's install state. Synchronous and cheap (file presence and size only); never throws.
 */
export function describeStages(opts: LearnedStagesOptions = {}): StagesDescription {
  return describe(select(opts), opts.probe ?? lastProbe, modelsDir(opts));
}

/** The learned stages of this process. */
export interface LearnedStages {
  sessions: SessionManager;
  probe: DeviceProbe;
  /** Learned inpainting, when an inpaint model is installed. */
  filler?: Filler;
  /** Diffusion refinement, when all SD components are installed. */
  refiner?: Refiner;
  /** GridSample warp, only when the CUDA provider is active. */
  warp?: GridSampleWarp;
  describeStages(): StagesDescription;
  /** Release every ORT session. */
  close(): Promise<void>;
}

/**
 * Probe the execution provider, pick the installed models and build the stages (sessions load
 * lazily on first use). Safe with no models: everything optional is `undefined`.
 */
export async function initLearnedStages(opts: LearnedStagesOptions = {}): Promise<LearnedStages> {
  const sessions = opts.sessions ?? new SessionManager(opts);
  const probe = await sessions.init();
  lastProbe = probe;
  const sel = select(opts);
  const filler = sel.inpaint
    ? new LearnedFiller({ manifest: sel.inpaint, modelPath: installedPath(sel.inpaint, sel.inpaint.files.find((f) => f.role === 'inpaint')!, opts), sessions })
    : undefined;
  let refiner: Refiner | undefined;
  if (sel.refine) {
    const m = sel.refine;
    const path = (role: 'text_encoder' | 'unet' | 'vae_encoder' | 'vae_decoder'): string => installedPath(m, m.files.find((f) => f.role === role)!, opts);
    refiner = new DiffusionRefiner({
      manifest: m, sessions,
      paths: { text_encoder: path('text_encoder'), unet: path('unet'), vae_encoder: path('vae_encoder'), vae_decoder: path('vae_decoder') },
    });
  }
  const dir = modelsDir(opts);
  return {
    sessions, probe, filler, refiner,
    warp: probe.device === 'cuda' ? new GridSampleWarp(sessions) : undefined,
    describeStages: () => describe(select(opts), probe, dir),
    close: () => sessions.release(),
  };
}
