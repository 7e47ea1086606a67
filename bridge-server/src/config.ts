/**
 * Bridge configuration: one frozen, zod-validated object with every default in one place, and
 * the per-user token file. Node only.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { cpus, homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { DEFAULT_LIMITS, DEFAULT_PORT, LimitsSchema } from '@smartdrag/shared';
import { assertLoopback } from './core/plan/llm-reasoner';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

/** A LAN user name: letters, digits, `_ . -`, 1–32 characters; `local` is reserved. */
export const UserNameSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/, 'user names are 1-32 letters, digits, _ . -')
  .refine((u) => u !== 'local', 'the user name "local" is reserved for the bridge token');

/** One per-user token (for sharing the bridge on a LAN). */
export const UserTokenSchema = z.object({ user: UserNameSchema, token: z.string().min(16), created: z.string().optional() });
export type UserToken = z.infer<typeof UserTokenSchema>;

/** The optional local LLM plan reasoner; loopback URLs only. */
export const LlmConfigSchema = z.object({
  /** OpenAI-compatible base URL, e.g. `http://127.0.0.1:8080/v1`. Must be loopback. */
  baseUrl: z.string().superRefine((u, ctx) => {
    try { assertLoopback(u); } catch (e) { ctx.addIssue({ code: 'custom', message: (e as Error).message }); }
  }),
  /** Model name sent to the server. Default `local`. */
  model: z.string().optional(),
  /** Request timeout in ms. Default 20 000. */
  timeoutMs: z.number().int().positive().optional(),
});

/** Schema of the configuration; each field documents its default. */
/**
 * A browser Origin as a page sends it: `http(s)://host[:port]`, no path, query or credentials.
 * Given as a user types it (`https://LocalHost:8443/`), it is kept as the browser writes it
 * (`https://localhost:8443`), so that the check, an exact match, finds it.
 */
const OriginSchema = z.string().transform((raw, ctx) => {
  let u: URL | null = null;
  try { u = new URL(raw.trim()); } catch { /* below */ }
  const bare = u && (u.pathname === '/' || u.pathname === '') && !u.search && !u.hash && !u.username && !u.password;
  if (!u || !bare || (u.protocol !== 'https:' && u.protocol !== 'http:')) {
    ctx.addIssue({ code: 'custom', message: `"${raw}" is not a page origin: give scheme, host and port only, e.g. https://localhost:8443` });
    return z.NEVER;
  }
  return u.origin;
});

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
    /**
     * Per-user tokens (`<home>/tokens.json`, managed by `smartdrag token --add/--revoke`). Each
     * identifies one user; results are scoped per user. Required to listen on a non-loopback host.
     */
    users: z.array(UserTokenSchema).default([]),
    /** Optional local LLM plan reasoner (`llm.baseUrl`, loopback only). Default off (null). Env `SMARTDRAG_LLM_URL`. */
    llm: LlmConfigSchema.nullable().default(null),
    /** Run learned stages (inpaint/refine) when their models are installed. Default true. */
    learnedStages: z.boolean().default(true),
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
    /** Log file (over 5 MB it is rotated, also while running: `.1` to `.3` kept); null = stderr only. Default `<home>/logs/bridge.log`. */
    logFile: z.string().nullable(),
    /**
     * Extra browser origins allowed to connect (the bridge's own origin and Photopea's are always
     * allowed), each `scheme://host[:port]` and nothing more; written as the browser sends them
     * (lower case, no default port). `smartdrag serve --allow-origin`, env `SMARTDRAG_ALLOWED_ORIGINS`
     * (comma-separated).
     */
    allowedOrigins: z.array(OriginSchema).default([]),
    /** Extra Host header values allowed (e.g. `studio-pc:7341` on a LAN). */
    allowedHosts: z.array(z.string()).default([]),
    /** Test hooks in the worker (`__hook:nap__`, `__hook:sleep__`, `__hook:hang__`, `__hook:crash__`, `__hook:throw__` intents). Never on in production. Default false. */
    debugHooks: z.boolean().default(false),
  })
  .superRefine((c, ctx) => {
    if (!LOOPBACK.has(c.host) && !c.allowLan) {
      ctx.addIssue({ code: 'custom', path: ['host'], message: `listening on ${c.host} exposes the bridge to the network; pass --allow-lan to confirm` });
    }
    if (!LOOPBACK.has(c.host) && c.users.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['users'], message: `sharing the bridge on ${c.host} needs per-user tokens; create one with \`smartdrag token --add <user>\`` });
    }
    const seen = new Set<string>();
    for (const u of c.users) {
      if (seen.has(u.user)) ctx.addIssue({ code: 'custom', path: ['users'], message: `user ${u.user} appears twice` });
      seen.add(u.user);
      if (u.token === c.token) ctx.addIssue({ code: 'custom', path: ['users'], message: `user ${u.user} reuses the bridge token` });
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

const TokensFileSchema = z.object({ users: z.array(UserTokenSchema) });

/** Path of the per-user tokens file. */
export function tokensFile(home: string): string {
  return join(home, 'tokens.json');
}

/** Per-user tokens stored in `<home>/tokens.json` (empty when the file does not exist). Throws on a corrupt file. */
export function readUserTokens(home: string): UserToken[] {
  const file = tokensFile(home);
  if (!existsSync(file)) return [];
  const parsed = TokensFileSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) throw new Error(`${file} is not a valid tokens file: ${parsed.error.issues[0]?.message ?? 'schema error'}`);
  return parsed.data.users;
}

