/**
 * `smartdrag bench` from the real bin, what it claims about its options: `--seed` takes what a
 * seed is everywhere else (0..2³²−1, as `smartdrag edit --seed` and the protocol), `--suite speed
 * --data` is checked like the other suites' (it reads the photo case from it), every refusal has
 * a code of the CLI's list, and a read-only `--out` is refused at once with `output_unwritable`.
 */
import { execFile } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { CliErrorCode } from '../../bridge-server/src/cli/errors';
import { checkSpeedDataDir } from '../../bridge-server/src/bench/edit-speed';

const ROOT = resolve(__dirname, '..', '..');
const BIN = join(ROOT, 'bridge-server', 'bin', 'smartdrag.js');
const FIXTURES = join(ROOT, 'test', 'fixtures');

interface Run { code: number | null; stdout: string; stderr: string }

/** Run `smartdrag bench …`; never rejects (exit status in `code`); killed after 60 s (a hang is a failure). */
async function bench(args: string[], home: string, as?: { uid: number; gid: number }): Promise<Run> {
  try {
    const r = await promisify(execFile)(process.execPath, [BIN, 'bench', ...args], { cwd: ROOT, env: { ...process.env, SMARTDRAG_HOME: home }, timeout: 60_000, ...(as ?? {}) });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : null, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

/** The `[code]` of every `smartdrag bench:` / `smartdrag:` refusal line. */
const codes = (stderr: string): string[] => [...stderr.matchAll(/^smartdrag(?: bench)?: .*\[([a-z_]+)\]$/gm)].map((m) => m[1]!);

let tmp: string;
beforeEach(() => { tmp = mkdtempSync(join(tmpdir(), 'bench-claims-')); });
afterEach(() => {
  // A read-only folder left by a test must not stop its removal.
  for (const d of readdirSync(tmp)) { try { chmodSync(join(tmp, d), 0o755); } catch { /* gone */ } }
  rmSync(tmp, { recursive: true, force: true });
});

it('--seed 0 is a seed, as for `smartdrag edit` (it was refused); past 2^32-1 it is refused instead of wrapping', async () => {
  const run = async (seed: string): Promise<{ r: Run; report?: { samples: Array<{ ok: boolean; changedPixels: number; psnr?: unknown }> } }> => {
    const out = join(tmp, `out-${seed}`);
    const r = await bench(['--suite', 'synthetic', '--synthetic', '1', '--quality', 'preview', '--seed', seed, '--out', out], tmp);
    return { r, ...(existsSync(join(out, 'report.json')) ? { report: JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) } : {}) };
  };
  const zero = await run('0');
  expect([zero.r.code, zero.r.stderr]).toEqual([0, expect.any(String)]);
  expect(zero.report!.samples.map((s) => s.ok)).toEqual([true]);
  // Seed 0 is its own seed, not the default 1 in disguise.
  const one = await run('1');
  expect(one.r.code).toBe(0);
  expect(JSON.stringify([zero.report!.samples[0]!.changedPixels, zero.report!.samples[0]!.psnr]))
    .not.toBe(JSON.stringify([one.report!.samples[0]!.changedPixels, one.report!.samples[0]!.psnr]));
  // A seed the protocol refuses (and that wrapped to another seed in-process) is refused at once.
  const big = await run('4294967296');
  expect(big.r.code).not.toBe(0);
  expect(big.r.stderr).toContain("'--seed <n>' argument '4294967296' is invalid");
  expect(big.report).toBeUndefined();
}, 120_000);

it('--suite speed checks --data as the other suites do: missing, a file, or without its photo case is refused with a code', async () => {
  const missing = await bench(['--suite', 'speed', '--data', join(tmp, 'nope'), '--sizes', '64', '--runs', '1'], tmp);
  expect(missing.code).toBe(2);
  expect(missing.stderr).toMatch(/data folder .*nope does not exist \[data_not_found\]/);
  expect(missing.stderr).toMatch(/hint: --suite speed reads only cases\/coffee-move-cup-saucer\.json and its photo/);
  expect(missing.stdout).toBe(''); // no table: it had timed the synthetic rows and dropped the photo row silently

  const empty = join(tmp, 'empty');
  mkdirSync(empty);
  const none = await bench(['--suite', 'speed', '--data', empty, '--sizes', '64', '--runs', '1'], tmp);
  expect(none.code).toBe(2);
  expect(none.stderr).toMatch(/reads the photo case coffee-move-cup-saucer from --data; .* does not exist \[data_missing_suite\]/);

  // The case without its photo.
  const noPhoto = join(tmp, 'nophoto');
  mkdirSync(join(noPhoto, 'cases'), { recursive: true });
  copyFileSync(join(FIXTURES, 'cases', 'coffee-move-cup-saucer.json'), join(noPhoto, 'cases', 'coffee-move-cup-saucer.json'));
  const photoless = await bench(['--suite', 'speed', '--data', noPhoto, '--sizes', '64', '--runs', '1'], tmp);
  expect(photoless.code).toBe(2);
  expect(photoless.stderr).toMatch(/found .*coffee-move-cup-saucer\.json but not its photo photos\/coffee\.png .*\[data_missing_suite\]/);

  // The bundled data holds both: no refusal.
  expect(() => checkSpeedDataDir(FIXTURES)).not.toThrow();
}, 120_000);

it('every bench refusal carries a code of the CLI list (CliErrorCode)', async () => {
  const known = new Set<string>(Object.values(CliErrorCode));
  const out = join(tmp, 'out');
  const runs = [
    await bench(['--suite', 'synthetic', '--quality', 'best', '--out', out], tmp),
    await bench(['--suite', 'synthetic', '--scale', '0x2', '--out', out], tmp),
    await bench(['--suite', 'nonsense', '--out', out], tmp),
    await bench(['--suite', 'speed', '--sizes', '32'], tmp),
    await bench(['--suite', 'speed', '--out', out], tmp),
    await bench(['--suite', 'cases', '--data', join(tmp, 'nope'), '--out', out], tmp),
    await bench(['--suite', 'cases', '--data', tmp, '--out', out], tmp),
  ];
  for (const r of runs) {
    expect(r.code).toBe(2);
    const c = codes(r.stderr);
    expect([r.stderr, c.length]).toEqual([r.stderr, 1]);
    expect(known.has(c[0]!)).toBe(true);
  }
  expect(runs.map((r) => codes(r.stderr)[0])).toEqual(['option_invalid', 'option_invalid', 'option_invalid', 'option_invalid', 'option_unsupported', 'data_not_found', 'data_missing_suite']);
}, 120_000);

// Root writes into a mode-0555 folder regardless: as root, the bench runs as `nobody` (uid 65534),
// for whom the folder really is read-only.
const asUser = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : undefined;
(process.platform === 'win32' ? it.skip : it)('a read-only --out (or one inside a read-only folder) is refused at once with output_unwritable, before any sample runs', async () => {
  chmodSync(tmp, 0o755); // mkdtemp's 0700 would hide everything from `nobody`
  const ro = join(tmp, 'ro');
  mkdirSync(ro);
  chmodSync(ro, 0o555);
  for (const out of [ro, join(ro, 'sub')]) {
    const r = await bench(['--suite', 'synthetic', '--synthetic', '1', '--quality', 'preview', '--out', out], tmp, asUser);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`cannot write to output folder ${out.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: (EACCES|EPERM|EROFS) .*\\[output_unwritable\\]`));
    expect(r.stderr).toContain('hint: pass a writable folder with --out <dir>');
    expect(r.stderr).not.toMatch(/bench: \d+\/\d+ done/); // refused before the run, not after it
    expect(r.stdout).not.toContain('samples');
  }
  expect(readdirSync(ro)).toEqual([]);
}, 120_000);
