/**
 * Composition root: the one place that wires configuration, logging, the learned-stage report
 * and the bridge together. Used by `smartdrag serve` and `npm start`.
 *
 * Learned stages run inside each edit worker (onnxruntime sessions belong to one thread; see
 * server/edit-worker.ts). Here, `describeStages()` (cheap: file presence only) tells `welcome` and
 * `/v1/health` which stages are on or off and why, with the device the workers probed.
 */
import type { Capabilities } from '@smartdrag/shared';
import { loadConfig, type BridgeConfig, type LoadConfigInput } from './config';
import { createLogger, type Logger } from './log';
import { describeStages, LEARNED_STAGE_NAMES, LEARNED_STAGES, type StageInfo, type StagesDescription } from './models';
import { createBridge, type Bridge } from './server';
import type { WorkerStages } from './server/worker-protocol';

/** A started bridge with what built it. */
export interface StartedBridge {
  bridge: Bridge;
  config: BridgeConfig;
  logger: Logger;
  url: string;
  wsUrl: string;
  port: number;
}

/**
 * Capabilities for `welcome` and `/v1/health`: installed models and stages from
 * {@link describeStages}, the device the edit workers probed, and a stage is on only when the
 * workers really built it (`workers` null = none ready yet: device not probed).
 */
export function learnedCapabilities(config: Pick<BridgeConfig, 'home' | 'learnedStages'>, workers: WorkerStages | null): Capabilities {
  let d: StagesDescription;
  try {
    d = describeStages({ home: config.home, ...(workers ? { probe: { device: workers.device === 'cuda' ? 'cuda' : 'cpu', reason: workers.deviceReason, backends: [] } } : {}) });
  } catch (e) {
    return { device: workers?.device ?? 'cpu', stages: { inpaint: false, refine: false }, models: [], deviceReason: `model store unreadable: ${(e as Error).message}` };
  }
  const off = (reason: string) => ({ enabled: false, reason });
  const stage = (info: StageInfo, built: boolean | undefined): StageInfo => {
    if (!config.learnedStages) return off('learned stages turned off (smartdrag serve --no-learned)');
    if (!info.enabled) return info;
    if (workers?.error) return off(`the edit workers could not start learned stages: ${workers.error}`);
    // The workers pick their models when they start: a model on disk they did not take was
    // installed (or completed) after that.
    if (workers && !built) return off(`${info.model ? `${info.model} was` : 'its model was'} installed after the bridge started: restart the bridge (smartdrag serve) to use it`);
    return info;
  };
  // Exactly the stages the edit workers pass to runEdit (LEARNED_STAGES), nothing else.
  const stageInfo = Object.fromEntries(LEARNED_STAGE_NAMES.map((k) => [k, stage(d.stages[k], workers?.[LEARNED_STAGES[k]])])) as Record<keyof typeof LEARNED_STAGES, StageInfo>;
  return {
    device: d.device,
    deviceReason: d.deviceReason,
    stages: Object.fromEntries(LEARNED_STAGE_NAMES.map((k) => [k, stageInfo[k].enabled])),
    stageInfo,
    reasoner: workers?.reasoner ?? 'rules',
    // `present`: the model's files are installed (also when damaged: `state` and `reason` say so,
    // as `smartdrag models list` does); a script wanting "usable" reads `state === 'complete'`.
    models: d.models.map((m) => ({ id: m.id, present: m.installed, state: m.state, ...(m.reason ? { reason: m.reason } : {}) })),
  };
}

/** Load the config, build the logger and the bridge, and listen. */
export async function startBridge(input: LoadConfigInput & { stderr?: boolean } = {}): Promise<StartedBridge> {
  const config = loadConfig(input);
  const logger = createLogger({ level: config.logLevel, file: config.logFile, stderr: input.stderr });
  const bridge = createBridge({ config, logger, capabilities: ({ workers }) => learnedCapabilities(config, workers) });
  try {
    const a = await bridge.listen();
    return { bridge, config, logger, url: a.url, wsUrl: a.wsUrl, port: a.port };
  } catch (e) {
    await bridge.close();
    throw e;
  }
}
