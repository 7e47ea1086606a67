// Builds plugin-photopea/dist (the Photopea plugin page and the playground) unless it is newer than
// every source. Used by `npm start` and `smartdrag serve` (so the printed URLs work on a fresh
// clone) and by the browser tests.
const { join } = require('node:path');
const { makeEnsureBuilt } = require('../../scripts/ensure-built-lib');

const PLUGIN = join(__dirname, '..');
const ROOT = join(PLUGIN, '..');
module.exports = makeEnsureBuilt({
  plugin: PLUGIN,
  outputs: [join('photopea', 'main.js'), join('playground', 'main.js'), join('playground', 'decode-worker.js'), join('playground', 'smarties.png')],
  sources: [join(PLUGIN, 'src'), join(PLUGIN, 'static'), join(PLUGIN, 'webpack.config.js'), join(ROOT, 'scripts', 'webpack-common.js'), join(ROOT, 'shared', 'src')],
});
