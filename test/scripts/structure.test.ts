/** Structure rules of the code base (issue #16): no import circles. */
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');

test('no import circle in any workspace (type-only imports included)', () => {
  const dirs = ['bridge-server/src', 'shared/src', 'plugin-photopea/src', 'plugin-photoshop/src', 'plugin-express/src', 'models'];
  // madge in a child node (its TypeScript parser prints a deprecation warning per type import).
  const script = `require('madge')(${JSON.stringify(dirs)}, {
    fileExtensions: ['ts'], tsConfig: 'tsconfig.json', excludeRegExp: [/node_modules/, /\\/dist\\//],
    detectiveOptions: { ts: { skipTypeImports: false } },
  }).then((r) => process.stdout.write(JSON.stringify({ files: Object.keys(r.obj()).length, circular: r.circular() })))`;
  const out = JSON.parse(execFileSync(process.execPath, ['--no-deprecation', '-e', script], { cwd: ROOT, encoding: 'utf8' })) as { files: number; circular: string[][] };
  expect(out.files).toBeGreaterThan(100); // it really read the tree
  expect(out.circular).toEqual([]);
}, 60000);
