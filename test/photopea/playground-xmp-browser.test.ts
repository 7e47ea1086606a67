/**
 * The playground keeps a photo's XMP (a Lightroom or Photoshop user's rating, keywords, caption,
 * rights…) in the download, in a real browser against a real bridge, as it keeps the EXIF
 * (playground-exif-browser.test.ts): a phone JPEG stored sideways (EXIF and XMP Orientation 6)
 * opens upright, and its Download JPEG and Download PNG carry its XMP packet with Orientation 1
 * and the saved pixel size, everything else as it was; a PNG whose XMP libvips wrote (a zTXt
 * chunk) keeps it in its PNG download (an iTXt chunk, as Adobe's specification says); a WebP's
 * XMP chunk goes into its WebP download. A Photoshop JPEG whose XMP needed "extended XMP" (its
 * history over 64 KB, in parts after the main packet, XMP Specification Part 3) keeps every part in
 * Download JPEG; Download PNG keeps the main packet and says the extended part is left out.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import sharp from 'sharp';
import { buildTiff, cameraTiff, withApp1 } from '../../plugin-photopea/src/util/test-exif';
import { bridgeAndChromium } from './harness';
import { downloadFile, inPlayground, openAnyFile, openPlayground } from './pages';

jest.setTimeout(180_000);

/** The JPEG as stored: 1200×1000; shown turned 90° clockwise (1000×1200). */
const W = 1200, H = 1000;

/** An XMP packet as Lightroom writes one (attributes and elements), with `orientation` and the stored size. */
function packet(orientation: number): string {
  return `<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="Adobe XMP Core 7.0">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:tiff="http://ns.adobe.com/tiff/1.0/"
    xmlns:exif="http://ns.adobe.com/exif/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:crs="http://ns.adobe.com/camera-raw-settings/1.0/"
   xmp:Rating="4" tiff:Orientation="${orientation}" exif:PixelXDimension="${W}" crs:Exposure2012="+0.35">
   <exif:PixelYDimension>${H}</exif:PixelYDimension>
   <dc:creator><rdf:Seq><rdf:li>Jane Doë</rdf:li></rdf:Seq></dc:creator>
   <dc:subject><rdf:Bag><rdf:li>lighthouse</rdf:li><rdf:li>dusk</rdf:li></rdf:Bag></dc:subject>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>`;
}

let files: { jpeg: string; png: string; webp: string; extended: string };
/** The extended XMP of `files.extended` and its GUID (the MD5 of it, as Photoshop writes it). */
let ext: { data: Buffer; guid: string };

function scene(w: number, h: number): Buffer {
  const rgb = Buffer.alloc(w * h * 3);
  for (let y = 0, i = 0; y < h; y++) for (let x = 0; x < w; x++, i += 3) { rgb[i] = (x * 255) / w; rgb[i + 1] = (y * 255) / h; rgb[i + 2] = 120; }
  return rgb;
}

/** The XMP texts a file holds (JPEG APP1 XMP segments; PNG iTXt/zTXt/tEXt XML:com.adobe.xmp chunks, with their type; WebP XMP chunks), read here by hand. */
function xmpIn(b: Buffer): { where: string; text: string }[] {
  const got: { where: string; text: string }[] = [];
  const id = 'http://ns.adobe.com/xap/1.0/\0', key = 'XML:com.adobe.xmp\0';
  if (b[0] === 0xff) {
    for (let p = 2; p + 4 <= b.length && b[p] === 0xff && b[p + 1] !== 0xda;) {
      const len = b.readUInt16BE(p + 2);
      if (b[p + 1] === 0xe1 && b.toString('latin1', p + 4, p + 4 + id.length) === id) got.push({ where: 'APP1', text: b.toString('utf8', p + 4 + id.length, p + 2 + len) });
      p += 2 + len;
    }
  } else if (b[0] === 0x89) {
    for (let p = 8; p + 8 <= b.length;) {
      const size = b.readUInt32BE(p), type = b.toString('latin1', p + 4, p + 8), body = b.subarray(p + 8, p + 8 + size);
      if (/^(iTXt|zTXt|tEXt)$/.test(type) && body.toString('latin1', 0, key.length) === key) {
        const rest = body.subarray(key.length);
        if (type === 'tEXt') got.push({ where: type, text: rest.toString('utf8') });
        else if (type === 'zTXt') got.push({ where: type, text: inflateSync(rest.subarray(1)).toString('utf8') });
        else {
          let q = 2;
          for (let nul = 0; nul < 2; q++) if (rest[q] === 0) nul++;
          got.push({ where: `${type}${rest[0] ? ' compressed' : ''}`, text: (rest[0] ? inflateSync(rest.subarray(q)) : rest.subarray(q)).toString('utf8') });
        }
      }
      if (type === 'IEND') break;
      p += 12 + size;
    }
  } else {
    for (let p = 12; p + 8 <= b.length;) {
      const tag = b.toString('latin1', p, p + 4), size = b.readUInt32LE(p + 4);
      if (tag === 'XMP ') got.push({ where: tag, text: b.toString('utf8', p + 8, p + 8 + size) });
      p += 8 + size + (size & 1);
    }
  }
  return got;
}

