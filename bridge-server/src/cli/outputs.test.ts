import { formatTimings } from './outputs';

it('the printed timings show the object reading inside plan, so the stages add up to the total', () => {
  const line = formatTimings({ segment: 70, plan: 80, warp: 10, fill: 5, total: 95 });
  expect(line).toBe('plan 80.0 (object reading 70.0), warp 10.0, fill 5.0, total 95.0');
  expect(formatTimings({ plan: 2.4, total: 3 }, 0)).toBe('plan 2, total 3');
});
