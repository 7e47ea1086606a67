/**
 * Builds the Photopea plugin page (dist/photopea/) and the web playground (dist/playground/).
 * Both bundle the shared panel code and `@smartdrag/shared` (aliased to shared/src). Static files
 * (HTML, CSS, plugin JSON, icon, the sample photo) are copied after emit.
 */
const path = require('node:path');
const fs = require('node:fs');

const root = path.resolve(__dirname, '..');

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
    photopea: './src/photopea-main.ts',
    playground: './src/playground-main.ts',
  },
  output: {
    path: path.join(__dirname, 'dist'),
    filename: '[name]/main.js',
    clean: false,
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
