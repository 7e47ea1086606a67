/**
 * A crop of a large document takes the reading the whole document takes (job.submit
 * `documentSize`; a held image cut by `imageRect`): a real bridge and real WebSocket clients. Whether
 * a selection follows its object's outline is read with offsets that grow with the document's side
 * (plan/selection-fit.ts); read on the panels' crop alone, a tight lasso around a candy on a
 * 4× photo came out "loose" — the whole selection moved as a block with a warning, where the same
 * edit on the whole document moved the candy with its soft shadow.
 */
import WebSocket from 'ws';
import { BridgeClient, editRoi, type SubmitInput, type WebSocketConstructor } from '@smartdrag/shared';
import { cropImage } from '../../bridge-server/src/core/image';
import { enlargedCaseRequest } from '../helpers/enlarged-case';
import { startTestBridge, type TestBridge } from '../helpers/bridge-harness';

let tb: TestBridge;
beforeAll(async () => { tb = await startTestBridge({ workers: 1 }); });
afterAll(async () => { await tb?.bridge.close(); });

it('the panels\' crop of a 4× photo reads the tight lasso as the whole document does when it says the document\'s size (or is cut from the held document); without it, it did not', async () => {
  const req = await enlargedCaseRequest('smarties-move-red', 4);
  const doc = req.image, region = req.regions[0]!, drag = req.drags[0]!;
  const roi = editRoi({ regions: [region.mask], arrows: [drag.points], docWidth: doc.width, docHeight: doc.height });
  expect(roi.width * roi.height).toBeLessThan(0.6 * doc.width * doc.height);
  const crop = cropImage(doc, roi);
  const base = (jobId: string, extra: Partial<SubmitInput>): SubmitInput => ({
    jobId, quality: 'final', seed: 1, image: doc, regions: [{ id: 'h1', mask: region.mask }],
    drags: [{ region: 'h1', points: drag.points, kind: 'auto' }], ...extra,
  });
  const client = new BridgeClient({ url: tb.wsUrl, token: tb.token, client: 'test', WebSocketImpl: WebSocket as unknown as WebSocketConstructor, reconnect: false, reuseImages: false });
  await client.connect();
  try {
    const run = async (input: SubmitInput) => (await client.submit(input).result).plan;
    const whole = await run(base('whole', {}));
    const cropOnly = await run(base('crop', { image: crop, imageOrigin: [roi.left, roi.top] }));
    const cropSized = await run(base('crop-sized', { image: crop, imageOrigin: [roi.left, roi.top], documentSize: { width: doc.width, height: doc.height } }));
    const cutFromDoc = await run(base('rect', { imageRect: roi, imageOrigin: [roi.left, roi.top] }));
    const reading = (p: typeof whole) => p.operations.map((o) => `${o.kind}: ${o.reason.split('; ').slice(1).join('; ')}`).join(' | ');
    expect(reading(whole)).toMatch(/the selection follows the object's outline/);
    expect(whole.warnings).toEqual([]);
    // The crop alone: its side is the crop's, the offsets smaller, the soft edge read as loose.
    expect(reading(cropOnly)).not.toMatch(/follows the object's outline/);
    expect(reading(cropSized)).toBe(reading(whole));
    expect(cropSized.warnings).toEqual(whole.warnings);
    expect(reading(cutFromDoc)).toBe(reading(whole));
  } finally {
    client.close();
  }
}, 120000);
