/**
 * `smartdrag edit`: run one drag case in-process (or through a running bridge with `--server`),
 * write `<out>/edited.png` (the whole document with the edit) and `<out>/layer.png` (document
 * size, only changed pixels, alpha 0 elsewhere), print the plan and the timings.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import WebSocket from 'ws';
import { BridgeClient, type WebSocketConstructor } from '@smartdrag/shared';
import { caseToRequest, parseDragCase, type DragCase } from '../core/case';
import { runEdit } from '../core/edit';
import { countChangedPixels } from '../core/image';
import type { Plan, RgbaImage, Timings } from '../core/types';
import { readImage } from '../io/image-io';
import { ensureToken, smartdragHome } from '../config';
import { readCaseJson, readImageOrExplain, validateCase, writeOrExplain } from './errors';
import { compositeOver, layerAtDocumentSize, pasteCrop, writeOutputs } from './outputs';

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
}

/** Resolve a case's image: relative to the folder that contains the case's `cases/` folder. */
export function caseImagePath(caseFile: string, c: DragCase): string {
  return resolve(dirname(resolve(caseFile)), '..', c.image);
}

async function viaServer(o: EditCommandOptions, c: DragCase, image: RgbaImage) {
  const client = new BridgeClient({
    url: o.server!, token: o.token ?? ensureToken(smartdragHome()), client: 'cli',
    WebSocketImpl: WebSocket as unknown as WebSocketConstructor, reconnect: false,
  });
  try {
    await client.connect();
    const job = client.submit({
      image, regions: c.regions, drags: c.drags, ...(c.keep ? { keep: c.keep } : {}),
      ...(c.intent !== undefined ? { intent: c.intent } : {}), quality: o.quality, ...(o.seed !== undefined ? { seed: o.seed } : {}),
    });
    const r = await job.result;
    return r;
  } finally {
    client.close();
  }
}

/** Run the command; returns the summary (also printed). */
export async function runEditCommand(o: EditCommandOptions, print: (s: string) => void = (s) => process.stdout.write(s + '\n')): Promise<EditSummary> {
  const raw = readCaseJson(o.case, () => readFileSync(o.case, 'utf8'));
  const c = validateCase(o.case, () => parseDragCase(raw));
  const imageFile = o.image ? resolve(o.image) : caseImagePath(o.case, c);
  const image = await readImageOrExplain(imageFile, !o.image, () => readImage(imageFile));
  let plan: Plan, timings: Timings, edited: RgbaImage, layerDoc: RgbaImage, rect: EditSummary['layer'];
  if (o.server) {
    const r = await viaServer(o, c, image);
    plan = r.plan as Plan;
    timings = r.timings;
    rect = { left: r.layer.left, top: r.layer.top, width: r.layer.width, height: r.layer.height };
    layerDoc = layerAtDocumentSize(image, { left: r.layer.left, top: r.layer.top, image: { width: r.layer.width, height: r.layer.height, data: r.layer.data } });
    edited = compositeOver(image, layerDoc);
  } else {
    const req = caseToRequest(c, image, { quality: o.quality, ...(o.seed !== undefined ? { seed: o.seed } : {}) });
    const res = await runEdit(req);
    plan = res.plan;
    timings = res.timings;
    rect = { left: res.layer.left, top: res.layer.top, width: res.layer.image.width, height: res.layer.image.height };
    edited = pasteCrop(image, res.edited, res.crop.left, res.crop.top);
    layerDoc = layerAtDocumentSize(image, res.layer);
  }
  const outputs = await writeOrExplain(o.out, () => writeOutputs(o.out, edited, layerDoc));
  const summary: EditSummary = {
    case: c.id, mode: o.server ? 'server' : 'in-process', plan, timings, layer: rect,
    changedPixels: countChangedPixels(image, edited), outputs,
  };
  if (o.json) {
    print(JSON.stringify(summary));
  } else {
    print(`case ${c.id} (${image.width}x${image.height}, ${o.quality}, ${summary.mode})`);
    print(`plan (read by ${plan.reasoner ?? 'rules'}${c.drags.length === 0 ? ', text alone: no arrow' : ''}):`);
    for (const op of plan.operations) print(`  - [${op.kind}] ${op.description} (${op.source}: ${op.reason})`);
    for (const w of plan.warnings) print(`  ! ${w}`);
    print('timings (ms): ' + Object.entries(timings).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', '));
    print(`changed pixels: ${summary.changedPixels}`);
    print(`layer: ${rect.width}x${rect.height} at offset (${rect.left}, ${rect.top}); layer.png is drawn at document size`);
    print(`wrote ${outputs.edited}`);
    print(`wrote ${outputs.layer}`);
  }
  return summary;
}
