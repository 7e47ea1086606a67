/**
 * The /v1/edit body parser: small bodies here, large ones (≥ OFF_THREAD_BYTES) in a worker thread
 * that also decodes the PNG — the same body and bytes either way, and the same errors.
 */
import { randomBytes } from 'node:crypto';
import { OFF_THREAD_BYTES, parseEditBody } from './json-off-thread';

const bodyWith = (png: Buffer): Buffer => Buffer.from(JSON.stringify({
  image: { png: png.toString('base64') }, quality: 'final', intent: 'move it 40 px down — ünïcode',
  regions: [{ id: 'a', polygon: [[1, 1], [9, 1], [9, 9]] }], drags: [],
}), 'utf8');

test('a small body is parsed here, as JSON.parse would', async () => {
  const png = randomBytes(1000);
  const buf = bodyWith(png);
  const out = await parseEditBody(buf);
  expect(out).toEqual({ body: JSON.parse(buf.toString('utf8')), png: null, offThread: false });
});

test('a large body is parsed off the main thread: the same fields, the PNG decoded to the same bytes', async () => {
  const png = randomBytes(Math.ceil((OFF_THREAD_BYTES * 3) / 4) + 1000); // its base64 alone passes the threshold
  const buf = bodyWith(png);
  const expected = JSON.parse(buf.toString('utf8')) as { image: { png: string } };
  const out = await parseEditBody(buf);
  expect(out.offThread).toBe(true);
  expect(Buffer.compare(out.png!, png)).toBe(0);
  expect(out.body).toEqual({ ...expected, image: { png: 'decoded-off-thread' } });
});

test('invalid JSON is a SyntaxError either way (small and large)', async () => {
  await expect(parseEditBody(Buffer.from('{"image": '))).rejects.toThrow(SyntaxError);
  const big = Buffer.concat([Buffer.from('{"image": {"png": "'), Buffer.alloc(OFF_THREAD_BYTES, 0x41), Buffer.from('"}')]); // unterminated object
  await expect(parseEditBody(big)).rejects.toThrow(SyntaxError);
  // A large body without an image parses (the route's schema then says what is missing).
  const noImage = Buffer.from(JSON.stringify({ intent: 'x'.repeat(OFF_THREAD_BYTES) }));
  await expect(parseEditBody(noImage)).resolves.toMatchObject({ png: null, offThread: true, body: { intent: expect.any(String) } });
});
