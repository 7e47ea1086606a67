/**
 * Model manifests: one JSON file per supported model (models/*.json) describing its files,
 * their sha256 and size, the exact input/output contract (names, dtypes, shapes with symbolic
 * dims), preprocessing, licence and where a user obtains it. Validated with zod at load time.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

/** Element types a manifest may name (onnxruntime-node spelling). */
export const TENSOR_DTYPES = ['float32', 'float16', 'uint8', 'int32', 'int64'] as const;
/** One of {@link TENSOR_DTYPES}. */
export type TensorDtype = (typeof TENSOR_DTYPES)[number];

/**
 * What a tensor means to SmartDrag's code; stages look tensors up by role, never by name, so a
 * manifest can describe any export's naming.
 */
export const TENSOR_ROLES = [
  'image', 'mask', 'result', // inpainting
  'input_ids', 'hidden_states', 'pooled', // text encoder
  'sample', 'timestep', 'encoder_hidden_states', 'noise_pred', // unet
  'pixels', 'latent', // vae encoder (pixels -> latent) and decoder (latent -> pixels)
] as const;
/** One of {@link TENSOR_ROLES}. */
export type TensorRole = (typeof TENSOR_ROLES)[number];

/** Roles of the files of a multi-file model. */
export const FILE_ROLES = ['inpaint', 'text_encoder', 'unet', 'vae_encoder', 'vae_decoder'] as const;
/** One of {@link FILE_ROLES}. */
export type FileRole = (typeof FILE_ROLES)[number];

const dtypeSchema = z.enum(TENSOR_DTYPES);
const dimSchema = z.union([z.number().int().nonnegative(), z.string().min(1)]);

/**
 * One input or output of an ONNX file. `dtype` may list accepted alternatives; `altNames` and
 * `altShapes` list what other versions of the same export use (e.g. Optimum's VAE encoder output
 * is `latent_parameters` with 8 channels today and was `latent_sample` with 4 before).
 */
export const tensorSpecSchema = z.object({
  name: z.string().min(1),
  altNames: z.array(z.string().min(1)).default([]),
  role: z.enum(TENSOR_ROLES),
  dtype: z.union([dtypeSchema, z.array(dtypeSchema).min(1)]),
  /** Numbers are fixed sizes; strings are symbolic dims (the same symbol must agree across tensors). */
  shape: z.array(dimSchema),
  altShapes: z.array(z.array(dimSchema)).default([]),
});
/** A validated tensor contract. */
export type TensorSpec = z.infer<typeof tensorSpecSchema>;

const sha256Schema = z.string().regex(/^[0-9a-f]{64}$/, 'sha256 must be 64 lowercase hex digits');

const relPathSchema = z.string().regex(/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/, 'a relative path with / separators')
  .refine((p) => !p.split('/').some((seg) => seg === '.' || seg === '..'), 'no . or .. segments');

/**
 * One ONNX external data file a model file may reference (tensors with `data_location` EXTERNAL,
 * e.g. Optimum's `unet/model.onnx_data` beside `unet/model.onnx` for a UNet over 2 GB).
 * `location` is the path the model names, relative to the model file's folder.
 */
export const externalDataSchema = z.object({
  location: relPathSchema,
  /** Pinned content hash; `null` when the file is a user's own export. */
  sha256: sha256Schema.nullable(),
  /** Exact size in bytes, `null` when unknown. */
  bytes: z.number().int().positive().nullable(),
});
/** A validated external data entry. */
export type ExternalDataFile = z.infer<typeof externalDataSchema>;

/** One file of a model. */
export const modelFileSchema = z.object({
  /** File name inside the model's folder (also how `models add` recognises it). */
  name: z.string().regex(/^[A-Za-z0-9._-]+\.onnx$/, 'file name must be a plain *.onnx name'),
  role: z.enum(FILE_ROLES),
  /** Other relative paths this file has in common exports (e.g. `unet/model.onnx`), used by `models add <dir>`. */
  aliases: z.array(z.string().min(1)).default([]),
  /** Pinned content hash; `null` when the file is a user's own export (then only the contract is checked). */
  sha256: sha256Schema.nullable(),
  /** Exact size in bytes, `null` when unknown. */
  bytes: z.number().int().positive().nullable(),
  /**
   * External data files the model may reference, with their pins. `models add` installs every
   * file the model really references (read from the file), keeping its name, in the model file's
   * own folder `<models>/<id>/<name without .onnx>/`; each must exist and hold the bytes its
   * tensors need. A referenced file listed here is also checked against its pins; when the model
   * file's sha256 is pinned, every referenced file must be listed here with its sha256.
   */
  externalData: z.array(externalDataSchema).default([]),
  inputs: z.array(tensorSpecSchema).min(1),
  outputs: z.array(tensorSpecSchema).min(1),
});
/** A validated file entry. */
export type ModelFile = z.infer<typeof modelFileSchema>;

