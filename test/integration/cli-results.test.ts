/**
 * The real `smartdrag` bin, spawned: what `edit` writes is what a host shows (transparency), a
 * Ctrl-C leaves earlier outputs as they were, installed learned models run in-process as in the
 * bridge, and bad paths, homes and images are coded errors.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { WebSocketServer } from 'ws';
import { compositeOver } from '@smartdrag/shared';
import { readImage } from '../../bridge-server/src/io/image-io';
import { addModels } from '../../bridge-server/src/models';
import { generateTinyModels } from '../../models/generate-tiny';
import { startTestBridge } from '../helpers/bridge-harness';

const run = promisify(execFile);
const ROOT = resolve(__dirname, '..', '..');
const BIN = join(ROOT, 'bridge-server', 'bin', 'smartdrag.js');
const CASE = join(ROOT, 'test', 'fixtures', 'cases', 'smarties-move-red.json');

async function smartdrag(args: string[], home: string, opts: { cwd?: string; env?: Record<string, string>; timeout?: number } = {}) {
  return run(process.execPath, [BIN, ...args], {
    cwd: opts.cwd ?? ROOT, env: { ...process.env, SMARTDRAG_HOME: home, ...opts.env }, timeout: opts.timeout ?? 60000, maxBuffer: 8 << 20,
  });
}
const failure = (p: Promise<unknown>) => p.then(() => null, (e: { code: number | null; signal?: string | null; killed?: boolean; stderr: string; stdout: string }) => e);

/** A 160×120 picture on transparency with an opaque red disc at (50, 60), and a case moving it right by 60 px. */
async function transparentCase(dir: string): Promise<{ image: string; caseFile: string }> {
  const w = 160, h = 120, data = Buffer.alloc(w * h * 4);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    if ((x - 50) ** 2 + (y - 60) ** 2 <= 20 ** 2) data.set([220, 30, 30, 255], (y * w + x) * 4);
  }
  mkdirSync(join(dir, 'cases'), { recursive: true });
  const image = join(dir, 'disc.png');
  await sharp(data, { raw: { width: w, height: h, channels: 4 } }).png().toFile(image);
  const caseFile = join(dir, 'cases', 'disc.json');
  writeFileSync(caseFile, JSON.stringify({
    id: 'disc-right', image: 'disc.png', size: [w, h], intent: 'move the red disc right',
    regions: [{ id: 'h1', polygon: [[24, 34], [76, 34], [76, 86], [24, 86]] }],
    drags: [{ region: 'h1', kind: 'translate', points: [[50, 60], [110, 60]] }],
  }));
  return { image, caseFile };
}

it('on a picture with transparency, edited.png is the original with layer.png over it (what a host shows), the same in-process and through a bridge, and the plan says the old place shows through', async () => {
  const tb = await startTestBridge({ workers: 1 });
  try {
    const { image, caseFile } = await transparentCase(tb.home);
    const original = await readImage(image);
    const results: { edited: Uint8ClampedArray; warnings: string[]; changed: number }[] = [];
    for (const server of [false, true]) {
      const out = join(tb.home, server ? 'srv' : 'local');
      const summary = JSON.parse((await smartdrag(['edit', '--case', caseFile, '--out', out, '--json', ...(server ? ['--server', tb.wsUrl] : [])], tb.home)).stdout);
      const edited = await readImage(summary.outputs.edited);
      const layer = await readImage(summary.outputs.layer);
      const shown = { width: original.width, height: original.height, data: new Uint8ClampedArray(original.data) };
      compositeOver(shown, { left: 0, top: 0, ...layer });
      // edited.png = the original with layer.png over it, to the byte.
      expect(Buffer.from(edited.data).equals(Buffer.from(shown.data))).toBe(true);
      // The moved disc is at its target; its old place still shows the disc (a layer above cannot erase) ...
      const at = (x: number, y: number) => Array.from(edited.data.subarray((y * 160 + x) * 4, (y * 160 + x) * 4 + 4));
      expect(at(110, 60)).toEqual([220, 30, 30, 255]);
      expect(at(50, 60)).toEqual([220, 30, 30, 255]);
      // ... and the plan says so, with the count of pixels the layer cannot empty.
      const said = (summary.plan.warnings as string[]).filter((x) => /more transparent than they were.*original shows through/.test(x));
      expect(said).toHaveLength(1);
      expect(Number(/leaves (\d+) px/.exec(said[0]!)![1])).toBeGreaterThan(1000);
      results.push({ edited: edited.data, warnings: summary.plan.warnings, changed: summary.changedPixels });
    }
    // The two modes agree: the same file, the same warnings, the same count.
    expect(Buffer.from(results[0]!.edited).equals(Buffer.from(results[1]!.edited))).toBe(true);
    expect(results[0]!.warnings).toEqual(results[1]!.warnings);
    expect(results[0]!.changed).toBe(results[1]!.changed);
  } finally {
    await tb.bridge.close();
  }
});

