/**
 * One default seed everywhere: a job sent without `seed` (as `smartdrag edit --server` and most
 * hosts send it) gives the pixels of the in-process edit with seed 1, run after run — over the
 * WebSocket and over POST /v1/edit. (The bridge once derived a missing seed from the job id, which
 * clients mint at random: 6647, 6642, 6636 changed pixels for the same case.)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import { BridgeClient, type WebSocketConstructor } from '@smartdrag/shared';
import { caseToRequest, parseDragCase } from '../../bridge-server/src/core/case';
import { bridgeEditOptions, runEdit } from '../../bridge-server/src/core/edit';
import { decodeImage, encodePng, readImage } from '../../bridge-server/src/io/image-io';
import { startTestBridge, type TestBridge } from '../helpers/bridge-harness';

const FIX = join(__dirname, '../fixtures');
let tb: TestBridge;
beforeAll(async () => { tb = await startTestBridge({ workers: 1 }); });
afterAll(async () => { await tb?.bridge.close(); });

it('a job without seed gives the in-process pixels of seed 1, twice over the WebSocket and over POST /v1/edit', async () => {
  const c = parseDragCase(JSON.parse(readFileSync(join(FIX, 'cases', 'smarties-move-red.json'), 'utf8')));
  const image = await readImage(join(FIX, c.image));
  const local = await runEdit(caseToRequest(c, image, { quality: 'final', seed: 1 }), bridgeEditOptions('final'));
  const want = { left: local.layer.left, top: local.layer.top, width: local.layer.image.width, height: local.layer.image.height };
  const wantBytes = Buffer.from(local.layer.image.data.buffer, local.layer.image.data.byteOffset, local.layer.image.data.byteLength);
  expect(want.width * want.height).toBeGreaterThan(0);

  const input = { image, regions: c.regions, drags: c.drags, ...(c.keep ? { keep: c.keep } : {}), ...(c.intent !== undefined ? { intent: c.intent } : {}), quality: 'final' as const };
  const client = new BridgeClient({ url: tb.wsUrl, token: tb.token, client: 'test', WebSocketImpl: WebSocket as unknown as WebSocketConstructor });
  await client.connect();
  try {
    for (let run = 0; run < 2; run++) {
      const r = await client.submit(input).result; // no seed; the client mints a new job id each time
      expect({ left: r.layer.left, top: r.layer.top, width: r.layer.width, height: r.layer.height }).toEqual(want);
      expect(Buffer.from(r.layer.data.buffer, r.layer.data.byteOffset, r.layer.data.byteLength).equals(wantBytes)).toBe(true);
    }
  } finally {
    client.close();
  }
  const body = { ...input, image: { png: (await encodePng(image)).toString('base64') } };
  const res = await fetch(`${tb.url}/v1/edit`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${tb.token}` }, body: JSON.stringify(body) });
  expect(res.status).toBe(200);
  const out = await res.json() as { layer: { left: number; top: number; width: number; height: number; png: string } };
  expect({ left: out.layer.left, top: out.layer.top, width: out.layer.width, height: out.layer.height }).toEqual(want);
  const png = await decodeImage(Buffer.from(out.layer.png, 'base64'));
  expect(Buffer.from(png.data.buffer, png.data.byteOffset, png.data.byteLength).equals(wantBytes)).toBe(true);
}, 120000);
