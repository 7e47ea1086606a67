/**
 * ONNX external data: a model over protobuf's 2 GB limit (an fp32 SD-1.5 UNet, ~3.4 GB) keeps its
 * tensors in separate files beside the .onnx (Optimum writes `unet/model.onnx` +
 * `unet/model.onnx_data`). Each such tensor has `data_location = EXTERNAL` and `external_data`
 * entries `location` (a path relative to the model file's folder), `offset` and `length`.
 *
 * {@link readExternalRefs} lists those references by walking the protobuf with positional reads
 * (only the tensor headers are read; weights stored inside the file are skipped, so a 2 GB model
 * is never held in memory): graph initializers and sparse initializers, tensor attributes of
 * nodes (Constant), sub-graphs (If/Loop bodies), functions and training graphs.
 * {@link externalDataProblems} says, for each referenced file, whether it is there and long enough
 * for the tensors that read from it.
 */
import fs from 'node:fs';
import path from 'node:path';

/** One tensor whose data lives in another file. */
export interface ExternalRef {
  /** Tensor name (may be empty for an unnamed attribute tensor). */
  tensor: string;
  /** The `location` entry as written in the model (relative to the model file's folder). */
  location: string;
  /** The `offset` entry (0 when absent); NaN when it is not a non-negative integer. */
  offset: number;
  /** The `length` entry; null when absent, NaN when it is not a non-negative integer. */
  length: number | null;
  /** Bytes the tensor's dims and element type need; null when the type has no fixed size. */
  needed: number | null;
}

/** Thrown when the file is not an ONNX protobuf this reader can walk. */
export class OnnxReadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OnnxReadError';
  }
}

/** Bits per element of ONNX TensorProto.DataType values (STRING and unknown types: none). */
const ELEM_BITS: Record<number, number> = {
  1: 32, 2: 8, 3: 8, 4: 16, 5: 16, 6: 32, 7: 64, 9: 8, 10: 16, 11: 64, 12: 32, 13: 64, 14: 64, 15: 128, 16: 16,
  17: 8, 18: 8, 19: 8, 20: 8, 21: 4, 22: 4, 23: 4,
};

/** Positional reader over a file with a small read window (tensor data is skipped, never read). */
class FileSource {
  private readonly win = Buffer.alloc(1 << 16);
  private winStart = 0;
  private winLen = 0;
  constructor(private readonly fd: number, readonly size: number) {}

  byte(pos: number): number {
    if (pos < this.winStart || pos >= this.winStart + this.winLen) {
      if (pos >= this.size) throw new OnnxReadError(`truncated protobuf (a field runs past the end of the file at byte ${pos})`);
      this.winStart = pos;
      this.winLen = fs.readSync(this.fd, this.win, 0, Math.min(this.win.length, this.size - pos), pos);
      if (this.winLen <= 0) throw new OnnxReadError(`cannot read byte ${pos}`);
    }
    return this.win[pos - this.winStart]!;
  }

  bytes(pos: number, len: number): Buffer {
    if (pos + len > this.size) throw new OnnxReadError(`truncated protobuf (a ${len}-byte field at byte ${pos} runs past the end)`);
    if (len > 1 << 20) throw new OnnxReadError(`a ${len}-byte string where a name or path was expected`);
    const b = Buffer.alloc(len);
    if (len && fs.readSync(this.fd, b, 0, len, pos) !== len) throw new OnnxReadError(`cannot read ${len} bytes at ${pos}`);
    return b;
  }

  /** A varint at `pos` as a Number (exact up to 2^53) and the position after it. */
  varint(pos: number): [number, number] {
    let v = 0, mul = 1;
    for (let i = 0; i < 10; i++) {
      const b = this.byte(pos++);
      v += (b & 0x7f) * mul;
      if (b < 0x80) return [v, pos];
      mul *= 128;
    }
    throw new OnnxReadError(`malformed varint before byte ${pos}`);
  }
}

interface Field { no: number; wire: number; value: number; start: number; end: number }

/** The fields of the message occupying [start, end): varints carry `value`, length-delimited ones `start`/`end`. */
function* fields(src: FileSource, start: number, end: number): Generator<Field> {
  let pos = start;
  while (pos < end) {
    const [tag, p] = src.varint(pos);
    const no = Math.floor(tag / 8), wire = tag % 8;
    pos = p;
    if (wire === 0) {
      const [v, q] = src.varint(pos);
      yield { no, wire, value: v, start: pos, end: q };
      pos = q;
    } else if (wire === 2) {
      const [len, q] = src.varint(pos);
      if (q + len > end) throw new OnnxReadError(`truncated protobuf (field ${no} at byte ${pos} is ${len} bytes, its message ends at ${end})`);
      yield { no, wire, value: len, start: q, end: q + len };
      pos = q + len;
    } else if (wire === 1) {
      pos += 8;
    } else if (wire === 5) {
      pos += 4;
    } else {
      throw new OnnxReadError(`unsupported protobuf wire type ${wire} (field ${no}) at byte ${pos}`);
    }
  }
  if (pos !== end) throw new OnnxReadError(`truncated protobuf (message ends at ${end}, last field at ${pos})`);
}

