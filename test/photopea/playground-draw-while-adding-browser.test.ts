/**
 * The user's next lasso and arrow, drawn while a Smart Drag's result is being added (on a large
 * photo it is composited in slices of the page's thread, the page taking input in between), in a
 * real browser against a real bridge: when the result landed, the panel cleared the lasso and
 * arrows it was made from — and the ones just drawn with them. They now stay, and are previewed.
 */
import { bridgeAndChromium } from './harness';
import { candyDragPreviewed, dragOnEditor, inPlayground, previewsSettled, ringAround } from './pages';

jest.setTimeout(120_000);

const env = bridgeAndChromium();

test('a lasso and an arrow drawn while the result is added stay when it lands (the ones it was made from go), and get their preview', () => inPlayground(env, async ({ page, errors }) => {
  await candyDragPreviewed(page);
  // The result is being added (held here until the user has drawn: a large photo's box takes
  // many of the page's tasks, and input is taken between them).
  await page.evaluate(() => {
    const w = window as any, host = w.smartdrag.host, inner = host.addLayer.bind(host);
    host.addLayer = (...args: unknown[]) => {
      host.addLayer = inner;
      w.__adding = true;
      return new Promise<void>((resolve) => { w.__go = resolve; }).then(() => inner(...args));
    };
  });
  await page.click('[data-testid=apply]');
  await page.waitForFunction(() => (window as any).__adding === true, undefined, { timeout: 60_000 });
  // The next edit, with the real mouse: a lasso round the blue candy area, an arrow from it.
  await page.click('[data-testid=tool-lasso]');
  const box = (await page.locator('canvas.sd-editor').boundingBox())!;
  const scale = await page.evaluate(() => (window as any).smartdrag.panel.editor.scale as number);
  const ring = ringAround([300, 250], 30);
  await page.mouse.move(box.x + ring[0]![0] * scale, box.y + ring[0]![1] * scale);
  await page.mouse.down();
  for (const p of [...ring.slice(1), ring[0]!]) await page.mouse.move(box.x + p[0] * scale, box.y + p[1] * scale, { steps: 2 });
  await page.mouse.up();
  await page.waitForFunction(() => (window as any).smartdrag.panel.editor.regions.length === 2);
  await page.click('[data-testid=tool-arrow]');
  await dragOnEditor(page, page, [300, 250], [340, 300]);
  await page.waitForFunction(() => (window as any).smartdrag.panel.editor.arrows.length === 2);
  await page.evaluate(() => (window as any).__go());
  await page.waitForFunction(() => /^Added layer "Smart Drag"/.test(document.querySelector('[data-testid=message]')!.textContent ?? ''), undefined, { timeout: 60_000 });
  const ed = await page.evaluate(() => {
    const e = (window as any).smartdrag.panel.editor;
    return { arrows: e.arrows.map((a: any) => [a.points[0], a.points[a.points.length - 1]]), regions: e.regions.map((r: any) => [r.id, r.source]) };
  });
  expect(ed).toEqual({ arrows: [[[300, 250], [340, 300]]], regions: [['r1', 'lasso']] });
  // The new drag gets its live preview.
  await previewsSettled(page);
  await page.waitForFunction(() => /^Preview: /.test(document.querySelector('[data-testid=message]')!.textContent ?? ''), undefined, { timeout: 60_000 });
  expect(await page.evaluate(() => (window as any).smartdrag.host.layers.length)).toBe(1);
  expect(errors).toEqual([]);
}));
