/**
 * Races of an impatient user in the playground (real browser, real bridge): an image opened while
 * a Smart Drag's result was being added (on a large photo it is composited in slices of the page's
 * thread) was not asked about — nothing was unsaved when the open began — and the result, added
 * while the file decoded, was dropped without a word when the new image replaced the document.
 */
import { bridgeAndChromium } from './harness';
import { candyDragPreviewed, docHash, inPlayground, otherPng } from './pages';

jest.setTimeout(120_000);

let other: string;

const env = bridgeAndChromium(async () => {
  other = await otherPng('smartdrag-open-race-');
});

test('another image opened as the Smart Drag result is being added: the result lands, the user is asked before it is dropped; declined, it stays', () => inPlayground(env, async ({ page, errors }) => {
  const asked: string[] = [];
  page.on('dialog', (d) => { asked.push(d.message()); void d.dismiss(); });
  await candyDragPreviewed(page);
  const before = await docHash(page);
  // The file the user picks, ready in the page: "Open image…" is chosen the moment the result
  // begins to be added (the click landing between its slices).
  await page.evaluate(() => {
    const stash = document.createElement('input');
    stash.type = 'file';
    stash.id = 'stash';
    stash.hidden = true;
    document.body.append(stash);
  });
  await page.setInputFiles('#stash', other);
  await page.evaluate(() => {
    const w = window as any, host = w.smartdrag.host, inner = host.addLayer.bind(host);
    host.addLayer = (...args: unknown[]) => {
      host.addLayer = inner;
      const dt = new DataTransfer();
      dt.items.add((document.getElementById('stash') as HTMLInputElement).files![0]!);
      const open = document.querySelector('[data-testid=open-file]') as HTMLInputElement;
      open.files = dt.files;
      open.dispatchEvent(new Event('change'));
      return inner(...args);
    };
  });
  await page.click('[data-testid=apply]');
  // Asked, declined: the sample stays open with its result (the old page opened the other image).
  await page.waitForFunction(() => /^Kept "smarties.png" open/.test(document.querySelector('[data-testid=toolbar-note]')!.textContent ?? '')
    || (window as any).smartdrag.panel.editor.documentSize.width === 300, undefined, { timeout: 60000 });
  await page.waitForFunction(() => { const p = (window as any).smartdrag.panel; return !p.job && !p.reading; });
  expect(asked).toEqual(['Your Smart Drag results on "smarties.png" are not downloaded yet. Open "other.png" instead and lose them?']);
  const got = await page.evaluate(() => {
    const w = window as any;
    return { width: w.smartdrag.panel.editor.documentSize.width, layers: w.smartdrag.host.layers.length, unsaved: w.smartdrag.host.hasUnsavedChanges, message: document.querySelector('[data-testid=message]')!.textContent };
  });
  expect(got).toEqual({ width: 413, layers: 1, unsaved: true, message: expect.stringMatching(/^Added layer "Smart Drag"/) });
  expect(await docHash(page)).not.toBe(before);
  // Undo gives the sample back as it was.
  await page.click('[data-testid=undo]');
  expect(await docHash(page)).toBe(before);
  expect(errors).toEqual([]);
}));
