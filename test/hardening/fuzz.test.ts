/**
 * Fuzz test of the protocol (issue #10): ≥ 10,000 random and mutated inputs — JSON text mutated
 * from valid messages, random bytes, binary chunks with mutated headers, lengths and chunk counts —
 * through the real decoder and schemas, and a few hundred of them through a real bridge socket.
 * Zero crashes, hangs or unhandled rejections; every refusal is a coded error. Seeded: a failure
 * names its seed and iteration and reproduces with `FUZZ_SEED=<seed>`.
 */
import {
  DEFAULT_LIMITS, encodeFrame, ERROR_CODES, FRAME_HEADER_FIXED_BYTES, FrameAssembler, decodeFrameChunk,
  parseClientMessage, parseServerMessage, SmartDragError, type FrameMeta, type JobSubmit,
} from '@smartdrag/shared';
import { createRng, type Rng } from '../../bridge-server/src/core/random';
import { checkSubmitLimits } from '../../bridge-server/src/server/job-input';
import net from 'node:net';
import { gradientImage, RawClient, sendJob, squareMoveJob, squarePolygon, startTestBridge, type TestBridge } from '../helpers/bridge-harness';
import { request as httpRequest } from '../helpers/http-door';

const SEED = Number(process.env.FUZZ_SEED ?? 20251125);
const CODES = new Set<string>(ERROR_CODES);

const VALID_CLIENT: Record<string, unknown>[] = [
  { type: 'hello', protocol: 2, client: 'uxp', clientVersion: '1.0.0', token: 'x'.repeat(64) },
  {
    type: 'job.submit', jobId: 'fz-1', imageOrigin: [10, 20], quality: 'final', seed: 7, intent: 'move the cup left',
    regions: [{ id: 'r1', polygon: [[12, 22], [40, 22], [40, 50], [12, 50]] }, { id: 'r2', maskSlot: 1 }],
    drags: [{ region: 'r1', points: [[20, 30], [60, 40]], kind: 'translate' }, { region: 'r2', points: [[5, 5], [9, 9], [12, 3]], kind: 'rotate', center: [4, 4] }],
    keep: [{ polygon: [[0, 0], [5, 0], [5, 5]] }, { maskSlot: 2 }],
  },
  { type: 'job.cancel', jobId: 'fz-1' },
  { type: 'job.resume', jobIds: ['fz-1', 'fz-2'] },
  { type: 'ping', t: 123 },
  { type: 'pong' },
];
const VALID_SERVER: Record<string, unknown>[] = [
  { type: 'job.progress', jobId: 'fz-1', stage: 'warp', fraction: 0.5 },
  { type: 'job.error', jobId: 'fz-1', code: 'queue_full', message: 'full', hint: 'wait' },
  { type: 'job.result', jobId: 'fz-1', layer: { left: 1, top: 2, width: 3, height: 4 }, frames: 1, timings: { total: 3 },
    plan: { operations: [{ region: 'r1', kind: 'translate', params: { kind: 'translate', dx: 3, dy: 4 }, source: 'user', description: 'd', reason: 'r' }], warnings: [] } },
  { type: 'error', code: 'bad_message', message: 'x', detail: { path: ['a', 0] } },
];

const WEIRD: unknown[] = [null, true, false, 0, -1, 1e308, -1e308, 0.5, 2 ** 53, -(2 ** 31), 65536, '', 'x', '__proto__', 'a'.repeat(300),
  [], [[]], [1], [1, 2, 3], {}, { __proto__: { polluted: 1 } }, { constructor: { prototype: { polluted: 1 } } }, [[1e308, -1e308], [0, 0], [1, 1]]];

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;

