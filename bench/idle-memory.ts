/**
 * What an idle bridge keeps after large edits. A real bridge runs in a child process (as
 * `smartdrag serve` does: default workers, learned stages on, a fresh home); this process is the
 * client: it sends one final edit of a `--sizes` document over the WebSocket (raw RGBA, the whole
 * document, a ~15% ellipse moved), then samples while the bridge is idle at `--at` seconds:
 * the bridge's RSS (/proc), its anonymous memory split into glibc's main heap, 64 MiB-aligned
 * mappings (glibc's thread arenas) and the rest, the main thread's heap/external/arrayBuffers and
 * each edit worker's own heap/external/arrayBuffers (a `memory` message, null once retired).
 * After the last sample it times the next edit: a 1024² final, then the same large final again.
 *
 *   npx tsx bench/idle-memory.ts [--sizes 6000x4000,8000x6000] [--at 0,5,30,60] [--retire-ms N] [--env MALLOC_ARENA_MAX=2]
 *   npx tsx bench/idle-memory.ts --sizes 1024x1024 --at 0 --retire-ms 3000 --retire-after 4000000 --next-rounds 5   (the next edit's cost)
 *   npx tsx bench/idle-memory.ts --sizes 6000x4000 --at 0 --retire-ms 3000 --drag-rounds 3 [--kinds proxy,whole,final]   (a drag's previews and the next final after a retirement; --retire-ms 0: the same on warm workers)
 *
 * `--retire-ms` sets the bridge's idle worker retirement (createBridge `workerRetire.idleMs`; 0 = never);
 * `--no-warm`: no warm-up edit on the workers the next jobs run on; `--retire-after` its input size in bytes (`workerRetire.afterBytes`); `--collect`: each sample first runs two full collections in every worker (diagnosis only).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { BridgeClient, PreviewProxyCache, previewProxyInput, type SubmitInput, type WebSocketConstructor } from '@smartdrag/shared';
import { makeTexture } from '../bridge-server/src/core/textures';
import { arg } from './args';

const MiB = 1024 * 1024;
const mb = (b: number | undefined): string => (b === undefined ? '–' : (b / MiB).toFixed(0));

interface Sample {
  main: NodeJS.MemoryUsage;
  workers: Array<{ heapUsed: number; heapTotal: number; external: number; arrayBuffers: number } | null>;
}

async function childMain(): Promise<void> {
  const { loadConfig } = await import('../bridge-server/src/config');
  const { createLogger } = await import('../bridge-server/src/log');
  const { createBridge } = await import('../bridge-server/src/server');
  const home = mkdtempSync(join(tmpdir(), 'smartdrag-idle-'));
  const retire = arg('retire-ms', '');
  const config = loadConfig({
    env: { SMARTDRAG_HOME: home },
    overrides: { port: 0, logFile: null, logLevel: 'warn' },
  });
  const bridge = createBridge({ config, logger: createLogger({ level: 'warn' } as Parameters<typeof createLogger>[0]), workerRetire: { ...(process.argv.includes('--no-warm') ? { warmUp: false } : {}), ...(retire !== '' ? { idleMs: Number(retire) } : {}), ...(arg('retire-after', '') !== '' ? { afterBytes: Number(arg('retire-after', '')) } : {}) } });
  const a = await bridge.listen();
  process.on('disconnect', () => process.exit(0));
  process.on('message', (m: { type: string }) => {
    if (m.type === 'sample') void bridge.memory(process.argv.includes('--collect')).then((s) => process.send!({ type: 'sample', sample: s }));
    if (m.type === 'stop') void bridge.close().then(() => process.exit(0));
  });
  process.send!({ type: 'ready', wsUrl: a.wsUrl, token: config.token, workers: config.workers });
}

/** RSS and anonymous memory of `pid` by kind (smaps): glibc main heap, 64 MiB-aligned anonymous mappings (thread arenas), other anonymous. */
function procMemory(pid: number): { rss: number; heap: number; arenas: number; anon: number } {
  const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;
  let heap = 0, arenas = 0, anon = 0, kind = '';
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const m = /^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ (\d+)\s*(.*)$/.exec(line);
    if (m) {
      const start = BigInt(`0x${m[1]}`), name = m[4]!.trim();
      kind = name === '[heap]' ? 'heap' : name === '' ? (start % BigInt(64 * MiB) === 0n ? 'arena' : 'anon') : '';
      continue;
    }
    const r = /^Rss:\s+(\d+) kB/.exec(line);
    if (r && kind) {
      const b = Number(r[1]) * 1024;
      if (kind === 'heap') heap += b; else if (kind === 'arena') arenas += b; else anon += b;
    }
  }
  return { rss, heap, arenas, anon };
}

