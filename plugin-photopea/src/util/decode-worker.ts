/**
 * The playground's decode worker (a webpack entry of its own: dist/playground/decode-worker.js,
 * next to main.js; started by util/decode-in-worker.ts). It decodes a large image file off the
 * page's thread exactly as the page did ({@link decodePixels}, util/decode-image.ts): the browser's
 * `createImageBitmap` (whose conversions took ~150 ms of the page's thread at 48 MP) and the
 * canvas read (`getImageData`: ~1 s) on an OffscreenCanvas, or UPNG.js for PNGs the browser cannot
 * decode exactly (transparency, 16 bits: seconds at 24–48 MP). The pixels go back transferred (not
 * copied). It is asked once, answers with one message ({@link DecodeWorkerReply}) and closes itself.
 */
import { decodePixels, type DecodeEnv } from './decode-image';
import type { DecodeWorkerReply, DecodeWorkerRequest } from './decode-in-worker';

interface WorkerScope {
  onmessage: ((e: MessageEvent<DecodeWorkerRequest>) => void) | null;
  postMessage(message: DecodeWorkerReply, transfer?: Transferable[]): void;
  close(): void;
}
const scope = self as unknown as WorkerScope;

/** Answer, and end: one file per worker (what was posted is still delivered). */
function answer(reply: DecodeWorkerReply, transfer: Transferable[] = []): void {
  scope.postMessage(reply, transfer);
  scope.close();
}

/** The page's canvas steps (host/canvas-host.ts, PAGE_ENV) on an OffscreenCanvas. */
const WORKER_ENV: DecodeEnv = {
  read(bmp) {
    const c = new OffscreenCanvas(bmp.width, bmp.height);
    const ctx = c.getContext('2d');
    if (!ctx) throw new NoCanvas();
    ctx.drawImage(bmp, 0, 0);
    const id = ctx.getImageData(0, 0, bmp.width, bmp.height);
    bmp.close();
    return id;
  },
  encode(width, height, type) {
    const c = new OffscreenCanvas(width, height);
    // (An OffscreenCanvas without a context cannot be written.)
    c.getContext('2d');
    return c.convertToBlob({ type }).catch(() => null);
  },
};

/** No 2D OffscreenCanvas in this browser's workers. */
class NoCanvas extends Error {}

/** The whole buffer of `data`, to transfer (a view on part of one is copied first). */
function own(data: Uint8ClampedArray): Uint8ClampedArray<ArrayBuffer> {
  return (data.byteOffset === 0 && data.byteLength === data.buffer.byteLength && data.buffer instanceof ArrayBuffer ? data : data.slice()) as Uint8ClampedArray<ArrayBuffer>;
}

scope.onmessage = async (e) => {
  const m = e.data;
  try {
    if (typeof OffscreenCanvas !== 'function' || typeof createImageBitmap !== 'function') {
      answer({ unavailable: 'this browser has no OffscreenCanvas or createImageBitmap in workers' });
      return;
    }
    const bytes = m.file instanceof Blob ? new Uint8Array(await m.file.arrayBuffer()) : m.file;
    const [px, upright] = await decodePixels(bytes, m.type, { toSrgb: m.toSrgb, orientation: m.orientation }, WORKER_ENV);
    const data = own(px.data);
    answer({ width: px.width, height: px.height, data, upright, ...(px.sourceDepth !== undefined ? { sourceDepth: px.sourceDepth } : {}) }, [data.buffer]);
  } catch (err) {
    if (err instanceof NoCanvas) answer({ unavailable: 'this browser has no 2D OffscreenCanvas in workers' });
    else answer({ error: err instanceof Error ? err.message : String(err), name: err instanceof Error ? err.name : 'Error' });
  }
};
