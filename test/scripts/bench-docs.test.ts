/**
 * `npm run bench:docs` regenerates docs/BENCHMARKS.md from commands: run the real script on two
 * tiny sections (a temporary page and sections file) and check what it writes.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

function run(dir: string, args: string[], counter: string): string {
  const sections = join(dir, 'sections.js'), bench = join(dir, 'bench.js');
  // A "benchmark" that counts its runs in `counter` and prints a Markdown row.
  writeFileSync(bench, `const fs = require('fs'); const f = ${JSON.stringify(counter)};
const n = (fs.existsSync(f) ? Number(fs.readFileSync(f, 'utf8')) : 0) + 1; fs.writeFileSync(f, String(n));
console.log('| run | ' + n + ' |');\n`);
  writeFileSync(sections, `module.exports = () => [
    { id: 'alpha', title: 'Alpha', intro: 'First.', argv: ['node', ${JSON.stringify(bench)}], shown: 'alpha-cmd' },
    { id: 'beta', title: 'Beta', intro: 'Second.', argv: ['node', '-e', 'process.exit(3)'], shown: 'beta-cmd' },
  ];\n`);
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'bench-docs.js'), ...args], {
    cwd: ROOT, env: { ...process.env, SMARTDRAG_BENCH_SECTIONS: sections, SMARTDRAG_BENCH_DOC: join(dir, 'B.md') }, stdio: 'pipe',
  });
  return readFileSync(join(dir, 'B.md'), 'utf8');
}

test('each section is the command output with its command, commit, date and load; --only keeps the others', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sd-benchdocs-'));
  const counter = join(dir, 'count');
  const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  const page = run(dir, [], counter);
  expect(page).toMatch(/^# SmartDrag benchmarks/);
  expect(page).toContain('<!-- section:alpha -->\n## Alpha');
  expect(page).toContain('| run | 1 |');
  expect(page).toMatch(new RegExp(`Command: \`alpha-cmd\` — commit ${commit}(\\+changes)?, \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC, [0-9.]+ s, load average [0-9. ]+ before / [0-9. ]+ after\\.`));
  // A failing command is reported as failed, with its exit code, not silently dropped.
  expect(page).toContain('**The command failed** (exit 3)');
  // Regenerating only beta keeps alpha's section exactly (its command is not run again).
  const again = run(dir, ['--only', 'beta'], counter);
  const alpha = (p: string) => p.slice(p.indexOf('<!-- section:alpha -->'), p.indexOf('<!-- /section:alpha -->'));
  expect(alpha(again)).toBe(alpha(page));
  expect(readFileSync(counter, 'utf8')).toBe('1');
  // A full run runs it again.
  expect(run(dir, [], counter)).toContain('| run | 2 |');
});

test('the real sections file loads and names every section the page has, each with a command', () => {
  const { execFileSync } = require('child_process') as typeof import('child_process');
  const out = execFileSync('node', ['scripts/bench-docs.js', '--list'], { cwd: ROOT, encoding: 'utf8' });
  const ids = out.trim().split('\n').filter((l) => l.includes('\t')).map((l) => l.split('\t')[0]);
  expect(ids).toEqual(expect.arrayContaining(['quality', 'review', 'speed', 'plan', 'fill', 'multires-fill', 'load']));
  for (const l of out.trim().split('\n').filter((x) => x.includes('\t'))) expect(l.split('\t')[1]!.length).toBeGreaterThan(5);
});
