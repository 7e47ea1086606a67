/**
 * Builds the Photopea plugin page (dist/photopea/) and the web playground (dist/playground/).
 * Both bundle the shared panel code and `@smartdrag/shared` (aliased to shared/src); the playground
 * also gets its decode worker (playground/decode-worker.js). Static files
 * (HTML, CSS, plugin JSON, icon, the sample photo) are copied after emit.
 */
const path = require('node:path');
const { CopyStaticPlugin, resolve, tsRule } = require('../scripts/webpack-common');

/** Files copied into dist after every build: [source, destination relative to dist/]. */
const STATIC = [
  ['static/photopea/index.html', 'photopea/index.html'],
  ['static/photopea/smartdrag.photopea.json', 'photopea/smartdrag.photopea.json'],
  ['static/icon.png', 'photopea/icon.png'],
  ['static/panel.css', 'photopea/panel.css'],
  ['static/playground/index.html', 'playground/index.html'],
  ['static/panel.css', 'playground/panel.css'],
  ['static/icon.png', 'playground/icon.png'],
  ['../test/fixtures/photos/smarties.png', 'playground/smarties.png'],
];

/** @param {Record<string, unknown>} env @param {{ mode?: string }} argv */
module.exports = (env = {}, argv = {}) => ({
  mode: argv.mode || 'production',
  target: 'web',
  context: __dirname,
  entry: {
    photopea: './src/photopea-main.ts',
    playground: './src/playground-main.ts',
    // The playground's decode worker, beside its main.js (util/decode-in-worker.ts, DECODE_WORKER_FILE):
    // UPNG.js is bundled into it, so it is built here, not written as a string like the encoder's.
    'decode-worker': { import: './src/util/decode-worker.ts', filename: 'playground/decode-worker.js' },
  },
  output: {
    path: path.join(__dirname, 'dist'),
    filename: '[name]/main.js',
    clean: false,
  },
  devtool: false,
  resolve,
  module: { rules: [tsRule] },
  performance: { hints: false },
  plugins: [new CopyStaticPlugin(__dirname, STATIC)],
});
