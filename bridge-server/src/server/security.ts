/** Authentication and request-origin checks of the bridge. */
import { createHash, timingSafeEqual } from 'node:crypto';

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
  if (!['127.0.0.1', 'localhost', '::1', '0.0.0.0', '::'].includes(listenHost)) names.push(listenHost.includes(':') ? `[${listenHost}]` : listenHost);
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
 * True when a WebSocket's Origin is allowed. Non-browser clients (UXP, Node, CLI) send none and
 * are allowed: they still need the token.
 */
export function originAllowed(policy: AccessPolicy, origin: string | undefined): boolean {
  return origin === undefined || policy.origins.has(origin.toLowerCase());
}
