/**
 * `smartdrag doctor`: one paste for a bug report from a person with the real host. Prints the
 * bridge's versions, whether a bridge answers on the port (/v1/health, /photopea/, /), the
 * Photopea install link, and what the bridge recorded from its last clients (Origin, Host, host
 * kind and plugin version, protocol, image format/size/PNG bit depth, timings, error codes) —
 * from <home>/diagnostics.json, written by the running bridge (diagnostics/client-record.ts).
 */
import type { Command } from 'commander';
import { intArg } from './args';
import { bridgeVersion, configuredPort, smartdragHome } from '../config';
import { readDiagnostics, type DiagnosticsFile } from '../diagnostics/client-record';
import { photopeaLink } from './photopea-link';
import { describeStages, type StagesDescription } from '../models';

interface Probe { url: string; status: number | null; note: string }

async function probe(url: string, timeoutMs = 2000): Promise<Probe & { body?: string }> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    const body = await res.text();
    return { url, status: res.status, note: res.ok ? 'ok' : res.statusText, body };
  } catch (e) {
    const cause = (e as { cause?: { code?: string } }).cause?.code;
    return { url, status: null, note: cause ?? (e as Error).name ?? 'unreachable' };
  }
}

const PNG_TYPES: Record<number, string> = { 0: 'grey', 2: 'RGB', 3: 'palette', 4: 'grey+alpha', 6: 'RGBA' };

/**
 * A job id short enough for the report: its first 8 characters (a UUID's), or for the ids the
 * HTTP door makes (`http-<time>-<random>`) the random part — their first 8 were all "http-mxb".
 */
function shortJobId(id: string): string {
  const http = /^http-[0-9a-z]+-([0-9a-z]+)$/.exec(id);
  return http ? `http-…${http[1]!.slice(0, 8)}` : id.slice(0, 8);
}

/**
 * The learned stages and the models, for a report about a learned fill or refinement: each stage
 * on (with its model) or off (with why), and every model that is installed, also damaged or
 * partial ones with what is wrong. From `/v1/health` (`stageInfo`, `models`: what the running
 * bridge uses) or, with no bridge answering, from the files on disk (`describeStages`).
 */
function learnedLines(h: Record<string, unknown>, source?: string): string[] {
  const info = h.stageInfo as Record<string, { enabled?: boolean; model?: string; reason?: string }> | undefined;
  if (!info || typeof info !== 'object') return [];
  const stages = Object.entries(info).map(([k, v]) => `${k} ${v.enabled ? `on (${v.model ?? '?'})` : 'off'}${v.reason ? ` — ${v.reason}` : ''}`);
  const out = [`learned stages${source ? ` (${source})` : ''}: ${stages.join(' · ')}`];
  const models = Array.isArray(h.models) ? h.models as { id?: string; state?: string; reason?: string }[] : [];
  const shown = models.filter((m) => m.state && m.state !== 'absent');
  // (A reason the stage line already gives is not said twice.)
  const said = out[0]!;
  out.push(`models: ${shown.length ? shown.map((m) => `${m.id} ${m.state}${m.reason && !said.includes(m.reason) ? ` (${m.reason})` : ''}`).join(' · ') : 'none installed'}`);
  return out;
}

