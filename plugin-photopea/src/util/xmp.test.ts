import { deflateSync } from 'node:zlib';
import { withJpegMetadata, JPEG_XMP_MAX } from './encode-image';
import { embeddedExtendedXmp, embeddedXmp, extendedXmpGuid, JPEG_XMP_EXT_ID, JPEG_XMP_EXT_PART_MAX, JPEG_XMP_ID, xmpForOutput } from './xmp';
import { jpegSegments } from './containers';

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array | null) => (b ? new TextDecoder().decode(b) : null);
const latin1 = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

/** A PNG by hand (CRCs not checked here): signature, IHDR, the given chunks, IEND. */
function pngWith(...chunks: [string, Uint8Array][]): Uint8Array {
  const parts: number[] = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  const put = (type: string, body: Uint8Array) => {
    parts.push((body.length >>> 24) & 255, (body.length >>> 16) & 255, (body.length >>> 8) & 255, body.length & 255, ...latin1(type), ...body, 0, 0, 0, 0);
  };
  put('IHDR', new Uint8Array(13));
  for (const [t, b] of chunks) put(t, b);
  put('IEND', new Uint8Array(0));
  return new Uint8Array(parts);
}

/** A JPEG by hand: SOI, the given segments (marker, body), a stand-in scan and EOI. */
function jpegWith(...segs: [number, Uint8Array][]): Uint8Array {
  const out = [0xff, 0xd8];
  for (const [m, body] of segs) out.push(0xff, m, (body.length + 2) >> 8, (body.length + 2) & 255, ...body);
  out.push(0xff, 0xda, 0, 2, 1, 2, 3, 0xff, 0xd9);
  return new Uint8Array(out);
}

const PACKET = '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF><rdf:Description tiff:Orientation="6" tiff:ImageWidth="4000"><tiff:ImageLength>3000</tiff:ImageLength><dc:title>Phare, ¡sí!</dc:title></rdf:Description></rdf:RDF></x:xmpmeta>';

test('embeddedXmp: a PNG iTXt (plain or compressed), zTXt or tEXt with the XMP keyword; other text chunks are not XMP', async () => {
  const key = 'XML:com.adobe.xmp\0';
  expect(dec(await embeddedXmp(pngWith(['tEXt', latin1('Comment\0hello')], ['iTXt', new Uint8Array([...latin1(`${key}\0\0\0\0`), ...enc(PACKET)])])))).toBe(PACKET);
  expect(dec(await embeddedXmp(pngWith(['iTXt', new Uint8Array([...latin1(`${key}\x01\0en\0XMP\0`), ...deflateSync(enc(PACKET))])])))).toBe(PACKET);
  expect(dec(await embeddedXmp(pngWith(['zTXt', new Uint8Array([...latin1(`${key}\0`), ...deflateSync(enc(PACKET))])])))).toBe(PACKET);
  expect(dec(await embeddedXmp(pngWith(['tEXt', new Uint8Array([...latin1(key), ...enc(PACKET)])])))).toBe(PACKET);
  expect(await embeddedXmp(pngWith(['tEXt', latin1('XML:com.adobe.xmpX\0no')]))).toBeNull();
});

test('embeddedXmp: a JPEG APP1 XMP segment (not the EXIF one, not extended XMP)', async () => {
  const jpeg = jpegWith([0xe1, latin1('Exif\0\0MM')], [0xe1, new Uint8Array([...latin1('http://ns.adobe.com/xmp/extension/\0'), 1, 2])], [0xe1, new Uint8Array([...latin1(JPEG_XMP_ID), ...enc(PACKET)])]);
  expect(dec(await embeddedXmp(jpeg))).toBe(PACKET);
  expect(await embeddedXmp(jpegWith([0xe1, latin1('Exif\0\0MM')]))).toBeNull();
});

test('xmpForOutput: Orientation 1 only where the pixels were turned upright; the saved size where it gives one; other packets as they were', () => {
  const out = dec(xmpForOutput(enc(PACKET), { upright: true, width: 3000, height: 4000 }));
  expect(out).toBe(PACKET.replace('tiff:Orientation="6"', 'tiff:Orientation="1"').replace('"4000"', '"3000"').replace('>3000<', '>4000<'));
  expect(dec(xmpForOutput(enc(PACKET), { upright: false, width: 4000, height: 3000 }))).toBe(PACKET);
  const latin = new Uint8Array([0x3c, 0xe9, 0xff, 0x3e]);
  expect(xmpForOutput(latin, { upright: true, width: 1, height: 1 })).toBe(latin);
});

test('withJpegMetadata: the XMP as an APP1 segment after the EXIF one, replacing the one the JPEG had; too large for one segment: an error', () => {
  const jpeg = jpegWith([0xe0, latin1('JFIF\0')], [0xe1, new Uint8Array([...latin1(JPEG_XMP_ID), ...enc('old')])]);
  const out = withJpegMetadata(jpeg, { exif: latin1('MM\0*'), xmp: enc(PACKET) });
  const s = new TextDecoder('latin1').decode(out);
  expect(s.indexOf('JFIF')).toBeLessThan(s.indexOf('Exif\0\0MM'));
  expect(s.indexOf('Exif\0\0MM')).toBeLessThan(s.indexOf(JPEG_XMP_ID));
  expect(s.includes('old')).toBe(false);
  expect(() => withJpegMetadata(jpeg, { xmp: new Uint8Array(JPEG_XMP_MAX + 1) })).toThrow(/XMP too large for a JPEG/);
});