const rangeSchema = z.tuple([z.number(), z.number()]);

/** How pixels go in and come out. */
export const preprocessingSchema = z.object({
  /** Working size the crop is resized to (pixels, square for all supported models). */
  size: z.number().int().min(8).max(4096),
  channelOrder: z.enum(['rgb', 'bgr']),
  /** Value range of image inputs, e.g. [0, 1], [0, 255] or [-1, 1]. */
  imageRange: rangeSchema,
  /** Value range of image outputs. */
  outputRange: rangeSchema,
  /** Mask values meaning "fill here" and "keep". */
  mask: z.object({ hole: z.number(), keep: z.number() }).optional(),
  /** Whether hole pixels must be zeroed in the image input. */
  zeroHole: z.boolean().default(false),
});

/** Diffusion settings (refine task only). */
export const diffusionSchema = z.object({
  /**
   * Sampler. `lcm`: Latent Consistency (LCM-LoRA fused into the UNet; diffusers' LCMScheduler:
   * timesteps from an `originalSteps` grid, boundary-condition scalings, fresh seeded noise
   * between steps). `ddim`: deterministic DDIM (eta 0) for a plain UNet.
   */
  scheduler: z.enum(['lcm', 'ddim']),
  steps: z.number().int().min(1).max(50),
  /** Fraction of the noise schedule to re-noise to (SDEdit strength), 0..1. */
  strength: z.number().gt(0).max(1),
  /** LCM: length of the distillation timestep grid (50 for LCM-LoRA). */
  originalSteps: z.number().int().positive().default(50),
  /** LCM: timestep scaling of the boundary condition (10 in diffusers' LCMScheduler). */
  timestepScaling: z.number().positive().default(10),
  /** VAE latent scaling factor (0.18215 for SD-1.5). */
  latentScale: z.number().positive(),
  /** Training schedule: scaled-linear betas over `trainSteps`. */
  betaStart: z.number().positive(),
  betaEnd: z.number().positive(),
  trainSteps: z.number().int().positive(),
  /** Spatial factor between pixels and latents (8 for SD). */
  latentFactor: z.number().int().positive(),
  latentChannels: z.number().int().positive(),
});

/** Text tokenizer contract for the text encoder. */
export const tokenizerSchema = z.object({
  /** `clip-bpe`: CLIP's byte-level BPE, read from the export's vocab.json + merges.txt. */
  kind: z.literal('clip-bpe'),
  /**
   * Where the export keeps the tokenizer files (relative to the export folder; installed at the
   * same place under the model's folder). Without them the refiner uses the empty prompt.
   */
  files: z.object({ vocab: relPathSchema, merges: relPathSchema }),
  maxLength: z.number().int().positive(),
  bos: z.number().int().nonnegative(),
  eos: z.number().int().nonnegative(),
  pad: z.number().int().nonnegative(),
  vocabSize: z.number().int().positive(),
});

