/**
 * Plugin-side error codes (what can go wrong in Photoshop before or after the bridge works),
 * each with a user-facing hint. Bridge errors keep the bridge's own codes and hints
 * (shared/src/protocol/errors.ts); the panel shows either the same way.
 */

/** Every plugin error code. */
export const PluginErrorCode = {
  /** No document is open. */
  no_document: 'no_document',
  /** No active layer to read pixels from. */
  no_layer: 'no_layer',
  /** Nothing is selected and no channel named "region…" exists. */
  no_selection: 'no_selection',
  /** No open pen-path subpath to use as an arrow. */
  no_arrows: 'no_arrows',
  /** CMYK / Lab / grayscale / indexed or 32-bit documents. */
  unsupported_document: 'unsupported_document',
  /**
   * The edit's area is larger than the bridge takes (`maxImagePixels` / `maxImageSidePx`): refused
   * before a pixel is read. The bridge's own refusal has the same code.
   */
  image_too_large: 'image_too_large',
  /** The arrows drag more separate parts of the selection than the bridge takes in one edit (`maxRegions`). */
  too_many_regions: 'too_many_regions',
  /** Another plugin (or Photoshop) holds the modal state (executeAsModal error 9). */
  modal_busy: 'modal_busy',
  /**
   * The document was closed, resized, rotated, flipped or undone, or the source layer deleted or
   * changed, while the bridge worked: the result would not line up, so it is not added.
   */
  document_changed: 'document_changed',
  /** The user cancelled. */
  cancelled: 'cancelled',
  /** The preview picture could not be made for the panel (imaging.encodeImageData). */
  preview_failed: 'preview_failed',
  /** Anything unexpected from the host. */
  host_error: 'host_error',
} as const;

/** One plugin error code. */
export type PluginErrorCode = (typeof PluginErrorCode)[keyof typeof PluginErrorCode];

/** Hints shown under the message. */
export const PLUGIN_ERROR_HINTS: Readonly<Record<PluginErrorCode, string>> = {
  no_document: 'Open an image first.',
  no_layer: 'Select the layer that holds the object to drag.',
  no_selection: 'Select the object to drag (any selection tool; feathering is kept), or save selections as channels named "region 1", "region 2"…',
  no_arrows: 'Draw an arrow with the Pen tool (Path mode): click on the object, then click where it should go. Drag while clicking to curve it.',
  unsupported_document: 'Convert the document to RGB, 8 or 16 bits per channel (Image ▸ Mode).',
  image_too_large: 'Select a smaller area or draw a shorter arrow (the area read is the selection, where the arrows take it, and a margin), or reduce the image size.',
  too_many_regions: 'Drag fewer parts in one Smart Drag: run it once per group of parts, or join the parts into one selection region (a channel named "region 1" moves all its parts together).',
  modal_busy: 'Another plugin or dialog is busy in Photoshop; finish it and try again.',
  document_changed: 'Nothing was added. Check that the selection and the arrows still mark what to drag, then run Smart Drag again.',
  cancelled: 'Nothing was changed.',
  preview_failed: 'The preview could not be shown in the panel; the document was not changed. Apply (or Smart Drag) still runs the full edit.',
  host_error: 'Photoshop refused an operation; see the message, and report it if it persists.',
};

/** An expected plugin-side failure with a code and a hint. */
export class PluginError extends Error {
  readonly code: PluginErrorCode;
  readonly hint: string;
  constructor(code: PluginErrorCode, message: string, opts: { hint?: string; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'PluginError';
    this.code = code;
    this.hint = opts.hint ?? PLUGIN_ERROR_HINTS[code];
  }
}

/** A displayable failure: `{code, message, hint}` from a plugin error, a bridge error, or anything thrown. */
export interface ErrorInfo {
  code: string;
  message: string;
  hint?: string;
}

/** Normalise anything thrown (PluginError, the bridge client's `{code,message,hint}`, Error, string). */
export function toErrorInfo(e: unknown): ErrorInfo {
  if (e && typeof e === 'object') {
    const o = e as { code?: unknown; message?: unknown; hint?: unknown };
    if (typeof o.code === 'string') {
      return { code: o.code, message: typeof o.message === 'string' ? o.message : o.code, ...(typeof o.hint === 'string' ? { hint: o.hint } : {}) };
    }
    if (typeof o.message === 'string') return { code: 'host_error', message: o.message };
  }
  return { code: 'host_error', message: String(e) };
}
