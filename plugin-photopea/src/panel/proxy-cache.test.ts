import { downscaleImage, proxyInfoFor, type ProxyInfo } from '@smartdrag/shared';
import { ContentProxyCache } from './proxy-cache';

/** Photo-like RGBA with soft alpha in a corner. */
function image(w: number, h: number): { width: number; height: number; data: Uint8ClampedArray } {
  const data = new Uint8ClampedArray(w * h * 4);
  let s = 7;
  for (let y = 0, i = 0; y < h; y++) for (let x = 0; x < w; x++, i += 4) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    data[i] = (x * 255) / w + ((s >> 16) & 15); data[i + 1] = (y * 255) / h; data[i + 2] = (x ^ y) & 255; data[i + 3] = x < w / 5 && y < h / 5 ? (s >> 8) & 255 : 255;
  }
  return { width: w, height: h, data };
}

test.each([
  ['3000x2000 into 180 kpx', 3000, 2000, proxyInfoFor(3000, 2000, 180_000)],
  ['2999x1001 into 64 kpx (partial blocks)', 2999, 1001, proxyInfoFor(2999, 1001, 64_000)],
  ['4000x3000 into a 1000x750 proxy (scale·k is 1)', 4000, 3000, { width: 1000, height: 750, scaleX: 0.25, scaleY: 0.25 } as ProxyInfo],
  ['1500x8000 into 100 kpx (tall)', 1500, 8000, proxyInfoFor(1500, 8000, 100_000)],
])('a proxy made ahead in slices is downscaleImage\'s, to the byte: %s', async (_, w, h, info) => {
  const img = image(w, h);
  const cache = new ContentProxyCache();
  await cache.prepare(img, info, () => true);
  expect(cache.has(img, info, null)).toBe(true);
  const got = cache.image(img, info), want = downscaleImage(img, info);
  expect([got.width, got.height]).toEqual([want.width, want.height]);
  expect(Buffer.compare(Buffer.from(got.data as Uint8ClampedArray), Buffer.from(want.data))).toBe(0);
});

test('a proxy whose document changed while it was made is dropped (made again in one piece when asked for)', async () => {
  const img = image(3000, 2000), info = proxyInfoFor(3000, 2000, 180_000);
  const cache = new ContentProxyCache();
  await cache.prepare(img, info, () => false);
  expect(cache.has(img, info, null)).toBe(false);
});
