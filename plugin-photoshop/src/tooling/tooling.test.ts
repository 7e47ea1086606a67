import sharp from 'sharp';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { ENTRYPOINT_IDS } from '../entrypoint-ids';
import { packCcx, validateFolder, writeStatic } from './build-plugin';
import { crc32 } from './crc32';
import { createManifest, validateManifest } from './manifest';
import { drawIcon, encodePngRgba, pngSize } from './png';
import { createZip } from './zip';

/** An independent reader of our zips: walks the central directory and inflates each entry. */
function readZip(buf: Buffer): Map<string, Buffer> {
  const eocd = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const out = new Map<string, Buffer>();
  for (let i = 0; i < count; i++) {
    expect(buf.readUInt32LE(p)).toBe(0x02014b50);
    const method = buf.readUInt16LE(p + 10), crc = buf.readUInt32LE(p + 16), csize = buf.readUInt32LE(p + 20);
    const nlen = buf.readUInt16LE(p + 28), elen = buf.readUInt16LE(p + 30), clen = buf.readUInt16LE(p + 32), off = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nlen);
    const lnlen = buf.readUInt16LE(off + 26), lelen = buf.readUInt16LE(off + 28);
    const body = buf.subarray(off + 30 + lnlen + lelen, off + 30 + lnlen + lelen + csize);
    const data = method === 8 ? inflateRawSync(body) : Buffer.from(body);
    expect(crc32(new Uint8Array(data))).toBe(crc);
    out.set(name, data);
    p += 46 + nlen + elen + clen;
  }
  return out;
}

describe('crc32 / zip / png', () => {
  test('crc32 of "123456789" is the standard check value', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });

  test('zip round trip: stored and deflated entries, manifest first', () => {
    const big = new Uint8Array(5000).fill(65);
    const tiny = new Uint8Array([1, 2, 3]);
    const zip = Buffer.from(createZip([{ path: 'manifest.json', data: big }, { path: 'icons/a.png', data: tiny }]));
    const files = readZip(zip);
    expect([...files.keys()]).toEqual(['manifest.json', 'icons/a.png']);
    expect(new Uint8Array(files.get('manifest.json')!)).toEqual(big);
    expect(new Uint8Array(files.get('icons/a.png')!)).toEqual(tiny);
    expect(zip.length).toBeLessThan(5000); // the repetitive entry was deflated
    expect(() => createZip([{ path: '../x', data: tiny }])).toThrow(RangeError);
    expect(() => createZip([{ path: 'a', data: tiny }, { path: 'a', data: tiny }])).toThrow(RangeError);
  });

  test('png: header, size and pixels decode back', async () => {
    const rgba = drawIcon(23);
    const png = encodePngRgba(23, 23, rgba);
    expect(pngSize(png)).toEqual({ width: 23, height: 23 });
    // Decoded by an independent reader (sharp/libvips), the pixels are exactly the drawn ones.
    const decoded = await sharp(Buffer.from(png)).ensureAlpha().raw().toBuffer();
    expect(new Uint8Array(decoded)).toEqual(rgba);
    let opaque = 0;
    for (let i = 3; i < rgba.length; i += 4) if (rgba[i]! > 0) opaque++;
    expect(opaque).toBeGreaterThan(40);
    expect(pngSize(new Uint8Array(30))).toBeNull();
  });
});