/** A model manifest (one JSON file in models/). */
export const modelManifestSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'id must be kebab-case'),
  name: z.string().min(1),
  task: z.enum(['inpaint', 'refine']),
  description: z.string(),
  licence: z.object({ spdx: z.string().min(1), notes: z.string().optional() }),
  source: z.object({ url: z.string().url(), obtain: z.string().min(1) }),
  /** Claims in this manifest that were not checked against the real files. */
  verify: z.array(z.string()).default([]),
  files: z.array(modelFileSchema).min(1),
  preprocessing: preprocessingSchema,
  diffusion: diffusionSchema.optional(),
  tokenizer: tokenizerSchema.optional(),
}).superRefine((m, ctx) => {
  const names = new Set<string>();
  for (const f of m.files) {
    if (names.has(f.name)) ctx.addIssue({ code: 'custom', message: `duplicate file name ${f.name}`, path: ['files'] });
    names.add(f.name);
    const locs = new Set<string>();
    for (const x of f.externalData) {
      if (locs.has(x.location)) ctx.addIssue({ code: 'custom', message: `${f.name}: duplicate external data location ${x.location}`, path: ['files'] });
      locs.add(x.location);
      if (x.location === f.name) ctx.addIssue({ code: 'custom', message: `${f.name}: an external data file cannot have the model file's own name`, path: ['files'] });
    }
  }
  // A model file with external data is installed in <models>/<id>/<name without .onnx>/: that
  // folder must not be the tokenizer's.
  const tokDirs = m.tokenizer ? [m.tokenizer.files.vocab, m.tokenizer.files.merges].map((p) => p.split('/')[0]) : [];
  for (const f of m.files) {
    if (tokDirs.includes(f.name.replace(/\.onnx$/, ''))) ctx.addIssue({ code: 'custom', message: `${f.name}: its install folder ${f.name.replace(/\.onnx$/, '')}/ is the tokenizer's`, path: ['files'] });
  }
  const roles = new Set(m.files.map((f) => f.role));
  if (m.task === 'inpaint' && !roles.has('inpaint')) ctx.addIssue({ code: 'custom', message: 'an inpaint model needs a file with role "inpaint"', path: ['files'] });
  if (m.task === 'refine') {
    for (const r of ['text_encoder', 'unet', 'vae_encoder', 'vae_decoder'] as const) {
      if (!roles.has(r)) ctx.addIssue({ code: 'custom', message: `a refine model needs a file with role "${r}"`, path: ['files'] });
    }
    if (!m.diffusion) ctx.addIssue({ code: 'custom', message: 'a refine model needs "diffusion" settings', path: ['diffusion'] });
    if (!m.tokenizer) ctx.addIssue({ code: 'custom', message: 'a refine model needs "tokenizer" settings', path: ['tokenizer'] });
  }
});
/** A validated manifest. */
export type ModelManifest = z.infer<typeof modelManifestSchema>;

/** Thrown when a manifest file is not valid; the message names the file and every problem. */
export class ManifestError extends Error {
  /** Error code (snake_case, see STYLE §6.6). */
  readonly code = 'manifest_invalid' as const;
  constructor(message: string) {
    super(message);
    this.name = 'ManifestError';
  }
}

/** Validate parsed JSON as a manifest; `origin` names the source in error messages. */
export function parseManifest(json: unknown, origin = 'manifest'): ModelManifest {
  const r = modelManifestSchema.safeParse(json);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new ManifestError(`${origin} is not a valid model manifest:\n${lines.join('\n')}`);
  }
  return r.data;
}

/** The repository's models/ folder (built-in manifests). */
export function builtInManifestsDir(): string {
  return path.resolve(__dirname, '../../../models');
}

/** Read every `*.json` manifest in `dir` (sorted by file name); throws {@link ManifestError} on a bad one. */
export function loadManifests(dir: string = builtInManifestsDir()): ModelManifest[] {
  if (!fs.existsSync(dir)) return [];
  const out: ModelManifest[] = [];
  for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.json')).sort()) {
    const file = path.join(dir, f);
    let json: unknown;
    try {
      json = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (e) {
      throw new ManifestError(`${file} is not valid JSON: ${(e as Error).message}`);
    }
    out.push(parseManifest(json, file));
  }
  return out;
}

/** The tensor of `file` with `role` among inputs (or outputs); throws a clear error when absent. */
export function tensorByRole(file: ModelFile, role: TensorRole, where: 'inputs' | 'outputs'): TensorSpec {
  const t = file[where].find((x) => x.role === role);
  if (!t) throw new ManifestError(`manifest file ${file.name} has no ${where.slice(0, -1)} with role "${role}"`);
  return t;
}

/** The file of `manifest` with `role`. */
export function fileByRole(manifest: ModelManifest, role: FileRole): ModelFile {
  const f = manifest.files.find((x) => x.role === role);
  if (!f) throw new ManifestError(`manifest ${manifest.id} has no file with role "${role}"`);
  return f;
}

/** Every name a tensor may have (the manifest's `name`, then `altNames`). */
export const tensorNames = (t: TensorSpec): string[] => [t.name, ...t.altNames];

/** The name `t` has in a loaded model (`available`: its input or output names); throws when none matches. */
export function resolveTensorName(t: TensorSpec, available: readonly string[], file: string): string {
  const hit = tensorNames(t).find((n) => available.includes(n));
  if (!hit) throw new ManifestError(`${file}: no tensor named ${tensorNames(t).map((n) => `"${n}"`).join(' or ')} (${t.role}); the model has ${available.map((n) => `"${n}"`).join(', ')}`);
  return hit;
}
