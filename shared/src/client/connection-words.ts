/**
 * The words every panel uses for a connection problem (Photoshop, Photopea, the playground and
 * Express): a short label, a sentence naming what failed, and what to do (the protocol's hint for
 * the code). One place, so the hosts say the same thing.
 */
import { ERROR_HINTS, type ErrorCode } from '../protocol/errors';

export interface ConnectionWords {
  /** Short status label, e.g. "Bridge not running". */
  label: string;
  /** One sentence naming the failed requirement. */
  reason: string;
  /** What to do about it. */
  fix: string;
}

const WORDS: Partial<Record<string, { label: string; reason: string }>> = {
  unreachable: { label: 'Bridge not running', reason: 'The SmartDrag bridge is not running (nothing answers on this port).' },
  shutting_down: { label: 'Bridge stopped', reason: 'The SmartDrag bridge stopped.' },
  connection_lost: { label: 'Connection lost', reason: 'Lost the connection to the SmartDrag bridge.' },
  heartbeat_timeout: { label: 'Connection lost', reason: 'The SmartDrag bridge stopped answering.' },
  unauthorized: { label: 'Wrong token', reason: 'The bridge refused this client\'s token.' },
  version_mismatch: { label: 'Version mismatch', reason: 'The plugin and the bridge speak different protocol versions.' },
  forbidden_origin: { label: 'Origin refused', reason: 'The SmartDrag bridge does not accept connections from this page\'s origin.' },
};

/**
 * Words for a connection problem with error `code` (the bridge's `message` and `hint` are used
 * when the code has no words of its own).
 */
export function connectionWords(code: string | undefined, message?: string, hint?: string): ConnectionWords {
  const w = code ? WORDS[code] : undefined;
  const known = code !== undefined && code in ERROR_HINTS ? ERROR_HINTS[code as ErrorCode] : undefined;
  return {
    label: w?.label ?? message ?? 'Not connected',
    reason: w?.reason ?? message ?? 'Not connected to the SmartDrag bridge.',
    fix: known ?? hint ?? ERROR_HINTS.unreachable,
  };
}
