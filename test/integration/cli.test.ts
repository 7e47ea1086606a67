/** The real `smartdrag` bin, spawned: `edit --json` in-process and through a bridge, and `token`. */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { readImage } from '../../bridge-server/src/io/image-io';
import { startTestBridge } from '../helpers/bridge-harness';
import { DISC_SCENE_SIDE, writeDiscScenePng } from '../helpers/disc-scene';

const run = promisify(execFile);
const ROOT = resolve(__dirname, '..', '..');
const BIN = join(ROOT, 'bridge-server', 'bin', 'smartdrag.js');
const CASE = join(ROOT, 'test', 'fixtures', 'cases', 'smarties-move-red.json');

async function smartdrag(args: string[], home: string) {
  return run(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, SMARTDRAG_HOME: home }, timeout: 60000, maxBuffer: 8 << 20 });
}

async function checkOutputs(summary: Record<string, any>, out: string) {
  expect(summary.outputs).toEqual({ edited: join(out, 'edited.png'), layer: join(out, 'layer.png') });
  expect(summary.plan.operations[0]).toMatchObject({ region: 'h1', kind: 'translate' });
  expect(summary.timings.total).toBeGreaterThan(0);
  const original = await readImage(join(ROOT, 'test', 'fixtures', 'photos', 'smarties.png'));
  const edited = await readImage(summary.outputs.edited);
  const layer = await readImage(summary.outputs.layer);
  expect([edited.width, edited.height, layer.width, layer.height]).toEqual([413, 356, 413, 356]);
  // The layer holds only changed pixels: every opaque layer pixel is a pixel of the edited image,
  // and outside the layer the edited image equals the original.
  let layerPixels = 0, changedOutside = 0;
  for (let i = 0; i < layer.data.length; i += 4) {
    if (layer.data[i + 3]! > 0) {
      layerPixels++;
    } else if (original.data[i] !== edited.data[i] || original.data[i + 1] !== edited.data[i + 1] || original.data[i + 2] !== edited.data[i + 2]) {
      changedOutside++;
    }
  }
  expect(layerPixels).toBeGreaterThan(1000); // the candy (≈ 57×55 px) really moved
  // The photo is opaque, so every changed pixel is an opaque layer pixel: outside the layer the
  // edited image equals the original exactly, and the reported count is the layer's.
  expect(changedOutside).toBe(0);
  expect(layerPixels).toBe(summary.changedPixels);
  // The moved candy is red at its target (120, 80).
  const t = (80 * 413 + 120) * 4;
  expect(edited.data[t]! - edited.data[t + 1]!).toBeGreaterThan(80);
}

it('edit --json runs the core in-process and writes edited.png + layer.png', async () => {
  const home = mkdtempSync(join(tmpdir(), 'sd-cli-'));
  const out = join(home, 'out');
  const { stdout } = await smartdrag(['edit', '--case', CASE, '--out', out, '--json', '--quality', 'preview'], home);
  const summary = JSON.parse(stdout);
  expect(summary).toMatchObject({ case: 'smarties-move-red', mode: 'in-process', layer: { left: expect.any(Number), top: expect.any(Number) } });
  await checkOutputs(summary, out);
});

it('edit (final, as text) prints the self-check with every measure its badness sums', async () => {
  const home = mkdtempSync(join(tmpdir(), 'sd-cli-'));
  const { stdout } = await smartdrag(['edit', '--case', CASE, '--out', join(home, 'out')], home);
  const m = /self-check: (ok|DOUBTFUL) \(badness ([\d.]+): filled (\d+)%, smeared block ([\d.]+), tear ([\d.]+), seam ([\d.]+), stretch ([\d.]+)×; doubtful from 2\)/.exec(stdout);
  expect(m).not.toBeNull();
  const [, verdict, badness, filled, smeared, tear, seam, stretch] = m!;
  // The printed parts add up to the badness (to the printed rounding; the filled share to 1%).
  const sum = Number(filled) / 100 + Number(smeared) + Number(tear) + Number(seam) + Math.max(0, Math.log(Number(stretch) / 2));
  expect(Math.abs(sum - Number(badness))).toBeLessThan(0.03);
  expect(verdict).toBe(Number(badness) >= 2 ? 'DOUBTFUL' : 'ok');
});

