#!/usr/bin/env node
// `npm start`: starts the bridge, performs a real edit of the bundled sample through the
// WebSocket client, writes ./smartdrag-out/, and keeps the bridge running until Ctrl-C.
const path = require('node:path');
if (!process.env.TSX_TSCONFIG_PATH) process.env.TSX_TSCONFIG_PATH = path.resolve(__dirname, '..', 'tsconfig.json');
require('tsx/cjs');
const { quickstart } = require('../bridge-server/src/cli/quickstart.ts');
const { ensureBuilt } = require('../plugin-photopea/scripts/ensure-built.js');
const once = process.argv.includes('--once');
// The playground and the Photopea page are served from plugin-photopea/dist: build them once
// (about 15 s) on a fresh clone so the URLs printed below work.
(once ? Promise.resolve(false) : ensureBuilt().then((built) => {
  if (built) process.stdout.write('built the playground and Photopea plugin pages (plugin-photopea/dist)\n');
}, (err) => {
  process.stderr.write(`could not build the playground pages (${err && err.message ? err.message : err}); the edit still runs\n`);
}))
  .then(() => quickstart({ keepRunning: !once }))
  .catch((err) => {
  process.stderr.write(`smartdrag quick start failed: ${err && err.message ? err.message : String(err)}\n`);
  process.exit(1);
});
