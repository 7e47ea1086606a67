/**
 * Image reuse across the jobs of one connection (job.submit keepImage / heldImage / imageRect):
 * a real bridge and real WebSocket clients. The second job of the same pixels sends no image
 * chunks and gives the same result as a full upload; an unknown or dropped key is answered
 * `image_unknown` (nothing queued, the id stays free) and BridgeClient re-sends the pixels by
 * itself; keys are per connection; held images are charged to the memory budget and released when
 * dropped or when their connection closes; the bridge keeps serving.
 */
import WebSocket from 'ws';
import {
  BridgeClient, decodeFrameChunk, encodeFrame, imageContentKey, parseClientMessage,
  type JobOutcome, type JobResult, type SubmitInput, type WebSocketConstructor,
} from '@smartdrag/shared';
import { makeTexture } from '../../bridge-server/src/core/textures';
import { MemoryBudget } from '../../bridge-server/src/server/memory-budget';
import { RawClient, squarePolygon, startTestBridge, type TestBridge } from '../helpers/bridge-harness';

/** What one client put on the wire: submits (parsed) and image chunks per job. */
interface Wire { submits: Record<string, unknown>[]; imageChunks: Map<string, number>; maskChunks: number }

/** A `ws` WebSocket that records what the client sends. */
function countingWs(wire: Wire): WebSocketConstructor {
  class Counting extends (WebSocket as unknown as { new(url: string): WebSocket }) {
    override send(data: unknown, ...rest: unknown[]): void {
      if (typeof data === 'string') {
        const r = parseClientMessage(data);
        if (r.ok && r.msg.type === 'job.submit') wire.submits.push(JSON.parse(data) as Record<string, unknown>);
      } else {
        const bytes = data instanceof Uint8Array ? data : new Uint8Array(data as ArrayBuffer);
        const c = decodeFrameChunk(bytes);
        if (c.part === 'image') wire.imageChunks.set(c.jobId, (wire.imageChunks.get(c.jobId) ?? 0) + 1);
        else wire.maskChunks++;
      }
      (super.send as (...a: unknown[]) => void)(data, ...rest);
    }
  }
  return Counting as unknown as WebSocketConstructor;
}

function newWire(): Wire { return { submits: [], imageChunks: new Map(), maskChunks: 0 }; }

function client(tb: TestBridge, wire: Wire, reuseImages = true): BridgeClient {
  return new BridgeClient({ url: tb.wsUrl, token: tb.token, client: 'test', WebSocketImpl: countingWs(wire), reconnect: false, reuseImages, maxChunkBytes: 64 * 1024 });
}

const W = 240, H = 200;
/** A preview of a square moved by (dx, dy): the drag's target moves from job to job, the image does not. */
function job(image: SubmitInput['image'], jobId: string, dx = 30, dy = 12, extra: Partial<SubmitInput> = {}): SubmitInput {
  return {
    jobId, image, quality: 'preview', seed: 3,
    regions: [{ id: 'r', polygon: squarePolygon(70, 60, 50) }],
    drags: [{ region: 'r', points: [[95, 85], [95 + dx, 85 + dy]], kind: 'translate' }],
    ...extra,
  };
}

function same(a: JobOutcome, b: JobOutcome): void {
  expect([a.layer.left, a.layer.top, a.layer.width, a.layer.height]).toEqual([b.layer.left, b.layer.top, b.layer.width, b.layer.height]);
  expect(Buffer.from(a.layer.data).equals(Buffer.from(b.layer.data))).toBe(true);
  expect(a.moved).toEqual(b.moved);
  expect(a.plan.operations).toEqual(b.plan.operations);
}