const env = bridgeAndChromium(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'smartdrag-playground-xmp-'));
  const raw = { raw: { width: W, height: H, channels: 3 as const } };
  const plain = await sharp(scene(W, H), raw).withIccProfile('p3').withXmp(packet(6)).jpeg({ quality: 92 }).toBuffer();
  const jpeg = join(dir, 'IMG_0200.jpg');
  writeFileSync(jpeg, withApp1(plain, Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), buildTiff(cameraTiff(true, 6, W, H))])));
  const png = join(dir, 'scan.png');
  writeFileSync(png, await sharp(scene(W, H), raw).withXmp(packet(1)).png({ compressionLevel: 3 }).toBuffer());
  const webp = join(dir, 'scene.webp');
  writeFileSync(webp, await sharp(scene(W, H), raw).withXmp(packet(1)).webp({ quality: 90 }).toBuffer());
  // Photoshop's way: a main packet naming the extended XMP by its MD5, the rest in parts of ≤ 65458 bytes.
  let history = '';
  for (let i = 0; history.length < 150_000; i++) history += `<rdf:li>step ${i}: brush stroke</rdf:li>`;
  const extData = Buffer.from(`<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/"><photoshop:DocumentAncestors><rdf:Bag>${history}</rdf:Bag></photoshop:DocumentAncestors></rdf:Description></rdf:RDF></x:xmpmeta>`, 'utf8');
  const guid = createHash('md5').update(extData).digest('hex').toUpperCase();
  ext = { data: extData, guid };
  const mainPacket = packet(1).replace('xmp:Rating="4"', `xmp:Rating="4" xmlns:xmpNote="http://ns.adobe.com/xmp/note/" xmpNote:HasExtendedXMP="${guid}"`);
  let big: Buffer = await sharp(scene(W, H), raw).jpeg({ quality: 90 }).toBuffer();
  for (let at = Math.floor((extData.length - 1) / 65458) * 65458; at >= 0; at -= 65458) {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(extData.length, 0);
    head.writeUInt32BE(at, 4);
    big = withApp1(big, Buffer.concat([Buffer.from('http://ns.adobe.com/xmp/extension/\0', 'latin1'), Buffer.from(guid, 'latin1'), head, extData.subarray(at, at + 65458)]));
  }
  big = withApp1(big, Buffer.concat([Buffer.from('http://ns.adobe.com/xap/1.0/\0', 'latin1'), Buffer.from(mainPacket, 'utf8')]));
  const extended = join(dir, 'retouched.jpg');
  writeFileSync(extended, big);
  files = { jpeg, png, webp, extended };
  // The files hold what this test says they do.
  expect(xmpIn(readFileSync(jpeg)).map((x) => x.where)).toEqual(['APP1']);
  expect(xmpIn(readFileSync(png)).map((x) => x.where)).toEqual(['zTXt']);
  expect(xmpIn(readFileSync(webp)).map((x) => x.where)).toEqual(['XMP ']);
});

/** A JPEG's extended XMP parts (APP1 `http://ns.adobe.com/xmp/extension/`), read here by hand: GUID, full length, offset, bytes. */
function extendedIn(b: Buffer): { guid: string; full: number; offset: number; bytes: Buffer }[] {
  const id = 'http://ns.adobe.com/xmp/extension/\0', got: { guid: string; full: number; offset: number; bytes: Buffer }[] = [];
  for (let p = 2; p + 4 <= b.length && b[p] === 0xff && b[p + 1] !== 0xda;) {
    const len = b.readUInt16BE(p + 2), s = p + 4 + id.length;
    if (b[p + 1] === 0xe1 && b.toString('latin1', p + 4, s) === id) got.push({ guid: b.toString('latin1', s, s + 32), full: b.readUInt32BE(s + 32), offset: b.readUInt32BE(s + 36), bytes: b.subarray(s + 40, p + 2 + len) });
    p += 2 + len;
  }
  return got;
}

/** `text` is the packet of `packet(orientation)` with only the sizes (and Orientation) made those of a `w`×`h` file. */
function expectPacket(text: string, orientation: number, w: number, h: number): void {
  const want = packet(orientation).replace(`exif:PixelXDimension="${W}"`, `exif:PixelXDimension="${w}"`).replace(`<exif:PixelYDimension>${H}<`, `<exif:PixelYDimension>${h}<`);
  expect(text).toBe(want);
}