const MAX_DEPTH = 64;

function tensor(src: FileSource, start: number, end: number, out: ExternalRef[]): void {
  const dims: number[] = [];
  let dataType = 0, name = '', external = false;
  const entries: Record<string, string> = {};
  for (const f of fields(src, start, end)) {
    if (f.no === 1 && f.wire === 0) dims.push(f.value);
    else if (f.no === 1 && f.wire === 2) for (let p = f.start; p < f.end;) { const [v, q] = src.varint(p); dims.push(v); p = q; }
    else if (f.no === 2 && f.wire === 0) dataType = f.value;
    else if (f.no === 8 && f.wire === 2) name = src.bytes(f.start, f.end - f.start).toString('utf8');
    else if (f.no === 14 && f.wire === 0) external = f.value === 1;
    else if (f.no === 13 && f.wire === 2) {
      let key = '', value = '';
      for (const e of fields(src, f.start, f.end)) {
        if (e.wire !== 2) continue;
        if (e.no === 1) key = src.bytes(e.start, e.end - e.start).toString('utf8');
        else if (e.no === 2) value = src.bytes(e.start, e.end - e.start).toString('utf8');
      }
      entries[key] = value;
    }
  }
  if (!external) return;
  const int = (s: string | undefined): number => (s !== undefined && /^\d+$/.test(s) ? Number(s) : Number.NaN);
  const bits = ELEM_BITS[dataType];
  const count = dims.reduce((a, b) => a * b, 1);
  out.push({
    tensor: name,
    location: entries.location ?? '',
    offset: entries.offset === undefined ? 0 : int(entries.offset),
    length: entries.length === undefined ? null : int(entries.length),
    needed: bits === undefined ? null : Math.ceil((count * bits) / 8),
  });
}

function sparse(src: FileSource, start: number, end: number, out: ExternalRef[]): void {
  for (const f of fields(src, start, end)) if ((f.no === 1 || f.no === 2) && f.wire === 2) tensor(src, f.start, f.end, out);
}

function node(src: FileSource, start: number, end: number, out: ExternalRef[], depth: number): void {
  for (const f of fields(src, start, end)) {
    if (f.no !== 5 || f.wire !== 2) continue;
    for (const a of fields(src, f.start, f.end)) {
      if (a.wire !== 2) continue;
      if (a.no === 5 || a.no === 10) tensor(src, a.start, a.end, out);
      else if (a.no === 6 || a.no === 11) graph(src, a.start, a.end, out, depth + 1);
      else if (a.no === 22 || a.no === 23) sparse(src, a.start, a.end, out);
    }
  }
}

function graph(src: FileSource, start: number, end: number, out: ExternalRef[], depth: number): void {
  if (depth > MAX_DEPTH) throw new OnnxReadError(`sub-graphs nested deeper than ${MAX_DEPTH}`);
  for (const f of fields(src, start, end)) {
    if (f.wire !== 2) continue;
    if (f.no === 1) node(src, f.start, f.end, out, depth);
    else if (f.no === 5) tensor(src, f.start, f.end, out);
    else if (f.no === 15) sparse(src, f.start, f.end, out);
  }
}

/**
 * Every tensor of an ONNX model file whose data is external, in file order. Throws
 * {@link OnnxReadError} when the file is not a protobuf this reader can walk.
 */
export function readExternalRefs(file: string): ExternalRef[] {
  const fd = fs.openSync(file, 'r');
  try {
    const src = new FileSource(fd, fs.fstatSync(fd).size);
    const out: ExternalRef[] = [];
    let sawGraph = false;
    for (const f of fields(src, 0, src.size)) {
      if (f.wire !== 2) continue;
      if (f.no === 7) { sawGraph = true; graph(src, f.start, f.end, out, 0); }
      else if (f.no === 20) for (const t of fields(src, f.start, f.end)) { if ((t.no === 1 || t.no === 2) && t.wire === 2) graph(src, t.start, t.end, out, 1); }
      else if (f.no === 25) for (const n of fields(src, f.start, f.end)) { if (n.no === 7 && n.wire === 2) node(src, n.start, n.end, out, 1); }
    }
    if (!sawGraph) throw new OnnxReadError('no graph in the file (not an ONNX model)');
    return out;
  } finally {
    fs.closeSync(fd);
  }
}