it('edit --image reads a phone JPEG as a viewer shows it: EXIF orientation applied, decoded once (no re-encode), outside the edit the file\'s own pixels', async () => {
  const home = mkdtempSync(join(tmpdir(), 'sd-cli-'));
  const out = join(home, 'out');
  // Stored on its side with orientation 6 (turn 90° clockwise to show), as a phone writes a photo
  // taken upright: every viewer, Photoshop and the case's coordinates see the 413 × 356 photo.
  const jpg = join(home, 'phone.jpg');
  await sharp(join(ROOT, 'test', 'fixtures', 'photos', 'smarties.png')).rotate(270).jpeg({ quality: 90 }).withMetadata({ orientation: 6 }).toFile(jpg);
  const stored = await sharp(jpg).metadata();
  expect([stored.width, stored.height, stored.orientation]).toEqual([356, 413, 6]);
  const { stdout } = await smartdrag(['edit', '--case', CASE, '--image', jpg, '--out', out, '--json', '--quality', 'preview'], home);
  const summary = JSON.parse(stdout);
  const shown = await sharp(jpg).autoOrient().ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  expect([shown.info.width, shown.info.height]).toEqual([413, 356]);
  const edited = await readImage(summary.outputs.edited);
  const layer = await readImage(summary.outputs.layer);
  expect([edited.width, edited.height]).toEqual([413, 356]);
  let layerPixels = 0, changedOutside = 0;
  for (let i = 0; i < layer.data.length; i += 4) {
    if (layer.data[i + 3]! > 0) layerPixels++;
    else if (shown.data[i] !== edited.data[i] || shown.data[i + 1] !== edited.data[i + 1] || shown.data[i + 2] !== edited.data[i + 2]) changedOutside++;
  }
  // (Read through a JPEG re-encode, ~all of the photo's pixels would differ by a few levels.)
  expect(changedOutside).toBe(0);
  expect(layerPixels).toBeGreaterThan(1000);
  // The red candy moved to its target (120, 80) of the upright photo.
  const t = (80 * 413 + 120) * 4;
  expect(edited.data[t]! - edited.data[t + 1]!).toBeGreaterThan(80);
});

it('edit --server sends the same job through a running bridge; token prints the stored token (mode 0600)', async () => {
  const tb = await startTestBridge({ workers: 1 });
  try {
    const out = join(tb.home, 'out');
    const { stdout } = await smartdrag(['edit', '--case', CASE, '--out', out, '--json', '--quality', 'preview', '--server', tb.wsUrl], tb.home);
    const summary = JSON.parse(stdout);
    expect(summary.mode).toBe('server');
    await checkOutputs(summary, out);
    const tok = await smartdrag(['token'], tb.home);
    expect(tok.stdout.trim()).toBe(tb.token);
    expect(readFileSync(join(tb.home, 'token'), 'utf8').trim()).toBe(tb.token);
    expect(statSync(join(tb.home, 'token')).mode & 0o777).toBe(0o600);
  } finally {
    await tb.bridge.close();
  }
});

