#!/usr/bin/env node
// `npm start`: starts the bridge, performs a real edit of the bundled sample through the
// WebSocket client, writes ./smartdrag-out/, and keeps the bridge running until Ctrl-C.
const path = require('node:path');
if (!process.env.TSX_TSCONFIG_PATH) process.env.TSX_TSCONFIG_PATH = path.resolve(__dirname, '..', 'tsconfig.json');
require('tsx/cjs');
const { quickstart } = require('../bridge-server/src/cli/quickstart.ts');
const once = process.argv.includes('--once');
quickstart({ keepRunning: !once }).catch((err) => {
  process.stderr.write(`smartdrag quick start failed: ${err && err.message ? err.message : String(err)}\n`);
  process.exit(1);
});