describe('image reuse through the bridge', () => {
  let tb: TestBridge;
  beforeAll(async () => { tb = await startTestBridge({ workers: 2 }); });
  afterAll(async () => { await tb?.bridge.close(); });

  test('welcome reports maxHeldImages; the same pixels again (a new buffer) go as a key, no image chunks, and give what a full upload gives', async () => {
    const wire = newWire(), plain = newWire();
    const c = client(tb, wire), ref = client(tb, plain, false);
    const welcome = await c.connect();
    expect(welcome.limits.maxHeldImages).toBe(4);
    await ref.connect();
    const img = makeTexture('noise', W, H, 7);
    const first = await c.submit(job(img, 'a1')).result;
    // A host that reads the same area again gets a new buffer with the same content.
    const again = { width: W, height: H, data: new Uint8ClampedArray(img.data) };
    const second = await c.submit(job(again, 'a2', 34, 9)).result;
    const third = await c.submit(job(img, 'a3', 40, 5)).result;
    expect(wire.imageChunks.get('a1')).toBeGreaterThan(1); // 192 KB in 64 KiB chunks
    expect(wire.imageChunks.get('a2')).toBeUndefined();
    expect(wire.imageChunks.get('a3')).toBeUndefined();
    const key = imageContentKey(W, H, img.data);
    expect(wire.submits.map((s) => [s.jobId, s.keepImage, s.heldImage])).toEqual([['a1', key, undefined], ['a2', undefined, key], ['a3', undefined, key]]);
    // Full uploads without reuse: identical layers, outlines and plans.
    same(first, await ref.submit(job(img, 'p1')).result);
    same(second, await ref.submit(job(img, 'p2', 34, 9)).result);
    same(third, await ref.submit(job(img, 'p3', 40, 5)).result);
    expect([...plain.imageChunks.keys()]).toEqual(['p1', 'p2', 'p3']);
    expect(plain.submits.every((s) => s.keepImage === undefined && s.heldImage === undefined)).toBe(true);
    // Reused jobs do not echo the whole image's bytes as their own input: the budget holds the image once.
    expect(tb.bridge.stats()).toMatchObject({ heldImages: 1, heldImageBytes: W * H * 4 });
    // The same pixels placed elsewhere in the document: the layer lands there, as with a full upload.
    const moved = await c.submit(job(img, 'a4', 30, 12, { imageOrigin: [500, 300], regions: [{ id: 'r', polygon: squarePolygon(570, 360, 50) }], drags: [{ region: 'r', points: [[595, 385], [625, 397]], kind: 'translate' }] })).result;
    expect(wire.imageChunks.get('a4')).toBeUndefined();
    same(moved, await ref.submit(job(img, 'p4', 30, 12, { imageOrigin: [500, 300], regions: [{ id: 'r', polygon: squarePolygon(570, 360, 50) }], drags: [{ region: 'r', points: [[595, 385], [625, 397]], kind: 'translate' }] })).result);
    expect(moved.layer.left).toBe(first.layer.left + 500);
    c.close(); ref.close();
  });

  test('changed pixels get a new key and are sent again', async () => {
    const wire = newWire();
    const c = client(tb, wire);
    await c.connect();
    const img = makeTexture('noise', W, H, 8);
    await c.submit(job(img, 'b1')).result;
    const changed = { width: W, height: H, data: new Uint8ClampedArray(img.data) };
    changed.data[4 * (W * 150 + 200) + 1] ^= 1; // one bit of one pixel
    const out = await c.submit(job(changed, 'b2')).result;
    expect(wire.imageChunks.get('b2')).toBeGreaterThan(0);
    expect(wire.submits[1]!.keepImage).toBe(imageContentKey(W, H, changed.data));
    expect(wire.submits[1]!.keepImage).not.toBe(wire.submits[0]!.keepImage);
    expect(out.layer.width).toBeGreaterThan(0);
    c.close();
  });

  test('imageRect: a preview sends the document once; later crops of it go as key + rectangle; the same pixels as sending each crop', async () => {
    const wire = newWire(), plain = newWire();
    const c = client(tb, wire), ref = client(tb, plain, false);
    await c.connect(); await ref.connect();
    const doc = makeTexture('noise', 400, 300, 9);
    const rects = [{ left: 20, top: 10, width: 260, height: 220 }, { left: 30, top: 16, width: 270, height: 230 }, { left: 0, top: 0, width: 400, height: 300 }];
    for (const [i, r] of rects.entries()) {
      const input = (id: string): SubmitInput => job(doc, id, 30 + i * 3, 12, { imageRect: r, imageOrigin: [r.left, r.top] });
      const a = await c.submit(input(`r${i}`)).result;
      const b = await ref.submit(input(`q${i}`)).result;
      same(a, b);
    }
    expect(wire.imageChunks.get('r0')).toBeGreaterThan(0);
    expect(wire.imageChunks.has('r1') || wire.imageChunks.has('r2')).toBe(false);
    expect(wire.submits[1]).toMatchObject({ heldImage: imageContentKey(400, 300, doc.data), imageRect: rects[1], imageOrigin: [30, 16] });
    // Without reuse only the rectangle travels.
    const q0 = plain.submits[0]!;
    expect(q0.imageRect).toBeUndefined();
    expect(plain.imageChunks.get('q0')).toBe(Math.ceil((260 * 220 * 4) / (64 * 1024)));
    // A final of a document the bridge does not hold sends only its rectangle (never a whole large document).
    const fin = newWire();
    const f = client(tb, fin);
    await f.connect();
    await f.submit({ ...job(doc, 'fin1', 30, 12, { imageRect: rects[0], imageOrigin: [20, 10] }), quality: 'final' }).result;
    expect(fin.submits[0]).not.toHaveProperty('keepImage');
    expect(fin.imageChunks.get('fin1')).toBe(Math.ceil((260 * 220 * 4) / (64 * 1024)));
    c.close(); ref.close(); f.close();
  });

  test('keys are per connection: another connection naming one gets image_unknown, nothing is queued, and the same id then runs with pixels', async () => {
    const wire = newWire();
    const a = client(tb, wire);
    await a.connect();
    const img = makeTexture('noise', W, H, 10);
    await a.submit(job(img, 'k1')).result;
    const key = wire.submits[0]!.keepImage as string;
    const raw = await RawClient.connect(tb);
    const submit = { type: 'job.submit', jobId: 'steal-1', quality: 'preview', heldImage: key, regions: [{ id: 'r', polygon: squarePolygon(70, 60, 50) }], drags: [{ region: 'r', points: [[95, 85], [125, 97]], kind: 'translate' }] };
    raw.send(submit);
    const err = await raw.next((m) => m.type === 'job.error' && m.jobId === 'steal-1');
    expect(err).toMatchObject({ code: 'image_unknown', hint: expect.stringMatching(/again with the image/) });
    expect(raw.texts().some((m) => m.type === 'job.accepted')).toBe(false);
    // The id is free: the same job with its pixels runs.
    const { keepImage: _k, heldImage: _h, ...plainSubmit } = { ...submit, keepImage: undefined };
    raw.send(plainSubmit);
    for (const c of encodeFrame({ jobId: 'steal-1', part: 'image', slot: 0, format: 'rgba8', width: W, height: H, left: 0, top: 0 }, new Uint8Array(img.data.buffer))) raw.sendRaw(c);
    const res = await raw.next<JobResult>((m) => m.type === 'job.result' && m.jobId === 'steal-1');
    await raw.layer('steal-1', res.frames);
    // A key the connection never kept, and a malformed combination, are refused with codes.
    raw.send({ ...submit, jobId: 'never-1', heldImage: 'nope' });
    expect(await raw.next((m) => m.type === 'job.error' && m.jobId === 'never-1')).toMatchObject({ code: 'image_unknown' });
    raw.send({ ...submit, jobId: 'both-1', keepImage: 'x' });
    expect(await raw.next((m) => m.type === 'error' && (m.detail as { jobId?: string })?.jobId === 'both-1')).toMatchObject({ code: 'bad_message' });
    a.close(); raw.close();
  });

  test('raw protocol: keepImage then heldImage with an imageRect; a rectangle outside the image is bad_message; the bridge keeps serving', async () => {
    const raw = await RawClient.connect(tb);
    const img = makeTexture('noise', W, H, 11);
    const base = { type: 'job.submit', quality: 'preview', regions: [{ id: 'r', polygon: squarePolygon(70, 60, 50) }], drags: [{ region: 'r', points: [[95, 85], [125, 97]], kind: 'translate' }] };
    raw.send({ ...base, jobId: 'keep-1', keepImage: 'doc' });
    for (const c of encodeFrame({ jobId: 'keep-1', part: 'image', slot: 0, format: 'rgba8', width: W, height: H, left: 0, top: 0 }, new Uint8Array(img.data.buffer))) raw.sendRaw(c);
    // Named right after (before keep-1 is even decoded): the bridge waits for it.
    raw.send({ ...base, jobId: 'held-1', heldImage: 'doc', imageRect: { left: 10, top: 5, width: 200, height: 180 }, imageOrigin: [10, 5] });
    const r1 = await raw.next<JobResult>((m) => m.type === 'job.result' && m.jobId === 'keep-1');
    const r2 = await raw.next<JobResult>((m) => m.type === 'job.result' && m.jobId === 'held-1');
    const l1 = await raw.layer('keep-1', r1.frames), l2 = await raw.layer('held-1', r2.frames);
    expect(l1.data.byteLength).toBeGreaterThan(0);
    expect(l2.data.byteLength).toBeGreaterThan(0);
    expect(raw.texts().filter((m) => m.type === 'error')).toEqual([]);
    raw.send({ ...base, jobId: 'out-1', heldImage: 'doc', imageRect: { left: 100, top: 5, width: 200, height: 180 } });
    expect(await raw.next((m) => m.type === 'job.error' && m.jobId === 'out-1')).toMatchObject({ code: 'bad_message', message: expect.stringMatching(/imageRect/) });
    raw.send({ ...base, jobId: 'held-2', heldImage: 'doc' });
    const r3 = await raw.next<JobResult>((m) => m.type === 'job.result' && m.jobId === 'held-2');
    await raw.layer('held-2', r3.frames);
    raw.close();
  });
});

