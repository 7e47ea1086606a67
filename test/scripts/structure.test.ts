/** Structure rules of the code base (issue #16): no import circles. */
import path from 'node:path';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const madge = require('madge') as (paths: string[], cfg: Record<string, unknown>) => Promise<{ circular(): string[][] }>;

const ROOT = path.join(__dirname, '..', '..');

test('no import circle in any workspace (type-only imports included)', async () => {
  const res = await madge(['bridge-server/src', 'shared/src', 'plugin-photopea/src', 'plugin-photoshop/src', 'models'].map((p) => path.join(ROOT, p)), {
    fileExtensions: ['ts'],
    tsConfig: path.join(ROOT, 'tsconfig.json'),
    detectiveOptions: { ts: { skipTypeImports: false } },
    excludeRegExp: [/node_modules/, /\/dist\//],
  });
  expect(res.circular()).toEqual([]);
}, 60000);
