/**
 * The user's models folder and the checks that guard it. `addModels` copies ONNX files in only
 * after each one matches a manifest entry: sha256 and size (when pinned), and the contract read
 * from the file with onnxruntime-node (input/output names, dtypes, ranks, fixed dims, and
 * consistent symbolic dims). Every failure names the file, what was expected and what was found.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import type { ExternalFileUse } from './external-data';
import { externalDataProblems, externalRefsCached, readExternalRefs } from './external-data';
import type { ModelFile, ModelManifest, TensorSpec } from './manifest';
import { builtInManifestsDir, loadManifests } from './manifest';
import { loadClipTokenizer, tokenizerPaths } from './tokenizer';
import { smartdragHome } from '../config';

/** Where models live and which manifests describe them. */
export interface StoreOptions {
  /** SmartDrag home; default `$SMARTDRAG_HOME`, else `~/.config/smartdrag`. */
  home?: string;
  /** Folder of manifest JSON files; default the repository's models/ (or `$SMARTDRAG_MANIFESTS`). */
  manifestsDir?: string;
  /** Already loaded manifests (overrides `manifestsDir`). */
  manifests?: ModelManifest[];
}

/**
 * The models folder: `<home>/models`, home as the bridge finds it (config.ts `smartdragHome`:
 * `$SMARTDRAG_HOME`, else `$XDG_CONFIG_HOME/smartdrag`, else `~/.config/smartdrag`) — with
 * XDG_CONFIG_HOME set, `models add` had installed where `serve` never looked.
 */
export function modelsDir(opts: StoreOptions = {}): string {
  return path.join(opts.home ?? smartdragHome(), 'models');
}

/** Manifests from the options (explicit list, folder, `$SMARTDRAG_MANIFESTS`, or built-in). */
export function storeManifests(opts: StoreOptions = {}): ModelManifest[] {
  return opts.manifests ?? loadManifests(opts.manifestsDir ?? process.env.SMARTDRAG_MANIFESTS ?? builtInManifestsDir());
}

/** Installed folder of one model: `<models>/<id>`. */
export function installedDir(manifest: ModelManifest, opts: StoreOptions = {}): string {
  return path.join(modelsDir(opts), manifest.id);
}

/**
 * Installed tokenizer files of a refine model (`<models>/<id>/tokenizer/vocab.json`, `merges.txt`),
 * or undefined when the manifest has no tokenizer or either file is missing.
 */
export function installedTokenizer(manifest: ModelManifest, opts: StoreOptions = {}): { vocab: string; merges: string } | undefined {
  if (!manifest.tokenizer) return undefined;
  const p = tokenizerPaths(installedDir(manifest, opts), manifest.tokenizer);
  return fs.existsSync(p.vocab) && fs.existsSync(p.merges) ? p : undefined;
}

/**
 * Folder of one model file installed with its ONNX external data: `<models>/<id>/<name without
 * .onnx>/`, holding `<name>` and every data file it references under the name the model uses
 * (external data is found relative to the model file's folder, so each such file gets its own).
 */
export function installedFileDir(manifest: ModelManifest, file: ModelFile, opts: StoreOptions = {}): string {
  return path.join(modelsDir(opts), manifest.id, file.name.replace(/\.onnx$/, ''));
}

/**
 * Installed path of one manifest file: `<models>/<id>/<stem>/<name>` when it was installed with
 * external data ({@link installedFileDir}), else `<models>/<id>/<name>`.
 */