function polygon(w: number, h: number): [number, number][] {
  const pts: [number, number][] = [];
  for (let i = 0; i < 64; i++) {
    const t = (i / 64) * 2 * Math.PI;
    pts.push([w / 2 + 0.234 * w * Math.cos(t), h / 2 + 0.204 * h * Math.sin(t)]);
  }
  return pts;
}

const images = new Map<string, ReturnType<typeof makeTexture>>();
/** The document of `w`×`h` (made before the client connects: making one takes seconds, and a client that does not answer the bridge's pings is dropped). */
function documentOf(w: number, h: number): ReturnType<typeof makeTexture> {
  const k = `${w}x${h}`;
  if (!images.has(k)) images.set(k, makeTexture('noise', w, h, 5));
  return images.get(k)!;
}

async function edit(client: BridgeClient, w: number, h: number): Promise<number> {
  const image = documentOf(w, h);
  const s = w / 1024;
  const t = performance.now();
  const out = await client.submit({
    image, regions: [{ id: 'r', polygon: polygon(w, h) }],
    drags: [{ region: 'r', kind: 'translate', points: [[w / 2, h / 2], [w / 2 + 120 * s, h / 2 - 60 * s]] }], quality: 'final', seed: 1,
  }).result;
  if (!out.layer.width) throw new Error('empty layer');
  return performance.now() - t;
}

/**
 * The next edit's cost after a retirement (`--next-rounds N`, with `--retire-ms` short, e.g. 3000):
 * per round a `--next-size` (default 1024x1024) final on a warm worker (right after another), then the same final once the
 * workers that ran large jobs were retired (on a worker that has run nothing since it started).
 */
async function nextEditRounds(client: BridgeClient, sample: () => Promise<Sample & { retired: number }>, rounds: number, loads: () => string): Promise<void> {
  const [w, h] = arg('next-size', '1024x1024').split('x').map(Number) as [number, number];
  documentOf(w, h);
  const warm: number[] = [], cold: number[] = [];
  for (let r = 0; r < rounds; r++) {
    await edit(client, w, h);
    warm.push(await edit(client, w, h));
    const before = (await sample()).retired;
    for (let i = 0; i < 600 && (await sample()).retired === before; i++) await new Promise((res) => setTimeout(res, 100));
    // (The worker left or started in its place is ready.)
    for (let i = 0; i < 600 && (await sample()).workers.every((w) => w === null); i++) await new Promise((res) => setTimeout(res, 100));
    // (A user's next edit comes after the idle time: a warm-up, if any, is over by then.)
    await new Promise((res) => setTimeout(res, 8000));
    cold.push(await edit(client, w, h));
  }
  const med = (a: number[]): number => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
  console.log(`\nNext ${((w * h) / 1e6).toFixed(0)} MP final, ${rounds} rounds: warm worker ${warm.map((x) => x.toFixed(0)).join(', ')} ms (median ${med(warm).toFixed(0)}); after the retirement ${cold.map((x) => x.toFixed(0)).join(', ')} ms (median ${med(cold).toFixed(0)}); load average ${loads()}.`);
}

/**
 * What a user feels after a retirement (`--drag-rounds N`): per round and per kind, a `--sizes`
 * (first size, default 24 MP) final, then `--drag-idle` ms idle (default 11000: past a short
 * `--retire-ms`, e.g. 3000, so the worker that ran it is retired and a warm-up is over; with
 * `--retire-ms 0` the same sequence on warm workers), then one of: `proxy` — a drag of
 * `--frames` (11) previews on the host's own ≤ 1 MP proxy of the document (job.submit `proxyOf`,
 * made before the timing as a host's cache keeps it), one after another, the arrow's target
 * moving a little each frame; `whole` — the same drag sending the whole document (the bridge
 * makes the ≤ 1 MP proxy); `final` — a `--next-size` (1024x1024) final. Each timed from submit to
 * result on the client; first frame and median of the rest.
 */
