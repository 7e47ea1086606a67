#!/usr/bin/env node
/** `node scripts/validate-manifest.js [pluginDir]`: check a built plugin folder offline (manifest v5 rules). */
require('tsx/cjs');
require('../src/tooling/build-plugin.ts')
  .validateCli(process.argv.slice(2))
  .then((code) => process.exit(code))
  .catch((e) => { console.error(e && e.stack ? e.stack : e); process.exit(1); });
