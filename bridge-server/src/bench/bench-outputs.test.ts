/** runBench's output folder: a new run replaces every output of the last, and a stopped run is marked. */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BenchReportSchema } from './report';
import { inProcessEngine, runBench, type BenchEngine } from './runner';

describe('runBench output folder', () => {
  let out: string;
  beforeEach(() => { out = mkdtempSync(path.join(os.tmpdir(), 'bench-outputs-')); });
  afterEach(() => rmSync(out, { recursive: true, force: true }));

  it('removes the previous run\'s report and tiles before the first sample runs (a stopped run had left them beside its own)', async () => {
    writeFileSync(path.join(out, 'report.json'), '{"stale":true}');
    writeFileSync(path.join(out, 'report.md'), '# stale');
    mkdirSync(path.join(out, 'tiles', 'synthetic'), { recursive: true });
    writeFileSync(path.join(out, 'tiles', 'synthetic', 'old-sample.jpg'), 'x');
    writeFileSync(path.join(out, 'notes.txt'), 'mine');
    const seen: boolean[] = [];
    const engine: BenchEngine = (req, o) => {
      seen.push(existsSync(path.join(out, 'report.json')), existsSync(path.join(out, 'report.md')), existsSync(path.join(out, 'tiles', 'synthetic', 'old-sample.jpg')));
      return inProcessEngine(req, o);
    };
    await runBench({ suites: ['synthetic'], dataDir: null, outDir: out, limit: 1, quality: 'preview', progress: null, engine });
    expect(seen).toEqual([false, false, false]);
    expect(existsSync(path.join(out, 'tiles', 'synthetic', 'old-sample.jpg'))).toBe(false);
    expect(readFileSync(path.join(out, 'notes.txt'), 'utf8')).toBe('mine'); // not ours: kept
    expect(BenchReportSchema.parse(JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8'))).samples).toHaveLength(1);
  });

  it('stops at an abort (Ctrl-C) and writes a report, markdown and gallery marked interrupted', async () => {
    const stop = new AbortController();
    const engine: BenchEngine = async (req, o) => {
      const r = await inProcessEngine(req, o);
      stop.abort(); // as if Ctrl-C came during the first sample
      return r;
    };
    const report = await runBench({ suites: ['synthetic'], dataDir: null, outDir: out, limit: 3, quality: 'preview', progress: null, engine, signal: stop.signal });
    expect(report.samples).toHaveLength(1);
    expect(report.interrupted).toEqual({ done: 1, planned: 3 });
    const json = BenchReportSchema.parse(JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8')));
    expect(json.interrupted).toEqual({ done: 1, planned: 3 });
    expect(json.summary.count).toBe(1);
    expect(readFileSync(path.join(out, 'report.md'), 'utf8')).toContain('Interrupted: 1 of 3 samples done');
    expect(readFileSync(path.join(out, 'gallery.html'), 'utf8')).toContain('Interrupted: 1 of 3 samples done');
  });

  it('does not mark a run that finished', async () => {
    const report = await runBench({ suites: ['synthetic'], dataDir: null, outDir: out, limit: 1, quality: 'preview', progress: null, signal: new AbortController().signal });
    expect(report.interrupted).toBeUndefined();
    expect(readFileSync(path.join(out, 'report.md'), 'utf8')).not.toContain('Interrupted');
  });
});