describe('held images and the memory budget', () => {
  let tb: TestBridge;
  // 1 MiB: room for one 240×200 image held (192 KB) plus a job, not for an 880 KB input as well.
  beforeAll(async () => { tb = await startTestBridge({ limits: { maxHeldBytes: 1024 * 1024 } }); });
  afterAll(async () => { await tb?.bridge.close(); });

  test('an image dropped under memory pressure is re-sent by the client by itself (image_unknown), with the same result; closing releases its bytes', async () => {
    const wire = newWire();
    const a = client(tb, wire);
    await a.connect();
    const img = makeTexture('noise', W, H, 12);
    const first = await a.submit(job(img, 'm1')).result;
    expect(tb.bridge.stats()).toMatchObject({ heldImages: 1, heldImageBytes: W * H * 4 });
    // Another connection's large input needs the room: the held image goes before the job is refused.
    const b = client(tb, newWire(), false);
    await b.connect();
    const big = makeTexture('noise', 500, 440, 13); // 880 KB: fits alone, not beside the held 192 KB
    const out = await b.submit(job(big, 'big1')).result;
    expect(out.layer.width).toBeGreaterThan(0);
    expect(tb.bridge.stats()).toMatchObject({ heldImages: 0, heldImageBytes: 0 });
    // The client still believes the bridge holds its image: it names it, hears image_unknown and re-sends.
    const again = await a.submit(job(img, 'm2')).result;
    same(again, first);
    const m2 = wire.submits.filter((s) => s.jobId === 'm2');
    expect(m2.map((s) => [s.heldImage !== undefined, s.keepImage !== undefined])).toEqual([[true, false], [false, true]]);
    expect(wire.imageChunks.get('m2')).toBe(wire.imageChunks.get('m1'));
    expect(tb.bridge.stats()).toMatchObject({ heldImages: 1, heldImageBytes: W * H * 4 });
    // Closing the connection releases what it held.
    a.close();
    for (let i = 0; i < 50 && tb.bridge.stats().heldImageBytes > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(tb.bridge.stats()).toMatchObject({ heldImages: 0, heldImageBytes: 0 });
    // And the bridge keeps serving.
    expect((await b.submit(job(img, 'after')).result).layer.width).toBe(first.layer.width);
    b.close();
  });

  test('a connection keeps at most maxHeldImages (least recently used dropped first)', async () => {
    const tb2 = await startTestBridge({ limits: { maxHeldImages: 2 } });
    try {
      const wire = newWire();
      const c = client(tb2, wire);
      await c.connect();
      const imgs = [14, 15, 16].map((s) => makeTexture('noise', 120, 100, s));
      const small = (image: SubmitInput['image'], id: string): SubmitInput => ({ ...job(image, id), regions: [{ id: 'r', polygon: squarePolygon(30, 30, 30) }], drags: [{ region: 'r', points: [[45, 45], [60, 50]], kind: 'translate' }] });
      await c.submit(small(imgs[0]!, 'l0')).result;
      await c.submit(small(imgs[1]!, 'l1')).result;
      await c.submit(small(imgs[0]!, 'l0b')).result; // uses 0: 1 is now the least recently used
      await c.submit(small(imgs[2]!, 'l2')).result; // keeps 2, drops 1
      expect(tb2.bridge.stats()).toMatchObject({ heldImages: 2, heldImageBytes: 2 * 120 * 100 * 4 });
      await c.submit(small(imgs[0]!, 'l0c')).result;
      await c.submit(small(imgs[1]!, 'l1b')).result;
      expect(wire.imageChunks.has('l0b')).toBe(false);
      expect(wire.imageChunks.has('l0c')).toBe(false);
      expect(wire.imageChunks.get('l1b')).toBeGreaterThan(0); // dropped: sent again (the client knew)
      expect(wire.submits.find((s) => s.jobId === 'l1b')).toMatchObject({ keepImage: expect.any(String) });
      c.close();
    } finally {
      await tb2.bridge.close();
    }
  });
});

describe('MemoryBudget held images', () => {
  test('held images are charged, dropped after kept results (least recently used first) to fit an input, and released', () => {
    const evicted: string[] = [], heldGone: string[] = [];
    const b = new MemoryBudget(1000, (id) => evicted.push(id));
    b.onHeldEvicted = (id) => heldGone.push(id);
    expect(b.hold('h1', 300)).toBe(true);
    expect(b.hold('h2', 300)).toBe(true);
    b.charge('j', 100); b.finish('j', 100); // a kept result
    expect(b.heldBytes).toBe(700);
    b.touch('h1'); // h2 is now the least recently used
    b.charge('k', 500); // needs 200: the result (100), then h2 (300)
    expect(evicted).toEqual(['j']);
    expect(heldGone).toEqual(['h2']);
    expect(b.heldBytes).toBe(800);
    expect(b.hold('h3', 900)).toBe(false); // cannot fit even after dropping h1: h1 is not dropped for it
    expect(heldGone).toEqual(['h2']);
    expect(b.heldImageCount).toBe(1);
    expect(b.heldBytes).toBe(800);
    b.release('nothing');
    b.release('h1');
    b.finish('k', 0);
    expect(b.heldBytes).toBe(0);
  });
});

describe('imageContentKey', () => {
  test('equal content gives equal keys whatever the buffer (offset, copy); any changed byte or size changes it', () => {
    const img = makeTexture('noise', 64, 48, 1);
    const k = imageContentKey(64, 48, img.data);
    expect(k).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
    expect(imageContentKey(64, 48, new Uint8Array(img.data))).toBe(k);
    const shifted = new Uint8Array(img.data.byteLength + 3);
    shifted.set(img.data, 3);
    expect(imageContentKey(64, 48, shifted.subarray(3))).toBe(k);
    expect(imageContentKey(48, 64, img.data)).not.toBe(k);
    const keys = new Set([k]);
    for (const at of [0, 1, 2, 3, 4, 5000, img.data.byteLength - 1]) {
      const d = new Uint8Array(img.data);
      d[at] ^= 1;
      keys.add(imageContentKey(64, 48, d));
    }
    expect(keys.size).toBe(8);
  });
});
