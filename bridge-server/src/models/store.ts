/**
 * The user's models folder and the checks that guard it. `addModels` copies ONNX files in only
 * after each one matches a manifest entry: sha256 and size (when pinned), and the contract read
 * from the file with onnxruntime-node (input/output names, dtypes, ranks, fixed dims, and
 * consistent symbolic dims). Every failure names the file, what was expected and what was found.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import type { ModelFile, ModelManifest, TensorSpec } from './manifest';
import { builtInManifestsDir, loadManifests } from './manifest';

/** Where models live and which manifests describe them. */
export interface StoreOptions {
  /** SmartDrag home; default `$SMARTDRAG_HOME`, else `~/.config/smartdrag`. */
  home?: string;
  /** Folder of manifest JSON files; default the repository's models/ (or `$SMARTDRAG_MANIFESTS`). */
  manifestsDir?: string;
  /** Already loaded manifests (overrides `manifestsDir`). */
  manifests?: ModelManifest[];
}

/** The models folder: `<home>/models`. */
export function modelsDir(opts: StoreOptions = {}): string {
  const home = opts.home ?? process.env.SMARTDRAG_HOME ?? path.join(os.homedir(), '.config', 'smartdrag');
  return path.join(home, 'models');
}

/** Manifests from the options (explicit list, folder, `$SMARTDRAG_MANIFESTS`, or built-in). */
export function storeManifests(opts: StoreOptions = {}): ModelManifest[] {
  return opts.manifests ?? loadManifests(opts.manifestsDir ?? process.env.SMARTDRAG_MANIFESTS ?? builtInManifestsDir());
}

/** Installed path of one manifest file. */
export function installedPath(manifest: ModelManifest, file: ModelFile, opts: StoreOptions = {}): string {
  return path.join(modelsDir(opts), manifest.id, file.name);
}

/** Kinds of check failure (snake_case codes). */
export const CHECK_CODES = {
  missing: 'file_missing',
  bytes: 'size_mismatch',
  sha256: 'sha256_mismatch',
  load: 'model_unloadable',
  inputName: 'input_name_mismatch',
  outputName: 'output_name_mismatch',
  dtype: 'dtype_mismatch',
  rank: 'rank_mismatch',
  shape: 'shape_mismatch',
  unknown: 'unknown_model_file',
} as const;
/** One of {@link CHECK_CODES}' values. */
export type CheckCode = (typeof CHECK_CODES)[keyof typeof CHECK_CODES];

/** One problem found in one file. */
export interface CheckIssue {
  code: CheckCode;
  file: string;
  expected: string;
  found: string;
  /** Human-readable sentence naming the file, the expectation and the finding. */
  message: string;
}

function issue(code: CheckCode, file: string, what: string, expected: string, found: string): CheckIssue {
  return { code, file, expected, found, message: `${path.basename(file)}: ${what}: expected ${expected}, found ${found}` };
}

/** sha256 of a file, streamed (large models never sit in memory whole). */
export async function sha256File(file: string): Promise<string> {
  const h = crypto.createHash('sha256');
  const stream = fs.createReadStream(file, { highWaterMark: 4 << 20 });
  for await (const chunk of stream) h.update(chunk as Buffer);
  return h.digest('hex');
}

const fmtShape = (s: ReadonlyArray<number | string>): string => `[${s.map((d) => (typeof d === 'string' ? `"${d}"` : d)).join(', ')}]`;
const fmtDtype = (d: TensorSpec['dtype']): string => (Array.isArray(d) ? d.join(' or ') : d);

/**
 * Compare one side (inputs or outputs) of a loaded model with the manifest. Symbolic dims in
 * the manifest bind to whatever the model has, but the same symbol must bind consistently
 * (`bindings` is shared across both sides of a file).
 */