it('Ctrl-C during edit stops it with exit 130, leaving the earlier edited.png and layer.png as they were and no temporary files', async () => {
  const home = mkdtempSync(join(tmpdir(), 'sd-cli-int-'));
  const out = join(home, 'out');
  mkdirSync(out);
  writeFileSync(join(out, 'edited.png'), 'earlier edited');
  writeFileSync(join(out, 'layer.png'), 'earlier layer');
  // A "bridge" that accepts the connection and never answers: the edit is in flight when Ctrl-C comes.
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((r) => wss.once('listening', r));
  const port = (wss.address() as { port: number }).port;
  try {
    const child = spawn(process.execPath, [BIN, 'edit', '--case', CASE, '--out', out, '--server', `ws://127.0.0.1:${port}/v1/ws`, '--token', 'x'.repeat(32)], {
      cwd: ROOT, env: { ...process.env, SMARTDRAG_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const exited = new Promise<{ code: number | null; signal: string | null }>((r) => child.once('exit', (code, signal) => r({ code, signal })));
    wss.once('connection', () => { child.kill('SIGINT'); });
    const end = await exited;
    expect(end).toEqual({ code: 130, signal: null });
    expect(stderr).toMatch(/interrupted/);
    expect(readdirSync(out).sort()).toEqual(['edited.png', 'layer.png']);
    expect(readFileSync(join(out, 'edited.png'), 'utf8')).toBe('earlier edited');
    expect(readFileSync(join(out, 'layer.png'), 'utf8')).toBe('earlier layer');
  } finally {
    for (const c of wss.clients) c.terminate();
    await new Promise((r) => wss.close(r));
  }
});

it('in-process edit runs the installed learned stages on a final, as the bridge does (each timed as learned.<stage>); --no-learned and previews run without them', async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'sd-cli-learned-'));
  const tiny = generateTinyModels(join(tmp, 'tiny'));
  const home = join(tmp, 'home');
  for (const id of ['migan', 'sd15-inpaint']) {
    const r = await addModels(join(tiny.filesDir, id), { home, manifestsDir: tiny.manifestsDir });
    expect([id, r.issues]).toEqual([id, []]);
  }
  const env = { SMARTDRAG_MANIFESTS: tiny.manifestsDir };
  const listed = (await smartdrag(['models', 'list', '--json'], home, { env })).stdout;
  expect(JSON.parse(listed).stages).toMatchObject({ inpaint: { enabled: true, model: 'migan' }, refine: { enabled: true, model: 'sd15-inpaint' } });
  const { caseFile } = await transparentCase(tmp);
  const edit = async (extra: string[]) => JSON.parse((await smartdrag(['edit', '--case', caseFile, '--out', join(tmp, 'out'), '--json', ...extra], home, { env })).stdout);
  const final = await edit([]);
  expect(final.mode).toBe('in-process');
  expect(final.timings['learned.inpaint']).toBeGreaterThan(0);
  expect(final.timings['learned.refine']).toBeGreaterThan(0);
  expect((final.plan.warnings as string[]).filter((w) => /could not run|could not start/.test(w))).toEqual([]);
  for (const other of [await edit(['--no-learned']), await edit(['--quality', 'preview'])]) {
    expect(Object.keys(other.timings).filter((k) => k.startsWith('learned.'))).toEqual([]);
  }
});