/** Mutate a JSON value structurally: replace, delete, add, duplicate or nest a field. */
function mutateValue(rng: Rng, v: unknown, depth = 0): unknown {
  if (depth > 6 || rng() < 0.25) return rng() < 0.5 ? pick(rng, WEIRD) : v;
  if (Array.isArray(v)) {
    const a = v.map((x) => (rng() < 0.3 ? mutateValue(rng, x, depth + 1) : x));
    const r = rng();
    if (r < 0.15) a.push(pick(rng, WEIRD));
    else if (r < 0.3) a.splice(Math.floor(rng() * (a.length + 1)), 1);
    else if (r < 0.35) for (let i = 0; i < 5000; i++) a.push(a[0] ?? 0); // many points
    return a;
  }
  if (v && typeof v === 'object') {
    const o: Record<string, unknown> = { ...(v as Record<string, unknown>) };
    const keys = Object.keys(o);
    const r = rng();
    if (r < 0.4 && keys.length) { const k = pick(rng, keys); o[k] = mutateValue(rng, o[k], depth + 1); }
    else if (r < 0.55 && keys.length) delete o[pick(rng, keys)];
    else if (r < 0.7) o[pick(rng, ['extra', '__proto__', 'constructor', 'type', 'jobId', 'token'])] = pick(rng, WEIRD);
    else if (r < 0.8 && keys.length) o[pick(rng, keys)] = mutateValue(rng, v, depth + 1);
    else for (const k of keys) if (rng() < 0.3) o[k] = mutateValue(rng, o[k], depth + 1);
    return o;
  }
  return pick(rng, WEIRD);
}

/** Mutate JSON text at the character level: flip, delete, insert, truncate, duplicate. */
function mutateText(rng: Rng, s: string): string {
  const r = rng();
  if (r < 0.2) return s.slice(0, Math.floor(rng() * s.length));
  const chars = s.split('');
  const n = 1 + Math.floor(rng() * 4);
  for (let i = 0; i < n; i++) {
    const at = Math.floor(rng() * (chars.length + 1));
    const q = rng();
    if (q < 0.4) chars[at] = pick(rng, ['{', '}', '[', ']', '"', ',', ':', '\\', '0', 'e', '-', '\u0000', '\ud800', 'é', ' ']);
    else if (q < 0.7) chars.splice(at, 1);
    else chars.splice(at, 0, String.fromCharCode(Math.floor(rng() * 0xffff)));
  }
  return chars.join('');
}

function randomText(rng: Rng): string {
  const n = Math.floor(rng() * 200);
  let s = '';
  for (let i = 0; i < n; i++) s += String.fromCharCode(rng() < 0.8 ? 32 + Math.floor(rng() * 95) : Math.floor(rng() * 0xffff));
  return rng() < 0.5 ? s : `{"type":"${s.slice(0, 20)}"}`;
}

function mutatedText(rng: Rng, valid: Record<string, unknown>[]): string {
  const r = rng();
  const base = pick(rng, valid);
  if (r < 0.45) return JSON.stringify(mutateValue(rng, base));
  if (r < 0.8) return mutateText(rng, JSON.stringify(base));
  if (r < 0.9) return randomText(rng);
  return JSON.stringify(base); // valid control inputs
}

const META: FrameMeta = { jobId: 'fz-1', part: 'image', slot: 0, format: 'rgba8', width: 8, height: 6, left: -3, top: 4 };
function validChunks(rng: Rng): Uint8Array[] {
  const fmt = pick(rng, ['rgba8', 'gray8', 'png'] as const);
  const w = 1 + Math.floor(rng() * 12), h = 1 + Math.floor(rng() * 12);
  const bytes = fmt === 'png' ? 50 + Math.floor(rng() * 100) : w * h * (fmt === 'rgba8' ? 4 : 1);
  const payload = new Uint8Array(bytes).map((_, i) => (i * 13) & 255);
  return encodeFrame({ ...META, format: fmt, part: fmt === 'gray8' ? 'mask' : 'image', slot: fmt === 'gray8' ? 1 : 0, width: fmt === 'png' ? 0 : w, height: fmt === 'png' ? 0 : h },
    payload, 1 + Math.floor(rng() * 64));
}

/** Header fields worth aiming at: [offset, size]. */
const FIELDS: [number, 1 | 2 | 4][] = [[4, 1], [5, 1], [6, 1], [7, 1], [8, 2], [10, 2], [12, 4], [16, 4], [20, 4], [24, 4], [28, 4], [32, 4], [36, 2], [38, 2]];
const EDGE = [0, 1, 2, 0x7f, 0x80, 0xff, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff];

