/** `smartdrag models` — PLACEHOLDER until issue #9 lands. */
import type { Command } from 'commander';

export function registerModels(program: Command): void {
  program.command('models').description('manage learned model files (not yet implemented)').action(() => {
    process.stderr.write('smartdrag models: not implemented yet (issue #9)\n');
    process.exitCode = 2;
  });
}
