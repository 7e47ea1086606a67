import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SmartDragError } from '@smartdrag/shared';
import { runEditCommand } from './edit';
import { assertCanListen, CliError, formatCliError } from './errors';

const dir = mkdtempSync(join(tmpdir(), 'sd-cli-err-'));
const CASE = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'cases', 'apple-move-right.json');
const run = (o: Partial<Parameters<typeof runEditCommand>[0]>) => runEditCommand({ case: CASE, out: join(dir, 'out'), quality: 'preview', ...o }, () => undefined);

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

describe('smartdrag edit: coded errors with hints', () => {
  it.each([
    ['missing case file', () => run({ case: join(dir, 'nope.json') }), 'case_not_found', 'nope.json'],
    ['case path is a folder', () => run({ case: dir }), 'case_not_found', 'folder'],
    ['case is not JSON', () => run({ case: file('bad.json', '{bad') }), 'case_bad_json', 'bad.json'],
    ['case misses fields', () => run({ case: file('thin.json', '{"id":"x"}') }), 'case_invalid', 'regions'],
    ['a drag names a region the case lacks', () => run({ case: file('unknown-region.json', JSON.stringify({
      id: 'u', image: 'photos/apple.png', size: [10, 10], regions: [{ id: 'h1', polygon: [[1, 1], [5, 1], [5, 5]] }],
      drags: [{ region: 'zz', points: [[2, 2], [4, 4]] }],
    })) }), 'case_invalid', 'names region "zz"'],
    ['image missing', () => run({ image: join(dir, 'none.png') }), 'image_not_found', 'none.png'],
    ['image not an image', () => run({ image: file('text.png', 'hello') }), 'image_unreadable', 'text.png'],
    ['output not writable', () => run({ out: join(file('plain', 'x'), 'sub') }), 'output_unwritable', 'plain'],
    // The image's writer (libvips) says it in several lines; the message stays one line.
    ['edited.png is a folder', () => { const out = join(dir, 'od'); mkdirSync(join(out, 'edited.png'), { recursive: true }); return run({ out }); }, 'output_unwritable', 'edited.png'],
  ])('%s', async (_name, act, code, inMessage) => {
    const err = await act().then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(CliError);
    expect(err).toMatchObject({ code, message: expect.stringContaining(inMessage), hint: expect.any(String) });
    const text = formatCliError(err);
    expect(text).toContain(`[${code}]`);
    expect(text).toMatch(/\n {2}hint: \S/);
    expect(text.trim().split('\n')).toHaveLength(2);
  });
});

describe('port checks', () => {
  let busy: Server;
  let port = 0;
  beforeAll(async () => {
    busy = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
    port = (busy.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((r) => busy.close(() => r())));

  it('a busy port gives port_in_use with the port and a --port hint', async () => {
    const err = await assertCanListen('127.0.0.1', port).then(() => null, (e: unknown) => e);
    expect(err).toMatchObject({ code: 'port_in_use', message: expect.stringContaining(String(port)), hint: expect.stringContaining('--port') });
  });

  it('a free port passes, and is free again afterwards', async () => {
    const s = createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
    const free = (s.address() as { port: number }).port;
    await new Promise<void>((r) => s.close(() => r()));
    await expect(assertCanListen('127.0.0.1', free)).resolves.toBeUndefined();
    await expect(assertCanListen('127.0.0.1', free)).resolves.toBeUndefined();
  });
});

describe('formatCliError', () => {
  it('prints protocol errors with their code and hint, and plain errors on one line', () => {
    expect(formatCliError(new SmartDragError('unreachable', 'nothing answers'))).toMatch(/^smartdrag: nothing answers \[unreachable\]\n {2}hint: .+\n$/);
    expect(formatCliError(new Error('first\nsecond'))).toBe('smartdrag: first\n');
  });

  it('a refused token tells a CLI user about --token, not the plugin settings', () => {
    const text = formatCliError(new SmartDragError('unauthorized', 'the token was refused'));
    expect(text).toMatch(/\[unauthorized\]\n {2}hint: .*--token/);
    expect(text).not.toMatch(/plugin settings/);
  });
});
