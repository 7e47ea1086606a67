/**
 * Load benchmark of the bridge: N concurrent real WebSocket clients (the shared `BridgeClient`
 * over `ws`) on loopback, each submitting M edits one after another. Every image carries a
 * per-client pattern and every job its own region and arrow, so each result identifies its
 * request; after the run every layer is checked byte for byte against `runEdit` of the same
 * request in-process. Reports throughput and latency percentiles.
 *
 *   npx tsx bench/load-bench.ts [--clients 50] [--jobs 4] [--size 96] [--workers 2] [--write docs/benchmarks/bridge.md]
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { BridgeClient, rasterizePolygon, type JobOutcome, type WebSocketConstructor, type WirePoint } from '@smartdrag/shared';
import { loadConfig } from '../bridge-server/src/config';
import { runEdit } from '../bridge-server/src/core/edit';
import { createRng } from '../bridge-server/src/core/random';
import type { EditRequest, RgbaImage } from '../bridge-server/src/core/types';
import { silentLogger } from '../bridge-server/src/log';
import { createBridge } from '../bridge-server/src/server';

/** Options of {@link runLoad}. */
export interface LoadOptions {
  wsUrl: string;
  token: string;
  /** Concurrent clients. Default 50. */
  clients?: number;
  /** Edits per client, submitted one after another. Default 2. */
  jobsPerClient?: number;
  /** Image side in pixels. Default 96. */
  size?: number;
  /** Give up after this long (ms). Default 120 000. */
  timeoutMs?: number;
}

/** One load request: what was sent, and what came back. */
export interface LoadJob {
  client: number;
  index: number;
  jobId: string;
  request: EditRequest;
  polygon: WirePoint[];
  points: WirePoint[];
  latencyMs?: number;
  outcome?: JobOutcome;
  error?: string;
}

/** Outcome of {@link runLoad}. */
export interface LoadReport {
  clients: number;
  jobs: number;
  completed: number;
  /** Jobs without a result (error, timeout). */
  lost: number;
  /** Results whose layer or placement differs from `runEdit` of their own request. */
  mismatched: number;
  wallMs: number;
  /** Completed jobs per second over the wall time. */
  throughput: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  errors: string[];
}

/** A per-client image: seeded noise plus a band whose colour encodes the client index. */
export function clientImage(client: number, size: number): RgbaImage {
  const rng = createRng(0x9e3779b9 ^ (client * 7919));
  const data = new Uint8ClampedArray(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const i = (y * size + x) * 4;
      const band = y < 4;
      data[i] = band ? client & 255 : 40 + ((x * 3 + client * 11) & 127) + Math.floor(rng() * 40);
      data[i + 1] = band ? (client >> 8) & 255 : 40 + ((y * 5 + client * 17) & 127) + Math.floor(rng() * 40);
      data[i + 2] = band ? 200 : Math.floor(rng() * 256);
      data[i + 3] = 255;
    }
  }
  return { width: size, height: size, data };
}

