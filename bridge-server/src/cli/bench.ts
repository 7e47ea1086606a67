/**
 * `smartdrag bench`: quality and speed on DragBench, the real-photo cases and synthetic ground
 * truth (issue #5). Writes `report.json`, `report.md` and contact sheets to `--out`.
 */
import path from 'node:path';
import type { Command } from 'commander';
import { existsSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { intArg, outDirArg } from './args';
import { CliError, CliErrorCode } from './errors';
import { makeDirs } from './outputs';
import { BenchDataError, checkDataDir, defaultDataDir, resolveSuites, runBench } from '../bench/runner';
import { formatDuration } from '../bench/progress';
import { checkSpeedDataDir, formatEditSpeed, runEditSpeed, SPEED_KINDS, type SpeedKind } from '../bench/edit-speed';
import { connectServerEngine, type ServerEngine } from '../bench/server-engine';
import { SmartDragError } from '@smartdrag/shared';
import { ensureToken, smartdragHome } from '../config';

/** Options as commander parses them. */
interface BenchCliOptions {
  suite: string;
  data?: string;
  out: string;
  limit?: number;
  quality: string;
  seed: number;
  synthetic: number;
  server?: string;
  token?: string;
  runs: number;
  sizes: string;
  kinds: string;
  bridge?: boolean;
  scale?: string;
}

/** A count option: a plain integer ≥ 1 (0 runs or 0 samples would measure nothing). */
const positiveInt = intArg(1, Number.MAX_SAFE_INTEGER);

/** Make the bench's output folder or throw a coded {@link CliError} saying why it cannot be. */
export function benchOutDir(outDir: string): void {
  const hint = 'pass a writable folder with --out <dir> (it is created if missing)';
  if (existsSync(outDir) && !statSync(outDir).isDirectory()) {
    throw new CliError(CliErrorCode.output_unwritable, `cannot write to output folder ${outDir}: it is a file, not a folder`, hint);
  }
  try {
    makeDirs(outDir);
    // A folder that exists but takes no files (read-only, /proc) is found now, not after the run.
    const probe = path.join(outDir, `.smartdrag-bench-probe-${process.pid}`);
    writeFileSync(probe, '');
    rmSync(probe, { force: true });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new CliError(CliErrorCode.output_unwritable, `cannot write to output folder ${outDir}: ${err.code ?? 'error'} at ${err.path ?? outDir}`, hint, e);
  }
}

/** A usage failure of `bench`: one coded line and a hint on stderr, exit status 2. */
function benchUsageError(code: CliErrorCode, message: string, hint?: string): void {
  process.stderr.write(`smartdrag bench: ${message} [${code}]\n${hint ? `  hint: ${hint}\n` : ''}`);
  process.exitCode = 2;
}

/** `--scale`: a plain decimal number (Number('0x2') is 2, Number('') 0). */
export function parseScale(v: string): number {
  const t = v.trim();
  return /^(\d+(\.\d*)?|\.\d+)$/.test(t) ? Number(t) : NaN;
}

/** Options that only `--suite speed` reads, and options it ignores (it prints a table, writes no files). */
const SPEED_ONLY = ['runs', 'sizes', 'kinds', 'bridge'] as const;
const NOT_SPEED = ['out', 'limit', 'quality', 'scale', 'seed', 'synthetic', 'server', 'token'] as const;

/**
 * Options given on the command line that the chosen suite does not read (they were silently
 * ignored: `--suite all --sizes 1024`, `--suite speed --out x --limit 3`); empty when all apply.
 */
export function inapplicableOptions(suite: string, given: (name: string) => boolean): string[] {
  const names: readonly string[] = suite === 'speed' ? NOT_SPEED : SPEED_ONLY;
  return names.filter(given).map((n) => `--${n}`);
}

/** Register the `bench` command on the CLI program. */
export function registerBench(program: Command): void {
  program
    .command('bench')
    .description('quality and speed benchmark: DAI, change outside the mask, PSNR/SSIM on synthetic ground truth, stage timings')
    .option('--suite <name>', 'dragbench | cases | synthetic | all | speed (whole-edit timings at 1-36 MP, region ~15% of the document)', 'all')
    .option('--runs <n>', 'with --suite speed: measured runs per configuration (at most 3 over 4 MP)', positiveInt, 5)
    .option('--sizes <list>', 'with --suite speed: document sides, comma-separated', '1024,2048,4096,6000')
    .option('--kinds <list>', 'with --suite speed: drag kinds, comma-separated (elastic: no kind set, the planner reads an elastic drag)', 'translate,rotate,scale,deform,elastic')
    .option('--bridge', 'with --suite speed: also run every row end to end through a loopback bridge')
    .option('--data <dir>', 'folder with dragbench/, cases/ and photos/ (default: ../shared/data, else test/fixtures); --suite speed reads only its photo case, cases/coffee-move-cup-saucer.json, and that photo')
    .option('--out <dir>', 'output folder for report.json, report.md and contact sheets (created if missing)', outDirArg, 'bench-out')
    .option('--limit <n>', 'at most n samples per suite', positiveInt)
    .option('--quality <q>', 'final | preview', 'final')
    .option('--scale <f>', 'DragBench and the photo cases at f× their size (0.25–8; image resampled, masks, polygons and points scaled): how the edits look on the larger photos users open', '1')
    .option('--seed <n>', 'seed for the synthetic generator and the edits (0..4294967295, as smartdrag edit and the protocol take)', intArg(0, 0xffffffff), 1)
    .option('--synthetic <n>', 'number of synthetic samples', positiveInt, 12)
    .option('--server <ws-url>', 'run edits through a running bridge instead of in-process')
    .option('--token <t>', 'bridge token for --server (default: the token in the SmartDrag config dir)')
    .action(async (o: BenchCliOptions, cmd: Command) => {
      if (o.quality !== 'final' && o.quality !== 'preview') {
        benchUsageError(CliErrorCode.option_invalid, `--quality must be final or preview, got ${o.quality}`);
        return;
      }
      const scale = parseScale(String(o.scale ?? '1'));
      if (!Number.isFinite(scale) || scale < 0.25 || scale > 8) {
        benchUsageError(CliErrorCode.option_invalid, `--scale takes a number from 0.25 to 8, got ${o.scale}`);
        return;
      }
      const unused = inapplicableOptions(o.suite, (n) => cmd.getOptionValueSource(n) === 'cli');
      if (unused.length) {
        benchUsageError(CliErrorCode.option_unsupported, `${unused.join(', ')} ${unused.length === 1 ? 'does' : 'do'} not apply to --suite ${o.suite}`,
          o.suite === 'speed' ? '--suite speed prints its table on stdout and writes no files; it reads --runs, --sizes, --kinds, --bridge and --data' : '--runs, --sizes, --kinds and --bridge are read by --suite speed only');
        return;
      }
      if (o.data !== undefined) {
        try {
          if (o.suite === 'speed') checkSpeedDataDir(path.resolve(o.data));
          else checkDataDir(path.resolve(o.data), o.suite);
        } catch (err) {
          if (!(err instanceof BenchDataError)) throw err;
          benchUsageError(err.code, err.message, err.hint);
          return;
        }
      }
      if (o.suite === 'speed') {
        // Whole-edit speed, region ~15% of the document at every size (the photo row needs the data folder).
        const sizes = String(o.sizes).split(',').map((v) => Number(v));
        const kinds = String(o.kinds).split(',') as SpeedKind[];
        if (sizes.some((v) => !Number.isInteger(v) || v < 64) || kinds.some((k) => !SPEED_KINDS.includes(k))) {
          benchUsageError(CliErrorCode.option_invalid, `--sizes takes integers ≥ 64, --kinds ${SPEED_KINDS.join('|')}; got --sizes ${o.sizes} --kinds ${o.kinds}`);
          return;
        }
        const rows = await runEditSpeed({
          runs: o.runs, sizes, kinds, bridge: Boolean(o.bridge), dataDir: (o.data ? path.resolve(o.data) : defaultDataDir()) ?? undefined,
          onRow: (r) => process.stderr.write(`speed: ${r.doc} ${r.kind} ${r.quality} ${r.path}: total ${r.medianMs.total!.toFixed(1)} ms, peak RSS ${r.peakRssMb.toFixed(0)} MB\n`),
        });
        process.stdout.write(`${formatEditSpeed(rows)}\n`);
        return;
      }
      const dataDir = o.data ? path.resolve(o.data) : defaultDataDir();
      let suites;
      try {
        const r = resolveSuites(o.suite, dataDir);
        suites = r.suites;
        if (r.skipped.length) process.stderr.write(`smartdrag bench: skipping ${r.skipped.join(', ')} (not in ${dataDir ?? 'any data folder'})\n`);
      } catch (err) {
        if (err instanceof BenchDataError) benchUsageError(err.code, err.message, err.hint);
        else benchUsageError(CliErrorCode.option_invalid, (err as Error).message);
        return;
      }
      if (scale !== 1 && suites.some((x) => x !== 'dragbench' && x !== 'cases')) {
        process.stderr.write(`smartdrag bench: --scale ${scale} applies to the dragbench and cases suites only; ${suites.filter((x) => x !== 'dragbench' && x !== 'cases').join(', ')} run at their own size\n`);
      }
      const outDir = path.resolve(o.out);
      // The output folder, made before the run (a folder that refuses new entries is an error, not
      // Node's endless recursive mkdir; a file in the way is said, not a raw EEXIST).
      benchOutDir(outDir);
      let server: ServerEngine | undefined;
      if (o.server) {
        try {
          server = await connectServerEngine(o.server, o.token ?? ensureToken(smartdragHome()));
        } catch (err) {
          // The bridge's own code (`unreachable`, `unauthorized`, `version_mismatch`, …) and hint, as `edit --server` prints them.
          const coded = err instanceof SmartDragError ? err : null;
          process.stderr.write(`smartdrag bench: cannot use the bridge at ${o.server}: ${(err as Error).message}${coded ? ` [${coded.code}]` : ''}\n${coded?.hint ? `  hint: ${coded.hint}\n` : ''}`);
          process.exitCode = 2;
          return;
        }
      }
      // Ctrl-C: finish the sample in progress and write a report marked interrupted (a second Ctrl-C quits at once).
      const stop = new AbortController();
      const onSigint = (): void => {
        if (stop.signal.aborted) process.exit(130);
        stop.abort();
        process.stderr.write('\nsmartdrag bench: interrupted: finishing the current sample, then writing a partial report (Ctrl-C again to quit at once)\n');
      };
      process.on('SIGINT', onSigint);
      let report;
      try {
        report = await runBench({
          suites, dataDir, outDir, limit: o.limit, quality: o.quality, seed: o.seed, syntheticCount: o.synthetic, scale,
          command: ['smartdrag', ...process.argv.slice(2)].join(' '), engine: server?.engine, mode: server ? 'server' : 'in-process',
          signal: stop.signal,
        });
      } catch (err) {
        if (!(err instanceof BenchDataError)) throw err;
        benchUsageError(err.code, err.message, err.hint);
        return;
      } finally {
        process.off('SIGINT', onSigint);
        server?.close();
      }
      const s = report.summary;
      const lines = [`smartdrag bench: ${s.count} samples (${s.failed} failed) in ${formatDuration(report.wallMs)} -> ${outDir} (report.md, gallery.html)`];
      if (report.interrupted) lines[0] = `smartdrag bench: INTERRUPTED after ${report.interrupted.done} of ${report.interrupted.planned} samples (${s.failed} failed) in ${formatDuration(report.wallMs)} -> ${outDir} (partial report.md, gallery.html)`;
      for (const [name, q] of Object.entries(s.suites)) {
        lines.push(`  ${name}: DAI r10 ${q.dai['10']?.toFixed(4) ?? '-'} vs unedited ${q.daiUnedited['10']?.toFixed(4) ?? '-'}, outside-mask px ${q.changedOutsideMask.samplesChecked ? q.changedOutsideMask.total : '- (no mask)'}, total ms median ${q.stageMs.total?.median?.toFixed(0) ?? '-'}${q.look ? `, badness median ${q.look.badness?.median?.toFixed(3) ?? '-'} (synthesized ${q.look.synthesized?.median?.toFixed(3) ?? '-'}, tear ${q.look.tear?.median?.toFixed(3) ?? '-'})` : ''}`);
      }
      process.stdout.write(`${lines.join('\n')}\n`);
      if (report.interrupted) process.exitCode = 130;
      else if (s.failed > 0) process.exitCode = 1;
    });
}
