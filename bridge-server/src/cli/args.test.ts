import { InvalidArgumentError } from 'commander';
import { intArg, previewPixelsArg } from './args';

describe('integer options', () => {
  const port = intArg(0, 65535);
  it('take plain decimal integers in range (spaces around are fine)', () => {
    expect(port('7341')).toBe(7341);
    expect(port(' 0 ')).toBe(0);
    expect(intArg(0, 0xffffffff)('4294967295')).toBe(4294967295);
  });
  it.each(['', ' ', '0x10', '1e3', '12.5', '7341abc', '-1', '65536', 'NaN'])('refuse %j (an unset $PORT was a random port, "" a seed of 0, 0x10 was 16)', (v) => {
    expect(() => port(v)).toThrow(InvalidArgumentError);
  });
  it('--preview-max-pixels: 0 or at least 4096 (the protocol\'s floor)', () => {
    expect(previewPixelsArg('0')).toBe(0);
    expect(previewPixelsArg('4096')).toBe(4096);
    expect(() => previewPixelsArg('1')).toThrow(/at least 4096/);
    expect(() => previewPixelsArg('')).toThrow(InvalidArgumentError);
  });
});