/** The request of job `index` of `client`: a square region and a translate arrow unique to it. */
export function loadJob(client: number, index: number, size: number): LoadJob {
  const s = Math.max(8, Math.round(size / 5));
  const left = 6 + ((client * 5 + index * 3) % Math.max(1, size / 3 - 6));
  const top = 8 + ((client * 3 + index * 7) % Math.max(1, size / 3 - 8));
  const polygon: WirePoint[] = [[left, top], [left + s, top], [left + s, top + s], [left, top + s]];
  const cx = left + s / 2, cy = top + s / 2;
  const dx = 6 + ((client * 7 + index * 5) % Math.max(1, Math.round(size / 3)));
  const dy = 4 + ((client * 11 + index * 13) % Math.max(1, Math.round(size / 4)));
  const points: WirePoint[] = [[cx, cy], [cx + dx, cy + dy]];
  const jobId = `load-c${client}-j${index}`;
  const request: EditRequest = {
    image: clientImage(client, size),
    regions: [{ id: 'h1', mask: rasterizePolygon(polygon) }],
    drags: [{ region: 'h1', points, kind: 'translate' }],
    keep: [],
    quality: 'preview',
    seed: client * 1000 + index,
  };
  return { client, index, jobId, request, polygon, points };
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** True when the layer (and its placement) equals what `runEdit` makes of the same request in-process. */
export async function matchesReference(job: LoadJob): Promise<boolean> {
  const o = job.outcome;
  if (!o) return false;
  const ref = await runEdit({ ...job.request, image: { ...job.request.image, data: new Uint8ClampedArray(job.request.image.data) } });
  const img = ref.layer.image;
  if (o.layer.left !== ref.layer.left || o.layer.top !== ref.layer.top || o.layer.width !== img.width || o.layer.height !== img.height) return false;
  const a = o.layer.data, b = img.data;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Run the load: all clients connect, then each submits its jobs in turn; then verify every result. */
export async function runLoad(opts: LoadOptions): Promise<LoadReport & { jobsDetail: LoadJob[] }> {
  const nClients = opts.clients ?? 50, perClient = opts.jobsPerClient ?? 2, size = opts.size ?? 96;
  const timeoutMs = opts.timeoutMs ?? 120_000;
  const WS = WebSocket as unknown as WebSocketConstructor;
  const clients = Array.from({ length: nClients }, () => new BridgeClient({ url: opts.wsUrl, token: opts.token, client: 'test', WebSocketImpl: WS, reconnect: false }));
  await Promise.all(clients.map((c) => c.connect()));
  const jobs: LoadJob[] = [];
  const t0 = performance.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<void>((resolve) => { timer = setTimeout(resolve, timeoutMs); });
  const work = Promise.all(clients.map(async (c, k) => {
    for (let j = 0; j < perClient; j++) {
      const job = loadJob(k, j, size);
      jobs.push(job);
      const start = performance.now();
      try {
        const { request } = job;
        const h = c.submit({
          jobId: job.jobId, image: request.image, quality: 'preview', seed: request.seed,
          regions: [{ id: 'h1', polygon: job.polygon }], drags: [{ region: 'h1', points: job.points, kind: 'translate' }],
        });
        job.outcome = await h.result;
        job.latencyMs = performance.now() - start;
      } catch (e) {
        job.error = `${(e as { code?: string }).code ?? 'error'}: ${(e as Error).message}`;
      }
    }
  }));
  await Promise.race([work, deadline]);
  clearTimeout(timer);
  const wallMs = performance.now() - t0;
  for (const c of clients) c.close();
  let mismatched = 0;
  for (const j of jobs) if (j.outcome && !(await matchesReference(j))) mismatched++;
  const lat = jobs.flatMap((j) => (j.latencyMs !== undefined ? [j.latencyMs] : [])).sort((a, b) => a - b);
  const total = nClients * perClient;
  return {
    clients: nClients, jobs: total, completed: lat.length, lost: total - lat.length, mismatched, wallMs,
    throughput: lat.length / (wallMs / 1000), p50Ms: percentile(lat, 50), p95Ms: percentile(lat, 95), maxMs: lat[lat.length - 1] ?? 0,
    errors: jobs.flatMap((j) => (j.error ? [`${j.jobId}: ${j.error}`] : [])),
    jobsDetail: jobs,
  };
}

/** One markdown table row set for docs/benchmarks/bridge.md. */
export function formatReport(r: LoadReport, extra: { workers: number; size: number; command: string }): string {
  return [
    `| clients | jobs | workers | image | completed | lost | mismatched | wall s | throughput jobs/s | p50 ms | p95 ms | max ms |`,
    `|---|---|---|---|---|---|---|---|---|---|---|---|`,
    `| ${r.clients} | ${r.jobs} | ${extra.workers} | ${extra.size}×${extra.size} | ${r.completed} | ${r.lost} | ${r.mismatched} | ${(r.wallMs / 1000).toFixed(2)} | ${r.throughput.toFixed(1)} | ${r.p50Ms.toFixed(0)} | ${r.p95Ms.toFixed(0)} | ${r.maxMs.toFixed(0)} |`,
  ].join('\n');
}

async function main(argv: string[]): Promise<void> {
  const arg = (name: string, def: number) => { const i = argv.indexOf(`--${name}`); return i >= 0 ? Number(argv[i + 1]) : def; };
  const clients = arg('clients', 50), jobs = arg('jobs', 4), size = arg('size', 96);
  const workers = arg('workers', Math.max(1, Math.min(2, cpus().length)));
  const wi = argv.indexOf('--write');
  const home = mkdtempSync(join(tmpdir(), 'smartdrag-load-'));
  const config = loadConfig({ env: { SMARTDRAG_HOME: home }, overrides: { port: 0, logFile: null, logLevel: 'silent', workers, limits: { maxQueueTotal: Math.max(64, clients * 2) } } });
  const bridge = createBridge({ config, logger: silentLogger() });
  const a = await bridge.listen();
  try {
    // Warm up: the workers compile the core on their first job.
    await runLoad({ wsUrl: a.wsUrl, token: config.token, clients: workers, jobsPerClient: 1, size });
    const r = await runLoad({ wsUrl: a.wsUrl, token: config.token, clients, jobsPerClient: jobs, size });
    const command = `npx tsx bench/load-bench.ts --clients ${clients} --jobs ${jobs} --size ${size} --workers ${workers}`;
    const table = formatReport(r, { workers, size, command });
    process.stdout.write(`${table}\n`);
    if (r.errors.length) process.stdout.write(`errors:\n${r.errors.slice(0, 10).join('\n')}\n`);
    if (wi >= 0) {
      const doc = `# Bridge load benchmark

50 concurrent real WebSocket clients (\`BridgeClient\` over \`ws\`) on loopback, each submitting
edits one after another (preview quality, translate of a square, a distinct image per client and a
distinct region/arrow per job). Every result is checked byte for byte against \`runEdit\` of the
same request in-process: *lost* = jobs without a result, *mismatched* = results that differ from
their own request's reference. Latency = submit → layer received, including queueing behind the
other clients. The bridge runs in the same process as the clients.

Command (repository root):

\`\`\`
${command} --write docs/benchmarks/bridge.md
\`\`\`

Machine: ${cpus().length} CPU cores (${cpus()[0]?.model ?? 'unknown'}), Node ${process.version}, shared with other work at the time.
Date: ${new Date().toISOString().slice(0, 10)}.

${table}

The same check runs in CI at a smaller size: \`npx jest test/hardening/load.test.ts\` (50 clients × 2 jobs).
`;
      writeFileSync(argv[wi + 1]!, doc);
    }
    if (r.lost || r.mismatched) process.exitCode = 1;
  } finally {
    await bridge.close();
  }
}

if (require.main === module) void main(process.argv.slice(2));