/** The report as text (exported for tests). */
export function formatDoctor(r: {
  version: string; home: string; port: number; probes: Probe[]; health: Record<string, unknown> | null; diag: DiagnosticsFile | null;
  /** The models on disk, shown when no bridge answers. */
  local?: StagesDescription | null;
}): string {
  const out: string[] = [];
  out.push('SmartDrag doctor — paste everything below into your report');
  out.push(`smartdrag ${r.version} · node ${process.version} · ${process.platform}/${process.arch} · home ${r.home}`);
  for (const p of r.probes) out.push(`GET ${p.url} → ${p.status ?? '-'} ${p.note}`);
  if (r.health) {
    const h = r.health as { protocol?: unknown; device?: unknown; serverVersion?: unknown; version?: unknown; ok?: unknown; workerError?: unknown; workerWarning?: unknown };
    out.push(`bridge: protocol ${String(h.protocol)} · device ${String(h.device)} · version ${String(h.serverVersion ?? h.version ?? '?')}`);
    // What keeps edits from running (or the learned stages from loading), right under the bridge line.
    if (h.ok === false) out.push(`bridge NOT OK: ${String(h.workerError ?? 'see its log')}`);
    if (typeof h.workerWarning === 'string') out.push(`learned stages: ${h.workerWarning}`);
    out.push(...learnedLines(r.health));
  } else {
    out.push(`bridge: not answering on port ${r.port} (start it with \`npx smartdrag serve\`)`);
    // What a bridge started from this home would find (the files on disk, as `models list` says).
    if (r.local) out.push(...learnedLines({ stageInfo: r.local.stages, models: r.local.models }, `the models on disk in ${r.local.modelsDir}; no bridge answers on port ${r.port}`));
  }
  out.push(`photopea link: ${photopeaLink(r.port)}`);
  if (!r.diag) {
    out.push('clients: none recorded yet (connect the Photoshop panel or open the Photopea panel, try an edit, run doctor again)');
    return out.join('\n') + '\n';
  }
  // The record is the last bridge's that ran from this home: with none answering now, say so (it
  // may be an old run, or one on another port).
  out.push(r.health
    ? `clients seen by bridge ${r.diag.bridgeVersion} (started ${r.diag.startedAt}, updated ${r.diag.updatedAt}), newest first:`
    : `clients seen by the last bridge that ran from this home, ${r.diag.bridgeVersion} (started ${r.diag.startedAt}, updated ${r.diag.updatedAt}; no bridge answers on port ${r.port} now), newest first:`);
  if (r.diag.clients.length === 0) out.push('  none');
  r.diag.clients.forEach((c, i) => {
    // "connected": its handshake was accepted then (not that it is still connected).
    // (An HTTP request has no handshake: it is a request, not a connection left "open".)
    const outcome = c.refused ? `refused: ${c.refused}` : c.client ? 'connected' : c.kind === 'http' ? 'request' : 'open';
    out.push(`${i + 1}. ${new Date(c.at).toISOString()} ${c.kind} ${outcome}${c.client ? ` · ${c.client} ${c.clientVersion ?? '?'}` : ''}${c.user ? ` · user ${c.user}` : ''}`);
    out.push(`   Origin ${c.origin ?? '(none)'} · Host ${c.host ?? '(none)'} · from ${c.remote ?? '?'}`);
    const t = c.jobs.lastTimings ? ` · last job ${Math.round(c.jobs.lastTimings.job ?? c.jobs.lastTimings.total ?? 0)} ms` : '';
    out.push(`   jobs: ${c.jobs.done} done, ${c.jobs.failed} failed, ${c.jobs.cancelled} cancelled${c.jobs.lastError ? ` · last error ${c.jobs.lastError}` : ''}${t}`);
    for (const im of c.images) {
      const png = im.pngBitDepth !== undefined ? ` ${im.pngBitDepth}-bit ${PNG_TYPES[im.pngColorType ?? -1] ?? im.pngColorType}` : '';
      // The size is the PNG header's (or the raw frame's): bytes that are no PNG (a JPEG sent to
      // POST /v1/edit as image.png) have none to show, not "0×0".
      const size = im.width > 0 && im.height > 0 ? `${im.width}×${im.height}` : im.format === 'png' ? '(not a PNG: no size in its header)' : '?×?';
      out.push(`   sent ${im.quality} job ${shortJobId(im.jobId)}: ${im.format}${png} ${size} ${Math.round(im.bytes / 1024)} KiB, ${im.regions} region(s), ${im.drags} drag(s)`);
    }
  });
  return out.join('\n') + '\n';
}

export async function runDoctor(o: { port: number; json: boolean }, home = smartdragHome()): Promise<string> {
  const base = `http://127.0.0.1:${o.port}`;
  const [health, photopea, playground] = await Promise.all([probe(`${base}/v1/health`), probe(`${base}/photopea/`), probe(`${base}/`)]);
  let h: Record<string, unknown> | null = null;
  try { h = health.body ? JSON.parse(health.body) as Record<string, unknown> : null; } catch { h = null; }
  const pageNote = (p: typeof photopea): Probe => ({ url: p.url, status: p.status, note: p.status === 200 && /not built|npm run build/i.test(p.body ?? '') ? 'NOT BUILT (run npm start once)' : p.note });
  const probes: Probe[] = [{ url: health.url, status: health.status, note: health.note }, pageNote(photopea), pageNote(playground)];
  const diag = readDiagnostics(home);
  // With no bridge answering, the learned stages a bridge started from this home would have.
  const local = h ? null : describeStages({ home });
  if (o.json) return JSON.stringify({ version: bridgeVersion(), node: process.version, platform: process.platform, home, probes, health: h, diagnostics: diag, ...(local ? { localModels: local } : {}) }, null, 2) + '\n';
  return formatDoctor({ version: bridgeVersion(), home, port: o.port, probes, health: h, diag, local });
}

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('print what the bridge saw from its last clients — Photoshop, Photopea, Express, the playground, HTTP (Origin, versions, image formats, timings, errors) — for a bug report')
    .option('-p, --port <n>', 'the bridge port (default: SMARTDRAG_PORT, else 7341)', intArg(1, 65535), configuredPort())
    .option('--json', 'print JSON', false)
    .action(async (o: { port: number; json: boolean }) => {
      process.stdout.write(await runDoctor(o));
    });
}
