/**
 * Terminal progress for long benchmark runs. On a TTY it redraws one line (`\r`) with a bar,
 * counts, the current sample and an ETA; otherwise it writes a plain line every `everyMs`
 * milliseconds or every tenth of the run, whichever comes first, so CI logs stay short.
 */

/** The subset of a writable stream the reporter needs. */
export interface ProgressStream {
  write(s: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** Options of {@link ProgressReporter}. */
export interface ProgressOptions {
  /** Minimum time between plain (non-TTY) lines in ms (default 10000). */
  everyMs?: number;
  /** Clock in ms (default `performance.now`), injectable for tests. */
  now?: () => number;
}

/** Format milliseconds as `1m05s` / `42s`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '?';
  const s = Math.round(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/** Progress over a known number of steps. */
export class ProgressReporter {
  private done = 0;
  private lastPlain = -Infinity;
  private lastPlainStep = 0;
  private readonly start: number;
  private readonly now: () => number;
  private readonly everyMs: number;

  constructor(private readonly total: number, private readonly stream: ProgressStream, opts: ProgressOptions = {}) {
    this.now = opts.now ?? (() => performance.now());
    this.everyMs = opts.everyMs ?? 10000;
    this.start = this.now();
  }

  /** One more step finished; `label` names it (e.g. the sample id). */
  tick(label: string): void {
    this.done = Math.min(this.total, this.done + 1);
    const elapsed = this.now() - this.start;
    const eta = this.done > 0 ? (elapsed / this.done) * (this.total - this.done) : NaN;
    if (this.stream.isTTY) {
      const width = 24;
      const filled = this.total > 0 ? Math.round((width * this.done) / this.total) : width;
      const bar = '#'.repeat(filled) + '-'.repeat(width - filled);
      let line = `[${bar}] ${this.done}/${this.total} ${formatDuration(elapsed)} eta ${formatDuration(eta)} ${label}`;
      const cols = this.stream.columns ?? 100;
      if (line.length > cols - 1) line = line.slice(0, cols - 1);
      this.stream.write(`\r\x1b[2K${line}`);
      return;
    }
    const tenth = Math.max(1, Math.ceil(this.total / 10));
    const t = this.now();
    if (this.done === this.total || this.done - this.lastPlainStep >= tenth || t - this.lastPlain >= this.everyMs) {
      this.stream.write(`bench: ${this.done}/${this.total} done, ${formatDuration(elapsed)} elapsed, eta ${formatDuration(eta)} (${label})\n`);
      this.lastPlain = t;
      this.lastPlainStep = this.done;
    }
  }

  /** End the progress display (a newline on a TTY). */
  finish(): void {
    if (this.stream.isTTY) this.stream.write('\n');
  }
}
