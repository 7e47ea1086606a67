import sharp from 'sharp';
import { browserDecodesExactly, decodedByUpng, imagePixelCount } from './decode-image';

const W = 37, H = 23;
const raw = (channels: 3 | 4) => ({ raw: { width: W, height: H, channels } });
const px = (channels: 3 | 4) => Buffer.alloc(W * H * channels, 120);

test('imagePixelCount reads the stored size from the header of every kind of file the playground opens', async () => {
  const files: [string, Buffer][] = [
    ['png', await sharp(px(3), raw(3)).png().toBuffer()],
    ['png 16-bit', await sharp(px(4), raw(4)).toColourspace('rgb16').png().toBuffer()],
    ['jpeg', await sharp(px(3), raw(3)).jpeg().toBuffer()],
    ['progressive jpeg', await sharp(px(3), raw(3)).jpeg({ progressive: true }).toBuffer()],
    ['cmyk jpeg', await sharp(px(3), raw(3)).toColourspace('cmyk').jpeg().toBuffer()],
    // (EXIF and a profile before the frame.)
    ['jpeg with exif', await sharp(px(3), raw(3)).withIccProfile('p3').withMetadata({ orientation: 6 }).jpeg().toBuffer()],
    ['webp lossy', await sharp(px(3), raw(3)).webp().toBuffer()],
    ['webp lossless', await sharp(px(3), raw(3)).webp({ lossless: true }).toBuffer()],
    ['webp with alpha (VP8X)', await sharp(px(4), raw(4)).webp().toBuffer()],
    ['webp with exif (VP8X)', await sharp(px(3), raw(3)).withMetadata({ orientation: 6 }).webp().toBuffer()],
  ];
  for (const [what, bytes] of files) expect([what, imagePixelCount(new Uint8Array(bytes))]).toEqual([what, W * H]);
  expect(imagePixelCount(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]))).toBeNull();
  expect(imagePixelCount(new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 200]))).toBeNull();
  expect(imagePixelCount(new Uint8Array([1, 2, 3]))).toBeNull();
});

test('decodedByUpng: PNGs the browser cannot decode exactly (transparency, 16 bits, small), unless converted to sRGB; never JPEG or WebP', async () => {
  const big = { raw: { width: 1100, height: 1000, channels: 3 as const } };
  const opaqueBig = new Uint8Array(await sharp(Buffer.alloc(1100 * 1000 * 3, 90), big).png().toBuffer());
  const alpha = new Uint8Array(await sharp(px(4), raw(4)).png().toBuffer());
  expect(browserDecodesExactly(opaqueBig)).toBe(true);
  expect(decodedByUpng(opaqueBig, false)).toBe(false);
  expect(decodedByUpng(alpha, false)).toBe(true);
  expect(decodedByUpng(alpha, true)).toBe(false);
  expect(decodedByUpng(new Uint8Array(await sharp(px(3), raw(3)).jpeg().toBuffer()), false)).toBe(false);
});
