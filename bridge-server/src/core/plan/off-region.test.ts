/**
 * An arrow that starts well off the region it names (a pen path begun elsewhere, a drag sent for
 * the wrong region) was planned without a word: a bend of nothing gave an empty layer, a move
 * carried the selection, and the plan never said the arrow started 200 px away. Now the plan says
 * where it starts and how far off, in document pixels; a start just past the edge (a pen path
 * begun on the selection's border) is on it.
 */
import { makePlan } from './index';
import { twoDiscsRequest } from './test-shapes';
import type { Drag } from '../types';

const offWarning = (ws: readonly string[]): string | undefined => ws.find((w) => /outside region/.test(w));

it.each<[string, Drag, RegExp | null]>([
  ['from inside the disc', { region: 'a', points: [[100, 150], [130, 150]] }, null],
  ['from just past its edge (3 px)', { region: 'a', points: [[143, 150], [170, 150]] }, null],
  ['from the other disc, 160 px off', { region: 'a', points: [[300, 150], [330, 150]] }, /^Drag 1 starts at \(300, 150\), about 160 px outside region a/],
  ['from empty space below it', { region: 'a', points: [[100, 260], [100, 280]] }, /^Drag 1 starts at \(100, 260\), about 70 px outside region a/],
])('an arrow %s', async (_what, drag, want) => {
  const plan = await makePlan(twoDiscsRequest('', [drag], ['a', 'b']));
  const w = offWarning(plan.warnings);
  if (want) expect(w).toMatch(want);
  else expect(w).toBeUndefined();
});

it('a still arrow (no length) is not warned about here: it has its own warning', async () => {
  const plan = await makePlan(twoDiscsRequest('', [{ region: 'a', points: [[300, 150], [300, 150]] }], ['a', 'b']));
  expect(offWarning(plan.warnings)).toBeUndefined();
});

it('on a proxy the distance and the point are document pixels', async () => {
  // The same scene as a ×0.5 proxy of an 800 × 600 document: the arrow starts at document (600, 300).
  const req = twoDiscsRequest('', [{ region: 'a', points: [[300, 150], [330, 150]] }], ['a', 'b']);
  const plan = await makePlan({ ...req, pixelScale: { x: 0.5, y: 0.5 } });
  expect(offWarning(plan.warnings)).toMatch(/starts at \(60[01], 30[01]\), about 32\d px outside region a/);
});
