#!/usr/bin/env node
// `smartdrag` CLI entry: load TypeScript through tsx, then run src/cli/main.ts.
const path = require('node:path');
if (!process.env.TSX_TSCONFIG_PATH) process.env.TSX_TSCONFIG_PATH = path.resolve(__dirname, '..', '..', 'tsconfig.json');
require('tsx/cjs');
// Output piped into a reader that stops early (`smartdrag edit … | head -1`): end quietly, as
// other command-line tools do, not with an EPIPE stack trace.
process.stdout.on('error', (err) => { if (err && err.code === 'EPIPE') process.exit(0); throw err; });
require('../src/cli/main.ts')
  .main(process.argv)
  .catch((err) => {
    process.stderr.write(`smartdrag: ${err && err.message ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
