/**
 * job.submit `reading`: a host sends back one of the readings the bridge proposed (its plan's
 * operations or an alternative's, in document pixels) and the bridge carries it out as given —
 * through a real bridge and WebSocket, for a crop of the document (imageOrigin), a host-made
 * preview proxy (proxyOf) and the HTTP door; a reading that cannot be carried out is refused with
 * a code, and the bridge keeps serving.
 */
import { previewProxyInput, rasterizePolygon, type BridgeClient, type SubmitInput, type WireOperation } from '@smartdrag/shared';
import type { Point } from '../../bridge-server/src/core/types';
import { connectedClient, startTestBridge, type TestBridge } from '../helpers/bridge-harness';

const W = 1600, H = 1200, CX = 800, CY = 600, R = 150;
function documentImage(): { width: number; height: number; data: Uint8ClampedArray } {
  const data = new Uint8ClampedArray(W * H * 4);
  for (let y = 0, i = 0; y < H; y++) for (let x = 0; x < W; x++, i += 4) {
    const d = (x - CX) ** 2 + (y - CY) ** 2 <= R * R;
    data[i] = d ? 220 : 235; data[i + 1] = d ? 30 : 235; data[i + 2] = d ? 30 : 235; data[i + 3] = 255;
  }
  return { width: W, height: H, data };
}
const circle = (cx: number, cy: number, r: number): Point[] => Array.from({ length: 64 }, (_, i) => { const t = (i / 64) * 2 * Math.PI; return [cx + r * Math.cos(t), cy + r * Math.sin(t)] as Point; });

/**
 * Whether the document shows red at document pixel (x, y) after the layer is laid over it (a
 * proxy layer's pixel covers 1/scale document pixels; the layer holds the changed pixels).
 */
function redAt(l: { left: number; top: number; width: number; height: number; data: Uint8Array | Uint8ClampedArray }, x: number, y: number, scale = 1, origin: [number, number] = [0, 0]): boolean {
  const lx = Math.floor((x - origin[0]) * scale) - l.left, ly = Math.floor((y - origin[1]) * scale) - l.top;
  const inside = lx >= 0 && ly >= 0 && lx < l.width && ly < l.height;
  const i = (ly * l.width + lx) * 4;
  if (inside && l.data[i + 3]! > 200) return l.data[i]! > 180 && l.data[i + 1]! < 90;
  return (x - CX) ** 2 + (y - CY) ** 2 <= R * R; // the document's own pixel
}

/** The disc shown moved by (dx, dy): red just inside its new left, right, top and bottom edges, not just outside them. */
function discMovedBy(l: Parameters<typeof redAt>[0], dx: number, dy: number, scale = 1, origin: [number, number] = [0, 0]): boolean {
  const m = 8 / scale;
  const cx = CX + dx, cy = CY + dy;
  return [[cx - R + m, cy], [cx + R - m, cy], [cx, cy - R + m], [cx, cy + R - m]].every(([x, y]) => redAt(l, x!, y!, scale, origin))
    && [[cx - R - m, cy], [cx + R + m, cy], [cx, cy - R - m], [cx, cy + R + m]].every(([x, y]) => !redAt(l, x!, y!, scale, origin));
}

