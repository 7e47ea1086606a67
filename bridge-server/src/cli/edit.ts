/**
 * `smartdrag edit`: run one drag case in-process (or through a running bridge with `--server`),
 * write `<out>/layer.png` (document size, only changed pixels, alpha 0 elsewhere) and
 * `<out>/edited.png` (the original with layer.png over it: what a host shows once the layer is
 * added, the same in both modes), print the plan and the timings.
 *
 * In-process, the learned stages run as in the bridge's edit workers: the installed models
 * (`initLearnedStages`, final quality only), each timed as `learned.<stage>`, with the same plan
 * warnings when one cannot run; `--no-learned` turns them off.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import WebSocket from 'ws';
import { BridgeClient, overallProgress, progressText, previewProxyInput, type BridgeJob, type SelfCheckInfo, type SubmitInput, type WebSocketConstructor, type WireOperation, type WirePlan } from '@smartdrag/shared';
import { caseToRequest, parseDragCase, type DragCase } from '../core/case';
import { bridgeEditOptions, runEdit } from '../core/edit';
import { makePlan } from '../core/plan';
import { DOUBTFUL_BADNESS, wireCheck } from '../core/self-check';
import { downscaleImage, PROXY_MAX_PIXELS } from '../core/proxy';
import { countChangedPixels } from '../core/image';
import type { Plan, RgbaImage, Timings } from '../core/types';
import { readImage } from '../io/image-io';
import { bridgeVersion, ensureToken, smartdragHome } from '../config';
import { describeStages, initLearnedStages, LEARNED_STAGE_NAMES, type LearnedStageName, type LearnedStages, type StagesDescription } from '../models';
import { checkCaseImageSize, CliError, CliErrorCode, homeWriteError, readCaseJson, readImageOrExplain, validateCase, writeOrExplain } from './errors';
import { compositeOver, formatTimings, layerAtDocumentSize, removePendingOutputs, writeOutputs } from './outputs';

/** Options of {@link runEditCommand}. */
export interface EditCommandOptions {
  case: string;
  out: string;
  image?: string;
  quality: 'preview' | 'final';
  seed?: number;
  json?: boolean;
  /** Bridge ws URL (`ws://127.0.0.1:7341/v1/ws`); in-process when absent. */
  server?: string;
  token?: string;
  /**
   * Preview only: run on a proxy of at most this many pixels when the document is about 4× larger
   * or more (core/proxy.ts); outputs are then proxy-size. 0 = full resolution. Default about 1 MP.
   */
  previewMaxPixels?: number;
  /** Where the live progress line goes (default stderr); drawn only on a terminal. */
  progress?: { write(s: string): unknown; isTTY?: boolean };
  /** In-process: run the installed learned stages (default true; `--no-learned`). */
  learned?: boolean;
  /**
   * Which of the plan's readings to carry out (`--reading`): 0 = the first (default), i = its
   * i-th alternative, as the text output lists them ("or (--reading i): …").
   */
  reading?: number;
}

/**
 * The edit's progress as one redrawn line on a terminal (`Filling… 45%`, `Sending… 30%`), cleared
 * when the edit ends; nothing when the stream is not a terminal (scripts and pipes stay clean).
 */
function progressLine(stream: { write(s: string): unknown; isTTY?: boolean } = process.stderr) {
  let overall = 0, last = '';
  const show = (line: string): void => { if (stream.isTTY && line !== last) { stream.write(`\r\x1b[2K${line}`); last = line; } };
  return {
    stage: (stage: string, f: number): void => { overall = overallProgress(stage, f, overall); show(progressText(stage, overall)); },
    upload: (f: number): void => { if (overall === 0) show(`Sending to the bridge… ${Math.round(f * 100)}%`); },
    queued: (position: number): void => { if (position > 0) show(`Queued (${position} ahead)`); },
    end: (): void => { if (last) stream.write('\r\x1b[2K'); last = ''; },
  };
}

/** The machine-readable summary (`--json`). */
export interface EditSummary {
  case: string;
  mode: 'in-process' | 'server';
  plan: Plan;
  timings: Timings;
  layer: { left: number; top: number; width: number; height: number };
  changedPixels: number;
  outputs: { edited: string; layer: string };
  /** Set when a preview ran on a proxy: its size and scale; `layer`, `edited.png` and `layer.png` are in proxy pixels. */
  proxy?: { width: number; height: number; scaleX: number; scaleY: number };
  /** The self-check of the result (core/self-check.ts); null when nothing was edited (an empty crop). */
  check?: SelfCheckInfo | null;
}

