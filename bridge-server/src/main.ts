/**
 * Composition root: the one place that wires configuration, logging and the bridge together.
 * Used by `smartdrag serve` and `npm start`.
 */
import { loadConfig, type BridgeConfig, type LoadConfigInput } from './config';
import { createLogger, type Logger } from './log';
import { createBridge, type Bridge } from './server';

/** A started bridge with what built it. */
export interface StartedBridge {
  bridge: Bridge;
  config: BridgeConfig;
  logger: Logger;
  url: string;
  wsUrl: string;
  port: number;
}

/** Load the config, build the logger and the bridge, and listen. */
export async function startBridge(input: LoadConfigInput & { stderr?: boolean } = {}): Promise<StartedBridge> {
  const config = loadConfig(input);
  const logger = createLogger({ level: config.logLevel, file: config.logFile, stderr: input.stderr });
  const bridge = createBridge({ config, logger });
  try {
    const a = await bridge.listen();
    return { bridge, config, logger, url: a.url, wsUrl: a.wsUrl, port: a.port };
  } catch (e) {
    await bridge.close();
    throw e;
  }
}
