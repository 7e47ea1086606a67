/**
 * `smartdrag doctor` on what a script sent to `POST /v1/edit`: two JPEGs (the door reads any
 * image sharp reads, under `image.png`). The report said of each "http open … sent final job
 * http-mxb: png 0×0": every door job id began "http-mxb" (the first 8 characters), a JPEG has no
 * PNG header to take a size from, and a request is not a connection left "open". Real bridge,
 * real HTTP; the bridge writes its diagnostics file when it closes.
 */
import sharp from 'sharp';
import { runDoctor } from '../../bridge-server/src/cli/doctor';
import { gradientImage, squarePolygon, startTestBridge } from '../helpers/bridge-harness';
import { request } from '../helpers/http-door';

it('an HTTP request with a JPEG: "http request", its own job id, no 0×0 size', async () => {
  const tb = await startTestBridge({ workers: 1 });
  const img = gradientImage(96, 64);
  const jpeg = await sharp(Buffer.from(img.data.buffer), { raw: { width: 96, height: 64, channels: 4 } }).jpeg().toBuffer();
  const ids: string[] = [];
  for (let i = 0; i < 2; i++) {
    const r = await request(tb.port, 'POST', '/v1/edit', { authorization: `Bearer ${tb.token}` }, JSON.stringify({
      image: { png: jpeg.toString('base64') }, quality: 'preview',
      regions: [{ id: 'h1', polygon: squarePolygon(10, 10, 16) }],
      drags: [{ region: 'h1', kind: 'translate', points: [[18, 18], [58, 38]] }],
    }));
    expect(r.status).toBe(200);
    ids.push(r.body!.jobId as string);
  }
  await tb.bridge.close();

  const text = await runDoctor({ port: tb.port, json: false }, tb.home);
  const sent = text.split('\n').filter((l) => l.includes('sent preview job'));
  expect(sent).toHaveLength(2);
  expect(text).toMatch(/\d\. \S+ http request/);
  expect(text).not.toMatch(/http open/);
  expect(text).not.toContain('0×0');
  for (const line of sent) expect(line).toContain('(not a PNG: no size in its header)');
  // Each line names its own job: the random part of the door's id.
  for (const id of ids) expect(text).toContain(`http-…${id.split('-')[2]!.slice(0, 8)}`);
}, 60_000);
