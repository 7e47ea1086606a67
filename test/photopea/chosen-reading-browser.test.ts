/**
 * The playground (the Photopea panel's page; the Adobe Express add-on reuses the panel) with a real
 * bridge and the packaged Chromium: a reading chosen under "Or did you mean" is the one previewed
 * and the one Smart Drag adds.
 *
 * The red candy lassoed, "move it right 60 px" typed and the arrow drawn up: the bridge follows the
 * arrow's direction with the text's amount and offers the text's own reading (right) as an
 * alternative. The button had set the type from the reading's kind — a move either way — so the
 * bridge read the arrow again and the candy went up: the alternative could not be had. The panel
 * sends the reading itself now (job.submit `reading`).
 */
import type { Point } from '@smartdrag/shared';
import { bridgeAndChromium } from './harness';
import { CANDY, dragOnEditor, inPlayground, lassoOnPage, loadSample, pixelAt, previewsSettled } from './pages';

jest.setTimeout(120_000);
const env = bridgeAndChromium();

/** Record, in the page, each job the panel submits: its quality and the reading it sends back (or null). */
const recordSubmits = (page: import('playwright-core').Page) => page.evaluate(() => {
  const w = window as any;
  w.__sent = [];
  const b = w.smartdrag.panel.opts.bridge;
  const submit = b.submit.bind(b);
  b.submit = (input: any, h: any) => { w.__sent.push({ quality: input.quality, reading: input.reading ?? null }); return submit(input, h); };
});
const submits = (page: import('playwright-core').Page): Promise<{ quality: string; reading: { params: unknown }[] | null }[]> => page.evaluate(() => (window as any).__sent);

/** The plan box: its operations' descriptions and its alternatives' labels. */
const planBox = (page: import('playwright-core').Page) => page.evaluate(() => {
  const box = document.querySelector('[data-testid=plan]')!;
  return { ops: Array.from(box.querySelectorAll('li'), (li) => li.textContent ?? ''), alts: Array.from(box.querySelectorAll('[data-testid=alternative]'), (b) => b.textContent ?? '') };
});

test('playground: the alternative that follows the text is previewed and added — the candy moves right, not up', async () => {
  await inPlayground(env, async ({ page, errors }) => {
    await loadSample(page);
    await recordSubmits(page);
    await page.click('[data-testid=tool-lasso]');
    await lassoOnPage(page, CANDY);
    await page.fill('[data-testid=intent]', 'move it right 60 px');
    await page.click('[data-testid=tool-arrow]');
    const centre: Point = [33, 228];
    await dragOnEditor(page, page, centre, [33, 150]);
    await previewsSettled(page);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=plan] [data-testid=alternative]').length > 0, undefined, { timeout: 60000 });
    const first = await planBox(page);
    expect(first.ops[0]).toMatch(/\(0, -60\)/); // the arrow's direction, the text's amount
    const right = first.alts.findIndex((t) => /\(60, 0\)/.test(t));
    expect(right).toBeGreaterThanOrEqual(0);

    await page.locator('[data-testid=plan] [data-testid=alternative]').nth(right).click();
    await page.waitForFunction(() => /\(60, 0\)/.test(document.querySelector('[data-testid=plan] li')?.textContent ?? ''), undefined, { timeout: 60000 });
    await previewsSettled(page);
    // The first reading is offered back.
    expect((await planBox(page)).alts.some((t) => /\(0, -60\)/.test(t))).toBe(true);

    await page.click('[data-testid=apply]');
    await page.waitForSelector('[data-testid=message][data-result=ok]', { timeout: 60000 });
    expect((await planBox(page)).ops[0]).toMatch(/\(60, 0\)/);
    const sent = await submits(page);
    expect(sent[sent.length - 1]!.quality).toBe('final');
    expect(sent[sent.length - 1]!.reading?.[0]!.params).toEqual({ kind: 'translate', dx: 60, dy: 0 });
    // The document: red where the candy now is (60 px right), the paper where it was and above it.
    const red = (p: number[]) => p[0]! > 150 && p[1]! < 90 && p[2]! < 90;
    expect(red(await pixelAt(page, centre[0] + 60, centre[1]))).toBe(true);
    expect(red(await pixelAt(page, centre[0] - 20, centre[1]))).toBe(false);
    expect(red(await pixelAt(page, centre[0], centre[1] - 60))).toBe(false);
    expect(errors).toEqual([]);
  });
});

test('playground: Smart Drag after a preview adds the reading previewed (sent back with the job)', async () => {
  await inPlayground(env, async ({ page, errors }) => {
    await loadSample(page);
    await recordSubmits(page);
    await page.click('[data-testid=tool-lasso]');
    await lassoOnPage(page, CANDY);
    await page.click('[data-testid=tool-arrow]');
    await dragOnEditor(page, page, [33, 228], [120, 200]);
    await previewsSettled(page);
    await page.waitForFunction(() => (document.querySelector('[data-testid=plan] li')?.textContent ?? '') !== '', undefined, { timeout: 60000 });
    const previewed = await submits(page);
    expect(previewed.every((s) => s.quality === 'preview' && s.reading === null)).toBe(true);
    await page.click('[data-testid=apply]');
    await page.waitForSelector('[data-testid=message][data-result=ok]', { timeout: 60000 });
    const sent = await submits(page);
    const fin = sent[sent.length - 1]!;
    expect(fin.quality).toBe('final');
    expect(fin.reading?.[0]!.params).toMatchObject({ kind: 'translate' });
    const p = fin.reading![0]!.params as { dx: number; dy: number };
    expect(Math.abs(p.dx - 87)).toBeLessThan(1.5);
    expect(Math.abs(p.dy + 28)).toBeLessThan(1.5);
    expect(errors).toEqual([]);
  });
});
