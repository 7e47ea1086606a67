/**
 * Semantic fuzz through a real bridge: well-formed jobs with random content — selections of every
 * shape (self-intersecting polygons, slivers, feathered soft masks, partly or wholly off the picture), arrows of every kind with and
 * without a centre or a middle point, zero-length arrows, keep areas, intents that ask for odd
 * amounts ("shrink it 100%", "150% smaller"), previews (some on the host's own proxy, `proxyOf`) and finals. Every job ends in a result or in
 * a coded error a person can act on — never `internal` or a crashed worker — and the bridge keeps
 * serving. The protocol fuzz (fuzz.test.ts) mutates the messages; this one keeps them valid and
 * varies what they ask for. Seeded: `SEMANTIC_FUZZ_SEED=<n>` reproduces a failure.
 */
import { EMPTY_SELECTION_HINT, encodeFrame, type ServerMessage } from '@smartdrag/shared';
import { createRng, type Rng } from '../../bridge-server/src/core/random';
import { gradientImage, RawClient, sendJob, squareMoveJob, startTestBridge, type TestBridge } from '../helpers/bridge-harness';

const SEED = Number(process.env.SEMANTIC_FUZZ_SEED ?? 20261205);
const JOBS = 40;
const W = 160, H = 120;
const KINDS = ['auto', 'auto', 'translate', 'rotate', 'scale', 'deform', undefined] as const;
const INTENTS = ['', '', '', 'move it left', 'rotate it 30 degrees clockwise', 'make it bigger', 'shrink it 100%', 'make it 150% smaller',
  'scale it to 0%', 'turn the head', 'close the mouth', 'move the first one right and the second one down', 'flip it', 'rotate it by 720 degrees'];
/** Codes a person can act on (the message says what to change). */
const ACTIONABLE = new Set(['intent_unclear', 'bad_message', 'proxy_mismatch', 'too_many_regions', 'too_many_drags', 'too_many_points']);

function randomJob(rng: Rng, jobId: string) {
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rng() * a.length)]!;
  const pt = (cx: number, cy: number, r: number): [number, number] => [cx + (rng() - 0.5) * 2 * r, cy + (rng() - 0.5) * 2 * r];
  const regions = [], drags = [];
  const masks: { slot: number; left: number; top: number; width: number; height: number; data: Uint8Array }[] = [];
  const nr = 1 + Math.floor(rng() * 2);
  for (let r = 0; r < nr; r++) {
    // Centres slightly beyond the picture too; radii from a sliver to most of it.
    const cx = -20 + rng() * (W + 40), cy = -20 + rng() * (H + 40), rad = rng() < 0.15 ? 1 : 4 + rng() * 50;
    if (rng() < 0.35) {
      // A soft mask (a feathered ellipse, as a host's selection with feathering sends it), its
      // frame placed anywhere, partly off the picture too.
      const mw = 4 + Math.floor(rng() * 80), mh = 4 + Math.floor(rng() * 80), feather = 1 + rng() * 12;
      const left = Math.round(cx - mw / 2), top = Math.round(cy - mh / 2);
      const data = new Uint8Array(mw * mh);
      for (let y = 0; y < mh; y++) for (let x = 0; x < mw; x++) {
        const u = (x - mw / 2) / (mw / 2), v = (y - mh / 2) / (mh / 2), out = (Math.hypot(u, v) - 0.8) * Math.min(mw, mh) / 2;
        data[y * mw + x] = Math.round(255 * Math.max(0, Math.min(1, 0.5 - out / feather)));
      }
      const slot = 1 + masks.length;
      masks.push({ slot, left, top, width: mw, height: mh, data });
      regions.push({ id: `r${r}`, maskSlot: slot });
    } else {
      const polygon = Array.from({ length: 3 + Math.floor(rng() * 6) }, () => pt(cx, cy, rad));
      regions.push({ id: `r${r}`, polygon });
    }
    const nd = rng() < 0.1 ? 0 : 1 + Math.floor(rng() * 2);
    for (let d = 0; d < nd; d++) {
      const h = pt(cx, cy, rad), len = rng() < 0.1 ? 0 : rng() * 80, a = rng() * 2 * Math.PI;
      const t: [number, number] = [h[0] + len * Math.cos(a), h[1] + len * Math.sin(a)];
      const points = rng() < 0.25 ? [h, pt((h[0] + t[0]) / 2, (h[1] + t[1]) / 2, 10), t] : [h, t];
      const kind = pick(KINDS);
      drags.push({ region: `r${r}`, points, ...(kind ? { kind } : {}), ...(rng() < 0.1 ? { center: pt(W / 2, H / 2, W / 2) } : {}) });
    }
  }
  // Well-formed: at least one arrow (a job with neither an arrow nor an intent is refused by the schema).
  if (drags.length === 0) drags.push({ region: 'r0', points: [pt(W / 2, H / 2, 20), pt(W / 2, H / 2, 40)] });
  const intent = pick(INTENTS);
  const keep = rng() < 0.25 ? [{ polygon: [pt(W / 2, H / 2, 40), pt(W / 2, H / 2, 40), pt(W / 2, H / 2, 40)] }] : undefined;
  const quality = rng() < 0.5 ? 'preview' : 'final';
  // A third of the previews send the host's own proxy of a document 2–4× larger (proxyOf):
  // polygons, arrows and centres then stay in document pixels, mask frames in the sent image's.
  const k = quality === 'preview' && rng() < 0.35 ? 2 + Math.floor(rng() * 3) : 1;
  const doc = (p: [number, number]): [number, number] => [p[0] * k, p[1] * k];
  if (k > 1) {
    for (const r of regions) if ('polygon' in r && r.polygon) r.polygon = r.polygon.map(doc);
    for (const d of drags) { d.points = d.points.map(doc); if (d.center) d.center = doc(d.center); }
    for (const kp of keep ?? []) kp.polygon = kp.polygon.map(doc);
  }
  const submit = {
    type: 'job.submit', jobId, quality, regions, drags,
    ...(intent ? { intent } : {}), ...(keep ? { keep } : {}), ...(k > 1 ? { proxyOf: { width: W * k, height: H * k } } : {}),
  };
  const img = gradientImage(W, H);
  const chunks = encodeFrame({ jobId, part: 'image', slot: 0, format: 'rgba8', width: W, height: H, left: 0, top: 0 }, new Uint8Array(img.data.buffer), 1 << 16);
  for (const m of masks) chunks.push(...encodeFrame({ jobId, part: 'mask', slot: m.slot, format: 'gray8', width: m.width, height: m.height, left: m.left, top: m.top }, m.data, 1 << 16));
  return { submit, chunks };
}

