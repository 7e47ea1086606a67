/**
 * webpack 5 + ts-loader: bundles src/index.ts into dist/index.js for UXP. `photoshop`, `uxp`
 * and `os` are provided by the host at run time (externals). Static files (index.html, manifest,
 * icons) are written by scripts/build.js.
 *
 * env: SMARTDRAG_PORT (bridge port the manifest allows and the panel's default bridge URL uses),
 * SMARTDRAG_DEV=1 (source maps).
 */
const path = require('node:path');
const webpack = require('webpack');
const pkg = require('./package.json');

const port = Number(process.env.SMARTDRAG_PORT || 7341);
const domains = [`ws://127.0.0.1:${port}`, `http://127.0.0.1:${port}`, `ws://localhost:${port}`, `http://localhost:${port}`];

module.exports = {
  mode: process.env.SMARTDRAG_DEV ? 'development' : 'production',
  target: ['web', 'es2020'],
  context: __dirname,
  entry: './src/index.ts',
  output: { path: path.resolve(__dirname, 'dist'), filename: 'index.js', clean: true },
  devtool: process.env.SMARTDRAG_DEV ? 'cheap-source-map' : false,
  externals: { photoshop: 'commonjs2 photoshop', uxp: 'commonjs2 uxp', os: 'commonjs2 os' },
  externalsType: 'commonjs2',
  resolve: {
    extensions: ['.ts', '.js'],
    alias: { '@smartdrag/shared': path.resolve(__dirname, '../shared/src') },
  },
  module: {
    rules: [{
      test: /\.ts$/,
      loader: 'ts-loader',
      exclude: /node_modules/,
      // Types are checked by `npm run typecheck` at the root; the bundle only transpiles.
      options: { transpileOnly: true, configFile: path.resolve(__dirname, 'tsconfig.build.json') },
    }],
  },
  plugins: [
    new webpack.DefinePlugin({
      __SMARTDRAG_DOMAINS__: JSON.stringify(domains),
      __SMARTDRAG_PORT__: JSON.stringify(port),
      __SMARTDRAG_VERSION__: JSON.stringify(pkg.version),
    }),
  ],
  performance: { hints: false },
  optimization: { minimize: !process.env.SMARTDRAG_DEV },
};