function checkSide(
  file: string, side: 'input' | 'output', expected: TensorSpec[],
  found: readonly ort.InferenceSession.ValueMetadata[], bindings: Map<string, number | string>,
): CheckIssue[] {
  const out: CheckIssue[] = [];
  const code = side === 'input' ? CHECK_CODES.inputName : CHECK_CODES.outputName;
  const foundNames = found.map((f) => f.name);
  for (const e of expected) {
    const m = found.find((f) => f.name === e.name);
    if (!m) {
      out.push(issue(code, file, `${side} "${e.name}" (${e.role})`, `an ${side} named "${e.name}"`, `${side}s ${foundNames.map((n) => `"${n}"`).join(', ') || 'none'}`));
      continue;
    }
    if (!m.isTensor) {
      out.push(issue(CHECK_CODES.dtype, file, `${side} "${e.name}"`, `a tensor of ${fmtDtype(e.dtype)}`, 'a non-tensor value'));
      continue;
    }
    const ok = Array.isArray(e.dtype) ? (e.dtype as string[]).includes(m.type) : e.dtype === m.type;
    if (!ok) out.push(issue(CHECK_CODES.dtype, file, `${side} "${e.name}" dtype`, fmtDtype(e.dtype), m.type));
    if (m.shape.length !== e.shape.length) {
      out.push(issue(CHECK_CODES.rank, file, `${side} "${e.name}" shape`, `rank ${e.shape.length} ${fmtShape(e.shape)}`, `rank ${m.shape.length} ${fmtShape(m.shape)}`));
      continue;
    }
    let bad = false;
    for (let i = 0; i < e.shape.length; i++) {
      const ed = e.shape[i]!, md = m.shape[i]!;
      if (typeof ed === 'number') {
        // A fixed size in the manifest: the model must have it (a symbolic dim also accepts it).
        if (typeof md === 'number' && md !== ed) bad = true;
      } else if (typeof md === 'number') {
        const b = bindings.get(ed);
        if (b === undefined) bindings.set(ed, md);
        else if (typeof b === 'number' && b !== md) bad = true;
      }
    }
    if (bad) out.push(issue(CHECK_CODES.shape, file, `${side} "${e.name}" shape`, fmtShape(e.shape), fmtShape(m.shape)));
  }
  return out;
}

/** Read a model's input/output metadata with onnxruntime-node (CPU, released at once). */
export async function readModelContract(file: string): Promise<{
  inputs: readonly ort.InferenceSession.ValueMetadata[]; outputs: readonly ort.InferenceSession.ValueMetadata[];
}> {
  const s = await ort.InferenceSession.create(file, { executionProviders: ['cpu'], logSeverityLevel: 4, graphOptimizationLevel: 'disabled' });
  try {
    return { inputs: s.inputMetadata, outputs: s.outputMetadata };
  } finally {
    await s.release();
  }
}

/** Check one file against one manifest entry; an empty list means it passes. */
export async function checkModelFile(file: string, entry: ModelFile): Promise<CheckIssue[]> {
  if (!fs.existsSync(file)) return [issue(CHECK_CODES.missing, file, 'file', 'a file', 'nothing')];
  const issues: CheckIssue[] = [];
  const size = fs.statSync(file).size;
  if (entry.bytes !== null && size !== entry.bytes) issues.push(issue(CHECK_CODES.bytes, file, 'size', `${entry.bytes} bytes`, `${size} bytes`));
  if (entry.sha256 !== null) {
    const sha = await sha256File(file);
    if (sha !== entry.sha256) issues.push(issue(CHECK_CODES.sha256, file, 'sha256', entry.sha256, sha));
  }
  let contract;
  try {
    contract = await readModelContract(file);
  } catch (e) {
    issues.push(issue(CHECK_CODES.load, file, 'onnxruntime load', 'a loadable ONNX model', (e as Error).message.split('\n')[0] ?? 'error'));
    return issues;
  }
  const bindings = new Map<string, number | string>();
  issues.push(...checkSide(file, 'input', entry.inputs, contract.inputs, bindings));
  issues.push(...checkSide(file, 'output', entry.outputs, contract.outputs, bindings));
  return issues;
}

/** Which manifest entry a candidate file is, by pinned sha256 first, then by file name. */
export async function matchManifestEntry(
  file: string, manifests: ModelManifest[], modelId?: string, relPath?: string,
): Promise<{ manifest: ModelManifest; entry: ModelFile } | undefined> {
  const pool = modelId ? manifests.filter((m) => m.id === modelId) : manifests;
  const size = fs.statSync(file).size;
  // Only hash when some pinned entry could match by size (hashing a 2 GB UNet takes seconds).
  const pinned = pool.flatMap((m) => m.files
    .filter((f) => f.sha256 !== null && (f.bytes === null || f.bytes === size))
    .map((f) => ({ manifest: m, entry: f })));
  if (pinned.length) {
    const sha = await sha256File(file);
    const hit = pinned.find((p) => p.entry.sha256 === sha);
    if (hit) return hit;
  }
  const base = path.basename(file);
  for (const m of pool) {
    const f = m.files.find((x) => x.name === base || (relPath !== undefined && x.aliases.includes(relPath)));
    if (f) return { manifest: m, entry: f };
  }
  return undefined;
}

