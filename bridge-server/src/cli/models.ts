/**
 * `smartdrag models list | add <file-or-dir> | remove <id> | verify`: manage the learned models folder
 * (`$SMARTDRAG_HOME/models`, default $XDG_CONFIG_HOME/smartdrag/models or ~/.config/smartdrag/models). `add` copies files in only
 * after they match a manifest (sha256, size, input/output names, dtypes, shapes); every problem
 * is printed with the file, what was expected and what was found. A model file with ONNX external
 * data is installed with every data file it references (store.ts `addModels`).
 */
import { existsSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import { addModels, describeStages, LEARNED_STAGE_NAMES, ManifestError, modelsDir, removeModel, storeManifests, verifyModels } from '../models';
import { smartdragHome } from '../config';
import { CliError, homeWriteError } from './errors';
import type { StoreOptions } from '../models';

/** Where the command writes (tests capture it) and which folders it uses. */
export interface ModelsCliIo {
  out?: (text: string) => void;
  err?: (text: string) => void;
  /** Defaults for `--home` / `--manifests`. */
  store?: StoreOptions;
  /** Receives the exit code (default: sets `process.exitCode`). */
  exit?: (code: number) => void;
}

/** Options shared by the subcommands. */
export interface ModelsCliOptions {
  home?: string;
  manifests?: string;
  json?: boolean;
  model?: string;
}

const outOf = (io: ModelsCliIo) => io.out ?? ((t: string) => { process.stdout.write(t); });
const errOf = (io: ModelsCliIo) => io.err ?? ((t: string) => { process.stderr.write(t); });
const storeOf = (o: ModelsCliOptions, io: ModelsCliIo): StoreOptions => ({
  ...io.store,
  ...(o.home ? { home: o.home } : {}),
  ...(o.manifests ? { manifestsDir: o.manifests } : {}),
});

/**
 * What is wrong with the options, said before anything runs: a `--manifests` folder that is not
 * one (the list was empty and the command exited 0), a `--model` no manifest names (add rejected
 * every file as not matching, without saying the id was unknown).
 */
function optionProblem(o: ModelsCliOptions, io: ModelsCliIo): string | null {
  if (o.manifests && !(existsSync(o.manifests) && statSync(o.manifests).isDirectory())) return `--manifests ${o.manifests} is not a folder`;
  // A manifest that is not valid JSON or not a manifest: said with its code and what to do (add
  // and verify ended in an uncoded "smartdrag: … is not valid JSON"; list showed no model and exited 0).
  try {
    storeManifests(storeOf(o, io));
  } catch (e) {
    if (!(e instanceof ManifestError)) throw e;
    return `${e.message} [${e.code}]\n  hint: fix or remove that file (manifests come from --manifests, else $SMARTDRAG_MANIFESTS, else the built-in models/ folder)`;
  }
  if (o.model) {
    const ids = describeStages(storeOf(o, io)).models.map((m) => m.id);
    if (!ids.includes(o.model)) return `--model ${o.model} is not a known model (known: ${ids.join(', ') || 'none'})`;
  }
  return null;
}

/** `models list`: every known model, its install state, and which stages are on. Returns the exit code. */
export function runModelsList(o: ModelsCliOptions, io: ModelsCliIo = {}): number {
  const bad = optionProblem(o, io);
  if (bad) { errOf(io)(`smartdrag models list: ${bad}\n`); return 1; }
  const out = outOf(io);
  const d = describeStages(storeOf(o, io));
  if (o.json) {
    out(`${JSON.stringify(d, null, 2)}\n`);
    return 0;
  }
  out(`models folder: ${d.modelsDir}\n`);
  for (const m of d.models) {
    out(`  ${m.id.padEnd(14)} ${m.task.padEnd(8)} ${m.state.padEnd(9)} ${m.licence.padEnd(22)} ${m.name}\n`);
    // What is wrong with a damaged or partial model, under its row (its stage may be on with another model).
    if (m.reason) out(`  ${''.padEnd(14)} ${m.state}: ${m.reason}\n`);
  }
  const s = d.stages;
  const line = (k: string, v: { enabled: boolean; model?: string; reason?: string }) => `  ${k.padEnd(8)} ${v.enabled ? `on (${v.model ?? 'built-in'})` : 'off'}${v.reason ? ` - ${v.reason}` : ''}\n`;
  // This command does not start onnxruntime: the execution provider is probed by `smartdrag serve`.
  const device = d.deviceReason.startsWith('execution provider not probed') ? 'execution provider not probed here; the bridge probes it at start and /v1/health reports it' : `device ${d.device}: ${d.deviceReason}`;
  out(`stages (${device}):\n${LEARNED_STAGE_NAMES.map((k) => line(k, s[k])).join('')}`);
  return 0;
}

/** `models add <file-or-dir>`. Returns the exit code (0 installed, 1 rejected). */
export async function runModelsAdd(target: string, o: ModelsCliOptions, io: ModelsCliIo = {}): Promise<number> {
  const bad = optionProblem(o, io);
  if (bad) {
    const [first, ...rest] = bad.split('\n');
    errOf(io)(`smartdrag models add: ${first} (nothing was copied)\n${rest.map((l) => `${l}\n`).join('')}`);
    return 1;
  }
  const store = storeOf(o, io);
  let r;
  try {
    r = await addModels(target, { ...store, modelId: o.model });
  } catch (e) {
    // A models folder that cannot be written (EACCES, a file in the way, a full disk): said with a
    // code, the path and SMARTDRAG_HOME, not as a raw errno line.
    const coded = homeWriteError(e, store.home ?? smartdragHome(), `the models folder ${modelsDir(store)}`);
    if (!(coded instanceof CliError)) throw e;
    errOf(io)(`smartdrag models add: ${coded.message} [${coded.code}] (nothing was installed)\n  hint: ${coded.hint}\n`);
    return 1;
  }
  if (o.json) {
    outOf(io)(`${JSON.stringify(r, null, 2)}\n`);
    return r.ok ? 0 : 1;
  }
  if (!r.ok) {
    const err = errOf(io);
    err(`smartdrag models add: rejected ${target} (nothing was copied):\n`);
    for (const i of r.issues) err(`  [${i.code}] ${i.message}\n`);
    return 1;
  }
  for (const p of r.installed) outOf(io)(`installed ${p}\n`);
  return 0;
}

/** `models verify`: re-hash and re-check every installed file. Returns the exit code. */
export async function runModelsVerify(o: ModelsCliOptions, io: ModelsCliIo = {}): Promise<number> {
  const wrong = optionProblem(o, io);
  if (wrong) { errOf(io)(`smartdrag models verify: ${wrong}\n`); return 1; }
  const r = await verifyModels(storeOf(o, io));
  const bad = r.some((m) => m.issues.length > 0);
  if (o.json) {
    outOf(io)(`${JSON.stringify(r, null, 2)}\n`);
    return bad ? 1 : 0;
  }
  if (r.length === 0) outOf(io)('no models installed\n');
  for (const m of r) {
    if (m.issues.length === 0) outOf(io)(`${m.id}: ok (${m.checked} file${m.checked === 1 ? '' : 's'})\n`);
    else {
      errOf(io)(`${m.id}: ${m.issues.length} problem${m.issues.length === 1 ? '' : 's'}\n`);
      for (const i of m.issues) errOf(io)(`  [${i.code}] ${i.message}\n`);
    }
  }
  return bad ? 1 : 0;
}

/** `models remove <id>`: delete an installed model's folder. Returns the exit code. */
export function runModelsRemove(id: string, o: ModelsCliOptions, io: ModelsCliIo = {}): number {
  const bad = optionProblem(o, io);
  if (bad) { errOf(io)(`smartdrag models remove: ${bad}\n`); return 1; }
  const store = storeOf(o, io);
  let r;
  try {
    r = removeModel(id, store);
  } catch (e) {
    const coded = homeWriteError(e, store.home ?? smartdragHome(), `the models folder ${modelsDir(store)}`);
    if (!(coded instanceof CliError)) throw e;
    errOf(io)(`smartdrag models remove: ${coded.message} [${coded.code}]\n  hint: ${coded.hint}\n`);
    return 1;
  }
  if (!r.ok) { errOf(io)(`smartdrag models remove: ${r.message} [${r.code}]\n`); return 1; }
  outOf(io)(`removed ${r.removed}\n`);
  // The edit workers keep the models they loaded at start.
  errOf(io)('restart a running bridge (smartdrag serve) to stop it using the model: its edit workers chose their models when they started\n');
  return 0;
}

/** Register `smartdrag models ...` on the CLI program. */
export function registerModels(program: Command, io: ModelsCliIo = {}): void {
  const exit = io.exit ?? ((code: number) => { process.exitCode = code; });
  const models = program.command('models').description('manage learned model files (MI-GAN, LaMa, SD-1.5 inpainting)');
  const common = (c: Command): Command => c
    .option('--home <dir>', 'SmartDrag home (default $SMARTDRAG_HOME, else $XDG_CONFIG_HOME/smartdrag, else ~/.config/smartdrag)')
    .option('--manifests <dir>', 'folder of model manifests (default: the built-in models/)');
  common(models.command('list').description('list known models, their install state and the learned stages'))
    .option('--json', 'machine-readable output')
    .action((o: ModelsCliOptions) => { exit(runModelsList(o, io)); });
  common(models.command('add').argument('<file-or-dir>', 'an .onnx file, or a folder of them (Optimum export layout accepted)')
    .description('check files against their manifest and copy them into the models folder'))
    .option('--model <id>', 'only match files against this manifest')
    .option('--json', 'machine-readable output')
    .action(async (target: string, o: ModelsCliOptions) => { exit(await runModelsAdd(target, o, io)); });
  common(models.command('remove').argument('<id>', 'the model id `models list` shows (e.g. lama)')
    .description('delete an installed model (its folder in the models folder, every file in it)'))
    .action((id: string, o: ModelsCliOptions) => { exit(runModelsRemove(id, o, io)); });
  common(models.command('verify').description('re-check sha256 and contracts of installed models'))
    .option('--json', 'machine-readable output')
    .action(async (o: ModelsCliOptions) => { exit(await runModelsVerify(o, io)); });
}
