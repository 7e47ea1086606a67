/**
 * A minimal, dependency-free ZIP writer (PKWARE APPNOTE 6.3: local headers, deflate or store,
 * central directory, end record; no ZIP64, so < 4 GiB and < 65535 entries). A `.ccx` plugin
 * package is a zip with `manifest.json` at its root. Node only (zlib).
 */
import { deflateRawSync } from 'node:zlib';
import { crc32 } from './crc32';

/** One file to store. */
export interface ZipEntry {
  /** Path inside the archive, forward slashes, no leading slash. */
  path: string;
  data: Uint8Array;
}

/** DOS date/time of 1980-01-01 00:00 — fixed so builds are reproducible. */
const DOS_TIME = 0, DOS_DATE = (0 << 9) | (1 << 5) | 1;

/** Build a zip archive. Entries are deflated unless deflate does not make them smaller. */
export function createZip(entries: readonly ZipEntry[]): Uint8Array {
  const seen = new Set<string>();
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    if (!e.path || e.path.startsWith('/') || e.path.includes('\\') || e.path.split('/').includes('..')) throw new RangeError(`bad zip path ${e.path}`);
    if (seen.has(e.path)) throw new RangeError(`duplicate zip path ${e.path}`);
    seen.add(e.path);
    const name = Buffer.from(e.path, 'utf8');
    const crc = crc32(e.data);
    const deflated = deflateRawSync(e.data, { level: 9 });
    const useDeflate = deflated.length < e.data.length;
    const body = useDeflate ? deflated : Buffer.from(e.data.buffer, e.data.byteOffset, e.data.byteLength);
    const method = useDeflate ? 8 : 0;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(DOS_TIME, 10);
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(e.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    locals.push(local, name, body);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4); // made by
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt16LE(DOS_TIME, 12);
    central.writeUInt16LE(DOS_DATE, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(e.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    offset += 30 + name.length + body.length;
  }
  const cdSize = centrals.reduce((s, b) => s + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cdSize, 12);
  end.writeUInt32LE(offset, 16);
  return new Uint8Array(Buffer.concat([...locals, ...centrals, end]));
}
