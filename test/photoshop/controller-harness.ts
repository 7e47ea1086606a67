/**
 * The Photoshop plugin's controller on the fake `photoshop` module with a real BridgeClient to a
 * test bridge, for the end-to-end tests: the jobs it submits are recorded (the real client still
 * sends them over the socket), and {@link waitForPanel} waits for a state of its panel.
 */
import WebSocket from 'ws';
import { BridgeClient, type BridgeJob, type JobHandlers, type SubmitInput, type WebSocketConstructor } from '@smartdrag/shared';
import { SmartDragController } from '../../plugin-photoshop/src/app/controller';
import { createPhotoshopHost } from '../../plugin-photoshop/src/host/photoshop-host';
import type { PanelState } from '../../plugin-photoshop/src/panel/panel-state';
import type { TestBridge } from '../helpers/bridge-harness';
import type { FakePhotoshop } from './fake-photoshop';

/** Until `pred` holds for the controller's panel state (rejects after `timeoutMs`, naming the phase and error). */
export function waitForPanel(c: SmartDragController, pred: (s: PanelState) => boolean, timeoutMs: number): Promise<PanelState> {
  return new Promise((resolve, reject) => {
    if (pred(c.state)) return resolve(c.state);
    const t = setTimeout(() => { off(); reject(new Error(`timed out in phase ${c.state.phase}: ${JSON.stringify(c.state.error)}`)); }, timeoutMs);
    const off = c.subscribe((s) => { if (pred(s)) { clearTimeout(t); off(); resolve(s); } });
  });
}

/** A controller on `ps` whose client talks to `tb`, and the inputs it submits, in order. Dispose both with {@link closeRecording}. */
export function recordingController(ps: FakePhotoshop, tb: TestBridge): { controller: SmartDragController; client: BridgeClient; sent: SubmitInput[] } {
  const client = new BridgeClient({ url: tb.wsUrl, token: tb.token, client: 'uxp', clientVersion: 'test', WebSocketImpl: WebSocket as unknown as WebSocketConstructor, reconnect: false });
  const sent: SubmitInput[] = [];
  const submit = client.submit.bind(client);
  client.submit = (input: SubmitInput, handlers?: JobHandlers): BridgeJob => { sent.push(input); return submit(input, handlers); };
  return { controller: new SmartDragController({ host: createPhotoshopHost({ photoshop: ps }), client }), client, sent };
}

/** Dispose a {@link recordingController}. */
export function closeRecording(r: { controller: SmartDragController; client: BridgeClient }): void {
  r.controller.dispose();
  r.client.close();
}

/** Where a {@link discDocument} puts its disc, what it selects and the arrow it draws (document pixels). */
export interface DiscScene {
  width: number;
  height: number;
  disc: [number, number];
  radius: number;
  /** The disc on a mild grey texture, or on flat light paper. */
  backdrop: 'texture' | 'paper';
  /** A rectangle (a loose selection around the disc), or the disc's own outline grown by a pixel. */
  selection: { left: number; top: number; right: number; bottom: number } | 'outline';
  arrow: [number, number][];
  resolution?: number;
}

/**
 * A document on `ps` with one layer "Photo" — a red disc on the backdrop — the selection and the
 * arrow as the Work Path; returns the document, the layer and its pixels.
 */
export function discDocument(ps: FakePhotoshop, s: DiscScene): { doc: ReturnType<FakePhotoshop['openDocument']>; source: ReturnType<ReturnType<FakePhotoshop['openDocument']>['addLayer']>; px: Uint8ClampedArray } {
  const { width: W, height: H, disc: [cx, cy], radius: R } = s;
  const doc = ps.openDocument(W, H, { resolution: s.resolution ?? 72 });
  const px = new Uint8ClampedArray(W * H * 4);
  for (let y = 0, i = 0; y < H; y++) for (let x = 0; x < W; x++, i += 4) {
    const inDisc = (x - cx) ** 2 + (y - cy) ** 2 <= R * R;
    const t = s.backdrop === 'texture' ? ((x * 13 + y * 7) % 17) - 8 : 0;
    const [r, g, b] = s.backdrop === 'texture' ? [120 + t, 125 + t, 130 + t] : [235, 235, 235];
    px[i] = inDisc ? 220 : r; px[i + 1] = inDisc ? 30 : g; px[i + 2] = inDisc ? 35 : b; px[i + 3] = 255;
  }
  const source = doc.addLayer('Photo', px.slice());
  const sel = new Uint8Array(W * H);
  const box = s.selection;
  if (box === 'outline') {
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) if ((x - cx) ** 2 + (y - cy) ** 2 <= (R + 1) ** 2) sel[y * W + x] = 255;
  } else {
    for (let y = box.top; y < box.bottom; y++) sel.fill(255, y * W + box.left, y * W + box.right);
  }
  doc.selectionMask = sel;
  doc.addPath('Work Path', 'workPath', [{ closed: false, points: s.arrow.map((p) => ({ anchor: p })) }]);
  return { doc, source, px };
}