const refCache = new Map<string, ExternalRef[] | string>();

/**
 * {@link readExternalRefs}, cached by file identity (path, size, mtime) so health and `models list`
 * stay cheap; a read error comes back as its message.
 */
export function externalRefsCached(file: string, st: fs.Stats = fs.statSync(file)): ExternalRef[] | string {
  const key = `${file}:${st.size}:${st.mtimeMs}`;
  let hit = refCache.get(key);
  if (hit === undefined) {
    try {
      hit = readExternalRefs(file);
    } catch (e) {
      hit = (e as Error).message;
    }
    if (refCache.size > 256) refCache.clear();
    refCache.set(key, hit);
  }
  return hit;
}

/** Why a `location` is not a safe relative path inside the model's folder (null when it is). */
export function locationProblem(location: string): string | null {
  if (!location) return 'an external tensor has no location';
  if (location.includes('\0')) return `location "${location}" contains a NUL byte`;
  if (path.posix.isAbsolute(location) || path.win32.isAbsolute(location) || /^[A-Za-z]:/.test(location)) return `location "${location}" is an absolute path`;
  if (location.split(/[\\/]/).some((s) => s === '..')) return `location "${location}" leaves the model's folder`;
  return null;
}

/** A referenced data file, and the bytes its tensors need from it. */
export interface ExternalFileUse {
  location: string;
  /** Normalised relative path (forward slashes, no `.` segments). */
  rel: string;
  /** Tensors reading from it. */
  tensors: number;
  /** The file must be at least this long (largest offset + length over its tensors). */
  minBytes: number;
}

/** One problem with a model's external data. */
export interface ExternalProblem {
  kind: 'invalid' | 'missing' | 'truncated';
  location: string;
  /** Where the file was looked for (when the location is valid). */
  path?: string;
  expected: string;
  found: string;
}

/**
 * Group references by file and check each against the folder `dir` the model is read from: a safe
 * relative location, a regular file there, long enough for every tensor's offset + length (and
 * `length`, when given, the size the tensor's dims and type need).
 */
export function externalDataProblems(refs: ExternalRef[], dir: string): { files: ExternalFileUse[]; problems: ExternalProblem[] } {
  const problems: ExternalProblem[] = [];
  const byRel = new Map<string, ExternalFileUse>();
  for (const r of refs) {
    const bad = locationProblem(r.location);
    if (bad) { problems.push({ kind: 'invalid', location: r.location, expected: 'a relative path inside the model\'s folder', found: `${bad} (tensor "${r.tensor}")` }); continue; }
    if (!Number.isFinite(r.offset) || (r.length !== null && !Number.isFinite(r.length))) {
      problems.push({ kind: 'invalid', location: r.location, expected: 'integer offset and length entries', found: `tensor "${r.tensor}" has offset/length that are not non-negative integers` });
      continue;
    }
    if (r.length !== null && r.needed !== null && r.length !== r.needed) {
      problems.push({ kind: 'invalid', location: r.location, expected: `length ${r.needed} for tensor "${r.tensor}" (its dims and element type)`, found: `length ${r.length}` });
      continue;
    }
    const rel = path.posix.normalize(r.location.replace(/\\/g, '/'));
    const use = byRel.get(rel) ?? { location: r.location, rel, tensors: 0, minBytes: 0 };
    use.tensors++;
    use.minBytes = Math.max(use.minBytes, r.offset + (r.length ?? r.needed ?? 0));
    byRel.set(rel, use);
  }
  const files = [...byRel.values()];
  for (const u of files) {
    const p = path.join(dir, u.rel);
    let st: fs.Stats | null = null;
    try { st = fs.statSync(p); } catch { st = null; }
    if (!st || !st.isFile()) {
      problems.push({ kind: 'missing', location: u.location, path: p, expected: `the external data file ${u.rel} beside the model (${u.tensors} tensor${u.tensors === 1 ? '' : 's'}, at least ${u.minBytes} bytes)`, found: st ? 'not a regular file' : 'nothing there' });
    } else if (st.size < u.minBytes) {
      problems.push({ kind: 'truncated', location: u.location, path: p, expected: `at least ${u.minBytes} bytes (${u.tensors} tensor${u.tensors === 1 ? '' : 's'} read up to there)`, found: `${st.size} bytes` });
    }
  }
  return { files, problems };
}