/** `*.onnx` directly in `dir`, plus `<sub>/model.onnx` one level down (Optimum's export layout). */
function onnxFilesIn(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = path.join(dir, e.name);
    if (e.isFile() && e.name.endsWith('.onnx')) out.push(p);
    else if (e.isDirectory() && fs.existsSync(path.join(p, 'model.onnx'))) out.push(path.join(p, 'model.onnx'));
  }
  return out;
}

/** Result of {@link addModels}. */
export interface AddResult {
  ok: boolean;
  /** Files copied (destination paths); empty when anything failed (all or nothing). */
  installed: string[];
  issues: CheckIssue[];
}

/**
 * Check and install `fileOrDir` (one .onnx file, or every .onnx file directly inside a folder)
 * into the models folder as `<models>/<id>/<name>`. All files are checked first; nothing is
 * copied unless every file passes. Copies go through a temporary name and a rename.
 */
export async function addModels(fileOrDir: string, opts: StoreOptions & { modelId?: string } = {}): Promise<AddResult> {
  if (!fs.existsSync(fileOrDir)) {
    return { ok: false, installed: [], issues: [issue(CHECK_CODES.missing, fileOrDir, 'path', 'an .onnx file or a folder of them', 'nothing at that path')] };
  }
  const files = fs.statSync(fileOrDir).isDirectory() ? onnxFilesIn(fileOrDir) : [fileOrDir];
  if (files.length === 0) {
    return { ok: false, installed: [], issues: [issue(CHECK_CODES.missing, fileOrDir, 'folder', 'at least one .onnx file', 'none')] };
  }
  const manifests = storeManifests(opts);
  const plan: { src: string; dst: string }[] = [];
  const issues: CheckIssue[] = [];
  for (const f of files) {
    const rel = path.relative(fileOrDir, f).split(path.sep).join('/');
    const match = await matchManifestEntry(f, manifests, opts.modelId, rel || undefined);
    if (!match) {
      const known = manifests.flatMap((m) => m.files.map((x) => `${m.id}/${x.name}`)).join(', ');
      issues.push(issue(CHECK_CODES.unknown, f, 'model file', `a file a manifest lists by sha256 or name (${known})`, `an unknown file (${fs.statSync(f).size} bytes)`));
      continue;
    }
    const found = await checkModelFile(f, match.entry);
    if (found.length) issues.push(...found);
    else plan.push({ src: f, dst: installedPath(match.manifest, match.entry, opts) });
  }
  if (issues.length) return { ok: false, installed: [], issues };
  for (const p of plan) {
    fs.mkdirSync(path.dirname(p.dst), { recursive: true });
    const tmp = `${p.dst}.partial-${process.pid}`;
    fs.copyFileSync(p.src, tmp);
    fs.renameSync(tmp, p.dst);
  }
  return { ok: true, installed: plan.map((p) => p.dst), issues: [] };
}

/** Install state of one model. */
export interface InstalledModel {
  id: string;
  name: string;
  task: ModelManifest['task'];
  licence: string;
  /** `complete`: every file present (right size when pinned); `partial`: some; `absent`: none. */
  state: 'complete' | 'partial' | 'absent';
  files: { name: string; role: string; path: string; present: boolean }[];
}

/** Cheap, synchronous install state of every manifest (presence and size; no hashing). */
export function listModels(opts: StoreOptions = {}): InstalledModel[] {
  return storeManifests(opts).map((m) => {
    const files = m.files.map((f) => {
      const p = installedPath(m, f, opts);
      let present = false;
      try {
        const st = fs.statSync(p);
        present = st.isFile() && (f.bytes === null || st.size === f.bytes);
      } catch {
        present = false;
      }
      return { name: f.name, role: f.role, path: p, present };
    });
    const n = files.filter((f) => f.present).length;
    return {
      id: m.id, name: m.name, task: m.task, licence: m.licence.spdx,
      state: n === files.length ? 'complete' : n === 0 ? 'absent' : 'partial', files,
    } as InstalledModel;
  });
}

/** Full re-check (sha256 + contract) of every installed file; absent models are skipped. */
export async function verifyModels(opts: StoreOptions = {}): Promise<{ id: string; checked: number; issues: CheckIssue[] }[]> {
  const manifests = storeManifests(opts);
  const out: { id: string; checked: number; issues: CheckIssue[] }[] = [];
  for (const m of manifests) {
    const present = m.files.filter((f) => fs.existsSync(installedPath(m, f, opts)));
    if (present.length === 0) continue;
    const issues: CheckIssue[] = [];
    for (const f of m.files) issues.push(...await checkModelFile(installedPath(m, f, opts), f));
    out.push({ id: m.id, checked: present.length, issues });
  }
  return out;
}
