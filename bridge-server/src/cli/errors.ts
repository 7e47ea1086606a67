/**
 * CLI failures a user can act on: each has a snake_case code, a one-line message and a hint, and
 * {@link formatCliError} turns any thrown value into at most two short lines (no stack traces,
 * no raw zod dumps).
 */
import { createServer } from 'node:net';
import sharp from 'sharp';
import { SmartDragError } from '@smartdrag/shared';

/** Codes of CLI-side failures (bridge/protocol failures keep their own protocol codes). */
export const CliErrorCode = {
  case_not_found: 'case_not_found',
  case_bad_json: 'case_bad_json',
  case_invalid: 'case_invalid',
  image_not_found: 'image_not_found',
  image_unreadable: 'image_unreadable',
  image_too_large: 'image_too_large',
  image_size_mismatch: 'image_size_mismatch',
  output_unwritable: 'output_unwritable',
  home_unwritable: 'home_unwritable',
  port_in_use: 'port_in_use',
  port_forbidden: 'port_forbidden',
  host_unavailable: 'host_unavailable',
  /** An option that does not apply with the others given (`edit --server … --no-learned`, `bench --suite speed --out`). */
  option_unsupported: 'option_unsupported',
  /** An option value out of its range or form (`bench --quality best`, `--scale 0x2`, `--sizes 32`, `--suite nonsense`). */
  option_invalid: 'option_invalid',
  /** `bench --data`: the folder does not exist or is a file. */
  data_not_found: 'data_not_found',
  /** `bench --data`: the folder lacks what the suite reads (dragbench/, cases/, the speed suite's photo case). */
  data_missing_suite: 'data_missing_suite',
  /** `bench --data`: the suite's folder holds no sample in the expected layout. */
  data_empty: 'data_empty',
  /** Options or settings refused by their schema (see {@link formatCliError}). */
  invalid_input: 'invalid_input',
} as const;
/** One of {@link CliErrorCode}. */
export type CliErrorCode = (typeof CliErrorCode)[keyof typeof CliErrorCode];

/** An expected CLI failure with a code and a hint saying what to do. */
export class CliError extends Error {
  readonly code: CliErrorCode;
  readonly hint: string;
  constructor(code: CliErrorCode, message: string, hint: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'CliError';
    this.code = code;
    this.hint = hint;
  }
}

/** A zod-like issue list, as thrown by `schema.parse`. */
interface IssueLike { path: ReadonlyArray<PropertyKey>; message: string }

function zodIssues(e: unknown): IssueLike[] | null {
  const issues = (e as { issues?: unknown })?.issues;
  if (!Array.isArray(issues) || issues.length === 0) return null;
  return issues.every((i) => i && typeof i === 'object' && Array.isArray((i as IssueLike).path) && typeof (i as IssueLike).message === 'string') ? (issues as IssueLike[]) : null;
}

/** One line summarising up to three zod issues: `regions: expected array; size: ...`. */
export function summariseIssues(issues: ReadonlyArray<IssueLike>): string {
  // (An issue of the whole value has no path: its message alone, not "(root): …".)
  const parts = issues.slice(0, 3).map((i) => `${i.path.length ? `${i.path.map(String).join('.')}: ` : ''}${i.message.replace(/^Invalid input: /, '')}`);
  return parts.join('; ') + (issues.length > 3 ? `; and ${issues.length - 3} more` : '');
}

/** Parse a case file's text or throw a coded {@link CliError} naming the file. */
export function readCaseJson(file: string, read: () => string): unknown {
  let text: string;
  try {
    text = read();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CliError(CliErrorCode.case_not_found, `case file not found: ${file}`, 'check the path; bundled cases are in test/fixtures/cases/*.json', e);
    if (code === 'EISDIR') throw new CliError(CliErrorCode.case_not_found, `case path is a folder, not a file: ${file}`, 'pass one case JSON file, e.g. test/fixtures/cases/smarties-move-red.json', e);
    throw new CliError(CliErrorCode.case_not_found, `cannot read case file ${file}: ${(e as Error).message}`, 'check the path and its permissions', e);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new CliError(CliErrorCode.case_bad_json, `case file is not valid JSON: ${file} (${(e as Error).message})`, 'fix the JSON syntax; the format is described in test/fixtures/cases/README.md', e);
  }
}

/** Run `parse` on a case object or throw a coded {@link CliError} listing what is wrong. */
export function validateCase<T>(file: string, parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    const issues = zodIssues(e);
    const what = issues ? summariseIssues(issues) : (e as Error).message;
    throw new CliError(CliErrorCode.case_invalid, `case file ${file} does not match the case format: ${what}`, 'the format is described in test/fixtures/cases/README.md', e);
  }
}

/** Read an image or throw a coded {@link CliError} (missing vs not decodable). */
export async function readImageOrExplain<T>(file: string, fromCase: boolean, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (e) {
    const msg = (e as Error).message ?? String(e);
    const missing = (e as NodeJS.ErrnoException).code === 'ENOENT' || /missing|no such file/i.test(msg);
    if (missing) {
      throw new CliError(CliErrorCode.image_not_found, `image not found: ${file}`,
        fromCase ? "the case's `image` is resolved relative to the folder that contains its cases/ folder; or pass --image <file>" : 'check the --image path', e);
    }
    // sharp refuses to decode more than 0x3FFF² pixels (its limitInputPixels): the file is fine.
    if (/exceeds pixel limit/i.test(msg)) {
      const size = await sharp(file, { limitInputPixels: false }).metadata().then((m) => (m.width && m.height ? m : null), () => null);
      const what = size ? `${size.width}x${size.height} (${((size.width! * size.height!) / 1e6).toFixed(0)} MP)` : 'larger than that';
      throw new CliError(CliErrorCode.image_too_large, `image ${file} is ${what}: the largest image SmartDrag decodes is ${(SHARP_PIXEL_LIMIT / 1e6).toFixed(0)} MP (${SHARP_PIXEL_LIMIT} pixels, e.g. 16383x16383)`,
        'downscale or crop the image below that size, then draw the case on it', e);
    }
    throw new CliError(CliErrorCode.image_unreadable, `cannot decode image ${file}: ${msg}`, 'use an image file sharp reads (PNG, JPEG, WebP, TIFF)', e);
  }
}

