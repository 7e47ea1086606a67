#!/usr/bin/env node
/** `npm run build -w @smartdrag/plugin-photoshop`: bundle, write static files, validate, pack .ccx. */
require('tsx/cjs');
require('../src/tooling/build-plugin.ts')
  .main(process.argv.slice(2))
  .catch((e) => { console.error(e && e.stack ? e.stack : e); process.exit(1); });