/** Resolve a case's image: relative to the folder that contains the case's `cases/` folder. */
export function caseImagePath(caseFile: string, c: DragCase): string {
  return resolve(dirname(resolve(caseFile)), '..', c.image);
}

/** The bridge token: `--token`, else the local token file (created on first use). */
function localToken(): string {
  const home = smartdragHome();
  try {
    return ensureToken(home);
  } catch (e) {
    throw homeWriteError(e, home, 'the token file');
  }
}

/**
 * The learned stages an in-process final runs: those installed, built as the edit worker builds
 * them; null when none is on (nothing is loaded then). A failure to start them is a plan warning
 * and the classical stages run, as in the bridge.
 */
async function inProcessLearned(o: EditCommandOptions): Promise<{ stages: LearnedStages | null; warnings: string[] }> {
  if (o.quality !== 'final' || o.learned === false) return { stages: null, warnings: [] };
  const d = describeStages();
  const warnings = offStageWarnings(d);
  if (!LEARNED_STAGE_NAMES.some((k) => d.stages[k].enabled)) return { stages: null, warnings };
  try {
    return { stages: await initLearnedStages(), warnings };
  } catch (e) {
    return { stages: null, warnings: [...warnings, `The learned stages could not start (${(e as Error)?.message ?? String(e)}); the classical stages ran. \`smartdrag models verify\` checks the installed models.`] };
  }
}

/**
 * A learned stage that is off although its model is installed — the model damaged (a file of the
 * wrong size, unreadable, its external data missing) or partly installed, or the manifests
 * unreadable — as a plan warning: an in-process edit has no `/v1/health` to read, and a final
 * made without the model the user installed had said nothing at all. Stages off because no model
 * is installed are not mentioned (that is the default).
 */
export function offStageWarnings(d: StagesDescription): string[] {
  const what: Record<LearnedStageName, { name: string; instead: string }> = {
    inpaint: { name: 'learned inpainting', instead: 'the classical filler filled the vacated area' },
    refine: { name: 'learned refinement', instead: 'the result is not refined' },
  };
  const out: string[] = [];
  for (const k of LEARNED_STAGE_NAMES) {
    const s = d.stages[k];
    if (s.enabled || !s.reason || !/^(damaged|incomplete install|model manifests unreadable)/.test(s.reason)) continue;
    out.push(`The ${what[k].name} is off (${s.reason}); ${what[k].instead}.`);
  }
  return out;
}

/** How long Ctrl-C waits for the bridge to confirm the cancel of a `--server` job before exiting anyway. */
const CANCEL_WAIT_MS = 2000;

/**
 * The `--server` job being run, if any, and whether Ctrl-C came: Ctrl-C cancels the job at the
 * bridge (a closed socket alone does not: the bridge keeps a job running for a client that
 * reconnects to collect it, so the edit went on taking a worker until it ended).
 */
const interrupt = { job: null as BridgeJob | null, requested: false };

/**
 * While `edit` runs, Ctrl-C stops it: a `--server` job is cancelled at the bridge (its worker is
 * free at once), the temporary files of a write in progress are removed, the earlier outputs stay
 * as they were, and the process exits 130 (128 + SIGINT). Returns the remover.
 */
function onInterrupt(out: string): () => void {
  const exit = (note: string): void => {
    process.stderr.write(`\nsmartdrag: interrupted${note}; nothing was written (earlier outputs in ${out} are as they were)\n`);
    process.exit(130);
  };
  const stop = (): void => {
    interrupt.requested = true;
    removePendingOutputs();
    const job = interrupt.job;
    if (!job) { exit(''); return; }
    job.cancel();
    // The job ends once the bridge answers the cancel (at once when it had not been sent yet).
    const waited = setTimeout(() => exit('; the bridge did not confirm the cancel of its job'), CANCEL_WAIT_MS);
    void job.result.then(() => undefined, () => undefined).then(() => { clearTimeout(waited); exit('; the job at the bridge was cancelled'); });
  };
  process.once('SIGINT', stop);
  return () => { process.removeListener('SIGINT', stop); };
}

