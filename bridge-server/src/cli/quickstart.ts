/**
 * `npm start`: start the bridge, run a real edit of the bundled smarties sample through the real
 * WebSocket client, write the results to ./smartdrag-out/, print where they went and the
 * playground URL, and keep the bridge running until Ctrl-C.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import WebSocket from 'ws';
import { BridgeClient, type WebSocketConstructor } from '@smartdrag/shared';
import { configuredPort } from '../config';
import { parseDragCase } from '../core/case';
import { countChangedPixels } from '../core/image';
import { readImage } from '../io/image-io';
import { startBridge, type StartedBridge } from '../main';
import { assertCanListen, CliErrorCode } from './errors';
import { compositeOver, formatTimings, layerAtDocumentSize, writeOutputs } from './outputs';

const REPO = resolve(__dirname, '..', '..', '..');
const SAMPLE_CASE = join(REPO, 'test', 'fixtures', 'cases', 'smarties-move-red.json');

/** Run the quick start. `keepRunning: false` stops the bridge after the edit (tests). */
export async function quickstart(opts: { outDir?: string; keepRunning?: boolean; port?: number } = {}): Promise<{ outputs: { edited: string; layer: string }; changedPixels: number; started: StartedBridge }> {
  const log = (s: string) => process.stdout.write(s + '\n');
  let started: StartedBridge;
  // The port the bridge will take (--port, else SMARTDRAG_PORT, else the default) is the one checked.
  const port = opts.port ?? configuredPort();
  const busy = (e: unknown) => (e as { code?: string }).code === 'EADDRINUSE' || (e as { code?: string }).code === CliErrorCode.port_in_use;
  try {
    await assertCanListen('127.0.0.1', port); // one clear line instead of server log noise when busy
    started = await startBridge({ overrides: { ...(opts.port !== undefined ? { port: opts.port } : {}), logLevel: 'warn' } });
  } catch (e) {
    if (!busy(e)) throw e;
    log(`port ${port} is already in use (is another SmartDrag bridge running?); starting on a free port instead`);
    started = await startBridge({ overrides: { port: 0, logLevel: 'warn' } });
  }
  log(`SmartDrag bridge running on ${started.url}`);
  const kase = parseDragCase(JSON.parse(readFileSync(SAMPLE_CASE, 'utf8')));
  const image = await readImage(join(REPO, 'test', 'fixtures', kase.image));
  const client = new BridgeClient({
    url: started.wsUrl, token: started.config.token, client: 'cli',
    WebSocketImpl: WebSocket as unknown as WebSocketConstructor, reconnect: false,
  });
  await client.connect();
  log(`editing sample "${kase.id}": ${kase.intent ?? ''}`);
  const done = new Set<string>();
  const job = client.submit(
    { image, regions: kase.regions, drags: kase.drags, ...(kase.intent ? { intent: kase.intent } : {}), quality: 'final', seed: 1 },
    { onProgress: (stage, f) => { if (f === 1 && !done.has(stage)) { done.add(stage); log(`  ${stage} done`); } } },
  );
  const r = await job.result;
  client.close();
  const layerDoc = layerAtDocumentSize(image, { left: r.layer.left, top: r.layer.top, image: { width: r.layer.width, height: r.layer.height, data: r.layer.data } });
  const edited = compositeOver(image, layerDoc);
  const outputs = await writeOutputs(opts.outDir ?? resolve(process.cwd(), 'smartdrag-out'), edited, layerDoc);
  const changedPixels = countChangedPixels(image, edited);
  log(`plan: ${r.plan.operations.map((o) => o.description).join('; ')}`);
  log(`timings (ms): ${formatTimings(r.timings, 0)}`);
  log(`changed pixels: ${changedPixels}`);
  log(`result:  ${outputs.edited}`);
  log(`layer:   ${outputs.layer} (offset ${r.layer.left}, ${r.layer.top})`);
  log(`playground: ${started.url}/   Photopea plugin page: ${started.url}/photopea/`);
  if (opts.keepRunning === false) {
    await started.bridge.close();
  } else {
    log('bridge keeps running; Ctrl-C to stop.');
    const stop = () => void started.bridge.close().then(() => process.exit(0));
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  }
  return { outputs, changedPixels, started };
}
