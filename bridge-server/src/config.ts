/**
 * Bridge configuration: one frozen, zod-validated object with every default in one place, and
 * the per-user token file. Node only.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { DEFAULT_LIMITS, DEFAULT_PORT, LimitsSchema } from '@smartdrag/shared';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

/** Schema of the configuration; each field documents its default. */
export const BridgeConfigSchema = z
  .object({
    /** Interface to listen on. Default `127.0.0.1` (loopback only). */
    host: z.string().default('127.0.0.1'),
    /** TCP port; 0 = any free port (tests). Default 7341. */
    port: z.number().int().min(0).max(65535).default(DEFAULT_PORT),
    /** Listening on a non-loopback host must be asked for explicitly (`--allow-lan`). Default false. */
    allowLan: z.boolean().default(false),
    /** Per-user config dir (token, logs). Default `$SMARTDRAG_HOME`, else `$XDG_CONFIG_HOME/smartdrag`, else `~/.config/smartdrag`. */
    home: z.string(),
    /** The token clients present in `hello`. Default: read from (or created in) `<home>/token`. */
    token: z.string().min(16),
    /** Worker threads running edits. Default `min(2, cores)`. */
    workers: z.number().int().min(1).max(64).default(Math.max(1, Math.min(2, cpus().length))),
    /** Heartbeat interval (protocol pings to clients; clients ping at this rate). Default 15 000 ms. */
    heartbeatMs: z.number().int().positive().default(15_000),
    /** How long finished results are kept for pickup after a reconnect. Default 600 000 ms (10 min). */
    resultTtlMs: z.number().int().positive().default(600_000),
    /** Time a new socket has to send `hello`. Default 10 000 ms. */
    handshakeTimeoutMs: z.number().int().positive().default(10_000),
    /** Time between `job.submit` and its last binary frame. Default 60 000 ms. */
    uploadTimeoutMs: z.number().int().positive().default(60_000),
    /** Time a running job has to stop after cancel before its worker is replaced. Default 2 000 ms. */
    cancelGraceMs: z.number().int().positive().default(2_000),
    /** Limits (see shared/src/protocol/limits.ts). */
    limits: LimitsSchema.default({ ...DEFAULT_LIMITS }),
    /** Folder holding `photopea/` and `playground/` builds. Default `plugin-photopea/dist` of this checkout. */
    staticRoot: z.string().default(resolve(__dirname, '..', '..', 'plugin-photopea', 'dist')),
    /** pino level. Default `info`. */
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** Log file (rotated at start when over 5 MB); null = stderr only. Default `<home>/logs/bridge.log`. */
    logFile: z.string().nullable(),
    /** Extra browser origins allowed to connect (the bridge's own origin and Photopea's are always allowed). */
    allowedOrigins: z.array(z.string()).default([]),
    /** Extra Host header values allowed (e.g. `studio-pc:7341` on a LAN). */
    allowedHosts: z.array(z.string()).default([]),
    /** Test hooks in the worker (`__hook:nap__`, `__hook:sleep__`, `__hook:hang__`, `__hook:crash__`, `__hook:throw__` intents). Never on in production. Default false. */
    debugHooks: z.boolean().default(false),
  })
  .superRefine((c, ctx) => {
    if (!LOOPBACK.has(c.host) && !c.allowLan) {
      ctx.addIssue({ code: 'custom', path: ['host'], message: `listening on ${c.host} exposes the bridge to the network; pass --allow-lan to confirm` });
    }
    if (c.limits.maxFrameBytes <= c.limits.maxChunkBytes) {
      ctx.addIssue({ code: 'custom', path: ['limits', 'maxFrameBytes'], message: 'maxFrameBytes must exceed maxChunkBytes (room for the header)' });
    }
  });

/** The validated configuration. */
export type BridgeConfig = Readonly<z.infer<typeof BridgeConfigSchema>>;

/** Input of {@link loadConfig}: environment plus explicit overrides (CLI flags, tests). */
export interface LoadConfigInput {
  env?: NodeJS.ProcessEnv;
  overrides?: Partial<Omit<z.input<typeof BridgeConfigSchema>, 'limits'>> & { limits?: Partial<z.input<typeof LimitsSchema>> };
}

/** The per-user SmartDrag directory. */
export function smartdragHome(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SMARTDRAG_HOME) return resolve(env.SMARTDRAG_HOME);
  if (env.XDG_CONFIG_HOME) return join(resolve(env.XDG_CONFIG_HOME), 'smartdrag');
  return join(homedir(), '.config', 'smartdrag');
}

/** Read `<home>/token`, creating it (32 random bytes, hex, mode 0600) on first run. */
export function ensureToken(home: string): string {
  const file = join(home, 'token');
  if (existsSync(file)) {
    const t = readFileSync(file, 'utf8').trim();
    if (t.length >= 16) return t;
  }
  mkdirSync(home, { recursive: true, mode: 0o700 });
  const token = randomBytes(32).toString('hex');
  writeFileSync(file, token + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
  return token;
}

/**
 * Build the configuration: defaults ← environment (`SMARTDRAG_HOME`, `SMARTDRAG_PORT`,
 * `SMARTDRAG_HOST`, `SMARTDRAG_LOG_LEVEL`) ← overrides. Throws a zod error on conflicts.
 */
export function loadConfig(input: LoadConfigInput = {}): BridgeConfig {
  const env = input.env ?? process.env;
  const o = input.overrides ?? {};
  const home = o.home ?? smartdragHome(env);
  const fromEnv: Record<string, unknown> = {};
  if (env.SMARTDRAG_PORT) fromEnv.port = Number(env.SMARTDRAG_PORT);
  if (env.SMARTDRAG_HOST) fromEnv.host = env.SMARTDRAG_HOST;
  if (env.SMARTDRAG_LOG_LEVEL) fromEnv.logLevel = env.SMARTDRAG_LOG_LEVEL;
  const cfg = BridgeConfigSchema.parse({
    ...fromEnv,
    ...o,
    home,
    token: o.token ?? ensureToken(home),
    logFile: o.logFile === undefined ? join(home, 'logs', 'bridge.log') : o.logFile,
    limits: { ...DEFAULT_LIMITS, ...(o.limits ?? {}) },
  });
  return Object.freeze({ ...cfg, limits: Object.freeze({ ...cfg.limits }) });
}

/** Version of the bridge package. */
export function bridgeVersion(): string {
  try {
    return (JSON.parse(readFileSync(resolve(__dirname, '..', 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}
