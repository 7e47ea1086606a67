// Builds plugin-photopea/dist (the Photopea plugin page and the playground) with webpack's Node
// API unless every output is newer than every source. Used by `npm start` (so the playground URL
// it prints works on a fresh clone) and by the browser tests. CommonJS: runs under plain Node.
const { existsSync, readdirSync, statSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const PLUGIN = join(__dirname, '..');
const ROOT = join(PLUGIN, '..');
const DIST = join(PLUGIN, 'dist');
// Written after every successful build: webpack leaves unchanged bundles untouched, so their own
// mtimes cannot say whether the build is newer than the sources.
const STAMP = join(DIST, '.built');

function newestMtime(path) {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let m = 0;
  for (const e of readdirSync(path)) m = Math.max(m, newestMtime(join(path, e)));
  return m;
}

/** True when dist/ holds every page and is newer than all sources. */
function isBuilt() {
  const outputs = [join(DIST, 'photopea', 'main.js'), join(DIST, 'playground', 'main.js'), join(DIST, 'playground', 'smarties.png')];
  const sources = [join(PLUGIN, 'src'), join(PLUGIN, 'static'), join(PLUGIN, 'webpack.config.js'), join(ROOT, 'shared', 'src')];
  if (!outputs.every(existsSync) || !existsSync(STAMP)) return false;
  return statSync(STAMP).mtimeMs >= Math.max(...sources.map(newestMtime));
}

/** Build the pages when missing or stale; resolves `true` when a build ran. */
function ensureBuilt() {
  if (isBuilt()) return Promise.resolve(false);
  const webpack = require('webpack');
  const makeConfig = require(join(PLUGIN, 'webpack.config.js'));
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

module.exports = { ensureBuilt, isBuilt, DIST };
