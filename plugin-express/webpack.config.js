/**
 * Builds the Adobe Express add-on into dist/: the folder Express's add-on developer mode loads
 * (manifest.json, index.html + index.js for the panel iframe, code.js for the document sandbox).
 * Both bundles are ES modules, as Express loads them; the SDK modules Express provides at run time
 * (the UI SDK URL, `add-on-sdk-document-sandbox`, `express-document-sdk`) stay external imports.
 */
const path = require('node:path');
const fs = require('node:fs');

const root = path.resolve(__dirname, '..');

/** Files copied into dist after every build: [source, destination relative to dist/]. */
const STATIC = [
  ['static/manifest.json', 'manifest.json'],
  ['static/index.html', 'index.html'],
  ['../plugin-photopea/static/panel.css', 'panel.css'],
  ['../plugin-photopea/static/icon.png', 'icon.png'],
];

class CopyStaticPlugin {
  apply(compiler) {
    compiler.hooks.afterEmit.tap('CopyStaticPlugin', () => {
      for (const [from, to] of STATIC) {
        const dst = path.join(compiler.options.output.path, to);
        fs.mkdirSync(path.dirname(dst), { recursive: true });
        fs.rmSync(dst, { force: true });
        fs.copyFileSync(path.join(__dirname, from), dst);
        fs.chmodSync(dst, 0o644);
      }
    });
  }
}

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
  resolve: {
    extensions: ['.ts', '.js'],
    alias: {
      '@smartdrag/shared$': path.join(root, 'shared/src/index.ts'),
      '@smartdrag/shared': path.join(root, 'shared/src'),
    },
    modules: [path.join(root, 'node_modules'), 'node_modules'],
  },
  module: {
    rules: [
      {
        test: /\.ts$/,
        loader: 'ts-loader',
        exclude: /node_modules/,
        options: {
          // Type checking is `npm run typecheck`'s job; the bundle only needs transpiling.
          transpileOnly: true,
          configFile: path.join(root, 'tsconfig.json'),
          compilerOptions: { module: 'es2020', noEmit: false },
        },
      },
    ],
  },
  performance: { hints: false },
  plugins: [new CopyStaticPlugin()],
});
