/**
 * Test fixtures (not shipped): EXIF (TIFF) blocks written here byte by byte, in either byte order,
 * with IFD0, the Exif and GPS sub-IFDs and an IFD1 thumbnail, and a plain reader of their tags —
 * both independent of util/exif.ts, so its tests check it against something else.
 */

/** One IFD entry to write: 2 ASCII (a string), 3 SHORT, 4 LONG, 5 RATIONAL (numerator, denominator pairs), 7 UNDEFINED. */
export interface TestEntry {
  tag: number;
  type: 2 | 3 | 4 | 5 | 7;
  value: string | number[] | Uint8Array;
}

/** What {@link buildTiff} writes. */
export interface TestTiff {
  le: boolean;
  ifd0: TestEntry[];
  exif?: TestEntry[];
  gps?: TestEntry[];
  /** IFD1 entries besides the thumbnail's offset and length (0x0201, 0x0202), which are added. */
  ifd1?: TestEntry[];
  thumbnail?: Uint8Array;
  /** Put IFD1 and the thumbnail right after IFD0 (before the sub-IFDs), not at the end. */
  thumbnailFirst?: boolean;
}

const SIZE = { 2: 1, 3: 2, 4: 4, 5: 8, 7: 1 } as const;

function valueBytes(e: TestEntry): number[] {
  if (e.type === 2) return [...Array.from(e.value as string, (c) => c.charCodeAt(0)), 0];
  if (e.type === 7) return Array.from(e.value as Uint8Array);
  return e.value as number[];
}

/** The count an entry declares (RATIONALs: pairs). */
function countOf(e: TestEntry): number {
  const v = valueBytes(e);
  return e.type === 5 ? v.length / 2 : v.length;
}

/** Bytes an IFD takes with its out-of-line values (each padded to an even length). */
function ifdSize(entries: TestEntry[]): number {
  let n = 2 + 12 * entries.length + 4;
  for (const e of entries) {
    const s = SIZE[e.type] * countOf(e);
    if (s > 4) n += s + (s & 1);
  }
  return n;
}

/** An EXIF block (TIFF bytes from the byte-order mark) as `t` describes it. */
export function buildTiff(t: TestTiff): Uint8Array {
  const thumb = t.thumbnail ?? new Uint8Array(0);
  const ifd0 = [...t.ifd0];
  if (t.exif) ifd0.push({ tag: 0x8769, type: 4, value: [0] });
  if (t.gps) ifd0.push({ tag: 0x8825, type: 4, value: [0] });
  const ifd1 = t.ifd1 ? [...t.ifd1, { tag: 0x0201, type: 4 as const, value: [0] }, { tag: 0x0202, type: 4 as const, value: [thumb.length] }] : null;
  // Layout: header, IFD0, then IFD1 + thumbnail either next or last.
  let at = 8;
  const off0 = at; at += ifdSize(ifd0);
  let off1 = 0, offThumb = 0;
  const placeThumb = () => { if (ifd1) { off1 = at; at += ifdSize(ifd1); offThumb = at; at += thumb.length + (thumb.length & 1); } };
  if (t.thumbnailFirst) placeThumb();
  const offExif = t.exif ? at : 0; if (t.exif) at += ifdSize(t.exif);
  const offGps = t.gps ? at : 0; if (t.gps) at += ifdSize(t.gps);
  if (!t.thumbnailFirst) placeThumb();
  const out = new Uint8Array(at);
  const v = new DataView(out.buffer);
  out.set(t.le ? [0x49, 0x49, 42, 0] : [0x4d, 0x4d, 0, 42]);
  v.setUint32(4, off0, t.le);
  const write = (entries: TestEntry[], off: number, next: number): void => {
    v.setUint16(off, entries.length, t.le);
    let data = off + 2 + 12 * entries.length + 4;
    entries.forEach((e0, k) => {
      const e = e0.tag === 0x8769 ? { ...e0, value: [offExif] } : e0.tag === 0x8825 ? { ...e0, value: [offGps] } : e0.tag === 0x0201 && ifd1 ? { ...e0, value: [offThumb] } : e0;
      const p = off + 2 + 12 * k, vals = valueBytes(e), size = SIZE[e.type] * countOf(e);
      v.setUint16(p, e.tag, t.le); v.setUint16(p + 2, e.type, t.le); v.setUint32(p + 4, countOf(e), t.le);
      const where = size > 4 ? data : p + 8;
      if (size > 4) { v.setUint32(p + 8, data, t.le); data += size + (size & 1); }
      vals.forEach((x, i) => {
        if (SIZE[e.type] === 1) out[where + i] = x;
        else if (e.type === 3) v.setUint16(where + 2 * i, x, t.le);
        else v.setUint32(where + 4 * i, x, t.le);
      });
    });
    v.setUint32(off + 2 + 12 * entries.length, next, t.le);
  };
  write(ifd0, off0, off1);
  if (t.exif) write(t.exif, offExif, 0);
  if (t.gps) write(t.gps, offGps, 0);
  if (ifd1) { write(ifd1, off1, 0); out.set(thumb, offThumb); }
  return out;
}

