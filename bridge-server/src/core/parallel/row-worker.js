// Bootstrap of a pixel helper thread (core/parallel/rows.ts): load TypeScript through tsx, then
// the helper. (worker_threads cannot start a .ts file directly.)
const path = require('node:path');
if (!process.env.TSX_TSCONFIG_PATH) process.env.TSX_TSCONFIG_PATH = path.resolve(__dirname, '..', '..', '..', '..', 'tsconfig.json');
require('tsx/cjs');
require('./row-worker.ts');
