/** Option parsers shared by the `smartdrag` commands. */
import { InvalidArgumentError } from 'commander';

/** Parser for an integer option within [min, max] (commander shows the error and the usage). */
export function intArg(min: number, max: number): (v: string) => number {
  return (v: string): number => {
    // Plain decimal digits only: Number('') and Number(' ') are 0 (an unset `$PORT` became a random
    // port, an empty --seed seed 0) and Number('0x10') / Number('1e3') are 16 / 1000.
    const t = v.trim();
    const n = /^[+-]?\d+$/.test(t) ? Number(t) : NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) throw new InvalidArgumentError(`expected an integer ${min}..${max}, got "${v}"`);
    return n;
  };
}

/** `--preview-max-pixels`: 0 (full resolution) or at least the protocol's 4096 (a smaller budget ended in "selects no pixels"). */
export function previewPixelsArg(v: string): number {
  const n = intArg(0, 1 << 30)(v);
  if (n !== 0 && n < 4096) throw new InvalidArgumentError(`expected 0 (full resolution) or at least 4096 pixels, got "${v}"`);
  return n;
}

/**
 * An output folder option: not empty (`--out ""` resolved to the current folder and wrote there).
 * Surrounding blanks are kept: a folder name may have them; only all-blank is refused.
 */
export function outDirArg(v: string): string {
  if (v.trim() === '') throw new InvalidArgumentError('expected a folder, got an empty value (to write into the current folder, pass --out .)');
  return v;
}
