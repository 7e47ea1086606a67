import sharp from 'sharp';
import { appSegmentBody, ContainerError, jpegSegment, jpegSegments, pngChunks, riffChunk, webpChunks, webpFile } from './containers';

const ascii = (s: string) => Array.from(s, (c) => c.charCodeAt(0));

test('jpegSegments: the header segments up to the scan, fill bytes skipped, markers without a length kept; a segment past the end throws', () => {
  const b = new Uint8Array([
    0xff, 0xd8,
    0xff, 0xe0, 0, 6, ...ascii('JFIF'),
    0xff, 0xff, 0xff, 0xe1, 0, 8, ...ascii('Exif\0\0'), // two fill bytes before it
    0xff, 0xd0, // RST0: no length
    0xff, 0xdb, 0, 3, 9,
    0xff, 0xda, 0, 2, 1, 2, 3, 0xff, 0xd9,
  ]);
  const { segments, scan } = jpegSegments(b);
  expect(segments.map((s) => [s.marker, s.at, s.end])).toEqual([[0xe0, 2, 10], [0xe1, 12, 22], [0xd0, 22, 24], [0xdb, 24, 29]]);
  expect(scan).toBe(29);
  expect(appSegmentBody(b, segments[1]!, 0xe1, 'Exif\0\0')).toEqual(new Uint8Array(0));
  expect(appSegmentBody(b, segments[1]!, 0xe1, 'XMP')).toBeNull();
  expect(appSegmentBody(b, segments[0]!, 0xe1, 'JFIF')).toBeNull();
  // EOI without a scan: everything before it.
  expect(jpegSegments(new Uint8Array([0xff, 0xd8, 0xff, 0xd9])).scan).toBe(2);
  for (const bad of [
    [0xff, 0xd8, 0xff, 0xe1, 0x10, 0, 1, 2], // runs past the end
    [0xff, 0xd8, 0x12, 0x34, 0xff, 0xd9], // no marker
    [0xff, 0xd8, 0xff, 0xe1, 0, 0, 0xff, 0xd9], // a length below 2
    [0x89, 0x50, 0x4e, 0x47],
  ]) expect(() => jpegSegments(new Uint8Array(bad))).toThrow(ContainerError);
  expect(() => jpegSegment(0xe1, new Uint8Array(65534))).toThrow(/at most 65533/);
  expect(jpegSegment(0xe1, new Uint8Array([1, 2]), new Uint8Array([3]))).toEqual(new Uint8Array([0xff, 0xe1, 0, 5, 1, 2, 3]));
});

test('webpChunks: chunks with odd sizes padded, read back as written; a chunk past the end throws', async () => {
  const file = webpFile([riffChunk('VP8X', new Uint8Array(10)), riffChunk('ICCP', new Uint8Array([1, 2, 3])), riffChunk('EXIF', new Uint8Array([4, 5]))]);
  expect(file.length).toBe(12 + 18 + 12 + 10);
  expect(new DataView(file.buffer).getUint32(4, true)).toBe(file.length - 8);
  expect(webpChunks(file).map((c) => [c.tag, c.size, c.end - c.at])).toEqual([['VP8X', 10, 18], ['ICCP', 3, 12], ['EXIF', 2, 10]]);
  // A real file (sharp's lossless WebP: one VP8L chunk).
  const real = new Uint8Array(await sharp(Buffer.alloc(12, 80), { raw: { width: 2, height: 2, channels: 3 } }).webp({ lossless: true }).toBuffer());
  expect(webpChunks(real).map((c) => c.tag)).toEqual(['VP8L']);
  expect(() => webpChunks(file.subarray(0, file.length - 4))).toThrow(ContainerError);
  expect(() => webpChunks(new Uint8Array(ascii('RIFF\0\0\0\0WEBPVP8')))).toThrow(/inside a chunk header/);
  expect(() => webpChunks(new Uint8Array([1, 2, 3]))).toThrow(/not a WebP/);
});

test('pngChunks: every chunk to IEND, or the header chunks only (a cut image data not looked at)', async () => {
  const png = new Uint8Array(await sharp(Buffer.alloc(300, 80), { raw: { width: 10, height: 10, channels: 3 } }).withMetadata({ orientation: 3 }).png().toBuffer());
  const types = pngChunks(png).map((c) => c.type);
  expect(types[0]).toBe('IHDR');
  expect(types).toContain('eXIf');
  expect(types.at(-1)).toBe('IEND');
  const idat = types.indexOf('IDAT');
  const cut = png.subarray(0, pngChunks(png)[idat]!.body + 3);
  expect(() => pngChunks(cut)).toThrow(ContainerError);
  expect(pngChunks(cut, 'IDAT').map((c) => c.type)).toEqual(types.slice(0, idat));
});
