/**
 * The JSON body of `POST /v1/edit`, parsed where it does not stop the bridge: a 24–50 MP document
 * arrives as 100–170 MB of JSON whose base64 PNG alone took the main thread 2.7–3.4 s to parse and
 * decode — every WebSocket client (the panels' previews, progress, heartbeats) waited that long.
 * Bodies over {@link OFF_THREAD_BYTES} are parsed in a short-lived worker thread, which also
 * decodes the PNG and hands its bytes back without a copy; smaller ones are parsed here.
 */
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

/** The parser thread's script (plain JavaScript beside this file). */
const WORKER_FILE = join(__dirname, 'json-worker.js');


/** Bodies at least this large are parsed off the main thread (a worker costs ~30–50 ms to start). */
export const OFF_THREAD_BYTES = 8 * 1024 * 1024;

/** The parsed body; `png`: the decoded `image.png` when it was decoded off the thread (the body's own string is then a placeholder). */
export interface ParsedEditBody {
  body: unknown;
  png: Buffer | null;
  offThread: boolean;
}

/** Parse `buf` (the request body, UTF-8 JSON). Rejects with the parser's message on invalid JSON. */
export async function parseEditBody(buf: Buffer): Promise<ParsedEditBody> {
  if (buf.length < OFF_THREAD_BYTES) return { body: JSON.parse(buf.toString('utf8')) as unknown, png: null, offThread: false };
  // The body's bytes move to the worker (a standalone copy when the buffer shares its memory).
  const own = buf.byteOffset === 0 && buf.buffer.byteLength === buf.length ? buf : Buffer.from(buf);
  const data = new Uint8Array(own.buffer as ArrayBuffer, own.byteOffset, own.length);
  const worker = new Worker(WORKER_FILE, { workerData: data, transferList: [data.buffer as ArrayBuffer] });
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