async function viaServer(o: EditCommandOptions, c: DragCase, image: RgbaImage, line: ReturnType<typeof progressLine>) {
  const client = new BridgeClient({
    url: o.server!, token: o.token ?? localToken(), client: 'cli', clientVersion: bridgeVersion(),
    WebSocketImpl: WebSocket as unknown as WebSocketConstructor, reconnect: false,
  });
  try {
    await client.connect();
    const budget = proxyBudget(o);
    const input: SubmitInput = {
      image, regions: c.regions, drags: c.drags, ...(c.keep ? { keep: c.keep } : {}),
      ...(c.intent !== undefined ? { intent: c.intent } : {}), quality: o.quality, ...(o.seed !== undefined ? { seed: o.seed } : {}),
      ...(budget !== undefined ? { previewMaxPixels: budget } : {}),
    };
    // A preview of a document ≥ about 4× the budget goes as the CLI's own proxy (job.submit
    // `proxyOf`), as the panels send theirs: the bridge gets ≤ budget pixels, not the document.
    const sent = budget !== undefined ? previewProxyInput(input, budget) ?? input : input;
    if (o.reading) {
      // The bridge's readings first: the same job, cancelled once its plan is heard.
      let heard: WirePlan | undefined;
      const planJob = client.submit(sent, { onPlan: (p) => { heard = p; planJob.cancel(); }, onUpload: line.upload, onQueued: line.queued });
      interrupt.job = planJob;
      const done = await planJob.result.then((r) => r.plan, (e: unknown) => (heard ? undefined : interrupt.requested ? new Promise<never>(() => undefined) : Promise.reject(e)));
      sent.reading = chosenReading(o.reading, (heard ?? done)! as Plan).operations as WireOperation[];
    }
    const job = client.submit(sent, { onProgress: line.stage, onUpload: line.upload, onQueued: line.queued });
    interrupt.job = job;
    // After Ctrl-C the job's end (cancelled) is the interrupt's to report, not an error: wait for the exit.
    return await job.result.catch((e: unknown) => (interrupt.requested ? new Promise<never>(() => undefined) : Promise.reject(e)));
  } finally {
    interrupt.job = null;
    if (!interrupt.requested) client.close();
  }
}

/**
 * The reading `n` of a plan (0: the plan itself, i: its i-th alternative); a coded error naming
 * the readings there are when it has no such one.
 */
export function chosenReading(n: number, plan: Plan): Plan {
  if (n === 0) return plan;
  const alt = plan.alternatives?.[n - 1];
  if (alt) return alt;
  const k = plan.alternatives?.length ?? 0;
  throw new CliError(CliErrorCode.option_invalid, `--reading ${n}: the plan has ${k === 0 ? 'no other reading' : `${k} other reading${k > 1 ? 's' : ''} (--reading 1${k > 1 ? `..${k}` : ''})`}`,
    'run the case without --reading to see its readings ("or (--reading i): …" under the plan)');
}

/** The proxy budget a preview asks for (none for final quality or `--preview-max-pixels 0`). */
function proxyBudget(o: EditCommandOptions): number | undefined {
  if (o.quality !== 'preview') return undefined;
  const n = o.previewMaxPixels ?? PROXY_MAX_PIXELS;
  return n > 0 ? n : undefined;
}

/** Run the command; returns the summary (also printed). */
export async function runEditCommand(o: EditCommandOptions, print: (s: string) => void = (s) => process.stdout.write(s + '\n')): Promise<EditSummary> {
  const release = onInterrupt(o.out);
  try {
    return await editCommand(o, print);
  } finally {
    release();
  }
}

