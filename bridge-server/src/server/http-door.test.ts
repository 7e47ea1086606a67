/** The HTTP door's parts on their own: body limit, byte budget, body reader, Origin classes. */
import { PassThrough } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import { DEFAULT_LIMITS, SmartDragError } from '@smartdrag/shared';
import { httpBodyLimit, readBody, UploadBudget } from './http-door';
import { accessPolicy, classifyOrigin } from './security';

function fakeReq(headers: Record<string, string>, parts: Buffer[]): IncomingMessage {
  const s = new PassThrough() as unknown as IncomingMessage & PassThrough;
  (s as { headers: Record<string, string> }).headers = headers;
  setImmediate(() => { for (const p of parts) s.write(p); s.end(); });
  return s;
}

const code = async (p: Promise<unknown>) => { try { await p; return 'ok'; } catch (e) { return (e as SmartDragError).code; } };

describe('httpBodyLimit', () => {
  it('follows the image limit: base64 of 4 bytes per pixel plus bounded JSON, growing with maxImagePixels', () => {
    const small = httpBodyLimit({ ...DEFAULT_LIMITS, maxImagePixels: 1_000_000 });
    const big = httpBodyLimit({ ...DEFAULT_LIMITS, maxImagePixels: 4_000_000 });
    expect(big - small).toBeGreaterThan(3_000_000 * 4 * 4 / 3);
    expect(big - small).toBeLessThan(3_000_000 * 4 * 4 / 3 * 1.01);
    const shapes = (2 * DEFAULT_LIMITS.maxRegions + DEFAULT_LIMITS.maxDrags) * DEFAULT_LIMITS.maxPoints * 48;
    expect(small).toBeGreaterThan(1_000_000 * 4 * 4 / 3 + shapes);
  });
});

describe('UploadBudget and readBody', () => {
  it('takes and gives bytes, refusing what does not fit', () => {
    const b = new UploadBudget(100);
    expect(b.take(60)).toBe(true);
    expect(b.take(50)).toBe(false);
    expect(b.inUse).toBe(60);
    b.give(60);
    expect(b.take(100)).toBe(true);
  });

  it('reads a body within the limit and gives its bytes back', async () => {
    const b = new UploadBudget(1000);
    const body = await readBody(fakeReq({ 'content-length': '6' }, [Buffer.from('{"a":'), Buffer.from('1')]), 100, b);
    expect(body.toString()).toBe('{"a":1');
    expect(b.inUse).toBe(0);
  });

  it('refuses: declared over the limit, chunked past the limit, longer than declared, malformed length, budget full', async () => {
    const b = new UploadBudget(150);
    expect(await code(readBody(fakeReq({ 'content-length': '101' }, []), 100, b))).toBe('image_too_large');
    expect(await code(readBody(fakeReq({}, [Buffer.alloc(60), Buffer.alloc(60)]), 100, b))).toBe('image_too_large');
    expect(await code(readBody(fakeReq({ 'content-length': '10' }, [Buffer.alloc(20)]), 100, b))).toBe('bad_message');
    expect(await code(readBody(fakeReq({ 'content-length': '1e3' }, []), 100, b))).toBe('bad_message');
    expect(b.inUse).toBe(0);
    b.take(100);
    expect(await code(readBody(fakeReq({ 'content-length': '60' }, [Buffer.alloc(60)]), 100, b))).toBe('queue_full');
    expect(await code(readBody(fakeReq({}, [Buffer.alloc(30), Buffer.alloc(30)]), 100, b))).toBe('queue_full');
    expect(b.inUse).toBe(100);
  });
});

describe('classifyOrigin', () => {
  const p = accessPolicy('127.0.0.1', 7341, [], ['https://studio.example']);
  it.each([
    [undefined, 'none'], ['http://127.0.0.1:7341', 'listed'], ['http://localhost:7341', 'listed'], ['https://www.photopea.com', 'listed'],
    ['HTTPS://PHOTOPEA.COM', 'listed'], ['https://studio.example', 'listed'], ['null', 'token'], ['uxp://com.x.y', 'token'],
    ['plugin://com.x.y', 'token'], ['http://127.0.0.1:7342', 'foreign'], ['https://www.photopea.com.evil.example', 'foreign'],
    ['nullx', 'foreign'], ['uxp:/x', 'foreign'], ['uxp://a b', 'foreign'], ['file://', 'foreign'], ['', 'foreign'],
  ])('%j → %s', (origin, kind) => {
    expect(classifyOrigin(p, origin)).toBe(kind);
  });
});
