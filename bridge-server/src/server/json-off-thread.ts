/**
 * The JSON body of `POST /v1/edit`, parsed where it does not stop the bridge: a 24–50 MP document
 * arrives as 100–170 MB of JSON whose base64 PNG alone took the main thread 2.7–3.4 s to parse and
 * decode — every WebSocket client (the panels' previews, progress, heartbeats) waited that long.
 * Bodies over {@link OFF_THREAD_BYTES} are parsed in a short-lived worker thread, which also
 * decodes the PNG and hands its bytes back without a copy; smaller ones are parsed here.
 */
import { Worker } from 'node:worker_threads';

/** Bodies at least this large are parsed off the main thread (a worker costs ~30–50 ms to start). */
export const OFF_THREAD_BYTES = 8 * 1024 * 1024;

/** The parsed body; `png`: the decoded `image.png` when it was decoded off the thread (the body's own string is then a placeholder). */
export interface ParsedEditBody {
  body: unknown;
  png: Buffer | null;
  offThread: boolean;
}

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
try {
  const bytes = Buffer.from(workerData.buffer, workerData.byteOffset, workerData.byteLength);
  const body = JSON.parse(bytes.toString('utf8'));
  let png = null;
  if (body && typeof body === 'object' && body.image && typeof body.image === 'object' && typeof body.image.png === 'string' && body.image.png.length >= 8) {
    const b = Buffer.from(body.image.png, 'base64');
    png = b.byteOffset === 0 && b.buffer.byteLength === b.length ? new Uint8Array(b.buffer) : new Uint8Array(b);
    body.image.png = 'decoded-off-thread';
  }
  parentPort.postMessage({ body, png }, png ? [png.buffer] : []);
} catch (e) {
  parentPort.postMessage({ error: String(e && e.message || e) });
}
`;

/** Parse `buf` (the request body, UTF-8 JSON). Rejects with the parser's message on invalid JSON. */
export async function parseEditBody(buf: Buffer): Promise<ParsedEditBody> {
  if (buf.length < OFF_THREAD_BYTES) return { body: JSON.parse(buf.toString('utf8')) as unknown, png: null, offThread: false };
  // The body's bytes move to the worker (a standalone copy when the buffer shares its memory).
  const own = buf.byteOffset === 0 && buf.buffer.byteLength === buf.length ? buf : Buffer.from(buf);
  const data = new Uint8Array(own.buffer as ArrayBuffer, own.byteOffset, own.length);
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: data, transferList: [data.buffer as ArrayBuffer] });
  try {
    const msg = await new Promise<{ body?: unknown; png?: Uint8Array | null; error?: string }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the body parser stopped (exit ${code})`)));
    });
    if (msg.error !== undefined) throw new SyntaxError(msg.error);
    const png = msg.png ? Buffer.from(msg.png.buffer, msg.png.byteOffset, msg.png.byteLength) : null;
    return { body: msg.body, png, offThread: true };
  } finally {
    void worker.terminate();
  }
}
