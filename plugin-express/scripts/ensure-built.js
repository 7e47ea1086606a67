// Builds plugin-express/dist (the Adobe Express add-on folder) unless it is newer than every source
// (its own and the shared panel's). Used by the Express tests.
const { join } = require('node:path');
const { makeEnsureBuilt } = require('../../scripts/ensure-built-lib');

const PLUGIN = join(__dirname, '..');
const ROOT = join(PLUGIN, '..');
module.exports = makeEnsureBuilt({
  plugin: PLUGIN,
  outputs: ['manifest.json', 'index.html', 'index.js', 'code.js', 'panel.css'],
  sources: [join(PLUGIN, 'src'), join(PLUGIN, 'static'), join(PLUGIN, 'webpack.config.js'), join(ROOT, 'scripts', 'webpack-common.js'), join(ROOT, 'shared', 'src'), join(ROOT, 'plugin-photopea', 'src'), join(ROOT, 'plugin-photopea', 'static')],
});
