/**
 * Learned stages on onnxruntime-node: model manifests and the user's models folder, a session
 * manager (CUDA when it really works, else CPU), the learned inpainting `Filler`, the diffusion
 * `Refiner`, and `describeStages()` for `/v1/health`.
 *
 * {@link LEARNED_STAGES} is the one list of learned stages: `/v1/health` and `smartdrag models
 * list` report exactly its keys, and {@link LearnedStages.editOptions} hands exactly its
 * `runEdit` options to the edit (each one timed as `learned.<stage>` in the job's timings).
 * Composition (edit worker): `const learned = await initLearnedStages()` once at start, then
 * `runEdit(req, { ...learned.editOptions(timings) })`. With no models installed there are no
 * options and the classical core runs alone.
 *
 * There is no GridSample warp stage: the edit path always uses the core's TypeScript warp; the ONNX
 * GridSample warp lives with the dev benchmarks (bench/gridsample-warp.ts, bench/learned-warp-bench.ts).
 */
import * as fs from 'fs';
import type { Filler, Refiner } from '../core/types';
import { DiffusionRefiner } from './diffusion-refiner';
import { LearnedFiller } from './learned-filler';
import type { ModelManifest } from './manifest';
import type { Device, DeviceProbe, SessionManagerOptions } from './session-manager';
import { SessionManager } from './session-manager';
import type { InstalledModel, StoreOptions } from './store';
import { installedPath, installedTokenizer, listModels, modelsDir, storeManifests } from './store';

export * from './manifest';
export * from './store';
export * from './session-manager';
export * from './learned-filler';
export * from './diffusion-refiner';
export * from './tokenizer';
export * from './external-data';
export { encodeModel } from './onnx-build';
export type { GraphSpec, NodeSpec, ValueSpec, InitializerSpec, OnnxDtype } from './onnx-build';

/**
 * Every learned stage, by its `/v1/health` name, with the `runEdit` option that carries it.
 * Health, the CLI and the edit worker all read this one object.
 */
export const LEARNED_STAGES = { inpaint: 'filler', refine: 'refiner' } as const;
/** A key of {@link LEARNED_STAGES}. */
export type LearnedStageName = keyof typeof LEARNED_STAGES;
/** The stage names in report order. */
export const LEARNED_STAGE_NAMES = Object.keys(LEARNED_STAGES) as LearnedStageName[];
/** Timings key under which a job reports the milliseconds spent inside a learned stage. */
export const learnedTimingKey = (stage: LearnedStageName): string => `learned.${stage}`;

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
  stages: Record<LearnedStageName, StageInfo>;
  /**
   * Every known model: `state` as `smartdrag models list` says it, `installed` (every file on disk,
   * also when `damaged`), and `reason` for `damaged` / `partial`.
   */
  models: Pick<InstalledModel, 'id' | 'name' | 'task' | 'licence' | 'state' | 'installed' | 'reason'>[];
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

/** What the refine stage does with the installed files (sampler, and whether the intent is the prompt). */
function refineNote(m: ModelManifest, opts: StoreOptions): string {
  const d = m.diffusion!, t = m.tokenizer!;
  const sampler = d.scheduler === 'lcm' ? `${d.steps} LCM steps (UNet with LCM-LoRA fused)` : `${d.steps} DDIM steps`;
  return installedTokenizer(m, opts)
    ? `${sampler}, the intent as prompt (CLIP BPE from ${t.files.vocab} + ${t.files.merges})`
    : `${sampler}, EMPTY prompt: ${t.files.vocab} and ${t.files.merges} are not installed (smartdrag models add <export folder> installs them)`;
}