test('a sideways phone JPEG: Download JPEG and Download PNG carry its XMP, with Orientation 1 and the saved size, the rest as it was', () => inPlayground(env, async ({ page }) => {
  expect(await openAnyFile(page, files.jpeg)).toEqual([H, W]);
  const jpg = await downloadFile(page, 'download-original');
  expect(jpg.note).toBe(`Saved IMG_0200-smartdrag.jpg (${(jpg.bytes.length / 1e6).toFixed(1)} MB).`);
  const got = xmpIn(jpg.bytes);
  expect(got.map((x) => x.where)).toEqual(['APP1']);
  expectPacket(got[0]!.text, 1, H, W);
  // Readers find it (libvips), and the EXIF and profile are still there.
  const meta = await sharp(jpg.bytes).metadata();
  expect(meta.xmp?.toString('utf8')).toBe(got[0]!.text);
  expect([meta.orientation, !!meta.exif, !!meta.icc]).toEqual([1, true, true]);

  const png = await downloadFile(page, 'download');
  const pgot = xmpIn(png.bytes);
  expect(pgot.map((x) => x.where)).toEqual(['iTXt']);
  expectPacket(pgot[0]!.text, 1, H, W);
  const pmeta = await sharp(png.bytes).metadata();
  expect([pmeta.width, pmeta.height, pmeta.orientation, !!pmeta.exif]).toEqual([H, W, 1, true]);
}, { acceptDownloads: true }));

test('a PNG whose XMP libvips wrote (zTXt) keeps it in Download PNG (iTXt); a WebP keeps its XMP chunk in Download WebP', () => inPlayground(env, async ({ page, ctx }) => {
  expect(await openAnyFile(page, files.png)).toEqual([W, H]);
  const png = await downloadFile(page, 'download');
  const got = xmpIn(png.bytes);
  expect(got.map((x) => x.where)).toEqual(['iTXt']);
  expectPacket(got[0]!.text, 1, W, H);

  const page2 = await openPlayground(ctx, env.server.origin);
  expect(await openAnyFile(page2, files.webp)).toEqual([W, H]);
  const webp = await downloadFile(page2, 'download-original');
  const wgot = xmpIn(webp.bytes);
  expect(wgot.map((x) => x.where)).toEqual(['XMP ']);
  expectPacket(wgot[0]!.text, 1, W, H);
  // The extended header says there is XMP (VP8X flag 0x04).
  expect([webp.bytes.toString('latin1', 12, 16), webp.bytes[20]! & 0x04]).toEqual(['VP8X', 0x04]);
  expect((await sharp(webp.bytes).metadata()).xmp?.toString('utf8')).toBe(wgot[0]!.text);
}, { acceptDownloads: true }));

test('a Photoshop JPEG with extended XMP (its history over 64 KB): Download JPEG keeps every part after the main packet, which still names it; Download PNG keeps the main packet and says the extended part is left out', () => inPlayground(env, async ({ page }) => {
  const before = extendedIn(readFileSync(files.extended));
  expect(before.length).toBe(3);
  expect(await openAnyFile(page, files.extended)).toEqual([W, H]);
  const jpg = await downloadFile(page, 'download-original');
  expect(jpg.note).toBe(`Saved retouched-smartdrag.jpg (${(jpg.bytes.length / 1e6).toFixed(1)} MB).`);
  const main = xmpIn(jpg.bytes);
  expect(main.map((x) => x.where)).toEqual(['APP1']);
  expect(main[0]!.text).toContain(`xmpNote:HasExtendedXMP="${ext.guid}"`);
  const parts = extendedIn(jpg.bytes);
  expect(parts.length).toBe(3);
  expect(parts.every((x) => x.guid === ext.guid && x.full === ext.data.length)).toBe(true);
  const whole = Buffer.alloc(ext.data.length);
  for (const x of parts) x.bytes.copy(whole, x.offset);
  expect(whole.equals(ext.data)).toBe(true);
  // What the GUID says: the MD5 of the extended XMP.
  expect(createHash('md5').update(whole).digest('hex').toUpperCase()).toBe(ext.guid);

  const png = await downloadFile(page, 'download');
  expect(xmpIn(png.bytes).map((x) => x.where)).toEqual(['iTXt']);
  expect(png.note).toBe(`Saved retouched-smartdrag.png (${(png.bytes.length / 1e6).toFixed(1)} MB). Its XMP (edits, keywords, rights…) was left out: in part — its extended part (${ext.data.length} bytes), which only a JPEG holds beside the main packet: Download JPEG keeps it.`);
}, { acceptDownloads: true }));
