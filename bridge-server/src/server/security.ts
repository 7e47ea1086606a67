/** Authentication and request-origin checks of the bridge. */
import { createHash, timingSafeEqual } from 'node:crypto';
import { networkInterfaces } from 'node:os';

/** Constant-time token comparison (hashes first, so lengths never leak either). */
export function tokensEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}

/** Key under which a client's jobs are kept (a digest, never the token itself). */
export function ownerKey(token: string): string {
  return createHash('sha256').update('smartdrag-owner:' + token, 'utf8').digest('hex').slice(0, 32);
}

/** Name of the user behind the bridge's own token (the person at this machine). */
export const LOCAL_USER = 'local';

/** Loopback interface names. */
const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['127.0.0.1', 'localhost', '::1']);

/** True when `host` (a listen host) is a loopback name. */
export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_HOSTS.has(host);
}

/** True when a peer address (`socket.remoteAddress`) is a loopback address. */
export function isLoopbackAddress(addr: string | undefined): boolean {
  if (!addr) return false;
  const a = addr.startsWith('::ffff:') ? addr.slice(7) : addr;
  return a === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(a);
}

/** This machine's own interface addresses (IPv6 without a zone), as `socket.remoteAddress` shows them. */
export function ownAddresses(): Set<string> {
  const out = new Set<string>();
  for (const list of Object.values(networkInterfaces())) for (const ni of list ?? []) out.add(ni.address.split('%')[0]!);
  return out;
}

/**
 * True when a peer is this machine: a loopback address, or one of this machine's own interface
 * addresses — a bridge shared on the LAN (`--host <lan-ip>`) sees this machine's own panels and
 * scripts, connecting to that address, come from it, not from loopback. (A LAN peer cannot make
 * its TCP connection come from our address.)
 */
export function isThisMachine(addr: string | undefined, own: ReadonlySet<string> = ownAddresses()): boolean {
  if (!addr) return false;
  if (isLoopbackAddress(addr)) return true;
  const a = addr.startsWith('::ffff:') ? addr.slice(7) : addr.split('%')[0]!;
  return own.has(a);
}

/** What {@link authenticate} needs to know. */
export interface AuthConfig {
  host: string;
  /** The bridge's own token (user `local`). */
  token: string;
  /** Per-user LAN tokens. */
  users: readonly { user: string; token: string }[];
}

/**
 * The user a token belongs to, or null. Every candidate is compared in constant time and the loop
 * never stops early, so timing reveals neither which token nor how many matched. The bridge's own
 * token (user `local`) is accepted from anywhere while the bridge listens on loopback, and only
 * from this machine when it is shared on a LAN: LAN peers must use their own per-user token.
 */
export function authenticate(given: string | undefined, cfg: AuthConfig, remoteAddress: string | undefined, own?: ReadonlySet<string>): { user: string; owner: string } | null {
  const token = given ?? '';
  let user: string | null = null;
  if (tokensEqual(token, cfg.token) && (isLoopbackHost(cfg.host) || isThisMachine(remoteAddress, own))) user = LOCAL_USER;
  for (const u of cfg.users) if (tokensEqual(token, u.token) && user === null) user = u.user;
  return user === null || !token ? null : { user, owner: ownerKey(`user:${user}`) };
}

/** Origins of Photopea, whose plugin page may talk to the bridge. */
export const PHOTOPEA_ORIGINS = ['https://www.photopea.com', 'https://photopea.com'] as const;

/** Host and Origin allow-lists derived from where the bridge listens. */
export interface AccessPolicy {
  hosts: Set<string>;
  origins: Set<string>;
}

/**
 * Allowed `Host` header values (DNS-rebinding protection) and browser `Origin`s: the bridge's
 * own loopback names on its port, the configured LAN host, Photopea, and configured extras.
 */
export function accessPolicy(listenHost: string, port: number, extraHosts: readonly string[], extraOrigins: readonly string[]): AccessPolicy {
  const names = ['127.0.0.1', 'localhost', '[::1]'];
  const bracket = (h: string) => (h.includes(':') ? `[${h}]` : h);
  if (listenHost === '0.0.0.0' || listenHost === '::') {
    // A wildcard bind is reachable under every interface address of this machine.
    for (const a of ownAddresses()) names.push(bracket(a));
  } else if (!isLoopbackHost(listenHost)) names.push(bracket(listenHost));
  const hosts = new Set<string>();
  for (const n of names) hosts.add(`${n}:${port}`);
  for (const h of extraHosts) hosts.add(h.toLowerCase());
  const origins = new Set<string>([...PHOTOPEA_ORIGINS, ...extraOrigins]);
  for (const h of hosts) origins.add(`http://${h}`);
  return { hosts, origins };
}

/** True when a request's Host header is allowed. */
export function hostAllowed(policy: AccessPolicy, host: string | undefined): boolean {
  return !!host && policy.hosts.has(host.toLowerCase());
}

/**
 * Origins that Photoshop's UXP runtime may put on a plugin's WebSocket or fetch. UXP is not a
 * browser and Adobe documents no Origin value; local bridges for UXP plugins accept a missing
 * Origin, `null`, and the `uxp://` / `plugin://` schemes (docs/HOSTS-CONFORMANCE.md, "Bridge:
 * Origins and HTTP door"). A browser page can produce `null` too (sandboxed iframe, file:), so
 * these are accepted only where a valid token is required as well — never as proof by themselves.
 * Adobe Express add-ons run in an iframe on `https://<add-on id>.wxp.adobe-addons.com` (developer
 * mode: `https://localhost:5241`, the add-on CLI's port); the user pastes the token into the
 * panel, so those Origins are token-only too (docs/HOSTS-CONFORMANCE.md, "Adobe Express").
 */
const TOKEN_ONLY_ORIGIN = /^(?:null|(?:uxp|plugin):\/\/[\w.\-/:]*|https:\/\/[a-z0-9-]+\.wxp\.adobe-addons\.com|https:\/\/localhost:5241)$/i;

/**
 * How a request's Origin is treated, the same on HTTP and WebSocket:
 * - `none`: no Origin (UXP, Node, CLI, curl) — the token decides;
 * - `listed`: the bridge's own pages, Photopea, configured extras — CORS answers are given;
 * - `token`: an Origin the real hosts may send (`null`, `uxp://…`, `plugin://…`) — served only
 *   together with a valid token (WebSocket `hello`, HTTP bearer), no CORS answers;
 * - `foreign`: anything else — refused with `forbidden_origin`.
 */
export type OriginClass = 'none' | 'listed' | 'token' | 'foreign';

export function classifyOrigin(policy: AccessPolicy, origin: string | undefined): OriginClass {
  if (origin === undefined) return 'none';
  const o = origin.toLowerCase();
  if (policy.origins.has(o)) return 'listed';
  return TOKEN_ONLY_ORIGIN.test(o) ? 'token' : 'foreign';
}

/**
 * True when a WebSocket's Origin may open a session: none (non-browser clients), listed, or a
 * real host's token-only Origin. Every session must still authenticate with `hello`.
 */
export function originAllowed(policy: AccessPolicy, origin: string | undefined): boolean {
  return classifyOrigin(policy, origin) !== 'foreign';
}