/** An extended XMP of `n` bytes (a serialized packet's text), its GUID, and the main packet naming it. */
function extended(n: number): { data: Uint8Array; guid: string; main: string } {
  const head = '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF><rdf:Description photoshop:History="';
  const tail = '"/></rdf:RDF></x:xmpmeta>';
  let body = '';
  for (let i = 0; body.length < n - head.length - tail.length; i++) body += `step ${i}; `;
  const data = enc((head + body).slice(0, n - tail.length) + tail);
  const guid = '0123456789ABCDEF0123456789ABCDEF';
  return { data, guid, main: PACKET.replace('<rdf:Description ', `<rdf:Description xmlns:xmpNote="http://ns.adobe.com/xmp/note/" xmpNote:HasExtendedXMP="${guid}" `) };
}

/** One extended-XMP part segment body: identifier, GUID, full length, offset (big-endian), the bytes. */
function part(guid: string, full: Uint8Array, offset: number, len: number): Uint8Array {
  const h = new Uint8Array(8);
  new DataView(h.buffer).setUint32(0, full.length);
  new DataView(h.buffer).setUint32(4, offset);
  return new Uint8Array([...latin1(JPEG_XMP_EXT_ID), ...latin1(guid), ...h, ...full.subarray(offset, offset + len)]);
}

test('embeddedExtendedXmp: the parts with the GUID the main packet names, in any order, put together; none named: null; a part missing or another GUID\'s: said, not guessed', () => {
  const { data, guid, main } = extended(100_000);
  expect(extendedXmpGuid(enc(main))).toBe(guid);
  expect(extendedXmpGuid(enc('<rdf:Description><xmpNote:HasExtendedXMP>abcdefabcdefabcdefabcdefabcdef12</xmpNote:HasExtendedXMP>'))).toBe('abcdefabcdefabcdefabcdefabcdef12');
  const mainSeg: [number, Uint8Array] = [0xe1, new Uint8Array([...latin1(JPEG_XMP_ID), ...enc(main)])];
  const a = part(guid, data, 0, 60_000), b = part(guid, data, 60_000, 40_000);
  const other = part('FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF', new Uint8Array(10), 0, 10);
  const got = embeddedExtendedXmp(jpegWith(mainSeg, [0xe1, b], [0xe1, other], [0xe1, a]), enc(main));
  expect(got && 'guid' in got ? [got.guid, dec(got.data) === dec(data)] : got).toEqual([guid, true]);
  // The main packet names none: no extended XMP, whatever parts lie about.
  expect(embeddedExtendedXmp(jpegWith([0xe1, a]), enc(PACKET))).toBeNull();
  expect(embeddedExtendedXmp(jpegWith(mainSeg, [0xe1, a]), enc(main))).toEqual({ problem: 'its extended XMP is incomplete (1 part(s) give the first 60000 of 100000 bytes)' });
  expect(embeddedExtendedXmp(jpegWith(mainSeg, [0xe1, other]), enc(main))).toEqual({ problem: 'its extended XMP, which the main packet names, is not in the file' });
});

test('withJpegMetadata: the extended XMP in parts after the main packet, each within a segment, read back equal; the JPEG\'s own parts replaced', () => {
  const { data, guid, main } = extended(150_000);
  const jpeg = jpegWith([0xe0, latin1('JFIF\0')], [0xe1, part('AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', new Uint8Array(5), 0, 5)]);
  const out = withJpegMetadata(jpeg, { xmp: enc(main), xmpExtended: { guid, data } });
  const segs = jpegSegments(out).segments;
  const ext = segs.filter((sg) => new TextDecoder('latin1').decode(out.subarray(sg.at + 4, sg.at + 4 + JPEG_XMP_EXT_ID.length)) === JPEG_XMP_EXT_ID);
  expect(ext).toHaveLength(Math.ceil(150_000 / JPEG_XMP_EXT_PART_MAX));
  expect(Math.max(...ext.map((sg) => sg.end - sg.at - 2))).toBeLessThanOrEqual(65535);
  // After the main packet's segment.
  const mainAt = segs.findIndex((sg) => new TextDecoder('latin1').decode(out.subarray(sg.at + 4, sg.at + 4 + JPEG_XMP_ID.length)) === JPEG_XMP_ID);
  expect(segs.indexOf(ext[0]!)).toBe(mainAt + 1);
  const back = embeddedExtendedXmp(out, enc(main));
  expect(back && 'guid' in back ? [back.guid, Buffer.from(back.data).equals(Buffer.from(data))] : back).toEqual([guid, true]);
  // Without a main packet there is nothing to name it: no parts written.
  expect(new TextDecoder('latin1').decode(withJpegMetadata(jpeg, { exif: latin1('MM\0*'), xmpExtended: { guid, data } })).includes('step 1;')).toBe(false);
});
