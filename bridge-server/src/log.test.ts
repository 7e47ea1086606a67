/**
 * The bridge log file is rotated by size while the bridge runs (it was rotated only at start: a
 * bridge left running grew it without bound): past the size, `<file>.1` … `<file>.<keep>` are
 * kept and the oldest goes.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from './log';

test('a running bridge rotates its log by size, keeping the newest lines and `keepFiles` older files', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'smartdrag-log-'));
  const file = join(dir, 'logs', 'bridge.log');
  const log = createLogger({ level: 'info', file, stderr: false, maxFileBytes: 4096, keepFiles: 2 });
  for (let i = 0; i < 400; i++) {
    log.info({ i, pad: 'x'.repeat(60) }, 'job ended');
    if (i % 20 === 19) await new Promise((r) => setImmediate(r)); // (the bridge's lines come over time)
  }
  expect(readdirSync(join(dir, 'logs')).sort()).toEqual(['bridge.log', 'bridge.log.1', 'bridge.log.2']);
  for (const f of [file, `${file}.1`, `${file}.2`]) expect(statSync(f).size).toBeLessThanOrEqual(4096 + 200);
  // The newest line is in the current file, the one before a rotation in `.1`; every line whole.
  const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { i: number });
  expect(lines[lines.length - 1]!.i).toBe(399);
  const older = readFileSync(`${file}.1`, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { i: number });
  expect(older[older.length - 1]!.i).toBe(lines[0]!.i - 1);
});

test('a log already over the size at start is rotated then (as before)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'smartdrag-log-'));
  const file = join(dir, 'bridge.log');
  writeFileSync(file, 'old\n'.repeat(2000));
  const log = createLogger({ level: 'info', file, stderr: false, maxFileBytes: 4096 });
  log.info('started');
  expect(readFileSync(`${file}.1`, 'utf8').startsWith('old\n')).toBe(true);
  expect(readFileSync(file, 'utf8')).toMatch(/"msg":"started"/);
  expect(existsSync(`${file}.2`)).toBe(false);
});
