/**
 * Downloads an impatient user races in the playground (real browser, real bridge): another image
 * opened while a download was prepared gave the old image's file the new image's name; a Smart Drag
 * result added while it was prepared (it is composited in slices on a large photo, and the download
 * then keeps the pixels it began with) was reported "Saved" with no word that the file lacks it.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import type { Download } from 'playwright-core';
import { bridgeAndChromium } from './harness';
import { candyDragPreviewed, docHash, inPlayground, otherPng } from './pages';

jest.setTimeout(180_000);

let other: string;

const env = bridgeAndChromium(async () => {
  other = await otherPng('smartdrag-download-race-');
});

const savedNote = () => /^Saved /.test(document.querySelector('[data-testid=toolbar-note]')!.textContent ?? '');

test('another image opened while a 24 MP PNG is prepared: the file is that image, named after it (not after the one opened)', () => inPlayground(env, async ({ page, errors }) => {
  // (24 MP: a 12 MP file was once ready 90 ms before the other image counted as open, on a
  // loaded machine — the race this is about did not happen.)
  await page.evaluate(() => {
    const w = 6000, h = 4000, data = new Uint8ClampedArray(w * h * 4);
    for (let i = 0; i < data.length; i += 4) { const p = i >> 2; data[i] = p % 251; data[i + 1] = (p >> 9) % 241; data[i + 2] = (p * 7) & 255; data[i + 3] = 255; }
    (window as any).smartdrag.host.setImage('big.png', { width: w, height: h, data });
  });
  const downloaded = page.waitForEvent('download', { timeout: 120_000 }).then((d) => ({ d, at: Date.now() }));
  await page.click('[data-testid=download]');
  await page.setInputFiles('[data-testid=open-file]', other);
  await page.waitForFunction(() => (window as any).smartdrag.panel.editor.documentSize.width === 300, undefined, { timeout: 60_000 });
  const opened = Date.now();
  const { d, at } = await downloaded as { d: Download; at: number };
  // (The other image was open before the file came: the race this is about.)
  expect(opened).toBeLessThan(at);
  const meta = await sharp(readFileSync((await d.path())!)).metadata();
  expect({ name: d.suggestedFilename(), width: meta.width, height: meta.height }).toEqual({ name: 'big-smartdrag.png', width: 6000, height: 4000 });
  await page.waitForFunction(savedNote, undefined, { timeout: 60_000 });
  expect(await page.textContent('[data-testid=toolbar-note]')).toMatch(/^Saved big-smartdrag\.png \(/);
  expect(errors).toEqual([]);
}, { acceptDownloads: true }));

test('a Smart Drag result added while the PNG is prepared: the file is the image before it, and the line says so (not just "Saved"); the result stays unsaved', () => inPlayground(env, async ({ page, errors }) => {
  await candyDragPreviewed(page);
  const before = await docHash(page);
  // Download PNG is pressed the moment the result begins to be added (between its slices).
  await page.evaluate(() => {
    const host = (window as any).smartdrag.host, inner = host.addLayer.bind(host);
    host.addLayer = (...args: unknown[]) => {
      host.addLayer = inner;
      (document.querySelector('[data-testid=download]') as HTMLElement).click();
      return inner(...args);
    };
  });
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 120_000 }), page.click('[data-testid=apply]')]) as [Download, void];
  const rgba = await sharp(readFileSync((await download.path())!)).ensureAlpha().raw().toBuffer();
  expect(createHash('sha256').update(rgba).digest('hex')).toBe(before);
  await page.waitForFunction(savedNote, undefined, { timeout: 60_000 });
  await page.waitForFunction(() => { const p = (window as any).smartdrag.panel; return !p.job && !p.reading; });
  expect(await page.textContent('[data-testid=toolbar-note]')).toMatch(/^Saved smarties-smartdrag\.png \([\d.]+ MB\)\. The image changed while it was prepared .*download again to keep the change\.$/);
  expect(await page.evaluate(() => ({ layers: (window as any).smartdrag.host.layers.length, unsaved: (window as any).smartdrag.host.hasUnsavedChanges }))).toEqual({ layers: 1, unsaved: true });
  expect(await docHash(page)).not.toBe(before);
  expect(errors).toEqual([]);
}, { acceptDownloads: true }));
