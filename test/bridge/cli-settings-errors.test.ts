/**
 * Settings refused by their schema are CLI failures like the others: one line with a code, and a
 * hint. `serve --host 0.0.0.0` without `--allow-lan` and `token --add` with a name that is not
 * allowed printed "smartdrag: invalid input: …" with no code and no hint (the user name's even
 * began "(root): "). The real bin, spawned.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SMARTDRAG_BIN } from '../helpers/serve-process';

const run = promisify(execFile);

async function smartdrag(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const home = mkdtempSync(join(tmpdir(), 'sd-settings-'));
  try {
    const r = await run(process.execPath, [SMARTDRAG_BIN, ...args], { env: { ...process.env, SMARTDRAG_HOME: home }, timeout: 60_000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const x = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof x.code === 'number' ? x.code : -1, stdout: x.stdout ?? '', stderr: x.stderr ?? '' };
  }
}

const CODED = /^smartdrag: invalid input: .+ \[invalid_input\]\n {2}hint: .+\n$/;

it('serve on a LAN address without --allow-lan: a coded line naming the flag, a hint, exit 1; nothing listens', async () => {
  const r = await smartdrag(['serve', '--host', '0.0.0.0', '--port', '0', '--no-build']);
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(CODED);
  expect(r.stderr).toContain('pass --allow-lan to confirm');
  expect(r.stdout).not.toContain('SmartDrag bridge on');
}, 60_000);

it('token --add with a name that is not allowed: a coded line with the rule (no "(root)"), exit 1', async () => {
  const r = await smartdrag(['token', '--add', 'bad name!']);
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(CODED);
  expect(r.stderr).toContain('user names are 1-32 letters, digits');
  expect(r.stderr).not.toContain('(root)');
}, 60_000);