it('edit --quality preview on a document ≥ 4× the proxy budget runs on the proxy (in-process and through the bridge): proxy-size outputs, plan in document pixels', async () => {
  const tb = await startTestBridge({ workers: 1 });
  try {
    for (const server of [false, true]) {
      const out = join(tb.home, server ? 'proxy-server' : 'proxy-local');
      const args = ['edit', '--case', CASE, '--out', out, '--json', '--quality', 'preview', '--preview-max-pixels', '20000', ...(server ? ['--server', tb.wsUrl] : [])];
      const summary = JSON.parse((await smartdrag(args, tb.home)).stdout);
      // 413×356 with a budget of 20000 px: scale √(20000 / 147028) ≈ 0.369.
      expect(summary.proxy.scaleX).toBeCloseTo(Math.sqrt(20000 / (413 * 356)), 2);
      expect(summary.proxy.width * summary.proxy.height).toBeLessThanOrEqual(20000);
      const edited = await readImage(summary.outputs.edited);
      expect([edited.width, edited.height]).toEqual([summary.proxy.width, summary.proxy.height]);
      // The plan still speaks of the case's own arrow (document pixels), not its proxy-scale copy.
      const full = JSON.parse((await smartdrag(['edit', '--case', CASE, '--out', out + '-full', '--json', '--quality', 'preview', '--preview-max-pixels', '0'], tb.home)).stdout);
      expect(full.proxy).toBeUndefined();
      expect(summary.plan.operations[0].description).toBe(full.plan.operations[0].description);
      expect(summary.changedPixels).toBeLessThan(full.changedPixels * 0.5);
    }
  } finally {
    await tb.bridge.close();
  }
});

it('edit with a missing case file fails with a message and a non-zero exit', async () => {
  const home = mkdtempSync(join(tmpdir(), 'sd-cli-'));
  await expect(smartdrag(['edit', '--case', join(home, 'nope.json'), '--out', home], home)).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('nope.json') });
});

it('edit with an image of another size than the case\'s fails with a coded error, in-process and through a bridge (it had edited the wrong place through the bridge and exited 0)', async () => {
  const tb = await startTestBridge({ workers: 1 });
  try {
    const big = join(tb.home, 'double.png');
    await sharp(join(ROOT, 'test', 'fixtures', 'photos', 'smarties.png')).resize(826, 712).png().toFile(big);
    for (const server of [false, true]) {
      const args = ['edit', '--case', CASE, '--image', big, '--out', join(tb.home, 'out'), ...(server ? ['--server', tb.wsUrl] : [])];
      await expect(smartdrag(args, tb.home)).rejects.toMatchObject({
        code: 1, stderr: expect.stringMatching(/case smarties-move-red was drawn on a 413x356 image; .*double\.png is 826x712 \(the same shape, 2\.00×\)[\s\S]*\[image_size_mismatch\]/),
      });
    }
    expect(existsSync(join(tb.home, 'out', 'edited.png'))).toBe(false);
  } finally {
    await tb.bridge.close();
  }
});

it('edit runs a case without drags (text alone) and prints the plan read from the text', async () => {
  const home = mkdtempSync(join(tmpdir(), 'sd-cli-'));
  const out = join(home, 'out');
  const textCase = join(ROOT, 'test', 'fixtures', 'text-cases', 'smarties-move-red-text.json');
  const { stdout } = await smartdrag(['edit', '--case', textCase, '--out', out, '--json', '--quality', 'preview'], home);
  const summary = JSON.parse(stdout);
  expect(summary.plan).toMatchObject({ reasoner: 'rules', operations: [expect.objectContaining({ kind: 'translate', source: 'intent', params: { kind: 'translate', dx: 87, dy: -148 } })] });
  expect(summary.changedPixels).toBeGreaterThan(500);
  const human = await smartdrag(['edit', '--case', textCase, '--out', out, '--quality', 'preview'], home);
  expect(human.stdout).toMatch(/plan \(read by rules, text alone: no arrow\)/);
  expect(human.stdout).toMatch(/\[translate\] Move region h1 by \(87, -148\) px/);
});

it('edit with a text-alone case that does not say enough fails with the question and a non-zero exit', async () => {
  const home = mkdtempSync(join(tmpdir(), 'sd-cli-'));
  const c = JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', 'text-cases', 'smarties-move-red-text.json'), 'utf8'));
  const vague = join(home, 'cases', 'vague.json');
  mkdirSync(join(home, 'cases'), { recursive: true });
  writeFileSync(vague, JSON.stringify({ ...c, id: 'vague', intent: 'move the red candy' }));
  const err = await smartdrag(['edit', '--case', vague, '--out', join(home, 'out'), '--image', join(ROOT, 'test', 'fixtures', 'photos', 'smarties.png')], home).then(() => null, (e: { code: number; stderr: string }) => e);
  expect(err).toMatchObject({ code: 1 });
  expect(err!.stderr).toMatch(/Which way should "the red candy" move/);
});

