/** Option parsers shared by the `smartdrag` commands. */
import { InvalidArgumentError } from 'commander';

/** Parser for an integer option within [min, max] (commander shows the error and the usage). */
export function intArg(min: number, max: number): (v: string) => number {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`expected an integer ${min}..${max}`);
    return n;
  };
}
