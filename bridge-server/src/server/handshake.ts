/**
 * The WebSocket handshake, as decisions without I/O: whether an upgrade may open a session
 * (shutdown, Host, Origin) and what a session's first text message (`hello`) leads to — a
 * welcome for an authenticated user, or the coded error and close code that end the socket.
 */
import type { IncomingMessage } from 'node:http';
import {
  CloseCode, ErrorCode, parseClientMessage, PROTOCOL_VERSION,
  type ClientMessage,
} from '@smartdrag/shared';
import { authenticate, hostAllowed, originAllowed, type AccessPolicy, type AuthConfig } from './security';

/** Why a socket is closed: the coded error sent first, then the close code. */
export interface Refusal {
  code: ErrorCode;
  closeCode: number;
  message: string;
  detail?: unknown;
}

/** The refusal for an upgrade request, or null when a session may start. */
export function checkUpgrade(policy: AccessPolicy, req: Pick<IncomingMessage, 'headers'>, closing: boolean): Refusal | null {
  if (closing) return { code: ErrorCode.shutting_down, closeCode: CloseCode.goingAway, message: 'the bridge is shutting down' };
  const { host, origin } = req.headers;
  if (!hostAllowed(policy, host)) {
    return { code: ErrorCode.forbidden_host, closeCode: CloseCode.forbiddenHost, message: `Host ${String(host).slice(0, 100)} is not this bridge` };
  }
  if (!originAllowed(policy, origin)) {
    return { code: ErrorCode.forbidden_origin, closeCode: CloseCode.forbiddenOrigin, message: `Origin ${String(origin).slice(0, 100)} may not use this bridge` };
  }
  return null;
}

/** An accepted hello. */
export interface HelloAccepted {
  ok: true;
  hello: Extract<ClientMessage, { type: 'hello' }>;
  user: string;
  owner: string;
}

/**
 * Decide on a session's first message. The protocol version is checked first and leniently (a
 * future client's hello may not match today's schema), then the schema, then the token.
 */
export function answerHello(text: string, auth: AuthConfig, remoteAddress: string | undefined): HelloAccepted | ({ ok: false } & Refusal) {
  let raw: unknown;
  try { raw = JSON.parse(text); } catch { /* the schema check below reports it */ }
  const r0 = raw as { type?: unknown; protocol?: unknown } | undefined;
  if (r0 && r0.type === 'hello' && typeof r0.protocol === 'number' && r0.protocol !== PROTOCOL_VERSION) {
    const older = r0.protocol < PROTOCOL_VERSION ? 'plugin' : 'bridge';
    return {
      ok: false, code: ErrorCode.version_mismatch, closeCode: CloseCode.versionMismatch,
      message: `protocol ${r0.protocol} is not supported by this bridge (protocol ${PROTOCOL_VERSION}); update the ${older}`,
      detail: { client: r0.protocol, server: PROTOCOL_VERSION, upgrade: older },
    };
  }
  const r = parseClientMessage(text);
  if (!r.ok) return { ok: false, code: r.code, closeCode: CloseCode.badHandshake, message: r.message };
  if (r.msg.type !== 'hello') {
    return { ok: false, code: ErrorCode.bad_message, closeCode: CloseCode.badHandshake, message: `the first message must be hello, not ${r.msg.type}` };
  }
  const who = authenticate(r.msg.token, auth, remoteAddress);
  if (!who) return { ok: false, code: ErrorCode.unauthorized, closeCode: CloseCode.unauthorized, message: 'wrong or missing token' };
  return { ok: true, hello: r.msg, user: who.user, owner: who.owner };
}