it('token with two actions at once is refused (--add bob --revoke bob had only added); bench refuses --runs 0 and names every suite', async () => {
  const home = mkdtempSync(join(tmpdir(), 'sd-cli-'));
  await expect(smartdrag(['token', '--add', 'bob', '--revoke', 'bob'], home)).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('use one of --add, --revoke at a time') });
  expect(existsSync(join(home, 'tokens.json'))).toBe(false);
  await expect(smartdrag(['bench', '--suite', 'speed', '--runs', '0'], home)).rejects.toMatchObject({ stderr: expect.stringContaining("'--runs <n>' argument '0' is invalid") });
  await expect(smartdrag(['bench', '--suite', 'nonsense'], home)).rejects.toMatchObject({ stderr: expect.stringMatching(/unknown suite "nonsense" \(expected .*all, speed\)/) });
});

it('edit lists the plan\'s other readings and --reading carries one out, in-process and through a bridge (the same reading); a reading the plan lacks is a coded error', async () => {
  // A disc on noise in a loose circle, its edge pulled to 8 px from the circle: the plan offers
  // the same drag with more room (plan/room.ts) as its third alternative.
  const home = mkdtempSync(join(tmpdir(), 'sd-cli-reading-'));
  const S = DISC_SCENE_SIDE;
  mkdirSync(join(home, 'data', 'photos'), { recursive: true });
  mkdirSync(join(home, 'data', 'cases'));
  await writeDiscScenePng(join(home, 'data', 'photos', 'disc.png'));
  const polygon = Array.from({ length: 64 }, (_, i) => [120 + 60 * Math.cos((2 * Math.PI * i) / 64), 120 + 60 * Math.sin((2 * Math.PI * i) / 64)]);
  const caseFile = join(home, 'data', 'cases', 'disc-pull.json');
  writeFileSync(caseFile, JSON.stringify({ id: 'disc-pull', image: 'photos/disc.png', size: [S, S], regions: [{ id: 'r', polygon }], drags: [{ region: 'r', points: [[145, 120], [172, 120]] }] }));
  const tb = await startTestBridge({ workers: 1 });
  try {
    const text = await smartdrag(['edit', '--case', caseFile, '--out', join(home, 'first')], home);
    expect(text.stdout).toMatch(/\n {2}or \(--reading 1\): \[deform\] /);
    expect(text.stdout).toMatch(/\n {2}or \(--reading 3\): \[deform\] Elastic drag in region r: .*the rest of the selection, grown by 15 px, stretches to follow/);
    const layers: Array<{ left: number; top: number; width: number; height: number }> = [];
    for (const server of [false, true]) {
      const out = join(home, server ? 'server' : 'local');
      const { stdout } = await smartdrag(['edit', '--case', caseFile, '--out', out, '--json', '--reading', '3', ...(server ? ['--server', tb.wsUrl] : [])], server ? tb.home : home);
      const summary = JSON.parse(stdout);
      expect(summary.plan.operations[0].params).toMatchObject({ kind: 'deform', elastic: true, room: 15 });
      expect(summary.plan.operations[0].reason).toMatch(/\(the reading chosen\)$/);
      layers.push(summary.layer);
    }
    // The grown selection changed: the layer reaches past the circle drawn (x 60..180).
    expect(layers[0]!.left + layers[0]!.width).toBeGreaterThan(182);
    expect(layers[1]).toEqual(layers[0]);
    const bad = await smartdrag(['edit', '--case', caseFile, '--out', join(home, 'bad'), '--reading', '9'], home).then(() => null, (e: { code: number; stderr: string }) => e);
    expect(bad?.code).toBe(1);
    expect(bad?.stderr).toMatch(/--reading 9: the plan has 3 other readings \(--reading 1\.\.3\) \[option_invalid\]/);
  } finally {
    await tb.bridge.close();
  }
});
