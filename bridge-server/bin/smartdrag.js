#!/usr/bin/env node
// `smartdrag` CLI entry: load TypeScript through tsx, then run src/cli/main.ts.
const path = require('node:path');
if (!process.env.TSX_TSCONFIG_PATH) process.env.TSX_TSCONFIG_PATH = path.resolve(__dirname, '..', '..', 'tsconfig.json');
require('tsx/cjs');
require('../src/cli/main.ts')
  .main(process.argv)
  .catch((err) => {
    process.stderr.write(`smartdrag: ${err && err.message ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
