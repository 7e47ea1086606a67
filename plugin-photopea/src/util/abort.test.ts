/**
 * Cancelling the playground's PNG download (encodePng's `signal`: checked between slices), and the
 * colour facts the playground reads on open (a JPEG's component count, a profile's colour space).
 */
import sharp from 'sharp';
import { abortError, isAbortError } from './abort';
import { jpegComponentCount } from './containers';
import { decodePng, encodePng, iccColourSpace, STREAM_ENCODE_MIN_PIXELS } from './png';

/** An opaque textured image of `w`×`h` (RGBA). */
function image(w: number, h: number): { width: number; height: number; data: Uint8ClampedArray } {
  const data = new Uint8ClampedArray(w * h * 4);
  for (let i = 0; i < w * h; i++) data.set([(i * 7) & 255, (i >> 5) & 255, (i * 13) & 255, 255], i * 4);
  return { width: w, height: h, data };
}

test('encodePng with a signal aborted between its slices stops there and rejects with an AbortError; not aborted, the same PNG as without one', async () => {
  const img = image(1600, 1000);
  expect(img.width * img.height).toBeGreaterThan(STREAM_ENCODE_MIN_PIXELS);
  const ctl = new AbortController();
  const seen: number[] = [];
  const err = await encodePng(img, {
    signal: ctl.signal,
    onProgress: (f) => { seen.push(f); if (seen.length === 2) ctl.abort(); },
  }).then(() => null, (e: unknown) => e);
  expect(isAbortError(err)).toBe(true);
  // Stopped at the next slice: no further progress, far from the end.
  expect(seen).toHaveLength(2);
  expect(seen[1]).toBeLessThan(0.5);

  // Aborted before it starts (a small image, UPNG.js's path, too).
  const early = new AbortController();
  early.abort();
  await expect(encodePng(image(40, 30), { signal: early.signal })).rejects.toMatchObject({ name: 'AbortError' });

  const plain = await encodePng(img);
  const withSignal = await encodePng(img, { signal: new AbortController().signal });
  expect(Buffer.from(withSignal).equals(Buffer.from(plain))).toBe(true);
  expect(Buffer.from((await decodePng(withSignal)).data).equals(Buffer.from(img.data))).toBe(true);
});

test('isAbortError tells a cancel from a failure', () => {
  expect(isAbortError(abortError())).toBe(true);
  expect(isAbortError(new Error('the encoder stopped'))).toBe(false);
  expect(isAbortError('AbortError')).toBe(false);
});

test('jpegComponentCount reads the frame: 3 for RGB, 1 for grey, 4 for CMYK; null for what is not a JPEG', async () => {
  const rgb = await sharp({ create: { width: 32, height: 24, channels: 3, background: '#c83' } }).png().toBuffer();
  expect(jpegComponentCount(new Uint8Array(await sharp(rgb).jpeg().toBuffer()))).toBe(3);
  expect(jpegComponentCount(new Uint8Array(await sharp(rgb).toColourspace('b-w').jpeg().toBuffer()))).toBe(1);
  expect(jpegComponentCount(new Uint8Array(await sharp(rgb).toColourspace('cmyk').jpeg().toBuffer()))).toBe(4);
  expect(jpegComponentCount(new Uint8Array(await sharp(rgb).jpeg({ progressive: true }).toBuffer()))).toBe(3);
  expect(jpegComponentCount(new Uint8Array(rgb))).toBeNull();
});

test('iccColourSpace gives a profile\'s data colour space', async () => {
  const rgb = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#c83' } }).png().toBuffer();
  const p3 = (await sharp(await sharp(rgb).withIccProfile('p3').jpeg().toBuffer()).metadata()).icc!;
  const cmyk = (await sharp(await sharp(rgb).toColourspace('cmyk').withIccProfile('cmyk').jpeg().toBuffer()).metadata()).icc!;
  expect(iccColourSpace(new Uint8Array(p3))).toBe('RGB');
  expect(iccColourSpace(new Uint8Array(cmyk))).toBe('CMYK');
  expect(iccColourSpace(new Uint8Array(10))).toBeNull();
});