function mutatedBinary(rng: Rng): Uint8Array[] {
  const chunks = validChunks(rng).map((c) => new Uint8Array(c));
  const r = rng();
  if (r < 0.1) return [new Uint8Array(Math.floor(rng() * 80)).map(() => Math.floor(rng() * 256))];
  const target = chunks[Math.floor(rng() * chunks.length)]!;
  const dv = new DataView(target.buffer);
  if (r < 0.6) {
    const [off, size] = pick(rng, FIELDS);
    const v = rng() < 0.6 ? pick(rng, EDGE) : Math.floor(rng() * 2 ** (8 * size));
    if (size === 1) dv.setUint8(off, v & 0xff); else if (size === 2) dv.setUint16(off, v & 0xffff); else dv.setUint32(off, v >>> 0);
  } else if (r < 0.75) {
    const n = 1 + Math.floor(rng() * 6);
    for (let i = 0; i < n; i++) target[Math.floor(rng() * target.length)] = Math.floor(rng() * 256);
  } else if (r < 0.85) {
    return [...chunks.slice(0, -1), target.subarray(0, Math.floor(rng() * target.length))];
  } else if (r < 0.93) {
    chunks.push(chunks[Math.floor(rng() * chunks.length)]!); // duplicate chunk
  } else {
    chunks.reverse(); // out of order (valid)
  }
  return chunks;
}

