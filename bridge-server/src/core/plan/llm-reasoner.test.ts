/**
 * The optional LLM reasoner against a fake OpenAI-compatible server started here on
 * 127.0.0.1:0: a valid answer is used, every kind of failure falls back to the rules with a
 * warning, and non-loopback URLs are refused.
 */
import * as http from 'http';
import type { AddressInfo } from 'net';
import { rasterizePolygon } from '@smartdrag/shared/geometry';
import type { EditRequest, Point } from '../types';
import { makePlan } from './index';
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
    it('the local reasoner asks back: a coded question', async () => {
      nextReply = { body: chat('{"question":"Toward which window: left or right?"}') };
      await expect(makePlan(textOnly('scoot it a smidge toward the window'), { reasoner: createLlmReasoner({ baseUrl }) })).rejects.toMatchObject({ code: 'intent_unclear', message: 'Toward which window: left or right?' });
    });
    it('the local reasoner fails: the rules question, with the failure', async () => {
      nextReply = { body: chat('{"operations":[{"kind":"explode"}],"reason":"x"}') };
      await expect(makePlan(textOnly('scoot it a smidge toward the window'), { reasoner: createLlmReasoner({ baseUrl }) })).rejects.toMatchObject({ code: 'intent_unclear', message: expect.stringMatching(/Which way .* could not read it either/) });
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
