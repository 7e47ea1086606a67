/**
 * Builds the Adobe Express add-on into dist/: the folder Express's add-on developer mode loads
 * (manifest.json, index.html + index.js for the panel iframe, code.js for the document sandbox).
 * Both bundles are ES modules, as Express loads them; the SDK modules Express provides at run time
 * (the UI SDK URL, `add-on-sdk-document-sandbox`, `express-document-sdk`) stay external imports.
 */
const path = require('node:path');
const { CopyStaticPlugin, resolve, tsRule } = require('../scripts/webpack-common');

/** Files copied into dist after every build: [source, destination relative to dist/]. */
const STATIC = [
  ['static/manifest.json', 'manifest.json'],
  ['static/index.html', 'index.html'],
  ['../plugin-photopea/static/panel.css', 'panel.css'],
  ['../plugin-photopea/static/icon.png', 'icon.png'],
];

/** @param {Record<string, unknown>} env @param {{ mode?: string }} argv */
module.exports = (env = {}, argv = {}) => ({
  mode: argv.mode || 'production',
  target: 'web',
  context: __dirname,
  entry: {
    index: './src/index.ts',
    code: './src/sandbox/code.ts',
  },
  experiments: { outputModule: true },
  output: {
    path: path.join(__dirname, 'dist'),
    filename: '[name].js',
    module: true,
    clean: false,
  },
  externalsType: 'module',
  externals: {
    'https://new.express.adobe.com/static/add-on-sdk/sdk.js': 'https://new.express.adobe.com/static/add-on-sdk/sdk.js',
    'add-on-sdk-document-sandbox': 'add-on-sdk-document-sandbox',
    'express-document-sdk': 'express-document-sdk',
  },
  devtool: false,
  resolve,
  module: { rules: [tsRule] },
  performance: { hints: false },
  plugins: [new CopyStaticPlugin(__dirname, STATIC)],
});
