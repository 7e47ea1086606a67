/**
 * BridgeClient uploads against a real bridge and real sockets: each pixel chunk is made just
 * before the socket takes it (the client never holds a large image twice, once as chunks), with
 * the bytes `encodeFrame` gives — whole images, rectangles cut from an image (chunks straddling
 * its rows) and masks — and a send again after a dropped connection sends the same bytes.
 */
import WebSocket from 'ws';
import { BridgeClient, decodeFrameChunk, encodeFrame, type FrameMeta, type SubmitInput, type WebSocketConstructor } from '@smartdrag/shared';
import { gradientImage, squarePolygon, startTestBridge, type TestBridge } from '../../../test/helpers/bridge-harness';

/** What a client handed its sockets: binary chunks per socket, and what it had made at each send. */
interface Wire {
  sockets: Uint8Array[][];
  /** `chunksMade` less the chunks handed to sockets before this one, at each binary send. */
  ahead: number[];
  /** Growth of the process's ArrayBuffer memory from submit() to the first binary send. */
  firstSendGrowth?: number;
  /** Close the socket right after its n-th binary send (first socket only). */
  dropAfter?: number;
}

function recordingWs(wire: Wire, client: () => BridgeClient, baseline: () => number): WebSocketConstructor {
  let handed = 0;
  class Recording extends (WebSocket as unknown as { new(url: string): WebSocket }) {
    private readonly mine: Uint8Array[] = [];
    constructor(url: string) {
      super(url);
      wire.sockets.push(this.mine);
    }
    override send(data: unknown, ...rest: unknown[]): void {
      if (typeof data !== 'string') {
        if (wire.firstSendGrowth === undefined) wire.firstSendGrowth = process.memoryUsage().arrayBuffers - baseline();
        wire.ahead.push(client().chunksMade - handed);
        handed++;
        const b = data as Uint8Array;
        this.mine.push(Uint8Array.from(b)); // (a copy: the test's own record)
      }
      (super.send as (...a: unknown[]) => void)(data, ...rest);
      if (typeof data !== 'string' && wire.sockets.length === 1 && this.mine.length === wire.dropAfter) this.terminate();
    }
  }
  return Recording as unknown as WebSocketConstructor;
}

function setup(tb: TestBridge, maxChunkBytes: number, extra: { reuseImages?: boolean; dropAfter?: number } = {}): { c: BridgeClient; wire: Wire; mark: () => void } {
  const wire: Wire = { sockets: [], ahead: [], ...(extra.dropAfter ? { dropAfter: extra.dropAfter } : {}) };
  let base = 0;
  const c: BridgeClient = new BridgeClient({
    url: tb.wsUrl, token: tb.token, client: 'test', maxChunkBytes, reconnect: { minDelayMs: 20, maxDelayMs: 50 },
    ...(extra.reuseImages === false ? { reuseImages: false } : {}),
    WebSocketImpl: recordingWs(wire, () => c, () => base),
  });
  return { c, wire, mark: () => { wire.firstSendGrowth = undefined; base = process.memoryUsage().arrayBuffers; } };
}

/** The chunks of the frames, in order, as `encodeFrame` makes them (what the client sent before chunks were made lazily). */
function expected(frames: Array<[FrameMeta, Uint8Array]>, chunkBytes: number): Uint8Array[] {
  return frames.flatMap(([meta, data]) => encodeFrame(meta, data, chunkBytes));
}

function sameChunks(got: Uint8Array[], want: Uint8Array[]): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (!Buffer.from(got[i]!).equals(Buffer.from(want[i]!))) throw new Error(`chunk ${i} differs (${JSON.stringify({ ...decodeFrameChunk(got[i]!), payload: undefined })})`);
  }
}

function bytes(d: Uint8Array | Uint8ClampedArray): Uint8Array {
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
}

function crop(im: { width: number; data: Uint8ClampedArray }, r: { left: number; top: number; width: number; height: number }): Uint8Array {
  const out = new Uint8Array(r.width * r.height * 4);
  for (let y = 0; y < r.height; y++) out.set(bytes(im.data).subarray(((r.top + y) * im.width + r.left) * 4, ((r.top + y) * im.width + r.left + r.width) * 4), y * r.width * 4);
  return out;
}

let tb: TestBridge;
beforeAll(async () => { tb = await startTestBridge({ workers: 1 }); });
afterAll(async () => { await tb?.bridge.close(); });

