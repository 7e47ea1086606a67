import { ERROR_HINTS } from '../protocol/errors';
import { connectionWords } from './connection-words';

describe('connection words (one wording for every panel)', () => {
  test('a known code gets its label, its reason and the protocol hint as the fix', () => {
    expect(connectionWords('unreachable')).toEqual({
      label: 'Bridge not running', reason: 'The SmartDrag bridge is not running (nothing answers on this port).', fix: ERROR_HINTS.unreachable,
    });
    expect(connectionWords('shutting_down').fix).toMatch(/smartdrag serve/);
    expect(connectionWords('unauthorized', 'x', 'bridge hint').fix).toBe(ERROR_HINTS.unauthorized);
  });
  test('an unknown code falls back to the bridge message and hint', () => {
    expect(connectionWords('weird_code', 'something broke', 'do this')).toEqual({ label: 'something broke', reason: 'something broke', fix: 'do this' });
    expect(connectionWords(undefined).fix).toBe(ERROR_HINTS.unreachable);
  });
});
