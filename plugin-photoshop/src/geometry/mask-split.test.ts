import type { PlacedMask } from '@smartdrag/shared';
import { splitMask } from './mask-split';

/** Build a mask from rows of characters: '.' = 0, '#' = 255, digits d = d*25. */
function art(rows: string[], left = 0, top = 0): PlacedMask {
  const height = rows.length, width = rows[0]!.length;
  const data = new Uint8Array(width * height);
  rows.forEach((r, y) => [...r].forEach((ch, x) => {
    data[y * width + x] = ch === '#' ? 255 : ch === '.' ? 0 : Number(ch) * 25;
  }));
  return { left, top, width, height, data };
}

function sum(m: PlacedMask): number {
  let s = 0;
  for (const v of m.data) s += v;
  return s;
}

describe('splitMask', () => {
  test('two separate blocks become two regions in reading order, placed in the document', () => {
    const m = art([
      '........',
      '.##.....',
      '.##..###',
      '.....###',
    ], 100, 50);
    const parts = splitMask(m, { minPixels: 1 });
    expect(parts).toHaveLength(2);
    expect(parts[0]).toEqual({ left: 101, top: 51, width: 2, height: 2, data: new Uint8Array([255, 255, 255, 255]) });
    expect(parts[1]).toMatchObject({ left: 105, top: 52, width: 3, height: 2 });
    expect(sum(parts[1]!)).toBe(6 * 255);
  });

  test('diagonal contact connects (8-connectivity)', () => {
    const parts = splitMask(art(['#..', '.#.', '..#']), { minPixels: 1 });
    expect(parts).toHaveLength(1);
    expect(parts[0]!.data).toEqual(art(['#..', '.#.', '..#']).data);
  });

  test('feathered parts whose soft edges touch stay separate; every soft value is kept exactly once', () => {
    const m = art([
      '..........',
      '.##3333##.',
      '.##3333##.',
      '..........',
    ]);
    const parts = splitMask(m, { minPixels: 1 });
    expect(parts).toHaveLength(2);
    // Fringe goes to the nearest core: 2 columns each.
    expect(parts[0]).toMatchObject({ left: 1, width: 4 });
    expect(parts[1]).toMatchObject({ left: 5, width: 4 });
    expect(sum(parts[0]!) + sum(parts[1]!)).toBe(sum(m));
    expect(Array.from(parts[0]!.data)).toEqual([255, 255, 75, 75, 255, 255, 75, 75]);
  });

  test('fringe not touching any core is dropped, specks below minPixels are dropped', () => {
    const m = art([
      '2.........',
      '....####..',
      '....####..',
      '#.........',
    ]);
    const parts = splitMask(m, { minPixels: 4 });
    expect(parts).toHaveLength(1);
    expect(parts[0]).toMatchObject({ left: 4, top: 1, width: 4, height: 2 });
  });

  test('a faint selection (max below the core threshold) still splits', () => {
    const parts = splitMask(art(['44..44', '44..44']), { minPixels: 1 });
    expect(parts).toHaveLength(2);
    expect(parts[0]!.data).toEqual(new Uint8Array([100, 100, 100, 100]));
  });

  test('empty mask -> no regions; bad buffer -> RangeError', () => {
    expect(splitMask(art(['...', '...']))).toEqual([]);
    expect(() => splitMask({ left: 0, top: 0, width: 3, height: 3, data: new Uint8Array(4) })).toThrow(RangeError);
  });

  test('a ring is one region (its hole is not a separate part)', () => {
    const parts = splitMask(art(['#####', '#...#', '#...#', '#####']), { minPixels: 1 });
    expect(parts).toHaveLength(1);
    expect(parts[0]).toMatchObject({ width: 5, height: 4 });
  });
});
