/**
 * Uploads that used to get past the bridge's checks, through a real bridge and a raw `ws` client
 * (found by a hunt with crafted clients): decompression bombs and out-of-order chunks past the
 * memory budget, one oversized header evicting every other client's kept results and held
 * images, a socket taking over an HTTP request's job, overlapping chunks assembling an image with
 * zeroed bytes, a PNG header over the pixel limit answered as an unreadable PNG, and malformed
 * chunks leaving their job to wait for the upload timeout. Each gets a coded error at once, and
 * nobody else loses anything.
 *
 * "At once" is asserted without timing: the bridge handles one connection's messages in order, so
 * an answer a chunk causes directly is sent before the `pong` to a `ping` sent after the chunk.
 */
import { deflateSync, crc32 } from 'node:zlib';
import sharp from 'sharp';
import { encodeFrame, type ServerMessage } from '@smartdrag/shared';
import { gradientImage, RawClient, sendJob, squareMoveJob, squarePolygon, startTestBridge, type TestBridge } from '../helpers/bridge-harness';

const BUDGET = 1024 * 1024;

/** One chunk with any header values (the codec refuses to encode malformed ones). */
function rawChunk(o: { jobId: string; part?: number; format?: number; slot?: number; width: number; height: number; total: number; offset?: number; seq?: number; count?: number; magic?: number }, payload: Uint8Array): Uint8Array {
  const id = Buffer.from(o.jobId, 'ascii');
  const b = Buffer.alloc(40 + id.length + payload.byteLength);
  b.writeUInt32BE(o.magic ?? 0x53445247, 0); b[4] = 1; b[5] = o.part ?? 1; b[6] = o.format ?? 1; b[7] = id.length;
  b.writeUInt16BE(o.slot ?? 0, 8);
  b.writeUInt32BE(o.width >>> 0, 12); b.writeUInt32BE(o.height >>> 0, 16);
  b.writeUInt32BE(o.total >>> 0, 28); b.writeUInt32BE((o.offset ?? 0) >>> 0, 32); b.writeUInt16BE(o.seq ?? 0, 36); b.writeUInt16BE(o.count ?? 1, 38);
  id.copy(b, 40); Buffer.from(payload).copy(b, 40 + id.length);
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** A PNG whose IHDR says `w × h` RGBA and whose pixel data is a few bytes (readable header, no real pixels). */
function pngHeaderOnly(w: number, h: number): Buffer {
  const chunk = (type: string, data: Buffer): Buffer => {
    const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(td));
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13); ihdr.writeUInt32BE(w, 0); ihdr.writeUInt32BE(h, 4); ihdr[8] = 8; ihdr[9] = 6;
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.alloc(10))), chunk('IEND', Buffer.alloc(0))]);
}

const submit = (jobId: string, extra: Record<string, unknown> = {}) => ({
  type: 'job.submit', jobId, quality: 'preview',
  regions: [{ id: 'h1', polygon: squarePolygon(10, 10, 16) }], drags: [{ region: 'h1', points: [[18, 18], [40, 30]] }], ...extra,
});

/** What the bridge sent before answering a ping sent now (see the file's comment). */
async function settled(c: RawClient): Promise<ServerMessage[]> {
  const t = Math.random();
  c.send({ type: 'ping', t });
  await c.next((m) => m.type === 'pong' && m.t === t);
  return c.texts();
}

const endOf = (c: RawClient, jobId: string) => c.next((m) => 'jobId' in m && m.jobId === jobId && (m.type === 'job.result' || m.type === 'job.error' || m.type === 'job.cancelled'));

