/** The drag-case format's checks: what the bridge refuses, the in-process edit refuses too, with the path named. */
import { parseDragCase } from './case';

const base = {
  id: 'c', image: 'photos/x.png', size: [100, 80],
  regions: [{ id: 'h1', polygon: [[10, 10], [30, 10], [30, 30]] }],
  drags: [{ region: 'h1', points: [[20, 20], [50, 40]] }],
};
const issue = (json: unknown): string => {
  try { parseDragCase(json); return 'ok'; } catch (e) {
    const issues = (e as { issues?: { path: PropertyKey[]; message: string }[] }).issues;
    return issues ? issues.map((i) => `${i.path.map(String).join('.')}: ${i.message}`).join('; ') : (e as Error).message;
  }
};

describe('drag cases', () => {
  it('a good case parses; points up to the image\'s own size outside it are fine', () => {
    expect(issue(base)).toBe('ok');
    expect(issue({ ...base, drags: [{ region: 'h1', points: [[20, 20], [-100, 160]] }] })).toBe('ok');
  });
  it('a duplicate region id is refused (the second region was dropped without a word)', () => {
    expect(issue({ ...base, regions: [...base.regions, { id: 'h1', polygon: [[50, 50], [60, 50], [60, 60]] }] })).toMatch(/duplicate region id "h1"/);
  });
  it.each([
    ['a polygon a billion pixels away (an uncoded allocation failure)', { regions: [{ id: 'h1', polygon: [[10, 10], [1e9, 0], [30, 30]] }] }, /regions.*point \(1000000000, 0\) lies too far outside the 100x80 image/],
    ['a target thousands of pixels off the canvas (the object moved out of the picture)', { drags: [{ region: 'h1', points: [[20, 20], [5000, -5000]] }] }, /point \(5000, -5000\) lies too far outside/],
    ['a centre far away', { drags: [{ region: 'h1', points: [[20, 20], [50, 40]], center: [900, 0] }] }, /point \(900, 0\)/],
    ['a keep polygon far away', { keep: [[[0, 0], [1, 0], [0, -500]]] }, /point \(0, -500\)/],
  ])('%s is refused with the point named', (_what, change, words) => {
    expect(issue({ ...base, ...change })).toMatch(words);
  });
});
