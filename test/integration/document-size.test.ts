/**
 * A crop of a large document takes the reading the whole document takes (job.submit
 * `documentSize`; a held image cut by `imageRect`): a real bridge and real WebSocket clients. Whether
 * a selection follows its object's outline is read with offsets that grow with the document's side
 * (plan/selection-fit.ts). Read on the panels' crop alone (3% of a 4× photo), the tight polygon on
 * the coin came out "loose": the edit narrowed it to a GrabCut object (and, until the object reading
 * took the tips past a lasso, told the user to draw the selection around the whole object), where
 * the whole document used it as given. (Until session 27
 * the red candy's lasso showed it too; its reading is now robust enough to read tight either way.)
 */
import WebSocket from 'ws';
import { BridgeClient, editRoi, type SubmitInput, type WebSocketConstructor } from '@smartdrag/shared';
import { cropImage } from '../../bridge-server/src/core/image';
import { enlargedCaseRequest } from '../helpers/enlarged-case';
import { startTestBridge, type TestBridge } from '../helpers/bridge-harness';

let tb: TestBridge;
beforeAll(async () => { tb = await startTestBridge({ workers: 1 }); });
afterAll(async () => { await tb?.bridge.close(); });

const CASES = [
  // The candy's lasso with its soft shadow on the plain backdrop: the same reading, crop or whole.
  { id: 'smarties-move-red', whole: /the selection follows the object's outline; its soft shadow/, cropOnly: null },
  // The coin's polygon: used as given on the whole document; on its crop alone, read as loose.
  { id: 'stuff-enlarge-coin', whole: /^scale: [^;]*; [^;]*$/, cropOnly: /moves the object found inside the selection/ },
];

it.each(CASES)('the panels\' crop of a 4× photo ($id) reads the selection as the whole document does when it says the document\'s size (or is cut from the held document)', async ({ id, whole: wholeReads, cropOnly: cropReads }) => {
  const req = await enlargedCaseRequest(id, 4);
  const doc = req.image, region = req.regions[0]!, drag = req.drags[0]!;
  const roi = editRoi({ regions: [region.mask], arrows: [drag.points], docWidth: doc.width, docHeight: doc.height });
  expect(roi.width * roi.height).toBeLessThan(0.6 * doc.width * doc.height);
  const crop = cropImage(doc, roi);
  const base = (jobId: string, extra: Partial<SubmitInput>): SubmitInput => ({
    jobId: `${id}-${jobId}`, quality: 'final', seed: 1, image: doc, regions: [{ id: 'h1', mask: region.mask }],
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
    expect(reading(whole)).toMatch(wholeReads);
    expect(whole.warnings).toEqual([]);
    // The crop alone: its side is the crop's, the offsets smaller; the coin's edge reads as loose.
    if (cropReads) {
      expect(reading(cropOnly)).toMatch(cropReads);
      expect(reading(cropOnly)).not.toBe(reading(whole));
    }
    expect(reading(cropSized)).toBe(reading(whole));
    expect(cropSized.warnings).toEqual(whole.warnings);
    expect(reading(cutFromDoc)).toBe(reading(whole));
  } finally {
    client.close();
  }
}, 120000);