export function installedPath(manifest: ModelManifest, file: ModelFile, opts: StoreOptions = {}): string {
  const nested = path.join(installedFileDir(manifest, file, opts), file.name);
  return fs.existsSync(nested) ? nested : path.join(modelsDir(opts), manifest.id, file.name);
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
  tokenizer: 'tokenizer_invalid',
  /** A data file the model references (ONNX external data) is not there. */
  externalMissing: 'external_data_missing',
  /** A referenced data file is shorter than its tensors need. */
  externalTruncated: 'external_data_truncated',
  /** A reference that cannot be used (unsafe location, bad offset/length, unlisted for a pinned model). */
  externalInvalid: 'external_data_invalid',
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
    const names = [e.name, ...e.altNames];
    const m = found.find((f) => names.includes(f.name));
    if (!m) {
      const want = names.map((n) => `"${n}"`).join(' or ');
      out.push(issue(code, file, `${side} ${want} (${e.role})`, `an ${side} named ${want}`, `${side}s ${foundNames.map((n) => `"${n}"`).join(', ') || 'none'}`));
      continue;
    }
    if (!m.isTensor) {
      out.push(issue(CHECK_CODES.dtype, file, `${side} "${m.name}"`, `a tensor of ${fmtDtype(e.dtype)}`, 'a non-tensor value'));
      continue;
    }
    const ok = Array.isArray(e.dtype) ? (e.dtype as string[]).includes(m.type) : e.dtype === m.type;
    if (!ok) out.push(issue(CHECK_CODES.dtype, file, `${side} "${m.name}" dtype`, fmtDtype(e.dtype), m.type));
    // The first accepted shape that fits wins (its symbol bindings are kept).
    const shapes = [e.shape, ...e.altShapes];
    let fitted = false;
    for (const shape of shapes) {
      const trial = new Map(bindings);
      if (shapeFits(shape, m.shape, trial)) {
        for (const [k, v] of trial) bindings.set(k, v);
        fitted = true;
        break;
      }
    }
    if (!fitted) {
      const expected = shapes.map(fmtShape).join(' or ');
      const rankOk = shapes.some((sh) => sh.length === m.shape.length);
      out.push(rankOk
        ? issue(CHECK_CODES.shape, file, `${side} "${m.name}" shape`, expected, fmtShape(m.shape))
        : issue(CHECK_CODES.rank, file, `${side} "${m.name}" shape`, shapes.map((sh) => `rank ${sh.length} ${fmtShape(sh)}`).join(' or '), `rank ${m.shape.length} ${fmtShape(m.shape)}`));
    }
  }
  return out;
}

/**
 * Whether a model's shape fits a manifest shape: same rank; a fixed manifest size must be the
 * model's size (a symbolic model dim accepts it); a manifest symbol binds to the model's dim and
 * must bind the same way everywhere in the file.
 */
