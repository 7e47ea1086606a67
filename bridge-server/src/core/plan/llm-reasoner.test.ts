/**
 * The optional LLM reasoner against a fake OpenAI-compatible server started here on
 * 127.0.0.1:0: a valid answer is used, every kind of failure falls back to the rules with a
 * warning, and non-loopback URLs are refused.
 */
import * as http from 'http';
import type { AddressInfo } from 'net';
import { rasterizePolygon } from '@smartdrag/shared/geometry';
import type { Drag, EditRequest, Point } from '../types';
import { buildContext, makePlan, ruleReason, ruleSettlement } from './index';
import { parseIntent } from '../intent/parse';
import { assertLoopback, createLlmReasoner, parseLlmAnswer } from './llm-reasoner';

type Reply = { status?: number; body?: unknown; raw?: string; delayMs?: number };

let server: http.Server;
let baseUrl = '';
let nextReply: Reply = {};
const received: { url: string; body: any; auth?: string }[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let data = '';
    req.on('data', (c) => (data += c));
    req.on('end', () => {
      received.push({ url: req.url ?? '', body: JSON.parse(data), auth: req.headers.authorization });
      const r = nextReply;
      const send = (): void => {
        res.writeHead(r.status ?? 200, { 'content-type': 'application/json' });
        res.end(r.raw ?? JSON.stringify(r.body ?? {}));
      };
      if (r.delayMs) setTimeout(send, r.delayMs);
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => { received.length = 0; });

function disc(cx: number, cy: number, r: number): Point[] {
  return Array.from({ length: 48 }, (_, i) => [cx + r * Math.cos((i / 48) * 2 * Math.PI), cy + r * Math.sin((i / 48) * 2 * Math.PI)] as Point);
}

/** One disc, one straight arrow from its centre: the rules say translate. */
function request(intent = 'do the thing'): EditRequest {
  return {
    image: { width: 200, height: 200, data: new Uint8ClampedArray(200 * 200 * 4) },
    regions: [{ id: 'h1', mask: rasterizePolygon(disc(100, 100, 30)) }],
    drags: [{ region: 'h1', points: [[100, 100], [130, 100]] }],
    intent,
    quality: 'preview',
  };
}

const chat = (content: string): unknown => ({ choices: [{ message: { role: 'assistant', content } }] });

describe('LLM reasoner (fake local server)', () => {
  it('uses a valid answer: the model picks the kind, the arrow gives the amount', async () => {
    nextReply = { body: chat('```json\n{"drags":[{"index":0,"kind":"deform","reason":"user wants the edge pulled"}],"warnings":["guessing"]}\n```') };
    const plan = await makePlan(request(), { reasoner: createLlmReasoner({ baseUrl, model: 'tiny', apiKey: 'k' }) });
    expect(plan.operations).toHaveLength(1);
    expect(plan.operations[0]).toMatchObject({ region: 'h1', kind: 'deform', source: 'intent', params: { kind: 'deform', handles: [[100, 100]], targets: [[130, 100]] } });
    expect(plan.operations[0]!.reason).toBe('LLM (tiny): user wants the edge pulled');
    expect(plan.warnings).toContain('LLM: guessing');
    expect(received).toHaveLength(1);
    expect(received[0]!.url).toBe('/v1/chat/completions');
    expect(received[0]!.auth).toBe('Bearer k');
    expect(received[0]!.body.model).toBe('tiny');
    expect(received[0]!.body.messages[0].role).toBe('system');
    const user = JSON.parse(received[0]!.body.messages[1].content);
    expect(user.intent).toBe('do the thing');
    expect(user.drags[0]).toMatchObject({ index: 0, region: 'h1', points: [[100, 100], [130, 100]], isArc: false });
    expect(user.rulePlan).toEqual(['Move region h1 by (30, 0) px (right)']);
  });

  it.each<[string, Reply, RegExp]>([
    ['HTTP error', { status: 500, body: { error: 'boom' } }, /HTTP 500/],
    ['non-JSON content', { body: chat('I think you should rotate it') }, /not JSON/],
    ['unknown kind', { body: chat('{"drags":[{"index":0,"kind":"explode","reason":"x"}]}') }, /failed/],
    ['extra fields', { body: chat('{"drags":[{"index":0,"kind":"rotate","reason":"x","angle":5}]}') }, /failed/],
    ['missing drag', { body: chat('{"drags":[{"index":3,"kind":"rotate","reason":"x"}]}') }, /names drag 3/],
    ['duplicate drag', { body: chat('{"drags":[{"index":0,"kind":"rotate","reason":"x"},{"index":0,"kind":"scale","reason":"y"}]}') }, /twice/],
    ['no choices', { body: { choices: [] } }, /failed/],
    ['broken body', { raw: '{"choices": [' }, /failed/],
    ['timeout', { delayMs: 1500, body: chat('{"drags":[{"index":0,"kind":"rotate","reason":"late"}]}') }, /failed/],
  ])('falls back to the rule reasoner on %s', async (_name, reply, why) => {
    nextReply = reply;
    const plan = await makePlan(request(), { reasoner: createLlmReasoner({ baseUrl, timeoutMs: 300 }) });
    expect(plan.operations).toHaveLength(1);
    expect(plan.operations[0]).toMatchObject({ kind: 'translate', source: 'geometry', params: { kind: 'translate', dx: 30, dy: 0 } });
    const w = plan.warnings.find((x) => x.startsWith('Reasoner "llm:local" failed'));
    expect(w).toBeDefined();
    expect(w).toMatch(why);
    expect(w).toMatch(/used the rule reasoner/);
  });

  it('falls back when nothing listens on the port', async () => {
    const dead = http.createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
    const port = (dead.address() as AddressInfo).port;
    await new Promise<void>((r) => dead.close(() => r()));
    const plan = await makePlan(request(), { reasoner: createLlmReasoner({ baseUrl: `http://127.0.0.1:${port}/v1`, timeoutMs: 1000 }) });
    expect(plan.operations[0]!.kind).toBe('translate');
    expect(plan.warnings.some((w) => /failed/.test(w))).toBe(true);
  });

  it('is off by default: no request without a reasoner, exactly one when it is turned on', async () => {
    const rules = await makePlan(request());
    expect(received).toHaveLength(0);
    expect(rules.reasoner).not.toMatch(/^llm/);
    // The same request with the reasoner turned on reaches the fake server once.
    nextReply = { body: chat('{"drags":[{"index":0,"kind":"translate","reason":"r"}]}') };
    const llm = await makePlan(request(), { reasoner: createLlmReasoner({ baseUrl, model: 'tiny' }) });
    expect(received).toHaveLength(1);
    expect(received[0]!.url).toBe('/v1/chat/completions');
    expect(llm.reasoner).toBe('llm:tiny');
  });

  it('refuses non-loopback URLs at creation', () => {
    expect(() => createLlmReasoner({ baseUrl: 'http://example.com/v1' })).toThrow(/not a loopback host/);
    expect(() => createLlmReasoner({ baseUrl: 'http://10.0.0.2:8080/v1' })).toThrow(RangeError);
    expect(() => createLlmReasoner({ baseUrl: 'ftp://127.0.0.1/v1' })).toThrow(/protocol/);
    expect(() => createLlmReasoner({ baseUrl: 'not a url' })).toThrow(/invalid URL/);
    expect(assertLoopback('http://localhost:8080/v1').port).toBe('8080');
    expect(assertLoopback('http://[::1]:8080/v1').hostname).toBe('[::1]');
  });

  it('plan says which reasoner read it', async () => {
    nextReply = { body: chat('{"drags":[{"index":0,"kind":"translate","reason":"move"}]}') };
    expect((await makePlan(request(), { reasoner: createLlmReasoner({ baseUrl, model: 'tiny' }) })).reasoner).toBe('llm:tiny');
    expect((await makePlan(request())).reasoner).toBe('rules');
  });

  describe('text alone (no arrow)', () => {
    const textOnly = (intent: string): EditRequest => ({ ...request(intent), drags: [] });
    it('rules read it: the local reasoner is not asked', async () => {
      const plan = await makePlan(textOnly('move it 20 px left'), { reasoner: createLlmReasoner({ baseUrl }) });
      expect(received).toHaveLength(0);
      expect(plan.reasoner).toBe('rules');
      expect(plan.operations[0]!.params).toMatchObject({ kind: 'translate', dx: -20, dy: 0 });
    });
    it('rules cannot read it: the local reasoner does, and the plan says so', async () => {
      nextReply = { body: chat('{"operations":[{"kind":"translate","dx":-15,"dy":0}],"reason":"toward the window on the left, a little"}') };
      const plan = await makePlan(textOnly('scoot it a smidge toward the window'), { reasoner: createLlmReasoner({ baseUrl, model: 'tiny' }) });
      expect(received).toHaveLength(1);
      const user = JSON.parse(received[0]!.body.messages[1].content);
      expect(user.intent).toBe('scoot it a smidge toward the window');
      expect(user.rulesAsked).toMatch(/Which way/);
      expect(plan.reasoner).toBe('llm:tiny');
      expect(plan.operations).toEqual([expect.objectContaining({ region: 'h1', kind: 'translate', source: 'intent', params: { kind: 'translate', dx: -15, dy: 0 } })]);
      expect(plan.operations[0]!.reason).toMatch(/LLM \(tiny\) read the text the rules could not/);
    });
    it('on a proxy (pixelScale ½): the model is told the document in document pixels, and its move is converted', async () => {
      nextReply = { body: chat('{"operations":[{"kind":"translate","dx":-40,"dy":10}],"reason":"a smidge left"}') };
      const req: EditRequest = { ...textOnly('scoot it a smidge toward the window'), pixelScale: { x: 0.5, y: 0.5 } };
      const plan = await makePlan(req, { reasoner: createLlmReasoner({ baseUrl, model: 'tiny' }) });
      const user = JSON.parse(received[0]!.body.messages[1].content);
      expect(user.image).toEqual({ width: 400, height: 400 });
      expect(Math.abs(user.regions[0].centroid[0] - 200) + Math.abs(user.regions[0].centroid[1] - 200)).toBeLessThanOrEqual(2);
      expect(plan.operations[0]!.params).toEqual({ kind: 'translate', dx: -20, dy: 5 });
    });
    it('the local reasoner asks back: a coded question', async () => {
      nextReply = { body: chat('{"question":"Toward which window: left or right?"}') };
      await expect(makePlan(textOnly('scoot it a smidge toward the window'), { reasoner: createLlmReasoner({ baseUrl }) })).rejects.toMatchObject({ code: 'intent_unclear', message: 'Toward which window: left or right?' });
    });
    it('the local reasoner fails: the rules question, with the failure', async () => {
      nextReply = { body: chat('{"operations":[{"kind":"explode"}],"reason":"x"}') };
      await expect(makePlan(textOnly('scoot it a smidge toward the window'), { reasoner: createLlmReasoner({ baseUrl }) })).rejects.toMatchObject({ code: 'intent_unclear', message: expect.stringMatching(/Which way .* could not read it either/) });
    });
  });

  describe('asked only what the rules cannot settle (README: text the rules read stays theirs)', () => {
    const at = (intent: string, drags: Drag[]): EditRequest => ({ ...request(intent), drags });
    const clear: Drag = { region: 'h1', points: [[100, 100], [130, 100]] };
    /** Two discs side by side, a short straight arrow from each centre (neither shows a rotation or a scale). */
    const two = (intent: string): EditRequest => ({
      image: { width: 300, height: 200, data: new Uint8ClampedArray(300 * 200 * 4) },
      regions: [{ id: 'h1', mask: rasterizePolygon(disc(80, 100, 30)) }, { id: 'h2', mask: rasterizePolygon(disc(220, 100, 30)) }],
      drags: [{ region: 'h1', points: [[80, 100], [95, 100]] }, { region: 'h2', points: [[220, 100], [235, 100]] }],
      intent, quality: 'preview',
    });
    const rotateAll = (n: number): Reply => ({ body: chat(JSON.stringify({ drags: Array.from({ length: n }, (_, index) => ({ index, kind: 'rotate', reason: 'LLM thinks rotate' })) })) });

    it.each<[string, EditRequest]>([
      ['a kind set on the drag (unread text)', at('do the thing', [{ ...clear, kind: 'translate' }])],
      ['text the rules read (an explicit verb)', at('move the red candy up', [{ region: 'h1', points: [[100, 100], [100, 70]] }])],
      ['text the rules read (a soft verb, clear geometry)', at('raise it', [{ region: 'h1', points: [[100, 110], [100, 80]] }])],
      ['a single clear arrow, no text', at('', [clear])],
      ['position words give each arrow its action', two('rotate the left one and scale the right one')],
      ['text alone the rules read', at('make it 20% bigger', [])],
    ])('settled — %s: no call, the rules\' plan as without a reasoner', async (_what, req) => {
      nextReply = rotateAll(Math.max(1, req.drags.length));
      const plan = await makePlan(req, { reasoner: createLlmReasoner({ baseUrl, model: 'tiny' }) });
      expect(received).toHaveLength(0);
      expect(plan).toEqual(await makePlan(req));
      expect(plan.reasoner).toBe('rules');
    });

    it('a preview of a settled job does not wait on a slow reasoner', async () => {
      nextReply = { ...rotateAll(1), delayMs: 3000 };
      const t0 = Date.now();
      const plan = await makePlan(at('move it up', [{ region: 'h1', points: [[100, 100], [100, 70]] }]), { reasoner: createLlmReasoner({ baseUrl, timeoutMs: 20000 }) });
      expect(Date.now() - t0).toBeLessThan(1500);
      expect(received).toHaveLength(0);
      expect(plan.operations[0]!.params).toMatchObject({ kind: 'translate', dx: 0, dy: -30 });
    });

    it('text the rules cannot read: one call, the model chooses the kind', async () => {
      nextReply = rotateAll(1);
      const plan = await makePlan(at('do the thing', [clear]), { reasoner: createLlmReasoner({ baseUrl, model: 'tiny' }) });
      expect(received).toHaveLength(1);
      expect(JSON.parse(received[0]!.body.messages[1].content).rulesOpen).toEqual(['the rules read no edit in the text "do the thing"']);
      expect(plan.operations[0]).toMatchObject({ kind: 'rotate', reason: 'LLM (tiny): LLM thinks rotate' });
    });

    it('an arrow the geometry leaves ambiguous (no text): one call', async () => {
      nextReply = { body: chat('{"drags":[{"index":0,"kind":"scale","reason":"pulls the rim out"}]}') };
      const req = at('', [{ region: 'h1', points: [[120, 100], [140, 100]] }]);
      expect(ruleSettlement(buildContext(req), null)).toMatchObject({ settled: false, drags: ['open'] });
      const plan = await makePlan(req, { reasoner: createLlmReasoner({ baseUrl }) });
      expect(received).toHaveLength(1);
      expect(JSON.parse(received[0]!.body.messages[1].content).rulesOpen).toEqual([expect.stringMatching(/^drag 1 on region h1 reads as translate \(\d+%\) or scale/)]);
      expect(plan.operations[0]!.kind).toBe('scale');
    });

    it('actions given to the arrows by word order alone: one call, and the model may swap them', async () => {
      nextReply = { body: chat('{"drags":[{"index":0,"kind":"scale","reason":"a"},{"index":1,"kind":"rotate","reason":"b"}]}') };
      const plan = await makePlan(two('rotate one 30 degrees and scale the other 50% bigger'), { reasoner: createLlmReasoner({ baseUrl }) });
      expect(received).toHaveLength(1);
      expect(plan.operations.map((o) => [o.region, o.params.kind])).toEqual([['h1', 'scale'], ['h2', 'rotate']]);
      // Each kind keeps its own action's amount.
      expect(plan.operations[0]!.params).toMatchObject({ sx: 1.5 });
      expect(plan.operations[1]!.params).toMatchObject({ angleDeg: 30 });
    });

    it('a soft verb on an ambiguous arrow: asked, but only translate or deform may stand', async () => {
      const req = at('raise it', [{ region: 'h1', points: [[120, 100], [120, 80]] }]);
      nextReply = rotateAll(1);
      const refused = await makePlan(req, { reasoner: createLlmReasoner({ baseUrl }) });
      expect(received).toHaveLength(1);
      expect(refused.operations[0]!.kind).toBe((await makePlan(req)).operations[0]!.kind);
      expect(refused.warnings).toContain('Drag 1 on region h1: the other reasoner\'s rotate was set aside, the text\'s "raise" gives only a direction: the region moves or that part bends (translate or deform).');
      nextReply = { body: chat('{"drags":[{"index":0,"kind":"translate","reason":"the whole candy"}]}') };
      const taken = await makePlan(req, { reasoner: createLlmReasoner({ baseUrl }) });
      expect(taken.operations[0]).toMatchObject({ kind: 'translate', params: { dx: 0, dy: -20 } });
    });

    it('a kind from another reasoner never overrides the text the rules read', () => {
      const text = 'move the red candy up';
      const ctx = buildContext(at(text, [{ region: 'h1', points: [[100, 100], [100, 70]] }]));
      const plan = ruleReason(ctx, parseIntent(text), new Map([[0, { kind: 'rotate', reason: 'LLM thinks rotate' }]]));
      expect(plan.operations).toHaveLength(1);
      expect(plan.operations[0]).toMatchObject({ kind: 'translate', params: { kind: 'translate', dx: 0, dy: -30 } });
      expect(plan.warnings.some((w) => /rotate was set aside, the text asks to translate/.test(w))).toBe(true);
      // "don't rotate it": a kind the text rules out is refused too.
      const no = 'do not rotate it';
      const c2 = buildContext(at(no, [clear]));
      expect(ruleReason(c2, parseIntent(no), new Map([[0, { kind: 'rotate', reason: 'x' }]])).operations[0]!.kind).not.toBe('rotate');
    });
  });

  it('validates answers strictly', () => {
    expect(parseLlmAnswer(chat('{"drags":[{"index":0,"kind":"scale","reason":"r"}]}'), 1).drags[0]!.kind).toBe('scale');
    expect(() => parseLlmAnswer(chat('{"drags":[]}'), 1)).toThrow();
    expect(() => parseLlmAnswer(chat('{"drags":[{"index":0,"kind":"scale","reason":"r"}]}'), 2)).toThrow(/covers 1 of 2/);
    expect(() => parseLlmAnswer(chat('{"drags":[{"index":-1,"kind":"scale","reason":"r"}]}'), 1)).toThrow();
    expect(() => parseLlmAnswer(chat('{"drags":[{"index":0,"kind":"scale","reason":""}]}'), 1)).toThrow();
  });
});
