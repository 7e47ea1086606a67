// Pieces the browser-page webpack configs share (plugin-photopea: Photopea page + playground;
// plugin-express: the Express add-on): the TypeScript rule, the @smartdrag/shared alias, and a
// plugin that copies static files into dist/ after every emit.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');

/** Copies `[source relative to dir, destination relative to dist/]` pairs after every emit. */
class CopyStaticPlugin {
  constructor(dir, files) { this.dir = dir; this.files = files; }
  apply(compiler) {
    compiler.hooks.afterEmit.tap('CopyStaticPlugin', () => {
      for (const [from, to] of this.files) {
        const dst = path.join(compiler.options.output.path, to);
        fs.mkdirSync(path.dirname(dst), { recursive: true });
        fs.rmSync(dst, { force: true });
        fs.copyFileSync(path.join(this.dir, from), dst);
        fs.chmodSync(dst, 0o644);
      }
    });
  }
}

/** Resolve TypeScript and `@smartdrag/shared` (aliased to shared/src) from the repository. */
const resolve = {
  extensions: ['.ts', '.js'],
  alias: {
    '@smartdrag/shared$': path.join(ROOT, 'shared/src/index.ts'),
    '@smartdrag/shared': path.join(ROOT, 'shared/src'),
  },
  modules: [path.join(ROOT, 'node_modules'), 'node_modules'],
};

/** ts-loader, transpile only (type checking is `npm run typecheck`'s job). */
const tsRule = {
  test: /\.ts$/,
  loader: 'ts-loader',
  exclude: /node_modules/,
  options: {
    transpileOnly: true,
    configFile: path.join(ROOT, 'tsconfig.json'),
    compilerOptions: { module: 'es2020', noEmit: false },
  },
};

module.exports = { CopyStaticPlugin, resolve, tsRule };
