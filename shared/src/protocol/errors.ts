/**
 * The closed set of SmartDrag error codes, each with a one-line meaning and a user-facing hint.
 * The wire carries the code (snake_case); hosts show the hint. See shared/PROTOCOL.md.
 */

/** Every error code, as a value. */
export const ErrorCode = {
  /** Client and bridge speak different protocol versions. */
  version_mismatch: 'version_mismatch',
  /** Missing or wrong token in `hello` (or HTTP Authorization). */
  unauthorized: 'unauthorized',
  /** A message that is not valid JSON or fails its schema; a frame with a bad header. */
  bad_message: 'bad_message',
  /** A well-formed message of a type the bridge does not know. */
  unsupported_message: 'unsupported_message',
  /** A WebSocket message larger than the frame limit. */
  frame_too_large: 'frame_too_large',
  /** An image or mask with more pixels (or a longer side) than allowed. */
  image_too_large: 'image_too_large',
  /** More regions than allowed in one job. */
  too_many_regions: 'too_many_regions',
  /** More drags than allowed in one job. */
  too_many_drags: 'too_many_drags',
  /** A drag path or polygon with more points than allowed. */
  too_many_points: 'too_many_points',
  /** The per-client or global queue is full. */
  queue_full: 'queue_full',
  /** A job ran longer than the maximum job time and was stopped. */
  job_timeout: 'job_timeout',
  /** `job.resume` / `job.cancel` named a job the bridge does not hold (or holds for someone else). */
  job_not_found: 'job_not_found',
  /** The job was cancelled. */
  cancelled: 'cancelled',
  /** The worker running the job crashed; the bridge replaced it. */
  worker_crashed: 'worker_crashed',
  /**
   * Reserved (bridges of this version never send it): a learned stage whose model cannot run
   * falls back to the classical stage and says so in the plan's warnings.
   */
  model_missing: 'model_missing',
  /** A browser page from a foreign origin tried to connect. */
  forbidden_origin: 'forbidden_origin',
  /** A request with a foreign Host header (DNS rebinding protection). */
  forbidden_host: 'forbidden_host',
  /** The bridge is shutting down. */
  shutting_down: 'shutting_down',
  /** Client-side: nothing answers at the bridge URL. */
  unreachable: 'unreachable',
  /** Client-side: the connection dropped and will not be re-established. */
  connection_lost: 'connection_lost',
  /** A request without arrows whose intent does not say enough to plan (the message asks what is missing). */
  intent_unclear: 'intent_unclear',
  /** A host-made preview proxy (`proxyOf`) whose size does not fit the document area it stands for, or masks that do not fit it. */
  proxy_mismatch: 'proxy_mismatch',
  /**
   * A job named an image the bridge does not hold for this connection (`heldImage`: never sent
   * with `keepImage` on this connection, or dropped since). Nothing was queued: send the job again
   * with the pixels (BridgeClient does this by itself).
   */
  image_unknown: 'image_unknown',
  /** Anything unexpected (a bug); the bridge logs the stack with the job id. */
  internal: 'internal',
} as const;

/** One error code. */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** All codes, for schemas and tests. */
export const ERROR_CODES = Object.values(ErrorCode) as [ErrorCode, ...ErrorCode[]];

/** A user-facing hint per code: what the person can do about it. */
export const ERROR_HINTS: Readonly<Record<ErrorCode, string>> = {
  version_mismatch: 'Update the older side: the message says whether the plugin or the bridge is out of date.',
  unauthorized: 'Run `smartdrag token` on the bridge\'s machine and give the token it prints to this client: a panel\'s token box, `--token` on the command line, or `Authorization: Bearer <token>` over HTTP (a page the bridge serves carries its token: reload it).',
  bad_message: 'The request was malformed; update the plugin, and report it if it persists.',
  unsupported_message: 'The bridge does not know this message; update the bridge.',
  frame_too_large: 'Send pixels in chunks of at most the frame limit (the bridge client does this).',
  image_too_large: 'Crop or downscale the image, or start the bridge with a higher limit: `smartdrag serve --max-megapixels <n>`.',
  too_many_regions: 'Use fewer regions in one edit.',
  too_many_drags: 'Use fewer arrows in one edit.',
  too_many_points: 'Simplify the path or selection (fewer points).',
  queue_full: 'Wait for running edits to finish, or cancel some.',
  job_timeout: 'Try preview quality or a smaller region, or start the bridge with a longer limit: `smartdrag serve --max-job-seconds <n>`.',
  job_not_found: 'The result expired or belongs to another client; run the edit again.',
  cancelled: 'The edit was cancelled; nothing was changed.',
  worker_crashed: 'Run the edit again; if it keeps failing, attach the bridge log to an issue.',
  model_missing: 'Install the model with `smartdrag models add`, or start the bridge with `smartdrag serve --no-learned`.',
  forbidden_origin: 'Open SmartDrag from the bridge page, the Photopea plugin or a host plugin, not another site; to allow a page you trust, start the bridge with `smartdrag serve --allow-origin <its origin>`.',
  forbidden_host: 'Connect to the bridge as 127.0.0.1 or localhost.',
  shutting_down: 'Start it again with `smartdrag serve` (or `npm start`).',
  unreachable: 'Start it with `smartdrag serve` (or `npm start`), and check the port in the bridge URL.',
  connection_lost: 'If it crashed, start it again with `smartdrag serve` (or `npm start`); the panel reconnects.',
  intent_unclear: 'Answer it in the intent (e.g. "move it 40 px down", "rotate it 20° clockwise", "make it 20% bigger"), or draw an arrow.',
  proxy_mismatch: 'Send the display image scaled by one factor on both axes, no larger than the document (proxyOf), with masks in its pixels; or leave proxyOf out and send the document.',
  image_unknown: 'Send the job again with the image (the bridge client does this by itself).',
  internal: 'An unexpected error; attach the bridge log (path in /v1/health) to an issue.',
};

/** WebSocket close codes (4xxx, application range) the bridge uses when it refuses a client. */
export const CloseCode = {
  /** Normal end (client or server closed on purpose). */
  normal: 1000,
  /** The bridge is going away (shutdown). */
  goingAway: 1001,
  unauthorized: 4001,
  versionMismatch: 4002,
  forbiddenOrigin: 4003,
  forbiddenHost: 4004,
  /** No valid `hello` as first message / within the handshake time. */
  badHandshake: 4005,
  frameTooLarge: 4009,
} as const;

/**
 * An expected, coded failure. Thrown inside the bridge and the client; turned into
 * `job.error` / `error` at the boundary.
 */
export class SmartDragError extends Error {
  readonly code: ErrorCode;
  readonly hint: string;
  readonly detail?: unknown;
  constructor(code: ErrorCode, message: string, opts: { hint?: string; detail?: unknown; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'SmartDragError';
    this.code = code;
    this.hint = opts.hint ?? ERROR_HINTS[code];
    if (opts.detail !== undefined) this.detail = opts.detail;
  }
}

/**
 * The hint of a `bad_message` refusal that is the user's selection, not the plugin's request: a
 * region with nothing selected inside the picture (an empty selection, one moved off the canvas,
 * a polygon with no area).
 */
export const EMPTY_SELECTION_HINT = 'Select something inside the document (the selection is empty, has no area, or lies off the canvas), then try again.';

/** True when `v` is one of the known error codes. */
export function isErrorCode(v: unknown): v is ErrorCode {
  return typeof v === 'string' && Object.prototype.hasOwnProperty.call(ErrorCode, v);
}
