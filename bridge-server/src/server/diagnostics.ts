/**
 * What the bridge saw from its recent clients, for health, logs and a future `smartdrag doctor`:
 * each connection or HTTP request (kind, Origin, Host, client name and version, user), whether
 * it was refused and why, and the outcome of its jobs. A small ring: the newest entries win.
 * This is the place for further per-client facts (bit depth, sizes, timings) and for byte
 * budgets shared by the parts of the bridge.
 */

/** One client as the bridge saw it. */
export interface ClientRecord {
  /** Session id (WebSocket) or request id (HTTP). */
  id: string;
  kind: 'ws' | 'http';
  at: number;
  origin?: string;
  host?: string;
  remote?: string;
  client?: string;
  clientVersion?: string;
  user?: string;
  /** The coded error that refused or ended this client, if one did. */
  refused?: string;
  jobs: { done: number; failed: number; cancelled: number; lastError?: string; lastTimings?: Record<string, number> };
}

/** Ring of the last {@link Diagnostics.capacity} clients. */
export class Diagnostics {
  private readonly records: ClientRecord[] = [];

  constructor(readonly capacity = 32) {}

  /** Start a record (newest last); older ones beyond the capacity are dropped. */
  open(id: string, kind: ClientRecord['kind'], headers: { origin?: string; host?: string }, remote?: string): ClientRecord {
    const rec: ClientRecord = {
      id, kind, at: Date.now(), remote,
      ...(headers.origin !== undefined ? { origin: clip(headers.origin) } : {}),
      ...(headers.host !== undefined ? { host: clip(headers.host) } : {}),
      jobs: { done: 0, failed: 0, cancelled: 0 },
    };
    this.records.push(rec);
    if (this.records.length > this.capacity) this.records.splice(0, this.records.length - this.capacity);
    return rec;
  }

  /** The record of `id`, if still kept. */
  get(id: string): ClientRecord | undefined {
    for (let i = this.records.length - 1; i >= 0; i--) if (this.records[i]!.id === id) return this.records[i];
    return undefined;
  }

  /** Count a job's end on its client's record. */
  jobEnded(id: string | undefined, state: 'done' | 'failed' | 'cancelled', error?: string, timings?: Record<string, number>): void {
    const rec = id === undefined ? undefined : this.get(id);
    if (!rec) return;
    rec.jobs[state]++;
    if (error) rec.jobs.lastError = error;
    if (timings) rec.jobs.lastTimings = timings;
  }

  /** Copies of the kept records, oldest first. */
  recent(): ClientRecord[] {
    return this.records.map((r) => ({ ...r, jobs: { ...r.jobs } }));
  }
}

/** Header values are stored clipped: a client cannot make the record large. */
function clip(s: string): string {
  return s.length > 200 ? s.slice(0, 200) : s;
}

/**
 * Logs each unexpected Origin once (with a hint), so a real host whose Origin nobody foresaw shows
 * up in the log without flooding it. Remembers at most `capacity` origins.
 */
export class OriginNotes {
  private readonly seen = new Set<string>();

  constructor(private readonly log: (origin: string, kind: 'token' | 'foreign', hint: string) => void, readonly capacity = 64) {}

  note(origin: string, kind: 'token' | 'foreign'): void {
    const o = clip(origin);
    if (this.seen.has(o) || this.seen.size >= this.capacity) return;
    this.seen.add(o);
    this.log(o, kind, kind === 'token'
      ? 'served only with a valid token (Photoshop UXP and sandboxed pages send such an Origin); if this client fails, check its token'
      : `refused: not the bridge's own page, Photopea or a configured origin; if you trust this page, start the bridge with \`smartdrag serve --allow-origin ${o}\` (or SMARTDRAG_ALLOWED_ORIGINS=${o}); it still needs the token`);
  }
}