describe('manifest', () => {
  const good = () => createManifest({ version: '1.2.3', port: 7341 }) as Record<string, any>;

  test('the generated manifest is valid v5 with the entrypoints the code registers', () => {
    const m = good();
    expect(validateManifest(m)).toEqual({ errors: [], warnings: [] });
    expect(m.entrypoints.map((e: { id: string }) => e.id)).toEqual([ENTRYPOINT_IDS.panel, ENTRYPOINT_IDS.command]);
    expect(m.entrypoints[1].label.default).toBe('Smart Drag');
    expect(m.host).toMatchObject({ app: 'PS', minVersion: '25.0.0', data: { enableMenuRecording: true, apiVersion: 2 } });
    expect(m.requiredPermissions.network.domains).toEqual(['ws://127.0.0.1:7341', 'http://127.0.0.1:7341', 'ws://localhost:7341', 'http://localhost:7341']);
  });

  test.each<[string, (m: Record<string, any>) => void, RegExp]>([
    ['wrong manifestVersion', (m) => { m.manifestVersion = 4; }, /manifestVersion must be 5/],
    ['bad id', (m) => { m.id = 'has space'; }, /^id must/],
    ['bad version', (m) => { m.version = '1.2'; }, /version must be x\.y\.z/],
    ['missing main', (m) => { delete m.main; }, /main must/],
    ['wrong host app', (m) => { m.host.app = 'GIMP'; }, /host\.app/],
    ['too old for v5', (m) => { m.host.minVersion = '22.5.0'; }, /23\.3/],
    ['bad enableMenuRecording', (m) => { m.host.data.enableMenuRecording = 'yes'; }, /enableMenuRecording/],
    ['duplicate entrypoint ids', (m) => { m.entrypoints[1].id = m.entrypoints[0].id; }, /not unique/],
    ['unknown entrypoint type', (m) => { m.entrypoints[1].type = 'dialog'; }, /type must be/],
    ['command with panel fields', (m) => { m.entrypoints[1].minimumSize = { width: 1, height: 1 }; }, /a command has no minimumSize/],
    ['panel min > max', (m) => { m.entrypoints[0].minimumSize = { width: 5000, height: 10 }; }, /exceeds maximumSize/],
    ['missing label', (m) => { delete m.entrypoints[1].label; }, /label/],
    ['domain without scheme', (m) => { m.requiredPermissions.network.domains = ['127.0.0.1:7341']; }, /scheme/],
    ['loopback without port', (m) => { m.requiredPermissions.network.domains = ['ws://127.0.0.1']; }, /explicit port/],
    ['wildcard TLD', (m) => { m.requiredPermissions.network.domains = ['https://example.*']; }, /wildcards/],
    ['bad localFileSystem', (m) => { m.requiredPermissions.localFileSystem = 'everything'; }, /localFileSystem/],
  ])('rejects: %s', (_name, mutate, re) => {
    const m = good();
    mutate(m);
    const r = validateManifest(m);
    expect(r.errors.some((e) => re.test(e))).toBe(true);
  });

  test('warns (does not fail) on "all" domains and manifest shortcuts', () => {
    const m = good();
    m.requiredPermissions.network.domains = 'all';
    m.entrypoints[1].shortcut = { mac: 'Cmd+J' };
    const r = validateManifest(m);
    expect(r.errors).toEqual([]);
    expect(r.warnings.join('\n')).toMatch(/"all"/);
    expect(r.warnings.join('\n')).toMatch(/not yet available/);
  });

  test('a written plugin folder validates, missing/wrong icons are caught, and the .ccx has the manifest at its root', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sd-ps-'));
    try {
      writeStatic(dir, { version: '0.1.0', port: 7341 });
      writeFileSync(join(dir, 'index.js'), '');
      expect(validateFolder(dir)).toEqual({ errors: [], warnings: [] });
      const ccx = join(dir, 'out', 'p.ccx');
      packCcx(dir, ccx);
      const files = readZip(readFileSync(ccx));
      expect([...files.keys()][0]).toBe('manifest.json');
      expect([...files.keys()].sort()).toEqual(['icons/panel.png', 'icons/panel@1x.png', 'icons/panel@2x.png', 'icons/plugin.png', 'icons/plugin@1x.png', 'icons/plugin@2x.png', 'index.html', 'index.js', 'manifest.json']);
      expect(JSON.parse(files.get('manifest.json')!.toString()).id).toBe('com.smartdrag.photoshop');

      writeFileSync(join(dir, 'icons', 'panel@2x.png'), encodePngRgba(23, 23, drawIcon(23)));
      // Photoshop looks up scale 1 as plugin@1x.png, so that file (not the bare name) is required.
      rmSync(join(dir, 'icons', 'plugin@1x.png'));
      const r = validateFolder(dir);
      expect(r.errors.some((e) => /panel@2x\.png is 23x23, expected 46x46/.test(e))).toBe(true);
      expect(r.errors.some((e) => /plugin@1x\.png is missing/.test(e))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
