/** `smartdrag bench` from the real bin: data folder, option and output-folder mistakes, Ctrl-C. */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const ROOT = resolve(__dirname, '..', '..');
const BIN = join(ROOT, 'bridge-server', 'bin', 'smartdrag.js');

interface Run { code: number | null; stdout: string; stderr: string }

/** Run `smartdrag bench …`; never rejects (exit status in `code`); killed after 60 s (a hang is a failure). */
async function bench(args: string[], home: string): Promise<Run> {
  try {
    const r = await promisify(execFile)(process.execPath, [BIN, 'bench', ...args], { cwd: ROOT, env: { ...process.env, SMARTDRAG_HOME: home }, timeout: 60_000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : null, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

let tmp: string;
beforeEach(() => { tmp = mkdtempSync(join(tmpdir(), 'bench-cli-')); });
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

it('refuses a --data folder that does not exist, is a file or holds no suite, with a code and how to get the data', async () => {
  const out = join(tmp, 'out');
  const missing = await bench(['--data', join(tmp, 'nope'), '--out', out, '--limit', '1'], tmp);
  expect(missing.code).toBe(2);
  expect(missing.stderr).toContain('[data_not_found]');
  expect(missing.stderr).toMatch(/hint: .*dragbench\/<category>\/<sample>.*DragBench/);
  expect(existsSync(join(out, 'report.json'))).toBe(false); // it had run the synthetic suite alone and exited 0

  writeFileSync(join(tmp, 'file'), 'x');
  const file = await bench(['--data', join(tmp, 'file'), '--out', out], tmp);
  expect(file.code).toBe(2);
  expect(file.stderr).toMatch(/is a file, not a folder \[data_not_found\]/);

  const empty = join(tmp, 'empty');
  mkdirSync(empty);
  const none = await bench(['--data', empty, '--out', out], tmp);
  expect(none.code).toBe(2);
  expect(none.stderr).toMatch(/neither dragbench\/ nor cases\/ \[data_missing_suite\]/);

  // The dragbench/ folder itself instead of its parent: the hint names the parent.
  const db = join(tmp, 'data', 'dragbench');
  mkdirSync(join(db, 'cat', 'sample'), { recursive: true });
  const deep = await bench(['--data', db, '--out', out], tmp);
  expect(deep.code).toBe(2);
  expect(deep.stderr).toContain(`pass its parent, --data ${join(tmp, 'data')}`);

  // A dragbench/ with no sample in DragBench's layout ran 0 samples and exited 0.
  const noSamples = await bench(['--data', join(tmp, 'data'), '--suite', 'dragbench', '--out', out], tmp);
  expect(noSamples.code).toBe(2);
  expect(noSamples.stderr).toMatch(/no DragBench sample in .* \[data_empty\]/);
  expect(existsSync(join(out, 'report.json'))).toBe(false);
}, 120_000);

it('refuses options the chosen suite does not read, and a --scale that is not a plain number', async () => {
  const out = join(tmp, 'out');
  const sizes = await bench(['--suite', 'synthetic', '--sizes', '1024', '--out', out], tmp);
  expect(sizes.code).toBe(2);
  expect(sizes.stderr).toMatch(/--sizes does not apply to --suite synthetic \[option_unsupported\]/);
  const speed = await bench(['--suite', 'speed', '--limit', '1', '--out', out], tmp);
  expect(speed.code).toBe(2);
  expect(speed.stderr).toMatch(/--out, --limit do not apply to --suite speed \[option_unsupported\]/);
  const hex = await bench(['--suite', 'synthetic', '--scale', '0x2', '--out', out], tmp); // Number('0x2') is 2
  expect(hex.code).toBe(2);
  expect(hex.stderr).toContain('--scale takes a number from 0.25 to 8, got 0x2');
  expect(existsSync(join(out, 'report.json'))).toBe(false);
}, 120_000);

(existsSync('/proc/self') ? it : it.skip)('says at once that an output folder takes no files (--out /proc spun at 100% CPU after the run)', async () => {
  const r = await bench(['--suite', 'synthetic', '--limit', '1', '--out', '/proc'], tmp);
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(/cannot write to output folder \/proc: .*\[output_unwritable\]/);
  expect(r.stdout).not.toContain('samples');
}, 120_000);

it('on Ctrl-C finishes the sample in progress and writes a report marked interrupted, exit 130', async () => {
  const out = join(tmp, 'out');
  const child = spawn(process.execPath, [BIN, 'bench', '--suite', 'synthetic', '--synthetic', '60', '--quality', 'preview', '--out', out], { cwd: ROOT, env: { ...process.env, SMARTDRAG_HOME: tmp } });
  let stderr = '', stdout = '';
  child.stdout.on('data', (d: Buffer) => { stdout += String(d); });
  const code = await new Promise<number | null>((done) => {
    child.stderr.on('data', (d: Buffer) => {
      stderr += String(d);
      if (/bench: 1\/60 done/.test(stderr) && !child.killed) child.kill('SIGINT');
    });
    child.on('exit', (c) => done(c));
  });
  expect(code).toBe(130);
  expect(stdout).toMatch(/INTERRUPTED after \d+ of 60 samples/);
  const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as { interrupted?: { done: number; planned: number }; samples: unknown[] };
  expect(report.interrupted?.planned).toBe(60);
  expect(report.interrupted?.done).toBe(report.samples.length);
  expect(report.samples.length).toBeLessThan(60);
  expect(readFileSync(join(out, 'report.md'), 'utf8')).toContain(`Interrupted: ${report.samples.length} of 60 samples done`);
  expect(existsSync(join(out, 'gallery.html'))).toBe(true);
}, 120_000);