describe('uploads past the checks (hunt findings)', () => {
  let tb: TestBridge;
  beforeAll(async () => { tb = await startTestBridge({ limits: { maxHeldBytes: BUDGET } }); });
  afterAll(async () => { await tb?.bridge.close(); });

  test('a PNG that decodes past the memory budget is refused with queue_full before it is decoded (WebSocket, keepImage, HTTP)', async () => {
    // 1200x1200 RGBA decodes to 5.8 MB > the 1 MiB budget; its pixel data is 10 bytes: decoding
    // it would fail, so a refusal that says queue_full came before any decoding.
    const bomb = pngHeaderOnly(1200, 1200);
    const c = await RawClient.connect(tb);
    for (const [id, extra] of [['bomb-ws', {}], ['bomb-keep', { keepImage: 'bomb' }]] as const) {
      c.send(submit(id, extra));
      for (const ch of encodeFrame({ jobId: id, part: 'image', slot: 0, format: 'png', width: 0, height: 0, left: 0, top: 0 }, bomb)) c.sendRaw(ch);
      const end = await endOf(c, id);
      expect(end).toMatchObject({ type: 'job.error', code: 'queue_full' });
      expect((end as { message: string }).message).toMatch(/memory budget/);
    }
    const res = await fetch(`${tb.url}/v1/edit`, {
      method: 'POST', headers: { authorization: `Bearer ${tb.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ image: { png: bomb.toString('base64') }, regions: [{ id: 'r', polygon: squarePolygon(100, 100, 50) }], drags: [{ region: 'r', points: [[120, 120], [160, 130]] }], quality: 'preview' }),
    });
    expect(res.status).toBe(429);
    expect(await res.json()).toMatchObject({ code: 'queue_full' });
    // A real one-colour bomb (a few KB) the same; and the bridge keeps serving.
    const real = await sharp({ create: { width: 1200, height: 1200, channels: 4, background: { r: 10, g: 20, b: 30, alpha: 1 } } }).png({ compressionLevel: 9 }).toBuffer();
    c.send(submit('bomb-real'));
    for (const ch of encodeFrame({ jobId: 'bomb-real', part: 'image', slot: 0, format: 'png', width: 0, height: 0, left: 0, top: 0 }, real)) c.sendRaw(ch);
    expect(await endOf(c, 'bomb-real')).toMatchObject({ type: 'job.error', code: 'queue_full' });
    sendJob(c, squareMoveJob('after-bomb'));
    expect(await endOf(c, 'after-bomb')).toMatchObject({ type: 'job.result' });
    c.close();
  });

  test('chunks of a frame whose chunk 0 never comes are charged to the budget as they are allocated (queue_full)', async () => {
    const c = await RawClient.connect(tb);
    const id = 'skip0';
    // A 1100x1000 gray8 keep mask (1.1 MB > the budget) in 17 chunks of 64 KiB; chunk 0 is never sent.
    const W = 1100, H = 1000, TOTAL = W * H, CH = 64 * 1024, COUNT = Math.ceil(TOTAL / CH);
    c.send(submit(id, { keep: [{ maskSlot: 1 }] }));
    for (let seq = 1; seq < COUNT; seq++) {
      const len = Math.min(CH, TOTAL - seq * CH);
      c.sendRaw(rawChunk({ jobId: id, part: 2, format: 2, slot: 1, width: W, height: H, total: TOTAL, offset: seq * CH, seq, count: COUNT }, new Uint8Array(len).fill(1)));
    }
    const seen = await settled(c);
    expect(seen.find((m) => m.type === 'job.error' && m.jobId === id)).toMatchObject({ code: 'queue_full' });
    c.close();
  });

  test('one chunk declaring a 4 GiB frame is image_too_large and costs no other client its kept result or held image; a charge over the budget drops nothing either', async () => {
    const victim = await RawClient.connect(tb);
    const img = squareMoveJob('victim-1', { width: 64, height: 64 });
    sendJob(victim, { ...img, submit: { ...img.submit, keepImage: 'doc' } });
    expect(await endOf(victim, 'victim-1')).toMatchObject({ type: 'job.result' });
    const before = await (await fetch(`${tb.url}/v1/health`)).json() as { jobs: { heldImages: number } };
    expect(before.jobs.heldImages).toBeGreaterThanOrEqual(1);

    const attacker = await RawClient.connect(tb);
    attacker.send(submit('atk-4g'));
    attacker.sendRaw(rawChunk({ jobId: 'atk-4g', format: 3, width: 0, height: 0, total: 2 ** 32 - 1, count: 2000 }, new Uint8Array(100)));
    expect(await endOf(attacker, 'atk-4g')).toMatchObject({ type: 'job.error', code: 'image_too_large' });
    // Within the frame limits but twice the whole budget: refused, and nothing is dropped for it.
    attacker.send(submit('atk-2m'));
    attacker.sendRaw(rawChunk({ jobId: 'atk-2m', format: 3, width: 0, height: 0, total: 2 * BUDGET, count: 40 }, new Uint8Array(100)));
    expect(await endOf(attacker, 'atk-2m')).toMatchObject({ type: 'job.error', code: 'queue_full' });
    attacker.close();

    victim.send({ ...img.submit, jobId: 'victim-2', heldImage: 'doc' });
    expect(await endOf(victim, 'victim-2')).toMatchObject({ type: 'job.result' });
    victim.send({ type: 'job.resume', jobIds: ['victim-1'] });
    expect(await endOf(victim, 'victim-1')).toMatchObject({ type: 'job.result' });
    victim.close();
  });

  test('chunks that overlap or leave a gap fail the job with bad_message naming the problem', async () => {
    const c = await RawClient.connect(tb);
    const W = 64, H = 64, data = new Uint8Array(gradientImage(W, H).data.buffer), TOTAL = data.byteLength, HALF = TOTAL / 2;
    const part = (id: string, seq: number, offset: number, from: number) => rawChunk({ jobId: id, width: W, height: H, total: TOTAL, offset, seq, count: 2 }, data.subarray(from, from + HALF));
    c.send(submit('same-offset'));
    c.sendRaw(part('same-offset', 0, 0, 0)); c.sendRaw(part('same-offset', 1, 0, 0));
    c.send(submit('overlap-gap'));
    c.sendRaw(part('overlap-gap', 0, 0, 0)); c.sendRaw(part('overlap-gap', 1, 100, 100));
    const seen = await settled(c);
    const errorOf = (id: string) => seen.find((m) => m.type === 'job.error' && m.jobId === id);
    expect(errorOf('same-offset')).toMatchObject({ code: 'bad_message', message: expect.stringMatching(/chunk 1 starts at byte 0, but chunk 0 ends at byte 8192/) });
    expect(errorOf('overlap-gap')).toMatchObject({ code: 'bad_message', message: expect.stringMatching(/chunk 1 starts at byte 100, but chunk 0 ends at byte 8192/) });
    // Chunks in reverse order still assemble.
    c.send(submit('reversed'));
    c.sendRaw(part('reversed', 1, HALF, HALF)); c.sendRaw(part('reversed', 0, 0, 0));
    expect(await endOf(c, 'reversed')).toMatchObject({ type: 'job.result' });
    c.close();
  });

  test('a PNG header over the pixel limit is image_too_large, not an unreadable PNG', async () => {
    const c = await RawClient.connect(tb);
    c.send(submit('png-100k'));
    c.sendRaw(encodeFrame({ jobId: 'png-100k', part: 'image', slot: 0, format: 'png', width: 0, height: 0, left: 0, top: 0 }, pngHeaderOnly(100000, 100000))[0]!);
    const end = await endOf(c, 'png-100k');
    expect(end).toMatchObject({ type: 'job.error', code: 'image_too_large', message: expect.stringMatching(/100000x100000/) });
    c.close();
  });

  test('a malformed chunk that names a job being uploaded fails that job at once with bad_message', async () => {
    const c = await RawClient.connect(tb);
    const W = 64, H = 64, img = new Uint8Array(W * H * 4);
    c.send(submit('bad-magic'));
    c.sendRaw(rawChunk({ jobId: 'bad-magic', width: W, height: H, total: img.byteLength, magic: 0x12345678 }, img));
    c.send(submit('raw-size'));
    c.sendRaw(rawChunk({ jobId: 'raw-size', width: W, height: H, total: img.byteLength + 4 }, new Uint8Array(img.byteLength + 4)));
    c.send(submit('zero-size'));
    c.sendRaw(rawChunk({ jobId: 'zero-size', width: 0, height: 0, total: 16 }, new Uint8Array(16)));
    const seen = await settled(c);
    for (const [id, why] of [['bad-magic', /wrong magic/], ['raw-size', /needs 16384 bytes, header says 16388/], ['zero-size', /raw rgba8 frame of 0x0/]] as const) {
      expect(seen.find((m) => m.type === 'job.error' && m.jobId === id)).toMatchObject({ code: 'bad_message', message: expect.stringMatching(why) });
    }
    // The connection-level errors still come, and the connection keeps serving.
    expect(seen.filter((m) => m.type === 'error' && m.code === 'bad_message')).toHaveLength(3);
    sendJob(c, squareMoveJob('after-bad'));
    expect(await endOf(c, 'after-bad')).toMatchObject({ type: 'job.result' });
    c.close();
  });

  test('a held image is named once its frame is in (PROTOCOL.md): before that it is image_unknown, and the id stays free', async () => {
    const c = await RawClient.connect(tb);
    const keep = squareMoveJob('keeper', { chunkBytes: 4096 });
    c.send({ ...keep.submit, keepImage: 'early' });
    c.sendRaw(keep.chunks[0]!); // the frame is not all in yet
    c.send({ ...keep.submit, jobId: 'too-early', heldImage: 'early' });
    expect(await endOf(c, 'too-early')).toMatchObject({ type: 'job.error', code: 'image_unknown' });
    for (const ch of keep.chunks.slice(1)) c.sendRaw(ch);
    c.send({ ...keep.submit, jobId: 'too-early', heldImage: 'early' }); // right after the last chunk: the bridge waits for it
    expect(await endOf(c, 'too-early')).toMatchObject({ type: 'job.result' });
    expect(await endOf(c, 'keeper')).toMatchObject({ type: 'job.result' });
    c.close();
  });

  test('a socket cannot take over a job of an HTTP request (resume, submit, cancel), and the request is answered', async () => {
    const a = await RawClient.connect(tb);
    // The only worker sleeps on a job of A's: the HTTP job waits in the queue meanwhile.
    sendJob(a, squareMoveJob('sleeper', { intent: '__hook:sleep__' }));
    await a.next((m) => m.type === 'job.started' && m.jobId === 'sleeper');
    const png = await sharp(Buffer.from(gradientImage(96, 64).data.buffer), { raw: { width: 96, height: 64, channels: 4 } }).png().toBuffer();
    const jobId = 'http-owned-1';
    const answer = fetch(`${tb.url}/v1/edit`, {
      method: 'POST', headers: { authorization: `Bearer ${tb.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ jobId, image: { png: png.toString('base64') }, regions: [{ id: 'r', polygon: squarePolygon(10, 10, 16) }], drags: [{ region: 'r', points: [[18, 18], [40, 30]] }], quality: 'preview' }),
    }).then(async (r) => ({ status: r.status, body: await r.json() as Record<string, unknown> }));
    for (;;) {
      const h = await (await fetch(`${tb.url}/v1/health`)).json() as { jobs: { queued: number } };
      if (h.jobs.queued >= 1) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const b = await RawClient.connect(tb);
    b.send({ type: 'job.resume', jobIds: [jobId] });
    expect(await b.next((m) => 'jobId' in m && m.jobId === jobId)).toMatchObject({ type: 'job.error', code: 'job_not_found' });
    b.send(submit(jobId));
    expect(await b.next((m) => 'jobId' in m && m.jobId === jobId)).toMatchObject({ type: 'job.error', code: 'bad_message', message: expect.stringMatching(/in use by an HTTP request/) });
    b.send({ type: 'job.cancel', jobId });
    expect(await b.next((m) => 'jobId' in m && m.jobId === jobId)).toMatchObject({ type: 'job.error', code: 'job_not_found' });
    a.send({ type: 'job.cancel', jobId: 'sleeper' });
    expect(await endOf(a, 'sleeper')).toMatchObject({ type: 'job.cancelled' });
    const got = await answer;
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ jobId, layer: expect.objectContaining({ png: expect.any(String) }) });
    expect((await settled(b)).filter((m) => 'jobId' in m && m.jobId === jobId)).toEqual([]);
    a.close(); b.close();
  });
});