function describe(sel: Selection, probe: DeviceProbe | undefined, dir: string, opts: StoreOptions): StagesDescription {
  const device = probe?.device ?? 'cpu';
  const partial = (task: string): string => {
    // A file of the wrong size (or tokenizer files the refiner cannot read) is there but damaged:
    // not "absent", which would send the user to install what is installed.
    const d = sel.installed.filter((m) => m.task === task && m.state === 'damaged').map((m) => `${m.id} (${m.reason})`);
    if (d.length) return `damaged: ${d.join('; ')}: run smartdrag models verify, then smartdrag models add the model again`;
    const p = sel.installed.filter((m) => m.task === task && m.state === 'partial').map((m) => `${m.id} (${m.reason})`);
    return p.length ? `incomplete install: ${p.join('; ')}` : `no ${task} model installed (smartdrag models add <file>)`;
  };
  const off = sel.error ? `model manifests unreadable: ${sel.error.split('\n')[0]}` : undefined;
  return {
    device,
    deviceReason: probe?.reason ?? 'execution provider not probed yet (CPU assumed)',
    stages: {
      inpaint: sel.inpaint ? { enabled: true, model: sel.inpaint.id } : { enabled: false, reason: off ?? partial('inpaint') },
      refine: sel.refine
        ? { enabled: true, model: sel.refine.id, reason: refineNote(sel.refine, opts) }
        : { enabled: false, reason: off ?? partial('refine') },
    },
    models: sel.installed.map(({ id, name, task, licence, state, installed, reason }) => ({ id, name, task, licence, state, installed, ...(reason ? { reason } : {}) })),
    modelsDir: dir,
  };
}

/**
 * Which learned stages are on, which model each uses, the execution provider, and every known
 * model's install state. Synchronous and cheap (file presence and size only); never throws.
 */
export function describeStages(opts: LearnedStagesOptions = {}): StagesDescription {
  return describe(select(opts), opts.probe ?? lastProbe, modelsDir(opts), opts);
}

/** The learned stages of this process. */
export interface LearnedStages {
  sessions: SessionManager;
  probe: DeviceProbe;
  /** Learned inpainting as built at start, when an inpaint model was installed ({@link editOptions} follows the disk). */
  filler?: Filler;
  /** Diffusion refinement as built at start, when all SD components were installed ({@link editOptions} follows the disk). */
  refiner?: Refiner;
  /**
   * The `runEdit` options for the stages that are on (keys from {@link LEARNED_STAGES}). Each
   * adds the milliseconds spent inside it to `timings[learnedTimingKey(stage)]`, so a job's
   * timings show which learned stages really ran.
   */
  editOptions(timings?: Record<string, number>): { filler?: Filler; refiner?: Refiner };
  describeStages(): StagesDescription;
  /** Release every ORT session. */
  close(): Promise<void>;
}

/**
 * Probe the execution provider, pick the installed models and build the stages (sessions load
 * lazily on first use). Safe with no models: everything optional is `undefined`.
 *
 * The stages follow the models folder as `/v1/health` reads it (the same {@link describeStages}
 * selection, checked again each time a stage is about to run): a stage whose model was removed or
 * damaged since the start throws (the edit falls back to the classical fill or stays unrefined,
 * with a warning that says why) and its loaded sessions are released, instead of the loaded copy
 * running on while health says the stage is off; a model whose files were replaced is loaded again
 * from disk; another model now chosen for the stage is used. A stage not built at the start (its
 * model added later) stays off until the bridge restarts, as health says.
 */
export async function initLearnedStages(opts: LearnedStagesOptions = {}): Promise<LearnedStages> {
  const sessions = opts.sessions ?? new SessionManager(opts);
  const probe = await sessions.init();
  lastProbe = probe;
  const sel = select(opts);
  const dir = modelsDir(opts);
  const live: Record<LearnedStageName, { sig: string; model: string; stage: Filler | Refiner } | undefined> = {
    inpaint: sel.inpaint ? { sig: stageSignature(sel.inpaint, opts), model: sel.inpaint.id, stage: buildFiller(sel.inpaint, sessions, opts) } : undefined,
    refine: sel.refine ? { sig: stageSignature(sel.refine, opts), model: sel.refine.id, stage: buildRefiner(sel.refine, sessions, opts) } : undefined,
  };
  const builtAtStart = { inpaint: live.inpaint?.model, refine: live.refine?.model };
  /** The stage as the models folder has it now (see above); throws when it is off now. */
  const current = async (name: LearnedStageName): Promise<Filler | Refiner> => {
    const now = select(opts);
    const m = name === 'inpaint' ? now.inpaint : now.refine;
    const was = live[name];
    if (!m) {
      if (was) {
        live[name] = undefined;
        await sessions.releaseWhere((key) => key.startsWith(`${was.model}/`));
      }
      const why = describe(now, probe, dir, opts).stages[name].reason ?? 'its model is not usable';
      throw new Error(`the ${name} model ${builtAtStart[name]} changed on disk since the bridge started: ${why}`);
    }
    const sig = stageSignature(m, opts);
    if (!was || was.sig !== sig) {
      if (was && was.model !== m.id) await sessions.releaseWhere((key) => key.startsWith(`${was.model}/`));
      live[name] = { sig, model: m.id, stage: name === 'inpaint' ? buildFiller(m, sessions, opts) : buildRefiner(m, sessions, opts) };
    }
    return live[name]!.stage;
  };
  const built: { filler?: Filler; refiner?: Refiner } = {
    ...(live.inpaint ? { filler: liveFiller(live.inpaint.stage.name, () => current('inpaint') as Promise<Filler>) } : {}),
    ...(live.refine ? { refiner: liveRefiner(live.refine.stage.name, () => current('refine') as Promise<Refiner>) } : {}),
  };
  return {
    sessions, probe,
    ...(live.inpaint ? { filler: live.inpaint.stage as Filler } : {}),
    ...(live.refine ? { refiner: live.refine.stage as Refiner } : {}),
    editOptions: (timings) => timedStages(built, timings),
    describeStages: () => describe(select(opts), probe, dir, opts),
    close: () => sessions.release(),
  };
}

