/**
 * One speed-suite final through a loopback bridge with a timeline of its phases (not a test):
 * the host's crop and encode, the upload, what the bridge reports (job.result timings) and the
 * layer back, each run's wall and process CPU time (all threads: host, bridge, workers). With
 * `TL_CORE=1` the same edits then run in-process on the whole document (the core rows' path).
 * Run: `npx tsx bridge-server/src/bench/bridge-timeline.ts [size=6000] [kind=translate] [runs=3]`.
 * Env: `TL_Q=preview` sends previews (default finals), `TL_Q=host-proxy` previews of the host's own ≤ 1 MP proxy of the document (proxyOf) — the same crop every run unless the arrow
 * moves it, as a drag in progress does; `TL_REUSE=0` turns the client's image reuse off (every job
 * uploads its pixels); `TL_CORE=1` adds the in-process rows.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { BridgeClient, editRoi, PreviewProxyCache, previewProxyInput, rasterizePolygon, type SubmitInput, type WebSocketConstructor } from '@smartdrag/shared';
import { PROXY_MAX_PIXELS } from '../core/proxy';
import { loadConfig } from '../config';
import { silentLogger } from '../log';
import { createBridge } from '../server';
import { cropImage } from '../core/image';
import { runEdit } from '../core/edit';
import { makeTexture } from '../core/textures';
import type { EditRequest } from '../core/types';
import { speedDrag, speedRegionPolygon, type SpeedKind } from './edit-speed';

async function main(): Promise<void> {
  const size = Number(process.argv[2] ?? 6000), kind = (process.argv[3] ?? 'translate') as SpeedKind, runs = Number(process.argv[4] ?? 3);
  const home = mkdtempSync(join(tmpdir(), 'smartdrag-tl-'));
  const config = loadConfig({ env: { SMARTDRAG_HOME: home }, overrides: { port: 0, logFile: null, logLevel: 'silent' } });
  const bridge = createBridge({ config, logger: silentLogger() });
  const addr = await bridge.listen();
  let marks: [string, number][] = [];
  let t0 = 0;
  const mark = (what: string): void => { marks.push([what, performance.now() - t0]); };
  class TimedWs extends (WebSocket as unknown as { new(url: string): WebSocket }) {
    constructor(url: string) {
      super(url);
      this.on('message', (data: Buffer, isBinary: boolean) => {
        if (!isBinary) { const m = JSON.parse(data.toString()) as { type: string }; if (m.type !== 'job.progress') mark(`recv ${m.type}`); }
        else mark('recv chunk');
      });
    }
  }
  const hostProxy = process.env.TL_Q === 'host-proxy';
  const quality = process.env.TL_Q === 'preview' || hostProxy ? 'preview' : 'final';
  const cache = new PreviewProxyCache();
  const client = new BridgeClient({
    url: addr.wsUrl, token: config.token, client: 'cli', WebSocketImpl: TimedWs as unknown as WebSocketConstructor, reconnect: false,
    reuseImages: process.env.TL_REUSE !== '0',
  });
  await client.connect();
  const image = makeTexture('noise', size, size, 5);
  const region = { id: 'r', mask: rasterizePolygon(speedRegionPolygon(size)) };
  const summary: Record<string, number[]> = {};
  const note = (k: string, v: number | undefined): void => { if (v !== undefined) (summary[k] ??= []).push(v); };
  for (let i = 0; i < runs + 1; i++) {
    const req: EditRequest = { image, regions: [region], drags: [speedDrag(kind, size, i)], quality, seed: 1 };
    marks = [];
    const c0 = process.cpuUsage();
    t0 = performance.now();
    // host-proxy: the whole document as the panels send it, their own ≤ 1 MP proxy (made once).
    const roi = hostProxy ? { left: 0, top: 0, width: size, height: size } : editRoi({ regions: [region.mask], arrows: req.drags.map((d) => d.points), docWidth: size, docHeight: size });
    const crop = hostProxy ? image : cropImage(image, roi);
    mark(`crop ${roi.width}x${roi.height}`);
    const sent: SubmitInput = {
      image: crop, imageOrigin: [roi.left, roi.top], regions: [{ id: 'r', mask: region.mask }],
      drags: req.drags.map((d) => ({ region: d.region, points: d.points.map((p) => [p[0], p[1]] as [number, number]), ...(d.kind ? { kind: d.kind } : {}), ...(d.center ? { center: [d.center[0], d.center[1]] as [number, number] } : {}) })),
      quality, seed: 1,
    };
    const input = hostProxy ? previewProxyInput(sent, PROXY_MAX_PIXELS, cache) ?? sent : sent;
    const job = client.submit(input);
    mark('submit() returned (image keyed)');
    const out = await job.result;
    mark(`layer ${out.layer.width}x${out.layer.height}`);
    const wall = performance.now() - t0;
    const cu = process.cpuUsage(c0);
    const cpu = (cu.user + cu.system) / 1000;
    // Collapse runs of 'recv chunk'.
    const lines: string[] = [];
    let prev = '';
    for (const [w, t] of marks) {
      if (w === 'recv chunk' && prev === 'recv chunk') { lines[lines.length - 1] = lines[lines.length - 1]!.replace(/(\.\.[\d.]+)?$/, `..${t.toFixed(0)}`); continue; }
      lines.push(`${t.toFixed(0).padStart(6)} ms  ${w}`);
      prev = w;
    }
    if (i > 0) {
      const at = (w: string): number | undefined => marks.find(([m]) => m === w)?.[1];
      note('wall', wall); note('cpu', cpu); note('accepted', at('recv job.accepted')); note('result', at('recv job.result'));
      for (const k of ['upload', 'prepare', 'queue', 'total', 'outline', 'handoff', 'send']) note(k, out.timings[k] as number | undefined);
    }
    if (!process.env.TL_QUIET) console.log(`run ${i}${i === 0 ? ' (warm-up)' : ''} ${quality} crop ${crop.width}x${crop.height}: wall ${wall.toFixed(0)} ms cpu ${cpu.toFixed(0)} ms\n${lines.join('\n')}\n  bridge timings ${JSON.stringify(Object.fromEntries(Object.entries(out.timings).map(([k, v]) => [k, Math.round(v as number)])))}`);
  }
  const med = (xs: number[]): string => { const a = [...xs].sort((x, y) => x - y); return (a.length % 2 ? a[(a.length - 1) / 2]! : (a[a.length / 2 - 1]! + a[a.length / 2]!) / 2).toFixed(1); };
  console.log(`median of ${runs} runs (${quality}, reuse ${process.env.TL_REUSE === '0' ? 'off' : 'on'}): ${Object.entries(summary).map(([k, v]) => `${k} ${med(v)}`).join(', ')} (ms; accepted/result: from submit)`);
  if (process.env.TL_CORE) {
    for (let i = 0; i < runs; i++) {
      const c0 = process.cpuUsage();
      const r = await runEdit({ image, regions: [region], drags: [speedDrag(kind, size, i + 1)], quality: 'final', seed: 1 });
      const cu = process.cpuUsage(c0);
      console.log(`core (whole document, in-process) run ${i + 1}: total ${r.timings.total!.toFixed(0)} ms cpu ${((cu.user + cu.system) / 1000).toFixed(0)} ms`);
    }
  }
  client.close();
  await bridge.close();
}
void main();
