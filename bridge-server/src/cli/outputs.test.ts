import { formatTimings, makeDirs } from './outputs';

it('the printed timings show the object reading inside plan, so the stages add up to the total', () => {
  const line = formatTimings({ segment: 70, plan: 80, warp: 10, fill: 5, total: 95 });
  expect(line).toBe('plan 80.0 (object reading 70.0), warp 10.0, fill 5.0, total 95.0');
  expect(formatTimings({ plan: 2.4, total: 3 }, 0)).toBe('plan 2, total 3');
});

it('output folders are made level by level: nested ones are created, a folder that refuses new entries is an error (Node\'s recursive mkdir spun forever under /proc)', () => {
  const { mkdtempSync, existsSync } = require('node:fs') as typeof import('node:fs');
  const { join } = require('node:path') as typeof import('node:path');
  const base = mkdtempSync(join(require('node:os').tmpdir(), 'sd-out-'));
  makeDirs(join(base, 'a', 'b', 'c'));
  expect(existsSync(join(base, 'a', 'b', 'c'))).toBe(true);
  makeDirs(join(base, 'a', 'b', 'c')); // already there: nothing to do
  if (existsSync('/proc/self')) expect(() => makeDirs('/proc/smartdrag-nope/x')).toThrow(/ENOENT/);
});