async function dragRounds(client: BridgeClient, rounds: number, loads: () => string): Promise<void> {
  const [W, H] = arg('sizes', '6000x4000').split(',')[0]!.split('x').map(Number) as [number, number];
  const [fw, fh] = arg('next-size', '1024x1024').split('x').map(Number) as [number, number];
  const frames = Number(arg('frames', '11'));
  const idle = Number(arg('drag-idle', '11000'));
  const kinds = arg('kinds', 'proxy,whole,final').split(',');
  const doc = documentOf(W, H);
  documentOf(fw, fh);
  const s = W / 1024;
  // `--new-selection`: each round's drag on a selection 7 px further right (the worker's content-keyed caches miss, as on a selection the worker has not read yet).
  let shift = 0;
  const frame = (i: number): SubmitInput => {
    const f = 1 - 0.02 * (i % 8);
    return {
      image: doc, regions: [{ id: 'r', polygon: polygon(W, H).map(([x, y]) => [x + shift, y] as [number, number]) }], quality: 'preview', seed: 1, previewMaxPixels: 1 << 20,
      drags: [{ region: 'r', kind: 'translate', points: [[W / 2, H / 2], [W / 2 + 120 * s * f, H / 2 - 60 * s * f]] }],
    };
  };
  const cache = new PreviewProxyCache();
  previewProxyInput(frame(0), 1 << 20, cache); // (the host's proxy, made before the timing)
  const timed = async (input: SubmitInput): Promise<number> => {
    const t = performance.now();
    const out = await client.submit(input).result;
    if (!out.layer.width) throw new Error('empty layer');
    return performance.now() - t;
  };
  const res = new Map<string, { first: number[]; rest: number[]; load: string[] }>();
  const med = (a: number[]): number => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
  for (let r = 0; r < rounds; r++) {
    if (process.argv.includes('--new-selection')) shift = 7 * (r + 1);
    for (const kind of kinds) {
      await edit(client, W, H);
      await new Promise((res) => setTimeout(res, idle));
      const load = loads();
      const t: number[] = [];
      if (kind === 'final') t.push(await edit(client, fw, fh));
      else for (let i = 0; i < frames; i++) t.push(await timed(kind === 'proxy' ? previewProxyInput(frame(i), 1 << 20, cache)! : frame(i)));
      const e = res.get(kind) ?? { first: [], rest: [], load: [] };
      e.first.push(t[0]!); e.rest.push(...t.slice(1)); e.load.push(load.split(' ')[0]!);
      res.set(kind, e);
      console.log(`round ${r + 1} ${kind}: ${t.map((x) => x.toFixed(0)).join(', ')} ms (load ${load})`);
    }
  }
  console.log(`\nAfter a ${((W * H) / 1e6).toFixed(0)} MP final and ${idle / 1000} s idle, ${rounds} rounds (load at each start):`);
  console.log('| sequence | first frame ms (each round) | median first | median of frames 2–' + frames + ' | load 1 min |');
  console.log('|---|---|---:|---:|---|');
  for (const [kind, e] of res) {
    const name = kind === 'proxy' ? 'previews on the host\'s proxy (proxyOf)' : kind === 'whole' ? 'previews of the whole document (bridge proxy)' : `${((fw * fh) / 1e6).toFixed(0)} MP final`;
    console.log(`| ${name} | ${e.first.map((x) => x.toFixed(0)).join(', ')} | ${med(e.first).toFixed(0)} | ${e.rest.length ? med(e.rest).toFixed(0) : '–'} | ${e.load.join(', ')} |`);
  }
}

