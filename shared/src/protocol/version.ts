/**
 * Protocol version. One integer; the WebSocket path carries the major version (`/v1/ws`).
 * Bump it to remove, rename or change the meaning of a field — not for a new optional field or a
 * new message type. Every bump is logged in shared/PROTOCOL.md.
 */
export const PROTOCOL_VERSION = 2 as const;

/** Path of the WebSocket endpoint on the bridge. */
export const WS_PATH = '/v1/ws' as const;

/** Default TCP port of the bridge (avoids 7860, 8000 and 8188 used by other local AI servers). */
export const DEFAULT_PORT = 7341 as const;
