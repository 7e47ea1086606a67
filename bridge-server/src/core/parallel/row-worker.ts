/**
 * A pixel helper thread: loads the modules that register row kernels, then serves every pass it
 * is sent (core/parallel/rows.ts).
 *
 * After each pass the helper collects its garbage: it allocates almost nothing itself, so V8
 * would otherwise keep the pass's (dead) views alive for a long time — and with them the
 * SharedArrayBuffers of a finished job (hundreds of MB at 36 MP), which the calling thread has
 * long dropped.
 */
import { parentPort } from 'node:worker_threads';
import { collectGarbage } from '../gc';
import { serveRowPass, type RowPassMessage } from './rows';
import './kernels';

if (!parentPort) throw new Error('row-worker must run in a worker thread');
let pending: ReturnType<typeof setTimeout> | null = null;
parentPort.on('message', (msg: RowPassMessage) => {
  serveRowPass(msg);
  // Collect once the job's passes are over (a short quiet spell), not after every pass.
  if (pending) clearTimeout(pending);
  pending = setTimeout(() => { pending = null; collectGarbage?.(); }, 50);
});
parentPort.postMessage('ready');
