/**
 * `smartdrag edit` shows a long edit's progress as one redrawn line on a terminal (stderr), and
 * nothing when stderr is a pipe or a file (scripts stay clean); the line is cleared at the end.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runEditCommand } from './edit';

const CASE = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'cases', 'apple-move-right.json');

test.each([true, false])('progress line on a terminal: %s', async (isTTY) => {
  const dir = mkdtempSync(join(tmpdir(), 'sd-cli-progress-'));
  try {
    const writes: string[] = [];
    await runEditCommand({ case: CASE, out: dir, quality: 'final', progress: { isTTY, write: (s: string) => writes.push(s) } }, () => undefined);
    if (!isTTY) { expect(writes).toEqual([]); return; }
    const lines = writes.map((w) => w.replace('\r\x1b[2K', ''));
    expect(lines.some((l) => /^Moving pixels… \d+%$/.test(l))).toBe(true);
    expect(lines.some((l) => /^Filling… \d+%$/.test(l))).toBe(true);
    const pct = lines.filter((l) => l !== '').map((l) => Number(/(\d+)%$/.exec(l)![1]));
    for (let i = 1; i < pct.length; i++) expect(pct[i]!).toBeGreaterThanOrEqual(pct[i - 1]!);
    expect(writes[writes.length - 1]).toBe('\r\x1b[2K'); // cleared before the summary is printed
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