async function editCommand(o: EditCommandOptions, print: (s: string) => void): Promise<EditSummary> {
  // `--no-learned` is this process's switch: a bridge runs the learned stages its own `serve`
  // was started with, and the job message has no field to turn them off — with --server the
  // option was ignored and the bridge's models ran anyway.
  if (o.server && o.learned === false) {
    throw new CliError(CliErrorCode.option_unsupported, '--no-learned applies to an in-process edit only: with --server the bridge runs the learned stages it was started with',
      'drop --server to edit in-process without them, or restart the bridge with `smartdrag serve --no-learned`');
  }
  const raw = readCaseJson(o.case, () => readFileSync(o.case, 'utf8'));
  const c = validateCase(o.case, () => parseDragCase(raw));
  const imageFile = o.image ? resolve(o.image) : caseImagePath(o.case, c);
  const image = await readImageOrExplain(imageFile, !o.image, () => readImage(imageFile));
  checkCaseImageSize(c.id, c.size, imageFile, image);
  let plan: Plan, timings: Timings, edited: RgbaImage, layerDoc: RgbaImage, rect: EditSummary['layer'];
  let check: SelfCheckInfo | null | undefined;
  let proxy: EditSummary['proxy'];
  // The document the outputs show: the image itself, or its proxy when a preview ran on one.
  let shown = image;
  const line = progressLine(o.progress);
  if (o.server) {
    const r = await viaServer(o, c, image, line).finally(line.end);
    plan = r.plan as Plan;
    timings = r.timings;
    if (r.check !== undefined) check = r.check;
    if (r.layer.proxy) { proxy = r.layer.proxy; shown = downscaleImage(image, r.layer.proxy); }
    rect = { left: r.layer.left, top: r.layer.top, width: r.layer.width, height: r.layer.height };
    layerDoc = layerAtDocumentSize(shown, { left: r.layer.left, top: r.layer.top, image: { width: r.layer.width, height: r.layer.height, data: r.layer.data } });
  } else {
    let req = caseToRequest(c, image, { quality: o.quality, ...(o.seed !== undefined ? { seed: o.seed } : {}) });
    if (o.reading) req = { ...req, reading: chosenReading(o.reading, await makePlan(req)).operations };
    const budget = proxyBudget(o);
    const learned = await inProcessLearned(o);
    const learnedTimings: Record<string, number> = {};
    try {
      const res = await runEdit(req, {
        ...bridgeEditOptions(req.quality), ...(budget !== undefined ? { proxyMaxPixels: budget } : {}),
        ...learned.stages?.editOptions(learnedTimings), onProgress: line.stage,
      }).finally(line.end);
      plan = learned.warnings.length ? { ...res.plan, warnings: [...res.plan.warnings, ...learned.warnings] } : res.plan;
      // (As the edit worker reports them: the learned stages' milliseconds beside the core's.)
      timings = { ...res.timings, ...learnedTimings };
      if (res.check !== undefined) check = res.check && wireCheck(res.check);
      if (res.proxy) { proxy = res.proxy; shown = downscaleImage(image, res.proxy); }
      rect = { left: res.layer.left, top: res.layer.top, width: res.layer.image.width, height: res.layer.image.height };
      layerDoc = layerAtDocumentSize(shown, res.layer);
    } finally {
      await learned.stages?.close();
    }
  }
  // What a host shows once the layer is added above the original, the same in both modes: where
  // the edit made pixels more transparent the layer cannot erase, and the plan says so.
  edited = compositeOver(shown, layerDoc);
  const outputs = await writeOrExplain(o.out, () => writeOutputs(o.out, edited, layerDoc));
  const summary: EditSummary = {
    case: c.id, mode: o.server ? 'server' : 'in-process', plan, timings, layer: rect,
    changedPixels: countChangedPixels(shown, edited), outputs, ...(proxy ? { proxy } : {}), ...(check !== undefined ? { check } : {}),
  };
  if (o.json) {
    print(JSON.stringify(summary));
  } else {
    print(`case ${c.id} (${image.width}x${image.height}, ${o.quality}, ${summary.mode})`);
    if (proxy) {
      print(`preview on a ${proxy.width}x${proxy.height} proxy (1/${(1 / proxy.scaleX).toFixed(2)} scale): edited.png, layer.png and the layer offset are in proxy pixels (--preview-max-pixels 0 previews at full resolution)`);
    }
    print(`plan (read by ${plan.reasoner ?? 'rules'}${c.drags.length === 0 ? ', text alone: no arrow' : ''}):`);
    for (const op of plan.operations) print(`  - [${op.kind}] ${op.description} (${op.source}: ${op.reason})`);
    for (const w of plan.warnings) print(`  ! ${w}`);
    // The other readings, and how to carry one out (the panels' "Or did you mean …").
    (plan.alternatives ?? []).forEach((a, i) => print(`  or (--reading ${i + 1}): ${a.operations.map((op) => `[${op.kind}] ${op.description}`).join(' + ')}`));
    print('timings (ms): ' + formatTimings(timings));
    print(`changed pixels: ${summary.changedPixels}`);
    if (check) {
      print(`self-check: ${check.doubtful ? 'DOUBTFUL' : 'ok'} (badness ${check.badness.toFixed(2)}: filled ${(100 * check.synthesized).toFixed(0)}%, smeared block ${check.smearedBlock.toFixed(2)}, tear ${check.tear.toFixed(2)}, seam ${(check.seam ?? 0).toFixed(2)}, stretch ${check.stretch.toFixed(1)}×; doubtful from ${DOUBTFUL_BADNESS})`);
    } else if (check === null) print('self-check: not run (nothing was edited)');
    print(`layer: ${rect.width}x${rect.height} at offset (${rect.left}, ${rect.top}); layer.png is drawn at ${proxy ? 'proxy' : 'document'} size`);
    print(`wrote ${outputs.edited}`);
    print(`wrote ${outputs.layer}`);
  }
  return summary;
}
