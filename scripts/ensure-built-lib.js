// Build a webpack workspace with webpack's Node API unless every output is newer than every
// source — the one implementation behind plugin-photopea/scripts/ensure-built.js and
// plugin-express/scripts/ensure-built.js. CommonJS: runs under plain Node.
'use strict';
const { existsSync, readdirSync, statSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

function newestMtime(path) {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let m = 0;
  for (const e of readdirSync(path)) m = Math.max(m, newestMtime(join(path, e)));
  return m;
}

/**
 * `plugin`: the workspace folder (holds webpack.config.js and dist/); `outputs`: files (relative to
 * dist/) a complete build has; `sources`: absolute paths whose newest file the build must postdate.
 * A stamp is written after every successful build: webpack leaves unchanged bundles untouched, so
 * their own mtimes cannot say whether the build is newer than the sources.
 */
function makeEnsureBuilt({ plugin, outputs, sources }) {
  const DIST = join(plugin, 'dist');
  const STAMP = join(DIST, '.built');
  function isBuilt() {
    if (!outputs.map((f) => join(DIST, f)).every(existsSync) || !existsSync(STAMP)) return false;
    return statSync(STAMP).mtimeMs >= Math.max(...sources.map(newestMtime));
  }
  /** Build when missing or stale; resolves `true` when a build ran. */
  function ensureBuilt() {
    if (isBuilt()) return Promise.resolve(false);
    const webpack = require('webpack');
    const makeConfig = require(join(plugin, 'webpack.config.js'));
    return new Promise((resolve, reject) => {
      webpack(makeConfig({}, { mode: 'production' }), (err, stats) => {
        if (err) reject(err);
        else if (stats && stats.hasErrors()) reject(new Error(stats.toString({ all: false, errors: true })));
        else {
          writeFileSync(STAMP, `${new Date().toISOString()}\n`);
          resolve(true);
        }
      });
    });
  }
  return { ensureBuilt, isBuilt, DIST };
}

module.exports = { makeEnsureBuilt };
