import { z } from 'zod';
import { parseClientMessage, parseServerMessage, encodeMessage, CapabilitiesSchema, JobSubmitSchema, PlanSchema, type JobSubmit } from './messages';
import { PROTOCOL_VERSION } from './version';
import { ERROR_CODES, ERROR_HINTS } from './errors';

const submit = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  type: 'job.submit', jobId: 'j1', quality: 'preview',
  regions: [{ id: 'h1', polygon: [[0, 0], [10, 0], [10, 10]] }],
  drags: [{ region: 'h1', points: [[2, 2], [20, 5]] }],
  ...over,
});
const parse = (m: unknown) => parseClientMessage(JSON.stringify(m));
const codeOf = (m: unknown) => { const r = parse(m); return r.ok ? 'ok' : r.code; };

describe('protocol messages', () => {
  it('pins the protocol version (bump deliberately, log it in PROTOCOL.md)', () => {
    expect(PROTOCOL_VERSION).toBe(2);
  });

  it('every error code has a hint', () => {
    for (const c of ERROR_CODES) expect(ERROR_HINTS[c].length).toBeGreaterThan(10);
  });

  it('round-trips every client message', () => {
    const msgs = [
      { type: 'hello', protocol: 2, client: 'uxp', clientVersion: '0.1.0', token: 't' },
      submit({ imageOrigin: [5, -3], keep: [{ polygon: [[0, 0], [1, 0], [1, 1]] }, { maskSlot: 2 }], intent: 'x', seed: 7,
        regions: [{ id: 'h1', maskSlot: 1 }], drags: [{ region: 'h1', points: [[1, 1], [2, 2], [3, 3]], kind: 'rotate', center: [0, 0] }] }),
      { type: 'job.cancel', jobId: 'j1' },
      { type: 'job.resume', jobIds: ['a', 'b'] },
      { type: 'ping', t: 5 },
      { type: 'pong' },
    ];
    for (const m of msgs) {
      const r = parse(m);
      expect(r).toEqual({ ok: true, msg: m });
    }
  });

  it('round-trips server messages through encodeMessage/parseServerMessage', () => {
    const plan = { operations: [{ region: 'h1', kind: 'rotate', params: { kind: 'rotate', angleDeg: 20, center: [1, 2] }, source: 'intent', description: 'd', reason: 'r' }],
      warnings: ['w'], confidence: 0.5, alternatives: [{ operations: [], warnings: [] }] } as const;
    const msgs = [
      { type: 'job.accepted', jobId: 'j', position: 2 },
      { type: 'job.plan', jobId: 'j', plan },
      { type: 'job.progress', jobId: 'j', stage: 'fill', fraction: 0.5 },
      { type: 'job.result', jobId: 'j', layer: { left: -1, top: 2, width: 3, height: 4 }, plan, timings: { total: 3 }, frames: 1 },
      { type: 'job.result', jobId: 'j', layer: { left: 0, top: 0, width: 3, height: 4 }, plan, timings: { total: 3 }, frames: 1,
        moved: { polygons: [[[10.5, 20], [30, 20.25], [30, 40]], [[1, 1], [2, 1], [2, 2], [1, 2]]] } },
      { type: 'job.result', jobId: 'j', layer: { left: 0, top: 0, width: 3, height: 4 }, plan, timings: { total: 3 }, frames: 1, moved: { polygons: [] } },
      { type: 'job.error', jobId: 'j', code: 'queue_full', message: 'm', hint: 'h' },
      { type: 'error', code: 'version_mismatch', message: 'm', detail: { client: 2, server: 1, upgrade: 'bridge' } },
    ];
    for (const m of msgs) expect(parseServerMessage(encodeMessage(m as never))).toEqual({ ok: true, msg: m });
  });

  it('job.submit: proxyOf (a host-made preview proxy) is optional, preview only, positive whole pixels', () => {
    expect(parse(submit({ proxyOf: { width: 6000, height: 4000 } }))).toMatchObject({ ok: true, msg: { proxyOf: { width: 6000, height: 4000 } } });
    expect(codeOf(submit())).toBe('ok');
    expect(codeOf(submit({ quality: 'final', proxyOf: { width: 6000, height: 4000 } }))).toBe('bad_message');
    expect(codeOf(submit({ proxyOf: { width: 0, height: 4000 } }))).toBe('bad_message');
    expect(codeOf(submit({ proxyOf: { width: 6000.5, height: 4000 } }))).toBe('bad_message');
    expect(codeOf(submit({ proxyOf: { width: 6000 } }))).toBe('bad_message');
  });

  it('job.submit: image reuse fields (keepImage, heldImage, imageRect) are optional; keys are protocol ids; keep and held exclude each other', () => {
    expect(parse(submit({ keepImage: 'ia1b2-1024x1024' }))).toMatchObject({ ok: true, msg: { keepImage: 'ia1b2-1024x1024' } });
    expect(parse(submit({ heldImage: 'k', imageRect: { left: 0, top: 4, width: 10, height: 20 } }))).toMatchObject({ ok: true, msg: { heldImage: 'k', imageRect: { left: 0, top: 4, width: 10, height: 20 } } });
    expect(codeOf(submit({ keepImage: 'k', heldImage: 'k' }))).toBe('bad_message');
    expect(codeOf(submit({ heldImage: 'a/b' }))).toBe('bad_message');
    expect(codeOf(submit({ heldImage: 'x'.repeat(65) }))).toBe('bad_message');
    expect(codeOf(submit({ imageRect: { left: -1, top: 0, width: 10, height: 10 } }))).toBe('bad_message');
    expect(codeOf(submit({ imageRect: { left: 0, top: 0, width: 0, height: 10 } }))).toBe('bad_message');
    expect(codeOf(submit({ imageRect: { left: 0, top: 0, width: 10, height: 10 }, proxyOf: { width: 100, height: 100 } }))).toBe('bad_message');
    expect(ERROR_HINTS.image_unknown).toMatch(/again with the image/);
  });

  it('job.result: a `moved` outline is optional (older bridges send none) and bounded', () => {
    const plan = { operations: [], warnings: [] };
    const base = { type: 'job.result', jobId: 'j', layer: { left: 0, top: 0, width: 1, height: 1 }, plan, timings: {}, frames: 1 };
    expect(parseServerMessage(JSON.stringify(base))).toMatchObject({ ok: true });
    const tri = (k: number) => [[k, 0], [k + 1, 0], [k, 1]];
    const bad = [
      { polygons: [[[0, 0], [1, 1]]] }, // fewer than 3 points
      { polygons: [[[0, 0], [1, 'x'], [2, 2]]] },
      { polygons: Array.from({ length: 667 }, (_, k) => tri(k)) }, // 2001 points in all
      { rings: [] },
    ];
    for (const moved of bad) expect(parseServerMessage(JSON.stringify({ ...base, moved }))).toMatchObject({ ok: false, code: 'bad_message' });
    expect(parseServerMessage(JSON.stringify({ ...base, moved: { polygons: Array.from({ length: 666 }, (_, k) => tri(k)) } }))).toMatchObject({ ok: true });
  });

  it('capabilities.models: present, plus an optional state (as `smartdrag models list` says it) and reason; older bridges send neither', () => {
    const caps = (models: unknown[]) => ({ device: 'cpu', stages: { refine: false }, models });
    const damaged = { id: 'sd15-inpaint', present: true, state: 'damaged', reason: 'unet.onnx references external data model.onnx_data, which is missing' };
    expect(CapabilitiesSchema.parse(caps([damaged, { id: 'migan', present: false, state: 'absent' }])).models).toEqual([damaged, { id: 'migan', present: false, state: 'absent' }]);
    expect(CapabilitiesSchema.parse(caps([{ id: 'lama', present: true }])).models).toEqual([{ id: 'lama', present: true }]);
    expect(CapabilitiesSchema.safeParse(caps([{ id: 'lama', present: true, state: 'broken' }])).success).toBe(false);
  });

  it('unknown types are unsupported_message, not bad_message', () => {
    expect(codeOf({ type: 'job.explode' })).toBe('unsupported_message');
    expect(parseServerMessage('{"type":"future.thing"}')).toMatchObject({ ok: false, code: 'unsupported_message' });
  });

  describe('rejections (each schema rule)', () => {
    it.each<[string, unknown]>([
      ['not JSON', '{'],
      ['not an object', [1, 2]],
      ['no type', { jobId: 'x' }],
      ['hello without token', { type: 'hello', protocol: 2, client: 'uxp' }],
      ['hello with non-integer protocol', { type: 'hello', protocol: 1.5, client: 'uxp', token: 't' }],
      ['hello with unknown client kind', { type: 'hello', protocol: 2, client: 'gimp', token: 't' }],
      ['job id with spaces', submit({ jobId: 'a b' })],
      ['job id too long', submit({ jobId: 'x'.repeat(65) })],
      ['no regions', submit({ regions: [] })],
      ['no drags', submit({ drags: [] })],
      ['polygon with 2 points', submit({ regions: [{ id: 'h1', polygon: [[0, 0], [1, 1]] }] })],
      ['region with polygon and maskSlot', submit({ regions: [{ id: 'h1', polygon: [[0, 0], [1, 0], [1, 1]], maskSlot: 1 }] })],
      ['region with neither', submit({ regions: [{ id: 'h1' }] })],
      ['mask slot 0', submit({ regions: [{ id: 'h1', maskSlot: 0 }] })],
      ['duplicate region id', submit({ regions: [{ id: 'h1', maskSlot: 1 }, { id: 'h1', maskSlot: 2 }] })],
      ['drag naming an unknown region', submit({ drags: [{ region: 'zz', points: [[0, 0], [1, 1]] }] })],
      ['drag with one point', submit({ drags: [{ region: 'h1', points: [[0, 0]] }] })],
      ['point with NaN-like value', '{"type":"job.submit","jobId":"j","quality":"final","regions":[{"id":"h1","polygon":[[0,0],[1,0],[1,1]]}],"drags":[{"region":"h1","points":[[0,0],[1e999,1]]}]}'],
      ['point with 3 numbers', submit({ drags: [{ region: 'h1', points: [[0, 0, 1], [1, 1]] }] })],
      ['unknown drag kind', submit({ drags: [{ region: 'h1', points: [[0, 0], [1, 1]], kind: 'twist' }] })],
      ['mask slot used twice', submit({ regions: [{ id: 'h1', maskSlot: 1 }], keep: [{ maskSlot: 1 }] })],
      ['keep with neither', submit({ keep: [{}] })],
      ['bad quality', submit({ quality: 'ultra' })],
      ['negative seed', submit({ seed: -1 })],
      ['non-integer image origin', submit({ imageOrigin: [0.5, 0] })],
      ['cancel without job id', { type: 'job.cancel' }],
      ['resume with no ids', { type: 'job.resume', jobIds: [] }],
    ])('%s', (_name, m) => {
      const r = typeof m === 'string' ? parseClientMessage(m) : parse(m);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.code).toBe('bad_message');
    });

    it('reports the issue path and the job id of a bad submit', () => {
      const r = parse(submit({ jobId: 'abc', drags: [{ region: 'zz', points: [[0, 0], [1, 1]] }] }));
      expect(r).toMatchObject({ ok: false, code: 'bad_message', path: ['drags', 0, 'region'], jobId: 'abc', type: 'job.submit' });
    });

    it('plan operations must have params of their own kind, confidence within 0..1', () => {
      const op = { region: 'h', kind: 'translate', params: { kind: 'rotate', angleDeg: 1, center: [0, 0] }, source: 'user', description: '', reason: '' };
      expect(PlanSchema.safeParse({ operations: [op], warnings: [] }).success).toBe(false);
      expect(PlanSchema.safeParse({ operations: [], warnings: [], confidence: 1.5 }).success).toBe(false);
    });
  });

  it('JobSubmit type matches the schema (compile-time check)', () => {
    const s: JobSubmit = JobSubmitSchema.parse(submit());
    const t: z.infer<typeof JobSubmitSchema> = s;
    expect(t.jobId).toBe('j1');
  });
});
