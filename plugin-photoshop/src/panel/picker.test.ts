import { pickerValue, setPickerValue, type PickerLike } from './panel-view';

/** An sp-picker as the Spectrum UXP docs describe it: `selectedIndex`, items with `value`/`selected` attributes, and NO `.value`. */
function picker(values: string[], selected: number): PickerLike & { items: Array<Map<string, string>> } {
  const items = values.map((v, i) => new Map<string, string>([['value', v], ...(i === selected ? [['selected', ''] as [string, string]] : [])]));
  return {
    items,
    selectedIndex: selected,
    querySelectorAll: () => items.map((m) => ({
      getAttribute: (n: string) => m.get(n) ?? null,
      setAttribute: (n: string, v: string) => { m.set(n, v); },
      removeAttribute: (n: string) => { m.delete(n); },
    })),
  };
}

test('sp-picker is read through selectedIndex and the item value attribute (it has no .value)', () => {
  const p = picker(['auto', 'translate', 'rotate'], 2);
  expect((p as unknown as { value?: string }).value).toBeUndefined();
  expect(pickerValue(p)).toBe('rotate');
  p.selectedIndex = 1;
  expect(pickerValue(p)).toBe('translate');
  p.selectedIndex = -1; // nothing reported: fall back to the item marked selected
  expect(pickerValue(p)).toBe('rotate');
});

test('setPickerValue marks exactly the matching item selected and sets selectedIndex', () => {
  const p = picker(['auto', 'translate', 'rotate'], 0);
  setPickerValue(p, 'rotate');
  expect(p.selectedIndex).toBe(2);
  expect(p.items.map((m) => m.has('selected'))).toEqual([false, false, true]);
  expect(pickerValue(p)).toBe('rotate');
});
