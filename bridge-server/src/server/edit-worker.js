// Bootstrap of an edit worker thread: load TypeScript through tsx, then the real worker.
// (worker_threads cannot start a .ts file directly.)
const path = require('node:path');
if (!process.env.TSX_TSCONFIG_PATH) process.env.TSX_TSCONFIG_PATH = path.resolve(__dirname, '..', '..', '..', 'tsconfig.json');
require('tsx/cjs');
require('./edit-worker.ts');