function shapeFits(expected: ReadonlyArray<number | string>, found: ReadonlyArray<number | string>, bindings: Map<string, number | string>): boolean {
  if (expected.length !== found.length) return false;
  for (let i = 0; i < expected.length; i++) {
    const ed = expected[i]!, md = found[i]!;
    if (typeof ed === 'number') {
      if (typeof md === 'number' && md !== ed) return false;
    } else if (typeof md === 'number') {
      const b = bindings.get(ed);
      if (b === undefined) bindings.set(ed, md);
      else if (typeof b === 'number' && b !== md) return false;
    }
  }
  return true;
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

/**
 * The external data files `file` references (read from the file) and what is wrong with them, as
 * onnxruntime would read them beside `file`: each must be a safe relative path, exist, hold the
 * bytes its tensors need, and match the manifest's pins (`entry.externalData`); when the model's
 * sha256 is pinned, every referenced file must be pinned too. `hash: false` skips the sha256 of
 * the data files (sizes are still checked).
 */
export async function checkExternalData(file: string, entry: ModelFile, hash = true): Promise<{ files: ExternalFileUse[]; issues: CheckIssue[] }> {
  const base = path.basename(file);
  const mk = (code: CheckCode, what: string, expected: string, found: string): CheckIssue =>
    ({ code, file, expected, found, message: `${base}: ${what}: expected ${expected}, found ${found}` });
  let refs;
  try {
    refs = readExternalRefs(file);
  } catch (e) {
    // Bytes that are no ONNX model (a text file, an HTML error page saved as .onnx, a truncated
    // download): the model cannot load — not a problem of its external data, as it was coded.
    return { files: [], issues: [mk(CHECK_CODES.load, 'ONNX model', 'an ONNX model file (protobuf)', `bytes that are not one: ${(e as Error).message}`)] };
  }
  if (refs.length === 0) return { files: [], issues: [] };
  const { files, problems } = externalDataProblems(refs, path.dirname(file));
  const code = { invalid: CHECK_CODES.externalInvalid, missing: CHECK_CODES.externalMissing, truncated: CHECK_CODES.externalTruncated } as const;
  const issues = problems.map((p) => mk(code[p.kind], `external data ${p.location}`, p.expected, p.path && p.kind === 'missing' ? `${p.found} at ${p.path}` : p.found));
  const bad = new Set(problems.map((p) => p.location));
  for (const u of files) {
    if (bad.has(u.location)) continue;
    if (u.rel === entry.name) {
      issues.push(mk(CHECK_CODES.externalInvalid, `external data ${u.location}`, `a data file not named like the installed model file (${entry.name})`, `location ${u.location}`));
      continue;
    }
    const pin = entry.externalData.find((x) => x.location === u.rel);
    if (entry.sha256 !== null && (!pin || pin.sha256 === null)) {
      issues.push(mk(CHECK_CODES.externalInvalid, `external data ${u.location}`, 'a data file the manifest lists with its sha256 (this model\'s sha256 is pinned)', pin ? 'a listed file without a sha256' : 'a file the manifest does not list'));
      continue;
    }
    if (!pin) continue;
    const p = path.join(path.dirname(file), u.rel);
    const size = fs.statSync(p).size;
    if (pin.bytes !== null && size !== pin.bytes) issues.push(mk(CHECK_CODES.bytes, `external data ${u.location} size`, `${pin.bytes} bytes`, `${size} bytes`));
    if (hash && pin.sha256 !== null) {
      const sha = await sha256File(p);
      if (sha !== pin.sha256) issues.push(mk(CHECK_CODES.sha256, `external data ${u.location} sha256`, pin.sha256, sha));
    }
  }
  return { files, issues };
}

/** Check one file (and its external data) against one manifest entry; an empty list means it passes. */
export async function checkModelFile(file: string, entry: ModelFile): Promise<CheckIssue[]> {
  if (!fs.existsSync(file)) return [issue(CHECK_CODES.missing, file, 'file', 'a file', 'nothing')];
  const issues: CheckIssue[] = [];
  const size = fs.statSync(file).size;
  if (entry.bytes !== null && size !== entry.bytes) issues.push(issue(CHECK_CODES.bytes, file, 'size', `${entry.bytes} bytes`, `${size} bytes`));
  if (entry.sha256 !== null) {
    const sha = await sha256File(file);
    if (sha !== entry.sha256) issues.push(issue(CHECK_CODES.sha256, file, 'sha256', entry.sha256, sha));
  }
  // External data first: without it onnxruntime cannot load the model, and says so less clearly.
  const ext = await checkExternalData(file, entry);
  if (ext.issues.length) return [...issues, ...ext.issues];
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
 * One install step: a single file (`dst`), or a model file with its external data, installed as a
 * folder (`dir`: the model file as `name`, each data file under the relative name the model uses).
 */
type Step =
  | { kind: 'file'; src: string; dst: string; /** an older install of this model file with external data, removed */ replaces?: string }
  | { kind: 'dir'; dir: string; name: string; model: string; data: ExternalFileUse[]; /** an older flat install, removed */ replaces: string };

/**
 * Check and install `fileOrDir` (one .onnx file, or every .onnx file directly inside a folder)
 * into the models folder as `<models>/<id>/<name>`; from a folder, also the tokenizer files its
 * manifest names (`tokenizer/vocab.json`, `tokenizer/merges.txt`). A model file that keeps tensors
 * in ONNX external data files (Optimum's `unet/model.onnx` + `unet/model.onnx_data`) is installed
 * in its own folder `<models>/<id>/<stem>/<name>` with every data file it references, under the
 * names it references them by, so the installed model loads; one whose data files are missing or
 * too short is refused. All files are checked first; nothing is copied unless every file passes.
 * Copies go through a temporary name and a rename.
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
  const plan: Step[] = [];
  const issues: CheckIssue[] = [];
  const matched: ModelManifest[] = [];
  for (const f of files) {
    const rel = path.relative(fileOrDir, f).split(path.sep).join('/');
    const match = await matchManifestEntry(f, manifests, opts.modelId, rel || undefined);
    if (!match) {
      // With --model, only that manifest's files were candidates: say so, and which model the
      // file is when another manifest knows it (it had listed every manifest's files as expected,
      // the file's own name among them).
      const pool = opts.modelId ? manifests.filter((m) => m.id === opts.modelId) : manifests;
      const known = pool.flatMap((m) => m.files.map((x) => `${m.id}/${x.name}`)).join(', ');
      const other = opts.modelId ? await matchManifestEntry(f, manifests, undefined, rel || undefined) : undefined;
      const expected = opts.modelId ? `a file of ${opts.modelId} (--model ${opts.modelId}) by sha256 or name (${known || 'none'})` : `a file a manifest lists by sha256 or name (${known})`;
      const found = other ? `${other.manifest.id}'s ${other.entry.name} (add it without --model, or with --model ${other.manifest.id})` : `an unknown file (${fs.statSync(f).size} bytes)`;
      issues.push(issue(CHECK_CODES.unknown, f, 'model file', expected, found));
      continue;
    }
    matched.push(match.manifest);
    const found = await checkModelFile(f, match.entry);
    if (found.length) { issues.push(...found); continue; }
    const flat = path.join(modelsDir(opts), match.manifest.id, match.entry.name);
    const dir = installedFileDir(match.manifest, match.entry, opts);
    const data = (await checkExternalData(f, match.entry, false)).files;
    plan.push(data.length
      ? { kind: 'dir', dir, name: match.entry.name, model: f, data, replaces: flat }
      : { kind: 'file', src: f, dst: flat, replaces: dir });
  }
  // Tokenizer files beside the ONNX files (Optimum's `tokenizer/vocab.json` + `merges.txt`):
  // checked against the manifest and installed with them, so the refiner can use the intent.
  if (fs.statSync(fileOrDir).isDirectory()) {
    for (const m of new Set(matched)) {
      if (!m.tokenizer) continue;
      const src = tokenizerPaths(fileOrDir, m.tokenizer);
      if (!fs.existsSync(src.vocab) || !fs.existsSync(src.merges)) continue;
      try {
        loadClipTokenizer(src, m.tokenizer);
      } catch (e) {
        issues.push(issue(CHECK_CODES.tokenizer, src.vocab, 'tokenizer files', `CLIP BPE files matching ${m.id}'s manifest`, (e as Error).message));
        continue;
      }
      const dst = tokenizerPaths(installedDir(m, opts), m.tokenizer);
      plan.push({ kind: 'file', src: src.vocab, dst: dst.vocab }, { kind: 'file', src: src.merges, dst: dst.merges });
    }
  }
  if (issues.length) return { ok: false, installed: [], issues };
  // Every file is copied under a temporary name (a model with external data: into a temporary
  // folder) and renamed only when all are copied: a failed copy (a home that is not writable, a
  // full disk) removes the copies and installs nothing.
  const temps: string[] = [];
  const cleanup = (): void => { for (const t of temps) fs.rmSync(t, { recursive: true, force: true }); };
  try {
    for (const p of plan) {
      if (p.kind === 'file') {
        fs.mkdirSync(path.dirname(p.dst), { recursive: true });
        const tmp = `${p.dst}.partial-${process.pid}`;
        temps.push(tmp);
        fs.copyFileSync(p.src, tmp);
        continue;
      }
      const tmp = `${p.dir}.partial-${process.pid}`;
      fs.rmSync(tmp, { recursive: true, force: true });
      temps.push(tmp);
      fs.mkdirSync(tmp, { recursive: true });
      fs.copyFileSync(p.model, path.join(tmp, p.name));
      for (const d of p.data) {
        const to = path.join(tmp, ...d.rel.split('/'));
        fs.mkdirSync(path.dirname(to), { recursive: true });
        fs.copyFileSync(path.join(path.dirname(p.model), ...d.rel.split('/')), to);
      }
      // The copy must resolve as the source did: every referenced file there, long enough.
      const staged = externalDataProblems(readExternalRefs(path.join(tmp, p.name)), tmp);
      if (staged.problems.length) {
        const first = staged.problems[0]!;
        cleanup();
        const code = first.kind === 'missing' ? CHECK_CODES.externalMissing : first.kind === 'truncated' ? CHECK_CODES.externalTruncated : CHECK_CODES.externalInvalid;
        return { ok: false, installed: [], issues: [issue(code, p.model, `installed copy's external data ${first.location}`, first.expected, `${first.found} (the source changed while it was copied?)`)] };
      }
    }
  } catch (e) {
    cleanup();
    throw e;
  }
  const installed: string[] = [];
  for (const [i, p] of plan.entries()) {
    if (p.kind === 'file') {
      fs.renameSync(temps[i]!, p.dst);
      if (p.replaces) fs.rmSync(p.replaces, { recursive: true, force: true });
      installed.push(p.dst);
      continue;
    }
    const old = `${p.dir}.old-${process.pid}`;
    if (fs.existsSync(p.dir)) fs.renameSync(p.dir, old);
    fs.renameSync(temps[i]!, p.dir);
    fs.rmSync(old, { recursive: true, force: true });
    fs.rmSync(p.replaces, { force: true });
    installed.push(path.join(p.dir, p.name), ...p.data.map((d) => path.join(p.dir, ...d.rel.split('/'))));
  }
  return { ok: true, installed, issues: [] };
}

/** Install state of one model. */
export interface InstalledModel {
  id: string;
  name: string;
  task: ModelManifest['task'];
  licence: string;
  /**
   * `complete`: every file present (right size when pinned, its ONNX external data files there
   * and long enough) and its tokenizer files, when installed, readable as the runtime reads them;
   * `damaged`: a file there but of the wrong size, or whose external data is missing or short, or
   * installed tokenizer files the runtime cannot read (`smartdrag models verify` says which,
   * `models add` installs it again); `partial`: some files missing; `absent`: none there.
   */
  state: 'complete' | 'damaged' | 'partial' | 'absent';
  /** Every model file is on disk (`complete` or `damaged`: installed, though maybe not usable). */
  installed: boolean;
  /** For `damaged` and `partial`: what is wrong, per file (the sentence health and list show). */
  reason?: string;
  /**
   * Per file: `present` = there and usable; `damaged` = there but not of the pinned size, or its
   * external data missing or short (`problem` says which).
   */
  files: { name: string; role: string; path: string; present: boolean; damaged?: boolean; problem?: string }[];
  /** Set when the installed tokenizer files cannot be read (the runtime's own check). */
  tokenizerProblem?: string;
}

/** Tokenizer load results by file identity (path, size, mtime), so health and list stay cheap. */
const tokenizerChecks = new Map<string, string | null>();

/**
 * What is wrong with a refine model's installed tokenizer files, checked as the runtime reads
 * them ({@link loadClipTokenizer}); null when they load or are not both installed (the refiner
 * then uses the empty prompt), `undefined` when the manifest has none.
 */
export function tokenizerProblem(manifest: ModelManifest, opts: StoreOptions = {}): string | null | undefined {
  if (!manifest.tokenizer) return undefined;
  const p = tokenizerPaths(installedDir(manifest, opts), manifest.tokenizer);
  const stat = (f: string): fs.Stats | null => { try { return fs.statSync(f); } catch { return null; } };
  const sv = stat(p.vocab), sm = stat(p.merges);
  // Without both files the refiner uses the empty prompt (list and health say so): not a fault.
  if (!sv || !sm) return null;
  const key = `${p.vocab}:${sv.size}:${sv.mtimeMs}|${p.merges}:${sm.size}:${sm.mtimeMs}|${manifest.tokenizer.bos},${manifest.tokenizer.eos},${manifest.tokenizer.vocabSize}`;
  let found = tokenizerChecks.get(key);
  if (found === undefined) {
    try {
      loadClipTokenizer(p, manifest.tokenizer);
      found = null;
    } catch (e) {
      found = (e as Error).message;
    }
    tokenizerChecks.set(key, found);
  }
  return found;
}

/**
 * What is wrong with an installed model file that is there (null when nothing): the wrong size,
 * or ONNX external data it references that is missing, short or not of the pinned size. The
 * references are read from the file once per change of it (no hashing).
 */
function installedFileProblem(p: string, st: fs.Stats, f: ModelFile): string | null {
  if (!st.isFile()) return 'is not a regular file';
  if (f.bytes !== null && st.size !== f.bytes) return 'has the wrong size';
  const refs = externalRefsCached(p, st);
  if (typeof refs === 'string') return `cannot be read as an ONNX model (${refs})`;
  if (refs.length === 0) return null;
  const { files, problems } = externalDataProblems(refs, path.dirname(p));
  const said = problems.map((x) => (x.kind === 'missing'
    ? `references external data ${x.location}, which is missing`
    : x.kind === 'truncated' ? `references external data ${x.location}, which is too short (${x.found}, ${x.expected})`
      : `has an unusable external data reference (${x.found})`));
  for (const u of files) {
    const pin = f.externalData.find((x) => x.location === u.rel);
    if (!pin || pin.bytes === null || problems.some((x) => x.location === u.location)) continue;
    const size = fs.statSync(path.join(path.dirname(p), u.rel)).size;
    if (size !== pin.bytes) said.push(`references external data ${u.location}, which has the wrong size`);
  }
  return said.length ? said.join(', ') : null;
}

/**
 * Cheap, synchronous install state of every manifest (presence and size, external data files'
 * presence and size; no hashing; tokenizer files and ONNX tensor lists read once per change of
 * the files).
 */
export function listModels(opts: StoreOptions = {}): InstalledModel[] {
  return storeManifests(opts).map((m) => {
    const files = m.files.map((f) => {
      const p = installedPath(m, f, opts);
      let st: fs.Stats | null = null;
      try { st = fs.statSync(p); } catch { st = null; }
      const problem = st ? installedFileProblem(p, st, f) : null;
      return { name: f.name, role: f.role, path: p, present: st !== null && problem === null, ...(problem ? { damaged: true, problem } : {}) };
    });
    const n = files.filter((f) => f.present).length;
    const tok = n > 0 ? tokenizerProblem(m, opts) : undefined;
    const state = files.some((f) => f.damaged) || (n === files.length && tok) ? 'damaged' : n === files.length ? 'complete' : n === 0 ? 'absent' : 'partial';
    const reason = state === 'damaged'
      ? [...files.filter((f) => f.damaged).map((f) => `${f.name} ${f.problem}`), ...(tok ? [`its tokenizer files cannot be read: ${tok}`] : [])].join('; ')
      : state === 'partial' ? `${files.filter((f) => !f.present).map((f) => f.name).join(', ')} missing` : undefined;
    return {
      id: m.id, name: m.name, task: m.task, licence: m.licence.spdx, state,
      installed: files.every((f) => f.present || f.damaged), ...(reason ? { reason } : {}),
      files, ...(tok ? { tokenizerProblem: tok } : {}),
    } as InstalledModel;
  });
}

/** Result of {@link removeModel}. */
export type RemoveResult =
  | { ok: true; removed: string }
  | { ok: false; code: 'unknown_model' | 'not_installed'; message: string };

/**
 * Remove one installed model: its folder `<models>/<id>` with every file in it (external data and
 * tokenizer files too). `id` is a manifest id, or the name of a folder in the models folder that
 * no manifest names any more; nothing outside the models folder is touched.
 */
export function removeModel(id: string, opts: StoreOptions = {}): RemoveResult {
  const dir = path.join(modelsDir(opts), id);
  const known = storeManifests(opts).map((m) => m.id);
  const exists = /^[a-z0-9][a-z0-9-]*$/.test(id) && fs.existsSync(dir) && fs.statSync(dir).isDirectory();
  if (!known.includes(id) && !exists) return { ok: false, code: 'unknown_model', message: `${id} is not a known model (known: ${known.join(', ') || 'none'})` };
  if (!exists) return { ok: false, code: 'not_installed', message: `${id} is not installed (nothing in ${dir})` };
  fs.rmSync(dir, { recursive: true, force: true });
  return { ok: true, removed: dir };
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
    // The tokenizer files, read as the refiner reads them (a damaged vocab.json had verified "ok"
    // while every final's refinement failed on it).
    let checked = present.length;
    for (const f of m.files) {
      const p = installedPath(m, f, opts);
      if (fs.existsSync(p)) checked += (await checkExternalData(p, f, false)).files.length;
    }
    if (m.tokenizer) {
      const p = tokenizerPaths(installedDir(m, opts), m.tokenizer);
      // (Without both, the refiner uses the empty prompt: nothing to check.)
      if (fs.existsSync(p.vocab) && fs.existsSync(p.merges)) {
        checked += 2;
        try {
          loadClipTokenizer(p, m.tokenizer);
        } catch (e) {
          issues.push(issue(CHECK_CODES.tokenizer, p.vocab, 'tokenizer files', `CLIP BPE files matching ${m.id}'s manifest`, (e as Error).message));
        }
      }
    }
    out.push({ id: m.id, checked, issues });
  }
  return out;
}
