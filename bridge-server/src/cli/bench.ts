/** `smartdrag bench` — PLACEHOLDER until issue #5 lands. */
import type { Command } from 'commander';

export function registerBench(program: Command): void {
  program.command('bench').description('quality and speed benchmark (not yet implemented)').action(() => {
    process.stderr.write('smartdrag bench: not implemented yet (issue #5)\n');
    process.exitCode = 2;
  });
}
