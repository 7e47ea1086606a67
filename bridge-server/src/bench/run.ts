/**
 * Stand-alone runner for `smartdrag bench` until (and besides) the CLI main:
 * `npx tsx bridge-server/src/bench/run.ts bench --suite all --out /tmp/bench`.
 */
import { Command } from 'commander';
import { registerBench } from '../cli/bench';

const program = new Command('smartdrag');
registerBench(program);
program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