describe('a reading chosen by the host (job.submit reading), through a real bridge', () => {
  let tb: TestBridge, client: BridgeClient;
  beforeAll(async () => {
    tb = await startTestBridge();
    client = await connectedClient(tb);
  });
  afterAll(async () => { client?.close(); await tb?.bridge.close(); });

  // The disc's outline selected, the text asks for a move left, the arrow is drawn down.
  const mask = rasterizePolygon(circle(CX, CY, R + 2));
  const drags = [{ region: 'r', points: [[CX + 60, CY], [CX + 60, CY + 80]] as Point[] }];
  const base = { regions: [{ id: 'r', mask }], drags, intent: 'move it left 50 px', seed: 1 };

  test('a crop of the document: the alternative that follows the text moves the disc left; its plan is in document pixels', async () => {
    const doc = documentImage();
    const roi = { left: 400, top: 300, width: 900, height: 700 };
    const crop = { width: roi.width, height: roi.height, data: new Uint8ClampedArray(roi.width * roi.height * 4) };
    for (let y = 0; y < roi.height; y++) crop.data.set(doc.data.subarray(((roi.top + y) * W + roi.left) * 4, ((roi.top + y) * W + roi.left + roi.width) * 4), y * roi.width * 4);
    const input: SubmitInput = { ...base, image: crop, imageOrigin: [roi.left, roi.top], quality: 'final' };
    const first = await client.submit(input).result;
    // The planner follows the arrow's direction with the text's amount.
    expect(first.plan.operations[0]!.params).toEqual({ kind: 'translate', dx: 0, dy: 50 });
    const alt = first.plan.alternatives!.find((a) => a.operations[0]!.kind === 'translate' && (a.operations[0]!.params as { dx: number }).dx < 0)!;
    expect(alt.operations[0]!.params).toEqual({ kind: 'translate', dx: -50, dy: 0 });
    const chosen = await client.submit({ ...input, reading: alt.operations }).result;
    expect(chosen.plan.operations[0]!.params).toEqual({ kind: 'translate', dx: -50, dy: 0 });
    expect(chosen.plan.operations[0]!.reason).toMatch(/\(the reading chosen\)$/);
    expect(discMovedBy(chosen.layer, -50, 0)).toBe(true);
    expect(discMovedBy(first.layer, 0, 50)).toBe(true);
    // The first reading is offered back.
    expect(chosen.plan.alternatives?.some((a) => JSON.stringify(a.operations[0]!.params) === JSON.stringify({ kind: 'translate', dx: 0, dy: 50 }))).toBe(true);
  });

  test('a host-made preview proxy (proxyOf): the reading is taken into the proxy\'s pixels and comes back in the document\'s', async () => {
    const input = previewProxyInput({ ...base, image: documentImage(), quality: 'preview' }, 400 * 300)!;
    expect(input.proxyOf).toEqual({ width: W, height: H });
    const first = await client.submit(input).result;
    const alt = first.plan.alternatives!.find((a) => (a.operations[0]!.params as { dx?: number }).dx === -50)!;
    expect(alt).toBeDefined();
    const chosen = await client.submit({ ...input, reading: alt.operations }).result;
    const p = chosen.plan.operations[0]!.params as { dx: number; dy: number };
    expect(p.dx).toBeCloseTo(-50, 6);
    expect(p.dy).toBeCloseTo(0, 6);
    const s = chosen.layer.proxy!.scaleX;
    expect(s).toBeLessThan(0.5);
    expect(discMovedBy(chosen.layer, -50, 0, s)).toBe(true);
  });

  test('a reading that cannot be carried out is refused with bad_message, and the next job runs', async () => {
    const input: SubmitInput = { ...base, image: documentImage(), quality: 'preview', previewMaxPixels: 200_000 };
    const bad: WireOperation = { region: 'r', kind: 'scale', params: { kind: 'scale', sx: 0, sy: 0, center: [CX, CY] }, source: 'user', description: 'x', reason: 'x' };
    await expect(client.submit({ ...input, reading: [bad] }).result).rejects.toMatchObject({ code: 'bad_message' });
    await expect(client.submit({ ...input, reading: [{ ...bad, region: 'nope' }] }).result).rejects.toMatchObject({ code: 'bad_message' });
    const far: WireOperation = { ...bad, params: { kind: 'scale', sx: 1.2, sy: 1.2, center: [1e7, 0] } };
    await expect(client.submit({ ...input, reading: [far] }).result).rejects.toMatchObject({ code: 'bad_message' });
    const ok = await client.submit(input).result;
    expect(ok.plan.operations[0]!.kind).toBe('translate');
  });

  test('over HTTP: POST /v1/edit with the reading of an earlier answer', async () => {
    const sharp = (await import('sharp')).default;
    const doc = documentImage();
    const png = (await sharp(Buffer.from(doc.data.buffer), { raw: { width: W, height: H, channels: 4 } }).png().toBuffer()).toString('base64');
    const body = { image: { png }, regions: [{ id: 'r', polygon: circle(CX, CY, R + 2) }], drags, intent: 'move it left 50 px', quality: 'preview' };
    const post = async (b: unknown) => {
      const res = await fetch(`${tb.url}/v1/edit`, { method: 'POST', headers: { Authorization: `Bearer ${tb.token}`, 'Content-Type': 'application/json' }, body: JSON.stringify(b) });
      return { status: res.status, json: await res.json() as { plan: { operations: WireOperation[]; alternatives?: { operations: WireOperation[] }[] } } };
    };
    const first = await post(body);
    expect(first.status).toBe(200);
    const alt = first.json.plan.alternatives!.find((a) => (a.operations[0]!.params as { dx?: number }).dx === -50)!;
    const chosen = await post({ ...body, reading: alt.operations });
    expect(chosen.status).toBe(200);
    expect(chosen.json.plan.operations[0]!.params).toEqual({ kind: 'translate', dx: -50, dy: 0 });
  });
});
