/**
 * The bridge's pino root logger: JSON lines to stderr and to a log file in the user's data dir
 * (rotated once at start when larger than 5 MB). Tokens are redacted; pixels are never logged.
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
}

const MAX_LOG_BYTES = 5 * 1024 * 1024;

/** Build the root logger. Child loggers (`logger.child({clientId})`) are passed down from here. */
export function createLogger(opts: LoggerOptions): Logger {
  if (opts.level === 'silent') return silentLogger();
  const streams: pino.StreamEntry[] = [];
  if (opts.stderr !== false) streams.push({ level: opts.level as pino.Level, stream: pino.destination({ fd: 2, sync: true }) });
  if (opts.file) {
    mkdirSync(dirname(opts.file), { recursive: true });
    if (existsSync(opts.file) && statSync(opts.file).size > MAX_LOG_BYTES) renameSync(opts.file, opts.file + '.1');
    streams.push({ level: opts.level as pino.Level, stream: pino.destination({ dest: opts.file, sync: true, mkdir: true }) });
  }
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
