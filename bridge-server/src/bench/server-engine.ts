/**
 * `smartdrag bench --server`: a {@link BenchEngine} that sends every edit to a running bridge
 * through the shared BridgeClient (protocol v1 over `ws`), so the benchmark measures the bridge
 * end to end (transfer, queue, worker) instead of the in-process core.
 *
 * Regions and keep areas travel as placed masks, exactly as the in-process request holds them.
 * The bridge returns only the changed-pixels layer, so `edited`, `targetMask` and `holeMask` of
 * the result are placeholders sized to the layer; the bench only reads `layer`, `plan` and
 * `timings`.
 */
import WebSocket from 'ws';
import { BridgeClient, type WebSocketConstructor } from '@smartdrag/shared';
import { createMask } from '../core/image';
import type { EditResult, Plan } from '../core/types';
import type { BenchEngine } from './runner';

/** A connected server engine; call `close` when the run ends. */
export interface ServerEngine {
  engine: BenchEngine;
  close(): void;
}

/** Connect to the bridge at `url` (e.g. `ws://127.0.0.1:7341/v1/ws`) with `token`. */
export async function connectServerEngine(url: string, token: string): Promise<ServerEngine> {
  const client = new BridgeClient({
    url, token, client: 'cli', WebSocketImpl: WebSocket as unknown as WebSocketConstructor, reconnect: false,
  });
  await client.connect();
  const engine: BenchEngine = async (req, opts) => {
    const job = client.submit(
      {
        image: req.image,
        regions: req.regions.map((r) => ({ id: r.id, mask: r.mask })),
        drags: req.drags.map((d) => ({
          region: d.region, points: d.points.map((p) => [p[0], p[1]] as [number, number]),
          ...(d.kind ? { kind: d.kind } : {}), ...(d.center ? { center: [d.center[0], d.center[1]] as [number, number] } : {}),
        })),
        ...(req.keep?.length ? { keep: req.keep.map((m) => ({ mask: m })) } : {}),
        ...(req.intent ? { intent: req.intent } : {}),
        quality: req.quality,
        ...(req.seed !== undefined ? { seed: req.seed } : {}),
      },
      { onProgress: (stage, fraction) => opts.onProgress?.(stage, fraction) },
    );
    const out = await job.result;
    const image = { width: out.layer.width, height: out.layer.height, data: out.layer.data };
    const result: EditResult = {
      plan: out.plan as Plan,
      crop: { left: out.layer.left, top: out.layer.top, width: out.layer.width, height: out.layer.height },
      edited: image,
      targetMask: createMask(0, 0),
      holeMask: createMask(0, 0),
      layer: { left: out.layer.left, top: out.layer.top, image },
      timings: out.timings,
    };
    return result;
  };
  return { engine, close: () => client.close() };
}