function writeUserTokens(home: string, users: UserToken[]): void {
  mkdirSync(home, { recursive: true, mode: 0o700 });
  const file = tokensFile(home);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify({ users }, null, 2) + '\n', { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}

/**
 * Create (or rotate) the token of `user` in `<home>/tokens.json` (mode 0600) and return it. The
 * user hands it to their plugin; the bridge must be restarted to pick it up.
 */
export function addUserToken(home: string, user: string): string {
  const name = UserNameSchema.parse(user);
  const token = randomBytes(32).toString('hex');
  const users = readUserTokens(home).filter((u) => u.user !== name);
  users.push({ user: name, token, created: new Date().toISOString() });
  writeUserTokens(home, users);
  return token;
}

/** Remove the token of `user`; false when there was none. */
export function revokeUserToken(home: string, user: string): boolean {
  const users = readUserTokens(home);
  const left = users.filter((u) => u.user !== user);
  if (left.length === users.length) return false;
  writeUserTokens(home, left);
  return true;
}

/**
 * The port `smartdrag serve` listens on when no `--port` is given: `SMARTDRAG_PORT` when it is a
 * port number, else the default. Commands that talk to a running bridge (doctor, photopea-link,
 * the quick start's check) default to it too.
 */
export function configuredPort(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number(env.SMARTDRAG_PORT);
  return env.SMARTDRAG_PORT && Number.isInteger(n) && n >= 1 && n <= 65535 ? n : DEFAULT_PORT;
}

/**
 * Build the configuration: defaults ← environment (`SMARTDRAG_HOME`, `SMARTDRAG_PORT`,
 * `SMARTDRAG_HOST`, `SMARTDRAG_LOG_LEVEL`, `SMARTDRAG_LLM_URL`, `SMARTDRAG_ALLOWED_ORIGINS`) ← overrides. Per-user tokens come
 * from `<home>/tokens.json` unless given. Throws a zod error on conflicts.
 */
export function loadConfig(input: LoadConfigInput = {}): BridgeConfig {
  const env = input.env ?? process.env;
  const o = input.overrides ?? {};
  const home = o.home ?? smartdragHome(env);
  const fromEnv: Record<string, unknown> = {};
  if (env.SMARTDRAG_PORT) fromEnv.port = Number(env.SMARTDRAG_PORT);
  if (env.SMARTDRAG_HOST) fromEnv.host = env.SMARTDRAG_HOST;
  if (env.SMARTDRAG_LOG_LEVEL) fromEnv.logLevel = env.SMARTDRAG_LOG_LEVEL;
  if (env.SMARTDRAG_ALLOWED_ORIGINS) fromEnv.allowedOrigins = env.SMARTDRAG_ALLOWED_ORIGINS.split(',').map((x) => x.trim()).filter(Boolean);
  if (env.SMARTDRAG_LLM_URL) fromEnv.llm = { baseUrl: env.SMARTDRAG_LLM_URL, ...(env.SMARTDRAG_LLM_MODEL ? { model: env.SMARTDRAG_LLM_MODEL } : {}) };
  const cfg = BridgeConfigSchema.parse({
    ...fromEnv,
    ...o,
    home,
    token: o.token ?? ensureToken(home),
    users: o.users ?? readUserTokens(home),
    logFile: o.logFile === undefined ? join(home, 'logs', 'bridge.log') : o.logFile,
    limits: { ...DEFAULT_LIMITS, ...(o.limits ?? {}) },
    // Origins add up: the environment's and the command line's (`--allow-origin`) both count.
    allowedOrigins: [...((fromEnv.allowedOrigins as string[] | undefined) ?? []), ...(o.allowedOrigins ?? [])],
  });
  return Object.freeze({ ...cfg, limits: Object.freeze({ ...cfg.limits }), users: cfg.users.map((u) => Object.freeze({ ...u })) });
}

/** Version of the bridge package. */
export function bridgeVersion(): string {
  try {
    return (JSON.parse(readFileSync(resolve(__dirname, '..', 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}