test('a large image: its chunks are made one at a time as they are sent (no copy of the image held), the bytes encodeFrame gives', async () => {
  const chunk = 256 * 1024;
  const { c, wire, mark } = setup(tb, chunk);
  await c.connect();
  const img = gradientImage(2048, 2048); // 16 MiB: 64 chunks
  const mask = { left: 900, top: 900, width: 300, height: 260, data: new Uint8Array(300 * 260).fill(255) };
  const input: SubmitInput = {
    jobId: 'big-1', image: img, quality: 'preview', previewMaxPixels: 200_000,
    regions: [{ id: 'r', mask }], drags: [{ region: 'r', points: [[1050, 1030], [1150, 1080]], kind: 'translate' }],
  };
  mark();
  const r = await c.submit(input).result;
  expect(r.layer.width).toBeGreaterThan(0);
  sameChunks(wire.sockets[0]!, expected([
    [{ jobId: 'big-1', part: 'image', slot: 0, format: 'rgba8', width: 2048, height: 2048, left: 0, top: 0 }, bytes(img.data)],
    [{ jobId: 'big-1', part: 'mask', slot: 1, format: 'gray8', width: 300, height: 260, left: 900, top: 900 }, mask.data],
  ], chunk));
  // Never more than the chunk being sent made ahead of the socket; when the first chunk went, the
  // client had not made the other 63 (16 MiB; encoding all before sending grew memory by that).
  expect(wire.ahead.length).toBe(65);
  expect(Math.max(...wire.ahead)).toBe(1);
  expect(wire.firstSendGrowth!).toBeLessThan(4 * 1024 * 1024);
  c.close();
});

test('a rectangle of an image (a final: only the rectangle goes), chunks straddling its rows, and masks: the bytes encodeFrame gives for the cut', async () => {
  const chunk = 10_000; // not a multiple of a row (4 × 150 bytes)
  const { c, wire } = setup(tb, chunk);
  await c.connect();
  const img = gradientImage(400, 300);
  const rect = { left: 37, top: 21, width: 150, height: 133 };
  const keep = { left: 60, top: 90, width: 40, height: 30, data: new Uint8Array(1200).map((_, i) => (i * 7) & 255) };
  const r = await c.submit({
    jobId: 'cut-1', image: img, imageRect: rect, imageOrigin: [137, 221], quality: 'final', seed: 2,
    regions: [{ id: 'r', polygon: squarePolygon(160, 250, 30) }], drags: [{ region: 'r', points: [[175, 265], [195, 270]], kind: 'translate' }],
    keep: [{ mask: keep }],
  }).result;
  expect(r.layer.width).toBeGreaterThan(0);
  sameChunks(wire.sockets[0]!, expected([
    [{ jobId: 'cut-1', part: 'image', slot: 0, format: 'rgba8', width: 150, height: 133, left: 137, top: 221 }, crop(img, rect)],
    [{ jobId: 'cut-1', part: 'mask', slot: 1, format: 'gray8', width: 40, height: 30, left: 60, top: 90 }, keep.data],
  ], chunk));
  expect(Math.max(...wire.ahead)).toBe(1);
  c.close();
});

test('the connection drops in the middle of an upload: the job is sent again from the start, the same bytes, and its result arrives', async () => {
  const chunk = 32 * 1024;
  const { c, wire } = setup(tb, chunk, { reuseImages: false, dropAfter: 5 });
  await c.connect();
  const img = gradientImage(320, 240); // 300 KiB: 10 chunks
  const mask = { left: 40, top: 40, width: 50, height: 50, data: new Uint8Array(2500).fill(200) };
  const r = await c.submit({
    jobId: 'drop-1', image: img, quality: 'preview', seed: 4,
    regions: [{ id: 'r', mask }], drags: [{ region: 'r', points: [[65, 65], [90, 80]], kind: 'translate' }],
  }).result;
  expect(r.layer.width).toBeGreaterThan(0);
  const want = expected([
    [{ jobId: 'drop-1', part: 'image', slot: 0, format: 'rgba8', width: 320, height: 240, left: 0, top: 0 }, bytes(img.data)],
    [{ jobId: 'drop-1', part: 'mask', slot: 1, format: 'gray8', width: 50, height: 50, left: 40, top: 40 }, mask.data],
  ], chunk);
  expect(wire.sockets.length).toBe(2);
  sameChunks(wire.sockets[0]!, want.slice(0, 5));
  sameChunks(wire.sockets[1]!, want);
  expect(Math.max(...wire.ahead)).toBe(1);
  c.close();
});
