/**
 * The playground (the Photopea panel's page; the Adobe Express add-on reuses the panel) with a real
 * bridge and the packaged Chromium: "more room" picked under "Or did you mean" (plan/room.ts).
 *
 * A red disc on noise, a loose circle lassoed around it, its edge pulled to 8 px from the circle:
 * the plan offers the same drag on the selection grown outward. Picked, it is previewed and added,
 * and the layer changes pixels just outside the circle drawn — none further out.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Point } from '@smartdrag/shared';
import { bridgeAndChromium } from './harness';
import { dragOnEditor, inPlayground, lassoOnPage, openAnyFile, pixelAt, previewsSettled } from './pages';
import { writeDiscScenePng } from '../helpers/disc-scene';

jest.setTimeout(120_000);
const env = bridgeAndChromium();

/** The disc scene (test/helpers/disc-scene.ts) as a PNG file to open. */
async function discPng(): Promise<string> {
  const file = join(mkdtempSync(join(tmpdir(), 'sd-room-')), 'disc.png');
  await writeDiscScenePng(file);
  return file;
}

test('playground: the reading with more room is offered, previewed and added — pixels just outside the lasso change, none further', async () => {
  const file = await discPng();
  await inPlayground(env, async ({ page, errors }) => {
    expect(await openAnyFile(page, file)).toEqual([240, 240]);
    await page.evaluate(() => {
      const w = window as any;
      w.__sent = [];
      const b = w.smartdrag.panel.opts.bridge;
      const submit = b.submit.bind(b);
      b.submit = (input: any, h: any) => { w.__sent.push({ quality: input.quality, reading: input.reading ?? null }); return submit(input, h); };
    });
    const ring: Point[] = Array.from({ length: 32 }, (_, i) => [120 + 60 * Math.cos((i * Math.PI) / 16), 120 + 60 * Math.sin((i * Math.PI) / 16)] as Point);
    await page.click('[data-testid=tool-lasso]');
    await lassoOnPage(page, ring);
    await page.click('[data-testid=tool-arrow]');
    // Just outside the circle (x 181–190) on the drag's line, and further out (x 205–214).
    const row = async (x0: number): Promise<number[][]> => { const out: number[][] = []; for (let x = x0; x < x0 + 10; x++) out.push(await pixelAt(page, x, 120)); return out; };
    const nearBefore = await row(181), farBefore = await row(205);
    await dragOnEditor(page, page, [145, 120], [172, 120]);
    await previewsSettled(page);
    await page.waitForFunction(() => Array.from(document.querySelectorAll('[data-testid=plan] [data-testid=alternative]')).some((b) => /grown by \d+ px/.test(b.textContent ?? '')), undefined, { timeout: 60000 });
    const alts = await page.evaluate(() => Array.from(document.querySelectorAll('[data-testid=plan] [data-testid=alternative]'), (b) => b.textContent ?? ''));
    const k = alts.findIndex((t) => /grown by \d+ px/.test(t));
    // The first reading stays inside the lasso: the plan's own words say why it could use more room.
    expect(await page.textContent('[data-testid=plan] li')).not.toMatch(/grown by/);
    await page.locator('[data-testid=plan] [data-testid=alternative]').nth(k).click();
    await page.waitForFunction(() => /grown by \d+ px/.test(document.querySelector('[data-testid=plan] li')?.textContent ?? ''), undefined, { timeout: 60000 });
    await previewsSettled(page);
    await page.click('[data-testid=apply]');
    await page.waitForSelector('[data-testid=message][data-result=ok]', { timeout: 60000 });
    const sent: { quality: string; reading: { params: { room?: number } }[] | null }[] = await page.evaluate(() => (window as any).__sent);
    const fin = sent[sent.length - 1]!;
    expect(fin.quality).toBe('final');
    expect(fin.reading?.[0]!.params).toMatchObject({ kind: 'deform', elastic: true, room: 15 });
    // The document: the grown ring changed on the drag's line, nothing further out.
    const nearAfter = await row(181), farAfter = await row(205);
    expect(nearAfter.filter((p, i) => p.some((v, c) => v !== nearBefore[i]![c])).length).toBeGreaterThan(3);
    expect(farAfter).toEqual(farBefore);
    expect(errors).toEqual([]);
  });
});
