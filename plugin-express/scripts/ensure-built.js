// Builds plugin-express/dist (the Adobe Express add-on folder) with webpack's Node API unless
// every output is newer than every source. Used by the Express tests. CommonJS: plain Node.
const { existsSync, readdirSync, statSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const PLUGIN = join(__dirname, '..');
const ROOT = join(PLUGIN, '..');
const DIST = join(PLUGIN, 'dist');
// Written after every successful build (webpack leaves unchanged bundles untouched).
const STAMP = join(DIST, '.built');

function newestMtime(path) {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let m = 0;
  for (const e of readdirSync(path)) m = Math.max(m, newestMtime(join(path, e)));
  return m;
}

/** True when dist/ holds the add-on and is newer than all sources (its own and the shared panel's). */
function isBuilt() {
  const outputs = ['manifest.json', 'index.html', 'index.js', 'code.js', 'panel.css'].map((f) => join(DIST, f));
  const sources = [join(PLUGIN, 'src'), join(PLUGIN, 'static'), join(PLUGIN, 'webpack.config.js'), join(ROOT, 'shared', 'src'), join(ROOT, 'plugin-photopea', 'src'), join(ROOT, 'plugin-photopea', 'static')];
  if (!outputs.every(existsSync) || !existsSync(STAMP)) return false;
  return statSync(STAMP).mtimeMs >= Math.max(...sources.map(newestMtime));
}

/** Build when missing or stale; resolves `true` when a build ran. */
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
