/**
 * `gallery.html` orders by the measures themselves, not by the rounded numbers it shows: two
 * samples whose badness rounds alike (0.1231 and 0.1234 both show 0.123) are still worst first,
 * in the page as written and after a click on the column (its own script, run in jsdom).
 */
import { JSDOM } from 'jsdom';
import { renderGallery } from './gallery';
import type { BenchReport, SampleRecord } from './report';

function sample(id: string, badness: number, tear: number, sheetNumber: number): SampleRecord {
  return {
    id, suite: 'cases', sheetNumber, ok: true, planKinds: ['translate'],
    dai: { '10': 0.5 }, daiUnedited: { '10': 0.6 },
    look: { synthesized: 0.1, smear: 1, smearedBlock: 0, tear, stretch: 1, badness },
  } as unknown as SampleRecord;
}

const report = {
  command: 'smartdrag bench', startedAt: '2026-01-01T00:00:00Z',
  samples: [sample('a-low', 0.1231, 0.9, 1), sample('b-high', 0.1234, 0.1, 2), sample('c-worst', 0.5, 0.5, 3)],
} as unknown as BenchReport;

/** Sample ids in the page's row order. */
const order = (doc: Document): string[] => [...doc.querySelectorAll('tbody tr .id')].map((e) => e.textContent!.split(' ')[2]!);

test('rows are worst first by the unrounded badness, as written and after re-sorting by a click', () => {
  const html = renderGallery(report, (r) => `tiles/${r.id}.jpg`);
  const dom = new JSDOM(html, { runScripts: 'dangerously' });
  const doc = dom.window.document;
  try {
    // Both show 0.123; the sort reads the value itself.
    expect([...doc.querySelectorAll('td[data-k="badness"]')].map((td) => td.textContent)).toEqual(['0.500', '0.123', '0.123']);
    expect(order(doc)).toEqual(['c-worst', 'b-high', 'a-low']);
    const th = (k: string): HTMLElement => doc.querySelector(`th[data-k="${k}"]`) as HTMLElement;
    th('tear').click(); // largest tear first: a-low, c-worst, b-high
    expect(order(doc)).toEqual(['a-low', 'c-worst', 'b-high']);
    th('badness').click(); // back to worst first, the tie in the shown numbers broken by the values
    expect(order(doc)).toEqual(['c-worst', 'b-high', 'a-low']);
    th('badness').click(); // reversed: best first
    expect(order(doc)).toEqual(['a-low', 'b-high', 'c-worst']);
  } finally {
    dom.window.close();
  }
});

test('a failed sample is listed first, and two failed ones keep their order', () => {
  const failed = (id: string, n: number): SampleRecord => ({ ...sample(id, 0, 0, n), ok: false, look: null, error: 'boom' }) as SampleRecord;
  const html = renderGallery({ ...report, samples: [sample('ok-1', 0.2, 0, 1), failed('fail-1', 2), failed('fail-2', 3)] } as BenchReport, (r) => `tiles/${r.id}.jpg`);
  const doc = new JSDOM(html).window.document;
  expect(order(doc)).toEqual(['fail-1', 'fail-2', 'ok-1']);
});
