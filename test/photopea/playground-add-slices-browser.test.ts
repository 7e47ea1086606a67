/**
 * The playground adds a result to a large photo in slices of its thread (CanvasHost.addLayer:
 * the box copied and composited between the page's other work, into a copy of the box), in a
 * real browser: the document the page reads while the result is being added (a preview, a
 * download starting) is whole, as it was — not half composited — and the result lands whole,
 * each pixel as compositing the layer over the document gives it; Undo gives the pixels back.
 */
import { bridgeAndChromium } from './harness';
import { docHash, inPlayground } from './pages';

jest.setTimeout(120_000);

const env = bridgeAndChromium();

test('a 6 MP result box on a 24 MP photo: the document read while it is added is as it was; then it is the layer over it, to the byte; Undo gives it back', () => inPlayground(env, async ({ page }) => {
  await page.evaluate(() => {
    const w = 6000, h = 4000, data = new Uint8ClampedArray(w * h * 4);
    for (let i = 0; i < data.length; i += 4) { const p = i >> 2; data[i] = p % 251; data[i + 1] = (p >> 8) % 241; data[i + 2] = 90; data[i + 3] = 255; }
    (window as any).smartdrag.host.setImage('big.png', { width: w, height: h, data });
  });
  const before = await docHash(page);
  const got = await page.evaluate(async () => {
    const host = (window as any).smartdrag.host;
    // A layer 3000×2000 at (-500, 1500): clipped on the left; opaque, soft and transparent pixels.
    const lw = 3000, lh = 2000, left = -500, top = 1500, data = new Uint8ClampedArray(lw * lh * 4);
    for (let y = 0; y < lh; y++) for (let x = 0; x < lw; x++) {
      const i = (y * lw + x) * 4;
      data[i] = 200; data[i + 1] = (x * 7) & 255; data[i + 2] = (y * 3) & 255; data[i + 3] = x % 3 === 0 ? 255 : x % 3 === 1 ? 128 : 0;
    }
    const doc0 = await host.readDocument();
    const old = new Uint8ClampedArray(doc0.rgba.data);
    const adding = host.addLayer({ left, top, width: lw, height: lh, data }, 'Smart Drag');
    // While it is added: the document the page reads is the one before, with its pixels as they were.
    const during = await host.readDocument();
    let same = during === doc0;
    for (let i = 0; same && i < old.length; i += 4096) if (during.rgba.data[i] !== old[i]) same = false;
    const at = (1500 * 6000 + 100) * 4; // covered by an opaque layer pixel (x = 100 ← layer x 600)
    const untouched = during.rgba.data[at] === old[at] && during.rgba.data[at + 1] === old[at + 1];
    await adding;
    // Then: the layer over the old pixels, as compositeOver gives them.
    const doc = (await host.readDocument()).rgba.data as Uint8ClampedArray;
    let wrong = 0;
    for (let y = 0; y < 4000; y++) for (let x = 0; x < 6000; x++) {
      const o = (y * 6000 + x) * 4, lx = x - left, ly = y - top;
      let want = [old[o]!, old[o + 1]!, old[o + 2]!, old[o + 3]!];
      if (lx >= 0 && lx < lw && ly >= 0 && ly < lh) {
        const i = (ly * lw + lx) * 4, sa = data[i + 3]!;
        if (sa === 255) want = [data[i]!, data[i + 1]!, data[i + 2]!, 255];
        else if (sa > 0) {
          const as = sa / 255, ad = old[o + 3]! / 255, ao = as + ad * (1 - as);
          want = [0, 1, 2].map((c) => Math.round((data[i + c]! * as + old[o + c]! * ad * (1 - as)) / ao)).concat(Math.round(ao * 255));
        }
      }
      if (doc[o] !== want[0] || doc[o + 1] !== want[1] || doc[o + 2] !== want[2] || doc[o + 3] !== want[3]) wrong++;
    }
    return { same, untouched, wrong, layers: host.layers.length };
  });
  expect(got).toEqual({ same: true, untouched: true, wrong: 0, layers: 1 });
  await page.click('[data-testid=undo]');
  expect(await docHash(page)).toBe(before);
}));