it('--out "" is refused by edit and bench (edit wrote into the current folder)', async () => {
  const home = mkdtempSync(join(tmpdir(), 'sd-cli-out-'));
  const cwd = join(home, 'cwd');
  mkdirSync(cwd);
  for (const args of [['edit', '--case', CASE, '--out', '', '--quality', 'preview'], ['bench', '--suite', 'synthetic', '--synthetic', '1', '--out', '']]) {
    const e = await failure(smartdrag(args, home, { cwd }));
    expect([args[0], e?.code]).toEqual([args[0], 1]);
    expect(e!.stderr).toMatch(/--out.*empty value/);
  }
  expect(readdirSync(cwd)).toEqual([]);
});

it('bench --out under a folder that refuses entries, or onto a file, is a coded error (it hung in Node\'s recursive mkdir; it printed a raw EEXIST)', async () => {
  const home = mkdtempSync(join(tmpdir(), 'sd-cli-out-'));
  const file = join(home, 'a-file');
  writeFileSync(file, 'x');
  const onFile = await failure(smartdrag(['bench', '--suite', 'synthetic', '--synthetic', '1', '--out', file], home));
  expect(onFile).toMatchObject({ code: 1 });
  expect(onFile!.stderr).toMatch(/cannot write to output folder .*a-file: it is a file, not a folder \[output_unwritable\]/);
  if (existsSync('/proc/self')) {
    const proc = await failure(smartdrag(['bench', '--suite', 'synthetic', '--synthetic', '1', '--out', '/proc/smartdrag-nope/x'], home, { timeout: 30000 }));
    expect(proc).toMatchObject({ code: 1, killed: false });
    expect(proc!.stderr).toMatch(/cannot write to output folder \/proc\/smartdrag-nope\/x: ENOENT .*\[output_unwritable\]/);
  }
});

/** A PNG whose header says `w`×`h` (RGBA 8-bit), with an empty image stream: enough for a header read. */
function pngHeaderOnly(w: number, h: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(body) >>> 0);
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0); ihdr.writeUInt32BE(h, 4); ihdr[8] = 8; ihdr[9] = 6;
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.alloc(0))), chunk('IEND', Buffer.alloc(0))]);
}

it('an image over the decoder\'s pixel limit is image_too_large with its size (not "cannot decode, use a PNG" for a PNG)', async () => {
  const home = mkdtempSync(join(tmpdir(), 'sd-cli-big-'));
  const big = join(home, 'huge.png');
  writeFileSync(big, pngHeaderOnly(17000, 17000));
  const c = JSON.parse(readFileSync(CASE, 'utf8'));
  mkdirSync(join(home, 'cases'));
  const caseFile = join(home, 'cases', 'huge.json');
  writeFileSync(caseFile, JSON.stringify({ ...c, image: 'huge.png', size: [17000, 17000] }));
  const e = await failure(smartdrag(['edit', '--case', caseFile, '--out', join(home, 'out')], home));
  expect(e).toMatchObject({ code: 1 });
  expect(e!.stderr).toMatch(/image .*huge\.png is 17000x17000 \(289 MP\): the largest image SmartDrag decodes is 268 MP .*\[image_too_large\]/);
  expect(e!.stderr).not.toMatch(/image_unreadable/);
});

it('a SmartDrag home that cannot be written is a coded error naming the path and SMARTDRAG_HOME (edit --server reading the token, models add), not a raw errno', async () => {
  const base = mkdtempSync(join(tmpdir(), 'sd-cli-home-'));
  writeFileSync(join(base, 'a-file'), 'x');
  const home = join(base, 'a-file', 'home'); // under a file: nothing can be made there
  const tiny = generateTinyModels(join(base, 'tiny'));
  const runs = [
    ['edit', '--case', CASE, '--out', join(base, 'out'), '--server', 'ws://127.0.0.1:9/v1/ws'],
    ['models', 'add', join(tiny.filesDir, 'migan')],
  ];
  for (const args of runs) {
    const e = await failure(smartdrag(args, home, { env: { SMARTDRAG_MANIFESTS: tiny.manifestsDir } }));
    expect(e).toMatchObject({ code: 1 });
    expect(e!.stderr).toMatch(/cannot write .* in the SmartDrag home .*a-file\/home \(ENOTDIR at .*\) \[home_unwritable\]/);
    expect(e!.stderr).toMatch(/hint: .*SMARTDRAG_HOME/);
  }
  expect(existsSync(join(base, 'out'))).toBe(false);
});
