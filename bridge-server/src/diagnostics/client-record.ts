/**
 * What the bridge saw from its last clients, for `smartdrag doctor`: per connection the Origin,
 * Host and remote address, the hello (host kind, plugin version, protocol), and per job the image
 * the host sent (format, size, bytes, PNG bit depth and colour type), regions/drags, timings and
 * the error code if any. Small on purpose: the last 10 connections, 10 jobs each, kept in memory
 * and written (throttled) to `<home>/diagnostics.json` so a separate `smartdrag doctor` process
 * can read it. No pixels, no tokens, no intents.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface JobRecord {
  jobId: string;
  at: string;
  image?: { format: string; width: number; height: number; bytes: number; pngBitDepth?: number; pngColorType?: number };
  regions?: number;
  drags?: number;
  quality?: string;
  outcome?: 'done' | 'failed' | 'cancelled';
  error?: string;
  timings?: Record<string, number>;
  layer?: { width: number; height: number };
}

export interface ConnectionRecord {
  id: string;
  at: string;
  origin: string | null;
  host: string | null;
  remote: string | null;
  userAgent: string | null;
  /** 'connected' after a good hello; else the refusal code. */
  outcome: string;
  client?: string;
  clientVersion?: string;
  protocol?: number;
  jobs: JobRecord[];
}

export interface DiagnosticsFile {
  bridgeVersion: string;
  startedAt: string;
  updatedAt: string;
  connections: ConnectionRecord[];
}

const MAX_CONNECTIONS = 10;
const MAX_JOBS = 10;
const str = (v: unknown, n = 200): string | null => (typeof v === 'string' ? v.slice(0, n) : Array.isArray(v) ? String(v[0]).slice(0, n) : null);

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

export class ClientRecorder {
  private readonly data: DiagnosticsFile;
  private readonly byJob = new Map<string, JobRecord>();
  private timer: ReturnType<typeof setTimeout> | null = null;

  /** `file` null: keep in memory only (tests, or no home folder). */
  constructor(private readonly file: string | null, bridgeVersion: string, private readonly writeDelayMs = 300) {
    this.data = { bridgeVersion, startedAt: new Date().toISOString(), updatedAt: new Date().toISOString(), connections: [] };
  }

  snapshot(): DiagnosticsFile {
    return JSON.parse(JSON.stringify(this.data)) as DiagnosticsFile;
  }

  /** A WebSocket upgrade arrived. */
  connection(id: string, headers: Record<string, unknown>, remote: string | undefined): void {
    this.data.connections.unshift({
      id, at: new Date().toISOString(), origin: str(headers.origin), host: str(headers.host), remote: remote ?? null,
      userAgent: str(headers['user-agent']), outcome: 'open', jobs: [],
    });
    this.data.connections.length = Math.min(this.data.connections.length, MAX_CONNECTIONS);
    this.changed();
  }

  /** The connection was refused (forbidden_host, forbidden_origin, unauthorized, version_mismatch, …). */
  refused(id: string, code: string): void {
    const c = this.find(id);
    if (c) { c.outcome = code; this.changed(); }
  }

  hello(id: string, h: { client?: string; clientVersion?: string; protocol?: number }): void {
    const c = this.find(id);
    if (!c) return;
    c.outcome = 'connected';
    if (h.client !== undefined) c.client = str(h.client, 40) ?? undefined;
    if (h.clientVersion !== undefined) c.clientVersion = str(h.clientVersion, 40) ?? undefined;
    if (h.protocol !== undefined) c.protocol = h.protocol;
    this.changed();
  }

  /** A job's upload is complete: what the host sent. */
  job(connectionId: string, j: Omit<JobRecord, 'at'>): void {
    const c = this.find(connectionId);
    if (!c) return;
    const rec: JobRecord = { ...j, at: new Date().toISOString() };
    c.jobs.unshift(rec);
    for (const old of c.jobs.splice(MAX_JOBS)) this.byJob.delete(old.jobId);
    this.byJob.set(j.jobId, rec);
    this.changed();
  }

  /** A job ended. */
  jobEnded(jobId: string, e: { outcome: 'done' | 'failed' | 'cancelled'; error?: string; timings?: Record<string, number>; layer?: { width: number; height: number } }): void {
    const rec = this.byJob.get(jobId);
    if (!rec) return;
    Object.assign(rec, e);
    this.changed();
  }

  /** Write now (bridge closing). */
  flush(): void {
    if (this.timer) { clearTimeout(this.timer); this.timer = null; }
    this.write();
  }

  private find(id: string): ConnectionRecord | undefined {
    return this.data.connections.find((c) => c.id === id);
  }

  private changed(): void {
    this.data.updatedAt = new Date().toISOString();
    if (!this.file || this.timer) return;
    this.timer = setTimeout(() => { this.timer = null; this.write(); }, this.writeDelayMs);
    (this.timer as { unref?: () => void }).unref?.();
  }

  private write(): void {
    if (!this.file) return;
    try {
      mkdirSync(dirname(this.file), { recursive: true });
      const tmp = `${this.file}.tmp`;
      writeFileSync(tmp, JSON.stringify(this.data, null, 1), { mode: 0o600 });
      renameSync(tmp, this.file);
    } catch { /* diagnostics must never break the bridge */ }
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