describe('semantic fuzz through a real bridge', () => {
  let tb: TestBridge;
  beforeAll(async () => { tb = await startTestBridge(); });
  afterAll(async () => { await tb.bridge.close(); });

  it(`${JOBS} random well-formed jobs: each ends in a result or an actionable coded error, and the bridge keeps serving`, async () => {
    const rng = createRng(SEED);
    const c = await RawClient.connect(tb);
    const outcomes: Record<string, number> = {};
    const bad: string[] = [];
    const emptyHints: (string | undefined)[] = [];
    for (let i = 0; i < JOBS; i++) {
      const jobId = `sf-${i}`;
      const job = randomJob(rng, jobId);
      sendJob(c, job);
      const end = await c.next((m: ServerMessage) => ((m.type === 'job.result' || m.type === 'job.error') && m.jobId === jobId)
        || (m.type === 'error' && (m.detail as { jobId?: string } | undefined)?.jobId === jobId), 30000);
      const key = end.type === 'job.result' ? 'result' : end.type === 'job.error' ? end.code : `error ${(end as { code?: string }).code}`;
      outcomes[key] = (outcomes[key] ?? 0) + 1;
      if (end.type === 'job.error' && /selects no pixels|lies outside the sent image/.test(end.message)) emptyHints.push(end.hint);
      if (end.type !== 'job.result' && !(end.type === 'job.error' && ACTIONABLE.has(end.code))) {
        bad.push(`seed ${SEED} job ${i}: ${JSON.stringify(end).slice(0, 300)} for ${JSON.stringify(job.submit).slice(0, 600)}`);
      }
      if (end.type === 'job.result' && end.frames > 0) await c.layer(jobId, end.frames);
    }
    expect(bad).toEqual([]);
    // A refused selection says so, not "update the plugin".
    for (const h of emptyHints) expect(h).toBe(EMPTY_SELECTION_HINT);
    expect(emptyHints.length).toBeGreaterThan(0);
    // The run reaches both ends (else it tests less than it says).
    expect(outcomes.result ?? 0).toBeGreaterThan(JOBS / 3);
    expect(Object.keys(outcomes).length).toBeGreaterThan(1);
    // Still serving: a plain move comes back.
    const plain = squareMoveJob('sf-after');
    sendJob(c, plain);
    const r = await c.next((m) => (m.type === 'job.result' || m.type === 'job.error') && m.jobId === 'sf-after');
    expect(r.type).toBe('job.result');
    c.close();
  });
});
