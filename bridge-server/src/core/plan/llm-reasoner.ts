/**
 * Optional reasoner backed by a local LLM behind an OpenAI-compatible chat endpoint (e.g. a
 * llama.cpp server the user runs). Off by default; only loopback URLs are accepted, so no request
 * text ever leaves the machine. The model only chooses a kind per drag (with a short reason);
 * parameters still come from the arrows and the text's amounts, and the answer is validated
 * strictly. Any failure (network, HTTP status, timeout, bad JSON, schema) throws, and `makePlan`
 * falls back to the rule reasoner. `makePlan` asks it only what the rules cannot settle
 * (`ruleSettlement`), and a kind it chooses never overrides text the rules read (`ruleReason`).
 */
import { z } from 'zod';
import type { Operation, OperationParams, Plan } from '../types';
import { ErrorCode, SmartDragError } from '@smartdrag/shared';
import { describeOperation } from './describe';
import type { PlanReasoner, ReasonerInput } from './reasoner';
import { ruleReason, type ForcedKind } from './rule-reasoner';
import { pixelUnits } from './units';

export interface LlmReasonerOptions {
  /** Base URL of the OpenAI-compatible API, e.g. `http://127.0.0.1:8080/v1`. Loopback only. */
  baseUrl: string;
  /** Model name sent in the request (default `local`). */
  model?: string;
  /** Request timeout in ms (default 20000). */
  timeoutMs?: number;
  /** Optional bearer token for the local server. */
  apiKey?: string;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/** The JSON the model must answer with. */
export const LlmAnswerSchema = z
  .object({
    drags: z
      .array(
        z
          .object({
            index: z.number().int().min(0),
            kind: z.enum(['translate', 'rotate', 'scale', 'deform']),
            reason: z.string().min(1).max(400),
          })
          .strict(),
      )
      .min(1),
    warnings: z.array(z.string().max(400)).max(5).optional(),
  })
  .strict();
export type LlmAnswer = z.infer<typeof LlmAnswerSchema>;

const SYSTEM_PROMPT = [
  'You plan drag-based image edits. Each drag is an arrow on a region: points[0] is the handle, the last point the target.',
  'Choose one kind per drag: translate (move the whole region), rotate (turn it about a centre), scale (resize it about a centre),',
  'deform (move only the part under the handle; the rest of the region stays). Follow the user text where it is explicit.',
  'rulesOpen says what the rules could not settle; an explicit verb the rules read, or a kind set on a drag, is kept whatever you answer.',
  'Geometry hints per drag: isArc (arrow bends around a centre), handleOffsetRel (<1: handle in the object core, >1: on the rim),',
  'radialCos (+1 pulls away from the centre, -1 towards it), thickening (~1 rim of a blob, ~0 thin protrusion).',
  'Answer with JSON only: {"drags":[{"index":0,"kind":"translate","reason":"..."}],"warnings":["..."]} with one entry per drag.',
].join(' ');

/** The JSON the model must answer with for a request without arrows (text alone). */
const TextOpSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('translate'), dx: z.number().finite(), dy: z.number().finite() }).strict(),
  z.object({ kind: z.literal('rotate'), angleDeg: z.number().finite().min(-360).max(360) }).strict(),
  z.object({ kind: z.literal('scale'), sx: z.number().finite().positive().max(20), sy: z.number().finite().positive().max(20) }).strict(),
]);
export const LlmTextAnswerSchema = z.union([
  z.object({ region: z.string().optional(), operations: z.array(TextOpSchema).min(1).max(4), reason: z.string().min(1).max(400) }).strict(),
  z.object({ question: z.string().min(1).max(400) }).strict(),
]);
export type LlmTextAnswer = z.infer<typeof LlmTextAnswerSchema>;

