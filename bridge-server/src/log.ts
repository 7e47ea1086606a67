/**
 * The bridge's pino root logger: JSON lines to stderr and to a log file in the user's data dir,
 * rotated by size (at start and while running: over 5 MB it becomes `<file>.1`, the older ones
 * `.2` and `.3`, the oldest is dropped). Tokens are redacted; pixels are never logged.
 */
import { existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import pino, { type Logger } from 'pino';

export type { Logger };

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  level: string;
  /** File to append to; null for stderr only. */
  file: string | null;
  /** Also write to stderr. Default true. */
  stderr?: boolean;
  /** Size at which the file is rotated. Default 5 MB. */
  maxFileBytes?: number;
  /** Rotated files kept (`<file>.1` newest … `<file>.<n>`). Default 3. */
  keepFiles?: number;
}

const MAX_LOG_BYTES = 5 * 1024 * 1024;
const KEEP_LOG_FILES = 3;

/**
 * A log file rotated by size while the bridge runs (a bridge left running for days must not fill
 * the disk): it counts the bytes written, and past `maxBytes` renames `file` → `file.1` → … →
 * `file.<keep>` (the oldest is replaced) and reopens `file` (pino's destination `reopen`). No
 * timer, no stat per line.
 */
export class RotatingFile {
  private size: number;
  private readonly dest: pino.DestinationStream & { reopen(): void };

  constructor(readonly file: string, readonly maxBytes = MAX_LOG_BYTES, readonly keep = KEEP_LOG_FILES) {
    this.keep = Math.max(1, keep);
    mkdirSync(dirname(file), { recursive: true });
    this.size = existsSync(file) ? statSync(file).size : 0;
    if (this.size > maxBytes) { this.shift(); this.size = 0; }
    this.dest = pino.destination({ dest: file, sync: true, mkdir: true });
  }

  write(chunk: string): void {
    this.dest.write(chunk);
    this.size += Buffer.byteLength(chunk);
    if (this.size > this.maxBytes) this.rotate();
  }

  private rotate(): void {
    // (A failed rename or reopen leaves the lines going to the current file; tried again after
    // another maxBytes.)
    this.size = 0;
    try {
      this.shift();
      this.dest.reopen();
    } catch { /* keep writing where we are */ }
  }

  private shift(): void {
    for (let i = this.keep; i >= 1; i--) {
      const from = i === 1 ? this.file : `${this.file}.${i - 1}`;
      if (existsSync(from)) renameSync(from, `${this.file}.${i}`);
    }
  }
}

/** Build the root logger. Child loggers (`logger.child({clientId})`) are passed down from here. */
export function createLogger(opts: LoggerOptions): Logger {
  if (opts.level === 'silent') return silentLogger();
  const streams: pino.StreamEntry[] = [];
  if (opts.stderr !== false) streams.push({ level: opts.level as pino.Level, stream: pino.destination({ fd: 2, sync: true }) });
  if (opts.file) streams.push({ level: opts.level as pino.Level, stream: new RotatingFile(opts.file, opts.maxFileBytes, opts.keepFiles) });
  return pino(
    {
      level: opts.level,
      base: { name: 'smartdrag' },
      redact: { paths: ['token', '*.token', 'headers.authorization', 'req.headers.authorization'], censor: '[redacted]' },
    },
    streams.length ? pino.multistream(streams) : pino.destination({ fd: 2, sync: true }),
  );
}

/** A logger that drops everything (tests). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
