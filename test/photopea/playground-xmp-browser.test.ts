/**
 * The playground keeps a photo's XMP (a Lightroom or Photoshop user's rating, keywords, caption,
 * rights…) in the download, in a real browser against a real bridge, as it keeps the EXIF
 * (playground-exif-browser.test.ts): a phone JPEG stored sideways (EXIF and XMP Orientation 6)
 * opens upright, and its Download JPEG and Download PNG carry its XMP packet with Orientation 1
 * and the saved pixel size, everything else as it was; a PNG whose XMP libvips wrote (a zTXt
 * chunk) keeps it in its PNG download (an iTXt chunk, as Adobe's specification says); a WebP's
 * XMP chunk goes into its WebP download.
 */
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

let files: { jpeg: string; png: string; webp: string };

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
  files = { jpeg, png, webp };
  // The files hold what this test says they do.
  expect(xmpIn(readFileSync(jpeg)).map((x) => x.where)).toEqual(['APP1']);
  expect(xmpIn(readFileSync(png)).map((x) => x.where)).toEqual(['zTXt']);
  expect(xmpIn(readFileSync(webp)).map((x) => x.where)).toEqual(['XMP ']);
});

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