function buildFiller(m: ModelManifest, sessions: SessionManager, opts: StoreOptions): Filler {
  return new LearnedFiller({ manifest: m, modelPath: installedPath(m, m.files.find((f) => f.role === 'inpaint')!, opts), sessions });
}

function buildRefiner(m: ModelManifest, sessions: SessionManager, opts: StoreOptions): Refiner {
  const path = (role: 'text_encoder' | 'unet' | 'vae_encoder' | 'vae_decoder'): string => installedPath(m, m.files.find((f) => f.role === role)!, opts);
  const tokenizerFiles = installedTokenizer(m, opts);
  return new DiffusionRefiner({
    manifest: m, sessions, ...(tokenizerFiles ? { tokenizerFiles } : {}),
    paths: { text_encoder: path('text_encoder'), unet: path('unet'), vae_encoder: path('vae_encoder'), vae_decoder: path('vae_decoder') },
  });
}

/**
 * What a stage object was built from: the model and, for the refiner, its tokenizer files (health
 * says "the intent as prompt" or "EMPTY prompt" from them). Model files replaced in place are
 * noticed by the session manager (see {@link SessionManager.session}).
 */
function stageSignature(m: ModelManifest, opts: StoreOptions): string {
  const t = m.tokenizer ? installedTokenizer(m, opts) : undefined;
  const id = (f: string): string => { try { const st = fs.statSync(f); return `${st.ino}:${st.size}:${st.mtimeMs}`; } catch { return '-'; } };
  return t ? `${m.id}|${id(t.vocab)}|${id(t.merges)}` : `${m.id}|no-tokenizer`;
}

/** A filler that runs the stage current at each call. */
function liveFiller(name: string, get: () => Promise<Filler>): Filler {
  return { name, fill: async (...a) => (await get()).fill(...a) };
}

/** A refiner that runs the stage current at each call. */
function liveRefiner(name: string, get: () => Promise<Refiner>): Refiner {
  return { name, refine: async (input) => (await get()).refine(input) };
}

/** Wrap each built stage so the time spent inside it lands in `timings` (see {@link learnedTimingKey}). */
function timedStages(built: { filler?: Filler; refiner?: Refiner }, timings?: Record<string, number>): { filler?: Filler; refiner?: Refiner } {
  const out: { filler?: Filler; refiner?: Refiner } = {};
  const add = (stage: LearnedStageName, ms: number): void => {
    if (timings) timings[learnedTimingKey(stage)] = (timings[learnedTimingKey(stage)] ?? 0) + ms;
  };
  for (const stage of LEARNED_STAGE_NAMES) {
    const option = LEARNED_STAGES[stage];
    if (option === 'filler' && built.filler) {
      const f = built.filler;
      out.filler = {
        name: f.name,
        // Timed only when the stage ran: one that threw (and was replaced by the classical fill)
        // leaves no `learned.inpaint`.
        fill: async (...a) => { const t = performance.now(); await f.fill(...a); add(stage, performance.now() - t); },
      };
    } else if (option === 'refiner' && built.refiner) {
      const r = built.refiner;
      out.refiner = {
        name: r.name,
        refine: async (input) => { const t = performance.now(); await r.refine(input); add(stage, performance.now() - t); },
      };
    }
  }
  return out;
}
