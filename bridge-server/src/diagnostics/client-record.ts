/**
 * `<home>/diagnostics.json` for `smartdrag doctor`: the clients the bridge's in-memory
 * `Diagnostics` ring holds (server/diagnostics.ts: Origin, Host, remote, host kind, plugin
 * version, user, refusal code, job outcomes and last timings), plus the images each client's
 * last jobs sent (format, size, bytes, PNG bit depth and colour type). Written at most once a
 * second when something changed, and on close, so a separate `smartdrag doctor` process can
 * read it. No pixels, no tokens, no intents.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ClientRecord } from '../server/diagnostics';

export interface ImageRecord {
  jobId: string;
  at: number;
  format: string;
  width: number;
  height: number;
  bytes: number;
  pngBitDepth?: number;
  pngColorType?: number;
  regions: number;
  drags: number;
  quality: string;
}

export interface DiagnosticsFile {
  bridgeVersion: string;
  startedAt: string;
  updatedAt: string;
  /** Newest first. */
  clients: Array<ClientRecord & { images: ImageRecord[] }>;
}

const MAX_IMAGES = 10;

/** The file the bridge writes under its home folder. */
export function diagnosticsPath(home: string): string {
  return join(home, 'diagnostics.json');
}

/** PNG IHDR size, bit depth and colour type, when the bytes are a PNG. */
export function pngHeader(bytes: Uint8Array): { width: number; height: number; pngBitDepth: number; pngColorType: number } | null {
  if (bytes.length < 26 || bytes[0] !== 0x89 || bytes[1] !== 0x50 || bytes[2] !== 0x4e || bytes[3] !== 0x47) return null;
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { width: v.getUint32(16), height: v.getUint32(20), pngBitDepth: bytes[24]!, pngColorType: bytes[25]! };
}

/** A job whose upload is complete, as the writer needs it. */
export interface PreparedJob {
  id: string;
  clientId?: string;
  submit: { regions: unknown[]; drags: unknown[]; quality: string };
  frames: Map<number, { format: string; width: number; height: number; data: Uint8Array }>;
}

export class DiagnosticsWriter {
  private readonly images = new Map<string, ImageRecord[]>();
  private readonly startedAt = new Date().toISOString();
  private last = '';
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(private readonly file: string | null, private readonly bridgeVersion: string, private readonly recent: () => ClientRecord[], everyMs = 1000) {
    if (file) {
      this.timer = setInterval(() => this.write(), everyMs);
      (this.timer as { unref?: () => void }).unref?.();
    }
  }

  /** Record the image a job's client sent (call when all its frames are in). */
  jobPrepared(job: PreparedJob): void {
    if (!job.clientId) return;
    const f0 = job.frames.get(0);
    if (!f0) return;
    const rec: ImageRecord = {
      jobId: job.id, at: Date.now(), format: f0.format, width: f0.width, height: f0.height, bytes: f0.data.byteLength,
      ...(f0.format === 'png' ? pngHeader(f0.data) ?? {} : {}),
      regions: job.submit.regions.length, drags: job.submit.drags.length, quality: job.submit.quality,
    };
    const list = this.images.get(job.clientId) ?? [];
    list.unshift(rec);
    list.length = Math.min(list.length, MAX_IMAGES);
    this.images.set(job.clientId, list);
  }

  snapshot(): DiagnosticsFile {
    const clients = this.recent().reverse().map((c) => ({ ...c, images: this.images.get(c.id) ?? [] }));
    const keep = new Set(clients.map((c) => c.id));
    for (const id of [...this.images.keys()]) if (!keep.has(id)) this.images.delete(id);
    return { bridgeVersion: this.bridgeVersion, startedAt: this.startedAt, updatedAt: new Date().toISOString(), clients };
  }

  /** Write now if anything changed (also called on close). */
  write(): void {
    if (!this.file) return;
    const snap = this.snapshot();
    const body = JSON.stringify(snap.clients);
    if (body === this.last) return;
    this.last = body;
    try {
      mkdirSync(dirname(this.file), { recursive: true });
      const tmp = `${this.file}.tmp`;
      writeFileSync(tmp, JSON.stringify(snap, null, 1), { mode: 0o600 });
      renameSync(tmp, this.file);
    } catch { /* diagnostics must never break the bridge */ }
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.write();
  }
}

/** Read what a bridge wrote (null when there is no file yet). */
export function readDiagnostics(home: string): DiagnosticsFile | null {
  try {
    return JSON.parse(readFileSync(diagnosticsPath(home), 'utf8')) as DiagnosticsFile;
  } catch {
    return null;
  }
}
