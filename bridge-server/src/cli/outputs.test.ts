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

describe('writeOutputs: edited.png and layer.png are replaced together or not at all', () => {
  const fs = require('node:fs') as typeof import('node:fs');
  const { join } = require('node:path') as typeof import('node:path');
  const { createImage } = require('../core/image') as typeof import('../core/image');
  const { writeOutputs } = require('./outputs') as typeof import('./outputs');
  const img = createImage(8, 6);
  img.data.fill(200);

  function earlierOutputs(): string {
    const dir = fs.mkdtempSync(join(require('node:os').tmpdir(), 'sd-write-'));
    fs.writeFileSync(join(dir, 'edited.png'), 'earlier edited');
    fs.writeFileSync(join(dir, 'layer.png'), 'earlier layer');
    return dir;
  }
  const contents = (dir: string) => fs.readdirSync(dir).sort().map((f) => [f, fs.statSync(join(dir, f)).isFile() ? fs.readFileSync(join(dir, f), 'utf8') : '<folder>']);

  it('a write that fails on the second file (a full disk) leaves both earlier files and no temporary file', async () => {
    const dir = earlierOutputs();
    let n = 0;
    const writeFile = (p: string, d: Uint8Array) => { if (++n === 2) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }); fs.writeFileSync(p, d); };
    await expect(writeOutputs(dir, img, img, { writeFile })).rejects.toThrow(/ENOSPC/);
    expect(contents(dir)).toEqual([['edited.png', 'earlier edited'], ['layer.png', 'earlier layer']]);
  });

  it('a layer.png that is a folder is refused before edited.png is touched', async () => {
    const dir = earlierOutputs();
    fs.rmSync(join(dir, 'layer.png'));
    fs.mkdirSync(join(dir, 'layer.png'));
    await expect(writeOutputs(dir, img, img)).rejects.toThrow(/layer\.png exists and is not a file/);
    expect(contents(dir)).toEqual([['edited.png', 'earlier edited'], ['layer.png', '<folder>']]);
  });

  it('a write that succeeds replaces both and leaves nothing else', async () => {
    const dir = earlierOutputs();
    const paths = await writeOutputs(dir, img, img);
    expect(fs.readdirSync(dir).sort()).toEqual(['edited.png', 'layer.png']);
    expect(fs.readFileSync(paths.edited).subarray(1, 4).toString()).toBe('PNG');
    expect(fs.readFileSync(paths.layer).subarray(1, 4).toString()).toBe('PNG');
  });
});