describe(`protocol fuzz (seed ${SEED})`, () => {
  it('12,000 mutated text messages: parsers never throw, refusals are coded, accepted messages are stable and within limits or coded', () => {
    const rng = createRng(SEED);
    let ok = 0, refused = 0;
    for (let i = 0; i < 12_000; i++) {
      const server = i % 4 === 3;
      const text = mutatedText(rng, server ? VALID_SERVER : VALID_CLIENT);
      const where = `seed ${SEED} iteration ${i}: ${text.slice(0, 160)}`;
      let r;
      try { r = server ? parseServerMessage(text) : parseClientMessage(text); } catch (e) { throw new Error(`parser threw at ${where}: ${(e as Error).message}`); }
      if (!r.ok) {
        if (!CODES.has(r.code) || typeof r.message !== 'string') throw new Error(`uncoded refusal at ${where}`);
        refused++;
        continue;
      }
      ok++;
      // Accepted input re-encodes to something the parser accepts again, unchanged.
      const again = server ? parseServerMessage(JSON.stringify(r.msg)) : parseClientMessage(JSON.stringify(r.msg));
      if (!again.ok || JSON.stringify(again.msg) !== JSON.stringify(r.msg)) throw new Error(`unstable round trip at ${where}`);
      if (!server && r.msg.type === 'job.submit') {
        try { checkSubmitLimits(r.msg as JobSubmit, DEFAULT_LIMITS); } catch (e) {
          if (!(e instanceof SmartDragError)) throw new Error(`limit check threw ${(e as Error).name} at ${where}`);
        }
      }
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(refused).toBeGreaterThan(6000);
    expect(ok).toBeGreaterThan(500);
  });

  it('6,000 mutated binary frames: decoder and assembler throw only coded errors and never hold more than the limit', () => {
    const rng = createRng(SEED + 1);
    const limits = { maxImagePixels: 4096, maxImageSidePx: 256 };
    let frames = 0, refused = 0;
    for (let i = 0; i < 6_000; i++) {
      const asm = new FrameAssembler(limits);
      for (const c of mutatedBinary(rng)) {
        try {
          const chunk = decodeFrameChunk(c);
          if (chunk.payload.byteLength > c.byteLength - FRAME_HEADER_FIXED_BYTES) throw new Error('payload larger than its chunk');
          if (asm.push(chunk)) frames++;
        } catch (e) {
          if (!(e instanceof SmartDragError) || !CODES.has(e.code)) throw new Error(`seed ${SEED + 1} iteration ${i}: uncoded ${(e as Error).name}: ${(e as Error).message}`);
          refused++;
        }
        expect(asm.pendingBytes).toBeLessThanOrEqual(limits.maxImagePixels * 4);
      }
    }
    expect(refused).toBeGreaterThan(2000);
    expect(frames).toBeGreaterThan(300);
  });

  describe('through a real bridge socket', () => {
    let tb: TestBridge;
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    beforeAll(async () => {
      process.on('unhandledRejection', onUnhandled);
      process.on('uncaughtException', onUnhandled);
      tb = await startTestBridge({ uploadTimeoutMs: 1500, limits: { maxChunkBytes: 4096, maxFrameBytes: 256 * 1024, maxImagePixels: 20_000, maxQueuePerClient: 4 } });
    });
    afterAll(async () => {
      await tb?.bridge.close();
      process.off('unhandledRejection', onUnhandled);
      process.off('uncaughtException', onUnhandled);
    });

    it('400 mutated text and binary messages on an open session: answered or ignored, the session keeps serving', async () => {
      const rng = createRng(SEED + 2);
      const c = await RawClient.connect(tb);
      for (let i = 0; i < 400; i++) {
        // (Messages over twice maxFrameBytes close the socket with 4009: covered in security.test.ts.)
        if (rng() < 0.55) c.sendRaw(mutatedText(rng, VALID_CLIENT.slice(1)));
        else for (const ch of mutatedBinary(rng)) c.sendRaw(ch);
        expect([i, c.ws.readyState]).toEqual([i, c.ws.OPEN]);
        if (i % 40 === 39) {
          c.send({ type: 'ping', t: i });
          await c.next((m) => m.type === 'pong' && m.t === i, 10_000);
        }
      }
      expect(c.ws.readyState).toBe(c.ws.OPEN);
      const errors = c.texts().filter((m) => m.type === 'error' || m.type === 'job.error');
      expect(errors.length).toBeGreaterThan(100);
      c.close();
      expect(unhandled).toEqual([]);
    });

    it('60 mutated first messages: each socket gets welcome, or a coded error and a 4xxx close', async () => {
      const rng = createRng(SEED + 3);
      const valid = { type: 'hello', protocol: 2, client: 'test', token: tb.token };
      for (let i = 0; i < 60; i++) {
        const c = new RawClient(tb.wsUrl);
        await c.opened;
        const text = rng() < 0.7 ? JSON.stringify(mutateValue(rng, valid)) : mutateText(rng, JSON.stringify(valid));
        c.sendRaw(text);
        const first = await c.next((m) => m.type === 'welcome' || m.type === 'error', 10_000);
        if (first.type === 'error') {
          expect(CODES.has(first.code)).toBe(true);
          const closed = await c.closed;
          expect([closed.code, text]).toEqual([expect.any(Number), text]);
          expect(closed.code).toBeGreaterThanOrEqual(4001);
          expect(closed.code).toBeLessThanOrEqual(4009);
        } else {
          c.close();
        }
      }
      expect(unhandled).toEqual([]);
    });

    it('300 mutated HTTP requests (methods, paths, Origins, tokens, bodies): every refusal is a coded error, the bridge keeps serving', async () => {
      const { encodePng } = await import('../../bridge-server/src/io/image-io');
      const rng = createRng(SEED + 4);
      const png = (await encodePng(gradientImage(32, 24))).toString('base64');
      const valid = {
        image: { png }, quality: 'preview', regions: [{ id: 'h1', polygon: squarePolygon(4, 4, 8) }],
        drags: [{ region: 'h1', points: [[8, 8], [20, 14]], kind: 'translate' }],
      };
      const origins = [undefined, undefined, 'https://www.photopea.com', 'null', 'uxp://com.smartdrag.photoshop', 'https://evil.example', 'file://', randomText(rng).slice(0, 40)];
      const auths = [`Bearer ${tb.token}`, `Bearer ${tb.token}`, undefined, 'Bearer wrong', `Basic ${tb.token}`, `Bearer ${tb.token}x`];
      const paths = ['/v1/edit', '/v1/edit', '/v1/edit', '/v1/health', '/', '/photopea/', '/v1/edit?x=1', '/v1/nope', '/..%2f..%2fetc/passwd'];
      const statuses = new Map<number, number>();
      for (let i = 0; i < 300; i++) {
        // Half the requests pass the door (POST /v1/edit, token, JSON) so their bodies reach validation.
        const door = rng() < 0.5;
        const method = door ? 'POST' : pick(rng, ['POST', 'POST', 'POST', 'GET', 'PUT', 'OPTIONS', 'DELETE']);
        const headers: Record<string, string> = {};
        const origin = door ? undefined : pick(rng, origins), auth = door ? `Bearer ${tb.token}` : pick(rng, auths);
        if (origin !== undefined && /^[\x20-\x7e]*$/.test(origin)) headers.origin = origin;
        if (auth !== undefined) headers.authorization = auth;
        headers['content-type'] = door ? 'application/json' : pick(rng, ['application/json', 'application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded']);
        const r = rng();
        const body = r < 0.5 ? JSON.stringify(mutateValue(rng, valid)) : r < 0.8 ? mutateText(rng, JSON.stringify(valid)) : r < 0.9 ? JSON.stringify(valid) : randomText(rng);
        const path = door ? '/v1/edit' : pick(rng, paths);
        const res = await httpRequest(tb.port, method, path, headers, method === 'GET' ? undefined : body);
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        // A client can cause 4xx only; 5xx would be the bridge's own failure.
        expect([i, res.status < 500 ? 'ok' : res.body?.message]).toEqual([i, 'ok']);
        if (res.status >= 400) {
          expect([i, method, path, res.status, res.body, CODES.has(res.body?.code)]).toEqual([i, method, path, res.status, res.body, true]);
        }
      }
      // eslint-disable-next-line no-console
      console.log(`fuzz (HTTP): statuses ${JSON.stringify(Object.fromEntries(statuses))}`);
      expect(statuses.get(401)).toBeGreaterThan(10);
      expect(statuses.get(403)).toBeGreaterThan(10);
      expect(statuses.get(400)).toBeGreaterThan(10);
      const health = await httpRequest(tb.port, 'GET', '/v1/health');
      expect(health.status).toBe(200);
      expect(unhandled).toEqual([]);
    }, 60_000);

    it('malformed HTTP framing (bad request lines, bad Content-Length, garbage) is dropped; the bridge keeps serving', async () => {
      const rng = createRng(SEED + 5);
      const raw = [
        'POST /v1/edit HTTP/1.1\r\nHost: 127.0.0.1:PORT\r\nContent-Length: abc\r\n\r\n{}',
        'POST /v1/edit HTTP/1.1\r\nHost: 127.0.0.1:PORT\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
        'GARBAGE\r\n\r\n',
        'GET /v1/health HTTP/9.9\r\n\r\n',
        'POST /v1/edit HTTP/1.1\r\nHost: 127.0.0.1:PORT\r\nContent-Length: 99999999999999999999\r\n\r\n',
      ];
      for (let i = 0; i < 40; i++) raw.push(mutateText(rng, `POST /v1/edit HTTP/1.1\r\nHost: 127.0.0.1:PORT\r\nAuthorization: Bearer ${tb.token}\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}`));
      for (const text of raw) {
        await new Promise<void>((resolve) => {
          const sock = net.connect(tb.port, '127.0.0.1', () => sock.end(text.replace(/PORT/g, String(tb.port))));
          sock.on('data', () => undefined);
          sock.on('error', () => resolve());
          sock.on('close', () => resolve());
          sock.setTimeout(5000, () => { sock.destroy(); resolve(); });
        });
      }
      expect((await httpRequest(tb.port, 'GET', '/v1/health')).status).toBe(200);
      expect(unhandled).toEqual([]);
    }, 60_000);

    it('after the fuzz, a new client still gets a real edit done', async () => {
      const c = await RawClient.connect(tb);
      const job = squareMoveJob('after-fuzz', { chunkBytes: 4096 });
      sendJob(c, job);
      const r = await c.next((m) => (m.type === 'job.result' || m.type === 'job.error') && 'jobId' in m && m.jobId === 'after-fuzz', 20_000);
      expect(r.type).toBe('job.result');
      c.close();
      expect(tb.bridge.stats().workers).toBe(1);
      expect(unhandled).toEqual([]);
    });
  });
});