const TEXT_PROMPT = [
  'You plan image edits from text alone: the user selected a region and typed what to do, without drawing an arrow.',
  'Screen coordinates: x grows to the right, y grows DOWN; angles in degrees, positive = clockwise.',
  'If the text states the edit, answer {"operations":[{"kind":"translate","dx":0,"dy":40}],"reason":"..."} (kinds: translate {dx,dy} px,',
  'rotate {angleDeg}, scale {sx,sy} factors); with several regions add "region":"<id>". Use the region size for words like "a bit".',
  'If the text does not say which way or what kind, do not guess: answer {"question":"..."} with a short question for the user. JSON only.',
].join(' ');

function chatContent(body: unknown): unknown {
  const content = z
    .object({ choices: z.array(z.object({ message: z.object({ content: z.string() }) })).min(1) })
    .parse(body).choices[0]!.message.content;
  const stripped = content.trim().replace(/^```(?:json)?\s*/i, '').replace(/\s*```$/, '');
  try { return JSON.parse(stripped); } catch { throw new Error('LLM answer is not JSON'); }
}

/** Check that a URL points at this machine; throws RangeError otherwise. */
export function assertLoopback(url: string): URL {
  let u: URL;
  try { u = new URL(url); } catch { throw new RangeError(`LLM reasoner: invalid URL ${url}`); }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new RangeError(`LLM reasoner: unsupported protocol ${u.protocol}`);
  if (!LOOPBACK.has(u.hostname)) throw new RangeError(`LLM reasoner: ${u.hostname} is not a loopback host; only local servers are allowed`);
  return u;
}

/** Extract and validate the model's JSON answer from a chat-completions response body. */
export function parseLlmAnswer(body: unknown, dragCount: number): LlmAnswer {
  const content = z
    .object({ choices: z.array(z.object({ message: z.object({ content: z.string() }) })).min(1) })
    .parse(body).choices[0]!.message.content;
  const stripped = content.trim().replace(/^```(?:json)?\s*/i, '').replace(/\s*```$/, '');
  let json: unknown;
  try { json = JSON.parse(stripped); } catch { throw new Error('LLM answer is not JSON'); }
  const ans = LlmAnswerSchema.parse(json);
  const seen = new Set<number>();
  for (const d of ans.drags) {
    if (d.index >= dragCount) throw new Error(`LLM answer names drag ${d.index}, but there are ${dragCount}`);
    if (seen.has(d.index)) throw new Error(`LLM answer lists drag ${d.index} twice`);
    seen.add(d.index);
  }
  if (seen.size !== dragCount) throw new Error(`LLM answer covers ${seen.size} of ${dragCount} drags`);
  return ans;
}