/** The most pixels sharp decodes by default (`limitInputPixels`: 0x3FFF × 0x3FFF). */
export const SHARP_PIXEL_LIMIT = 0x3fff * 0x3fff;

/**
 * A failed write into the SmartDrag home (the token file, the models folder) as a coded
 * {@link CliError} naming the path and `SMARTDRAG_HOME`; other errors come back as they are.
 */
export function homeWriteError(e: unknown, home: string, what: string): unknown {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (!code || !['EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'ENOENT', 'EEXIST', 'ENOSPC', 'EDQUOT', 'EISDIR'].includes(code)) return e;
  const where = (e as NodeJS.ErrnoException).path ?? home;
  return new CliError(CliErrorCode.home_unwritable, `cannot write ${what} in the SmartDrag home ${home} (${code} at ${where})`,
    `make ${home} writable, or set SMARTDRAG_HOME to a writable folder${process.env.SMARTDRAG_HOME ? ` (now SMARTDRAG_HOME=${process.env.SMARTDRAG_HOME})` : ''}`, e);
}

/**
 * The case's coordinates are pixels of a `size[0] × size[1]` image: another size would put every
 * polygon and arrow somewhere else (through a bridge it was edited there, silently). A coded error,
 * the same in-process and with `--server`.
 */
export function checkCaseImageSize(caseId: string, size: readonly [number, number], file: string, image: { width: number; height: number }): void {
  if (image.width === size[0] && image.height === size[1]) return;
  const k = image.width / size[0], same = Math.abs(image.height / size[1] - k) < 0.01;
  throw new CliError(CliErrorCode.image_size_mismatch,
    `case ${caseId} was drawn on a ${size[0]}x${size[1]} image; ${file} is ${image.width}x${image.height}${same ? ` (the same shape, ${k.toFixed(2)}×)` : ''}`,
    `pass the ${size[0]}x${size[1]} image the case was drawn on, or redraw the case (its "size", polygons and arrows) on this one`);
}

/** Wrap an output-writing failure in a coded {@link CliError}. */
export async function writeOrExplain<T>(dir: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (e) {
    // libvips reports a failed write as several lines ("wbuffer_write: write failed", …): the last
    // one says what failed; the message stays one line, as every CLI error's does.
    const lines = String((e as Error).message ?? e).split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
    throw new CliError(CliErrorCode.output_unwritable, `cannot write to output folder ${dir}: ${lines[lines.length - 1] ?? 'unknown error'}`, 'pass a writable folder with --out <dir> (it is created if missing)', e);
  }
}

/** A coded error for a failed listen (EADDRINUSE, EACCES, EADDRNOTAVAIL), or null for other errors. */
export function listenError(e: unknown, host: string, port: number): CliError | null {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRINUSE') return new CliError(CliErrorCode.port_in_use, `port ${port} on ${host} is already in use (is another SmartDrag bridge running?)`, `stop the other process, or pick another port: smartdrag serve --port <n> (0 = any free port)`, e);
  if (code === 'EACCES') return new CliError(CliErrorCode.port_forbidden, `not allowed to listen on port ${port} on ${host}`, 'ports below 1024 need extra rights; use a port above 1024, e.g. --port 7341', e);
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') return new CliError(CliErrorCode.host_unavailable, `cannot listen on ${host}: no such interface on this machine`, 'use 127.0.0.1 (default) or an address of this machine with --host', e);
  return null;
}

/**
 * Check that `host:port` can be listened on, before the bridge starts (so a busy port gives one
 * clear line instead of server log noise). Port 0 always passes. Resolves; throws a {@link CliError}.
 */
export function assertCanListen(host: string, port: number): Promise<void> {
  if (port === 0) return Promise.resolve();
  return new Promise((resolvePromise, reject) => {
    const probe = createServer();
    probe.once('error', (e) => reject(listenError(e, host, port) ?? e));
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolvePromise()));
  });
}

/** What to check when options or settings are refused by their schema. */
const INVALID_INPUT_HINT = 'change what the message names: the command\'s options (`smartdrag <command> --help`), the SMARTDRAG_* environment variables, or the files in the SmartDrag home folder';

/** Two lines at most: `smartdrag: <message> [code]` and `  hint: <hint>`. */
export function formatCliError(err: unknown): string {
  if (err instanceof CliError || err instanceof SmartDragError) {
    // The protocol's hints speak to a plugin's user; the CLI's own way in is said here.
    const hint = err.code === 'unauthorized' ? 'pass the token printed by `smartdrag token` on the bridge\'s machine with --token <token> (without --token the local token file is read)' : err.hint;
    return `smartdrag: ${err.message} [${err.code}]\n` + (hint ? `  hint: ${hint}\n` : '');
  }
  // Settings refused by their schema (`serve --host 0.0.0.0` without --allow-lan, a bad user name
  // for `token --add`): coded like every other failure, with where such settings come from.
  const issues = zodIssues(err);
  if (issues) return `smartdrag: invalid input: ${summariseIssues(issues)} [${CliErrorCode.invalid_input}]\n  hint: ${INVALID_INPUT_HINT}\n`;
  const msg = err instanceof Error ? err.message : String(err);
  return `smartdrag: ${msg.split('\n')[0]}\n`;
}