/** One read tag: its type and values (a string for ASCII, bytes for UNDEFINED, numbers otherwise). */
export type ReadValue = string | number[] | Uint8Array;

/** The tags of an EXIF block as a plain reader sees them: IFD0, Exif, GPS, and IFD1's offset (0: none). */
export interface ReadExif {
  le: boolean;
  ifd0: Map<number, ReadValue>;
  exif: Map<number, ReadValue>;
  gps: Map<number, ReadValue>;
  ifd1: number;
}

/** Read the tags of an EXIF block (TIFF bytes, or with "Exif\0\0" before them). */
export function readExifTags(bytes: Uint8Array): ReadExif {
  const b = String.fromCharCode(...bytes.subarray(0, 6)) === 'Exif\0\0' ? bytes.subarray(6) : bytes;
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const le = b[0] === 0x49;
  const ifd = (off: number): { tags: Map<number, ReadValue>; next: number } => {
    const n = v.getUint16(off, le), tags = new Map<number, ReadValue>();
    for (let k = 0; k < n; k++) {
      const p = off + 2 + 12 * k, tag = v.getUint16(p, le), type = v.getUint16(p + 2, le), count = v.getUint32(p + 4, le);
      const unit = type === 3 ? 2 : type === 4 ? 4 : type === 5 ? 8 : 1;
      const at = unit * count > 4 ? v.getUint32(p + 8, le) : p + 8;
      if (type === 2) tags.set(tag, String.fromCharCode(...b.subarray(at, at + count - 1)));
      else if (type === 7 || type === 1) tags.set(tag, b.slice(at, at + count));
      else {
        const vals: number[] = [];
        for (let i = 0; i < (type === 5 ? 2 * count : count); i++) vals.push(type === 3 ? v.getUint16(at + 2 * i, le) : v.getUint32(at + 4 * i, le));
        tags.set(tag, vals);
      }
    }
    return { tags, next: v.getUint32(off + 2 + 12 * n, le) };
  };
  const i0 = ifd(v.getUint32(4, le));
  // (A sub-IFD that cannot be read reads as empty.)
  const sub = (tag: number) => {
    const p = i0.tags.get(tag) as number[] | undefined;
    try { return p ? ifd(p[0]!).tags : new Map<number, ReadValue>(); } catch { return new Map<number, ReadValue>(); }
  };
  return { le, ifd0: i0.tags, exif: sub(0x8769), gps: sub(0x8825), ifd1: i0.next };
}

/** A camera's EXIF: make, model, Orientation `o`, date, copyright; date taken, pixel size `w`×`h` (LONG, SHORT) and a maker note; GPS; and a thumbnail (IFD1). */
export function cameraTiff(le: boolean, o: number, w: number, h: number, thumbnail = new Uint8Array([0xff, 0xd8, 0xff, 0xd9, 1, 2, 3, 4, 5, 6, 7, 8, 9])): TestTiff {
  return {
    le,
    ifd0: [
      { tag: 0x010f, type: 2, value: 'Canon' },
      { tag: 0x0110, type: 2, value: 'Canon EOS R5' },
      { tag: 0x0112, type: 3, value: [o] },
      { tag: 0x0132, type: 2, value: '2024:05:01 10:00:00' },
      { tag: 0x8298, type: 2, value: '(c) Jane Doe' },
    ],
    exif: [
      { tag: 0x9003, type: 2, value: '2024:05:01 09:59:58' },
      { tag: 0x927c, type: 7, value: Uint8Array.from({ length: 40 }, (_, i) => i * 3) },
      { tag: 0xa002, type: 4, value: [w] },
      { tag: 0xa003, type: 3, value: [h] },
    ],
    gps: [
      { tag: 0x0001, type: 2, value: 'N' },
      { tag: 0x0002, type: 5, value: [52, 1, 30, 1, 1234, 100] },
    ],
    ifd1: [{ tag: 0x0103, type: 3, value: [6] }],
    thumbnail,
  };
}

/** A JPEG with an APP1 segment of `body` spliced in right after SOI (as cameras write EXIF and XMP). */
export function withApp1(jpeg: Uint8Array, body: Uint8Array): Buffer {
  const len = body.length + 2;
  return Buffer.concat([jpeg.subarray(0, 2), Buffer.from([0xff, 0xe1, len >> 8, len & 255]), body, jpeg.subarray(2)]);
}
