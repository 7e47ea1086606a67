/**
 * End to end, the reading previewed is the reading applied: the Photoshop plugin's controller +
 * host adapter on the fake `photoshop` module, talking to a REAL bridge over a REAL WebSocket.
 * The panel pins the reading previewed (the plan's or an alternative the user chose) for the full
 * edit by sending it back (job.submit `reading`). It had pinned it by giving each drag its
 * operation's kind, and then:
 *
 * - an elastic drag (a quick selection around a red disc on a textured backdrop, the arrow inside
 *   it) came back a part deform of the selection as drawn — no drag kind asks for an elastic drag;
 * - the alternative that follows the text ("move it left 50 px" with the arrow drawn down) came
 *   back as the first reading, down — it differs in its amounts, not its kind.
 */
import type { Point } from '@smartdrag/shared';
import type { SmartDragController } from '../../plugin-photoshop/src/app/controller';
import { Phase, type PanelState } from '../../plugin-photoshop/src/panel/panel-state';
import { startTestBridge, type TestBridge } from '../helpers/bridge-harness';
import { closeRecording, discDocument, recordingController, waitForPanel } from './controller-harness';
import { FakePhotoshop } from './fake-photoshop';

const W = 900, H = 700;
const DISC: Point = [430, 350], R = 90;
const ARROW: Point[] = [[500, 350], [560, 320]];
const SEL = { left: 250, top: 180, right: 700, bottom: 540 };

const waitFor = (c: SmartDragController, pred: (s: PanelState) => boolean): Promise<PanelState> => waitForPanel(c, pred, 120_000);

describe('Photoshop plugin: the reading previewed is the reading applied (fake host, real bridge)', () => {
  let tb: TestBridge;
  beforeAll(async () => { tb = await startTestBridge(); });
  afterAll(async () => { await tb?.bridge.close(); });

  test('the full edit is the elastic drag the preview showed: the reading goes back with the job (the arrows on auto), the disc\'s edge lands on the target', async () => {
    const ps = new FakePhotoshop();
    const { doc, source, px } = discDocument(ps, { width: W, height: H, disc: DISC, radius: R, backdrop: 'texture', selection: SEL, arrow: ARROW });

    const rec = recordingController(ps, tb);
    const { controller, sent } = rec;
    try {
      await controller.connect();
      await controller.preview({ intent: '', kind: 'auto', seed: 1 });
      const ready = await waitFor(controller, (s) => s.phase === Phase.ready || s.phase === Phase.failed);
      expect(ready.error).toBeNull();
      expect(ready.plan?.operations[0]?.params).toMatchObject({ kind: 'deform', elastic: true });

      await controller.apply();
      const applied = await waitFor(controller, (s) => s.phase === Phase.applied || s.phase === Phase.failed);
      expect(applied.error).toBeNull();
      expect(sent.map((s) => s.quality)).toEqual(['preview', 'final']);
      expect(sent[1]!.drags.map((d) => d.kind)).toEqual(['auto']);
      expect(sent[1]!.reading).toEqual(ready.plan!.operations);
      // The full edit's own reading: the same elastic drag.
      expect(applied.plan?.operations[0]?.params).toMatchObject({ kind: 'deform', elastic: true });
      // One layer above the untouched source; the disc's edge under the handle now lies at the
      // target, and nothing is cut out: no backdrop-coloured hole where the handle was.
      expect(doc.layers).toHaveLength(2);
      expect(Buffer.from(doc.findLayer(source.id)!.pixels).equals(Buffer.from(px))).toBe(true);
      // What the document shows: the added layer over the source (the layer holds the changed pixels).
      const added = doc.layers[0]!.pixels;
      const shown = (p: Point): number[] => {
        const i = (p[1] * W + p[0]) * 4, a = added[i + 3]! / 255;
        return [0, 1, 2].map((c) => Math.round(added[i + c]! * a + px[i + c]! * (1 - a)));
      };
      const isRed = ([r, g, b]: number[]): boolean => r! > 180 && g! < 80 && b! < 80;
      const target = ARROW[1]!;
      expect(isRed(Array.from(px.subarray((target[1] * W + target[0] - 4) * 4, (target[1] * W + target[0] - 4) * 4 + 3)))).toBe(false);
      expect(isRed(shown([target[0] - 4, target[1]]))).toBe(true);
      expect(isRed(shown(ARROW[0]!))).toBe(true);
      expect(isRed(shown(DISC))).toBe(true);
    } finally {
      closeRecording(rec);
    }
  }, 180_000);
  test('the alternative that follows the text, chosen in the preview, is the edit applied: the disc moves left, not down', async () => {
    const ps = new FakePhotoshop();
    // The disc's outline selected (a tight selection), the arrow drawn down from inside it.
    const down: Point[] = [[DISC[0] + 20, DISC[1]], [DISC[0] + 20, DISC[1] + 70]];
    const { doc, source, px } = discDocument(ps, { width: W, height: H, disc: DISC, radius: R, backdrop: 'paper', selection: 'outline', arrow: down });

    const rec = recordingController(ps, tb);
    const { controller, sent } = rec;
    try {
      await controller.connect();
      await controller.preview({ intent: 'move it left 50 px', kind: 'auto', seed: 1 });
      const ready = await waitFor(controller, (s) => s.phase === Phase.ready || s.phase === Phase.failed);
      expect(ready.error).toBeNull();
      expect(ready.plan!.operations[0]!.params).toEqual({ kind: 'translate', dx: 0, dy: 50 });
      const i = ready.plan!.alternatives!.findIndex((a) => a.operations[0]!.params.kind === 'translate' && (a.operations[0]!.params as { dx: number }).dx === -50);
      expect(i).toBeGreaterThanOrEqual(0);
      await controller.choosePlan(i + 1);
      const chosen = await waitFor(controller, (s) => (s.phase === Phase.ready && s.planChoice === i + 1) || s.phase === Phase.failed);
      expect(chosen.error).toBeNull();
      await controller.apply();
      const applied = await waitFor(controller, (s) => s.phase === Phase.applied || s.phase === Phase.failed);
      expect(applied.error).toBeNull();
      expect(sent.map((s) => s.quality)).toEqual(['preview', 'preview', 'final']);
      expect(sent[2]!.reading).toEqual(ready.plan!.alternatives![i]!.operations);
      // What the document shows: the disc 50 px left of where it was, not 50 px down.
      const added = doc.layers[0]!.pixels;
      const shown = (p: Point): boolean => {
        const k = (p[1] * W + p[0]) * 4, a = added[k + 3]! / 255;
        const c = [0, 1, 2].map((j) => added[k + j]! * a + px[k + j]! * (1 - a));
        return c[0]! > 180 && c[1]! < 90;
      };
      expect(doc.layers).toHaveLength(2);
      expect(Buffer.from(doc.findLayer(source.id)!.pixels).equals(Buffer.from(px))).toBe(true);
      expect(shown([DISC[0] - 50 - R + 6, DISC[1]])).toBe(true); // the new left edge
      expect(shown([DISC[0] + R - 6, DISC[1]])).toBe(false); // the old right edge, vacated
      expect(shown([DISC[0], DISC[1] + R + 30])).toBe(false); // nothing moved down
    } finally {
      closeRecording(rec);
    }
  }, 180_000);
});