/** Create the LLM reasoner. Throws RangeError at once for a non-loopback URL. */
export function createLlmReasoner(opts: LlmReasonerOptions): PlanReasoner {
  const base = assertLoopback(opts.baseUrl);
  const endpoint = new URL(base.pathname.replace(/\/?$/, '/') + 'chat/completions', base);
  const model = opts.model ?? 'local';
  const timeoutMs = opts.timeoutMs ?? 20000;
  return {
    name: `llm:${model}`,
    async reason({ ctx, parse, rulePlan, ruleQuestion, open, signal }: ReasonerInput): Promise<Plan> {
      const post = async (system: string, user: unknown): Promise<unknown> => {
        const signals = [AbortSignal.timeout(timeoutMs), ...(signal ? [signal] : [])];
        const res = await fetch(endpoint, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(opts.apiKey ? { authorization: `Bearer ${opts.apiKey}` } : {}) },
          body: JSON.stringify({ model, temperature: 0, response_format: { type: 'json_object' }, messages: [{ role: 'system', content: system }, { role: 'user', content: JSON.stringify(user) }] }),
          signal: AbortSignal.any(signals),
        });
        if (!res.ok) throw new Error(`LLM server answered HTTP ${res.status}`);
        return res.json();
      };
      if (ctx.drags.length === 0) {
        // Text alone the rules could not read. The model reads the user's pixels, which are the
        // document's: it is told the document in document pixels, and its move is converted into
        // the request's pixels (a proxy preview's: plan/units.ts).
        const u = pixelUnits(ctx.req);
        // (Positions in the image, as document pixels: the proxy's pixel-centre convention.)
        const at = (p: readonly [number, number]): number[] => u.fullPoint([p[0], p[1]]).map(Math.round);
        const regions = ctx.req.regions.map((r) => {
          const s = ctx.shapes.get(r.id)!;
          return { id: r.id, centroid: at(s.centroid), areaPx: Math.round(u.docArea(s.area)), radiusPx: Math.round(u.docLen(s.gyration)) };
        });
        const image = { width: Math.round(ctx.req.image.width / u.sx), height: Math.round(ctx.req.image.height / u.sy) };
        const ans = LlmTextAnswerSchema.parse(chatContent(await post(TEXT_PROMPT, { intent: parse?.text ?? '', image, regions, rulesAsked: ruleQuestion ?? null })));
        if ('question' in ans) throw new SmartDragError(ErrorCode.intent_unclear, ans.question);
        const id = ans.region ?? (regions.length === 1 ? regions[0]!.id : null);
        if (!id || !ctx.shapes.has(id)) throw new Error(`LLM answer names no known region (${ans.region ?? 'none'})`);
        const c = ctx.shapes.get(id)!.centroid;
        const center: [number, number] = [Math.round(c[0] * 100) / 100, Math.round(c[1] * 100) / 100];
        const operations: Operation[] = ans.operations.map((o) => {
          const params: OperationParams = o.kind === 'translate' ? (u.identity ? o : { kind: 'translate', dx: o.dx * u.sx, dy: o.dy * u.sy }) : o.kind === 'rotate' ? { ...o, center } : { ...o, center };
          return { region: id, kind: o.kind, params, source: 'intent', description: describeOperation(id, params), reason: `LLM (${model}) read the text the rules could not: ${ans.reason}` };
        });
        return { operations, warnings: [`The rules could not read this text (${ruleQuestion ?? 'no operation'}); the local reasoner ${model} did.`, 'No arrow: the plan comes from the text alone.'], confidence: 0.6, reasoner: `llm:${model}` };
      }
      if (!rulePlan) throw new Error('no rule plan to refine');
      const summary = {
        intent: parse?.text ?? '',
        regions: ctx.req.regions.map((r) => {
          const s = ctx.shapes.get(r.id)!;
          return { id: r.id, centroid: s.centroid.map(Math.round), areaPx: Math.round(s.area) };
        }),
        drags: ctx.drags.map((d) => ({
          index: d.index, region: d.drag.region, points: d.drag.points, center: d.drag.center ?? null,
          isArc: d.features.isArc, handleOffsetRel: +d.features.handleOffsetRel.toFixed(2), radialCos: +d.features.radialCos.toFixed(2),
          thickening: +d.features.thickening.toFixed(2), sweptDeg: +d.features.sweptDeg.toFixed(1),
        })),
        rulePlan: rulePlan.operations.map((o) => o.description),
        rulesOpen: open ?? [],
      };
      const signals = [AbortSignal.timeout(timeoutMs), ...(signal ? [signal] : [])];
      const res = await fetch(endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(opts.apiKey ? { authorization: `Bearer ${opts.apiKey}` } : {}) },
        body: JSON.stringify({
          model, temperature: 0, response_format: { type: 'json_object' },
          messages: [{ role: 'system', content: SYSTEM_PROMPT }, { role: 'user', content: JSON.stringify(summary) }],
        }),
        signal: AbortSignal.any(signals),
      });
      if (!res.ok) throw new Error(`LLM server answered HTTP ${res.status}`);
      const ans = parseLlmAnswer(await res.json(), ctx.drags.length);
      const forced = new Map<number, ForcedKind>(ans.drags.map((d) => [d.index, { kind: d.kind, reason: `LLM (${model}): ${d.reason}` }]));
      const plan = ruleReason(ctx, parse, forced);
      for (const w of ans.warnings ?? []) plan.warnings.push(`LLM: ${w}`);
      plan.reasoner = `llm:${model}`;
      return plan;
    },
  };
}