async function main(): Promise<void> {
  if (process.argv.includes('--child')) { await childMain(); return; }
  const sizes = arg('sizes', '6000x4000,8000x6000').split(',').map((s) => s.split('x').map(Number) as [number, number]);
  const at = arg('at', '0,5,30,60').split(',').map(Number);
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const e of arg('env', '').split(',').filter(Boolean)) { const [k, v] = e.split('='); env[k!] = v; }
  const retire = arg('retire-ms', '');
  const child: ChildProcess = fork(__filename, ['--child', ...(process.argv.includes('--no-warm') ? ['--no-warm'] : []), ...(process.argv.includes('--collect') ? ['--collect'] : []), ...(retire !== '' ? ['--retire-ms', retire] : []), ...(arg('retire-after', '') !== '' ? ['--retire-after', arg('retire-after', '')] : [])], { env, execArgv: ['--import', 'tsx'] });
  const replies: Array<(m: { type: string; sample?: Sample; wsUrl?: string; token?: string; workers?: number }) => void> = [];
  child.on('message', (m) => replies.shift()?.(m as never));
  const next = <T>(): Promise<T> => new Promise((r) => replies.push(r as never));
  const ready = await next<{ wsUrl: string; token: string; workers: number }>();
  const sample = async (): Promise<Sample & { retired: number }> => { const p = next<{ sample: Sample & { retired: number } }>(); child.send({ type: 'sample' }); return (await p).sample; };
  for (const [w, h] of [...sizes, [1024, 1024] as [number, number], arg('next-size', '1024x1024').split('x').map(Number) as [number, number]]) documentOf(w, h);
  const client = new BridgeClient({ url: ready.wsUrl, token: ready.token, client: 'cli', WebSocketImpl: WebSocket as unknown as WebSocketConstructor, reconnect: false, reuseImages: false });
  await client.connect();
  const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
  const loads = (): string => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  console.log(`Bridge in a child process, ${ready.workers} edit workers, env ${arg('env', '') || '(none)'}, worker retirement ${retire === '' ? 'default' : `${retire} ms`}; load average ${loads()}.\n`);
  console.log('| after | idle s | RSS MiB | glibc main heap | 64 MiB-aligned anon (arenas) | other anon | main heapUsed | main external | main arrayBuffers | workers heapUsed | workers external | workers arrayBuffers |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  const row = async (label: string, s: number): Promise<void> => {
    const p = procMemory(child.pid!);
    const m = await sample();
    const wk = (f: 'heapUsed' | 'external' | 'arrayBuffers'): string => m.workers.map((x) => (x ? mb(x[f]) : 'retired')).join(' / ');
    console.log(`| ${label} | ${s} | ${mb(p.rss)} | ${mb(p.heap)} | ${mb(p.arenas)} | ${mb(p.anon)} | ${mb(m.main.heapUsed)} | ${mb(m.main.external)} | ${mb(m.main.arrayBuffers)} | ${wk('heapUsed')} | ${wk('external')} | ${wk('arrayBuffers')} |`);
  };
  await sleep(2000);
  await row('start', 0);
  const times: string[] = [];
  for (const [w, h] of sizes) {
    const ms = await edit(client, w, h);
    times.push(`${((w * h) / 1e6).toFixed(0)} MP final ${ms.toFixed(0)} ms`);
    const t0 = Date.now();
    for (const s of at) {
      await sleep(Math.max(0, t0 + s * 1000 - Date.now()));
      await row(`${((w * h) / 1e6).toFixed(0)} MP final`, s);
    }
  }
  if (Number(arg('next-rounds', '0')) > 0) { await nextEditRounds(client, sample, Number(arg('next-rounds', '0')), loads); }
  if (Number(arg('drag-rounds', '0')) > 0) {
    await dragRounds(client, Number(arg('drag-rounds', '0')), loads);
    client.close();
    const gone = new Promise((r) => child.once('exit', r));
    child.send({ type: 'stop' });
    await gone;
    return;
  }
  const small = await edit(client, 1024, 1024);
  const [w, h] = sizes[sizes.length - 1]!;
  const big = await edit(client, w, h);
  console.log(`\nEdits: ${times.join(', ')}. Next edits after the idle time: 1 MP final ${small.toFixed(0)} ms, then ${((w * h) / 1e6).toFixed(0)} MP final ${big.toFixed(0)} ms (load average ${loads()}).`);
  client.close();
  const gone = new Promise((r) => child.once('exit', r));
  child.send({ type: 'stop' });
  await gone;
}

main().catch((e) => { console.error(e); process.exit(1); });
