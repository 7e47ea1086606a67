/**
 * Protocol v1 messages. Every message is defined once as a zod schema discriminated on `type`;
 * its TypeScript type is derived with `z.infer`. Text WebSocket frames carry one JSON message;
 * pixels travel in binary frames (see frames.ts). All coordinates are DOCUMENT pixels
 * (x right, y down, origin at the document's top-left) unless a field says otherwise; times end
 * in `Ms`.
 *
 * Parse only at the two boundaries: {@link parseClientMessage} (bridge) and
 * {@link parseServerMessage} (client).
 */
import { z } from 'zod';
import { ERROR_CODES, ErrorCode } from './errors';

// ---------------------------------------------------------------------------------------------
// Building blocks

/** `[x, y]` in document pixels; finite numbers. */
export const PointSchema = z.tuple([z.number(), z.number()]);
/** A closed polygon (≥ 3 points) in document pixels. */
export const PolygonSchema = z.array(PointSchema).min(3);
/** Client-minted job id: 1–64 chars of `[A-Za-z0-9_-]` (a UUID fits). */
export const JobIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'job id must be 1-64 chars of [A-Za-z0-9_-]');
/** Region id, unique within a job. */
export const RegionIdSchema = z.string().min(1).max(64);
/** Binary mask slot (1–65535); slot 0 is the image. */
export const MaskSlotSchema = z.number().int().min(1).max(65535);
/** Key of an image kept at the bridge for later jobs of one connection: 1–64 chars of `[A-Za-z0-9_-]`. */
export const ImageKeySchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'image key must be 1-64 chars of [A-Za-z0-9_-]');
/** Integer rectangle in document pixels. */
export const RectSchema = z.object({
  left: z.number().int(),
  top: z.number().int(),
  width: z.number().int().min(0),
  height: z.number().int().min(0),
});
/** Transform type of a drag (`auto` lets the planner decide). */
export const DragKindSchema = z.enum(['translate', 'rotate', 'scale', 'deform']);
export const DragKindOrAutoSchema = z.enum(['translate', 'rotate', 'scale', 'deform', 'auto']);
/** `preview`: fast (bilinear, quick fill); `final`: best quality. */
export const QualitySchema = z.enum(['preview', 'final']);
/** Who is connecting. */
export const ClientKindSchema = z.enum(['uxp', 'photopea', 'express', 'playground', 'cli', 'test']);
export const ErrorCodeSchema = z.enum(ERROR_CODES);

/**
 * Which map an elastic drag built: `parts` (a part around each target moves as a whole, the rest
 * stretches), `band` (parallel arrows push an edge: a band moves, content stretches along the drag
 * only), `group` (the arrows move one piece, every handle lands), `turn` (that piece on the arrows'
 * best common turn), `occlusion` (no fold-free map: the dragged part slides over what lies ahead).
 */
export const ElasticMapSchema = z.enum(['parts', 'band', 'group', 'turn', 'occlusion']);
export type ElasticMap = z.infer<typeof ElasticMapSchema>;

/** Parameters of one operation, by kind. Angles in degrees, positive = clockwise on screen. */
export const OperationParamsSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('translate'), dx: z.number(), dy: z.number() }),
  z.object({ kind: z.literal('rotate'), angleDeg: z.number(), center: PointSchema }),
  z.object({ kind: z.literal('scale'), sx: z.number(), sy: z.number(), center: PointSchema }),
  z.object({
    kind: z.literal('deform'), handles: z.array(PointSchema), targets: z.array(PointSchema), elastic: z.boolean().optional(),
    /** Elastic drags: the map the bridge built (see `ElasticMapSchema`). */
    map: ElasticMapSchema.optional(),
    /**
     * Elastic drags (optional, added without a version bump): only the object found inside the
     * selection bends; the background stays and what the object uncovers is filled. Set when the
     * intent keeps the background, and on the alternative reading that offers it.
     */
    keepBackground: z.boolean().optional(),
    /**
     * Elastic drags (optional, added without a version bump): the selection grown outward by this
     * many pixels is the area that bends — the alternative reading offered where the drag has too
     * little room inside the selection. Pixels just outside the selection change too.
     */
    room: z.number().positive().finite().optional(),
  }),
]);

/** One region-level operation (mirrors `Operation` of bridge-server/src/core/types.ts). */
export const OperationSchema = z
  .object({
    region: z.string(),
    kind: DragKindSchema,
    params: OperationParamsSchema,
    /** Where the kind came from. */
    source: z.enum(['user', 'intent', 'geometry']),
    /** Plain-words description of the operation. */
    description: z.string(),
    /** Why this kind was chosen. */
    reason: z.string(),
  })
  .refine((o) => o.params.kind === o.kind, { message: 'params.kind must equal kind', path: ['params', 'kind'] });

const PlanBaseSchema = z.object({
  operations: z.array(OperationSchema),
  warnings: z.array(z.string()),
  /** Confidence 0..1 of this reading. */
  confidence: z.number().min(0).max(1).optional(),
  /** Which reasoner read the intent ("rules" or an optional reasoner's name); since protocol 2. */
  reasoner: z.string().optional(),
});

/**
 * The readable interpretation of arrows + intent (mirrors core `Plan`). `alternatives` are other
 * readings, best first; alternatives carry no alternatives of their own on the wire.
 */
export const PlanSchema = PlanBaseSchema.extend({ alternatives: z.array(PlanBaseSchema).optional() });

/** Per-stage wall times in ms (plan, warp, fill, blend, refine, layer, total, queue, …). */
export const TimingsSchema = z.record(z.string(), z.number());

/** Limits in force (see limits.ts). */
export const LimitsSchema = z.object({
  maxChunkBytes: z.number().int().positive(),
  maxFrameBytes: z.number().int().positive(),
  maxImagePixels: z.number().int().positive(),
  maxImageSidePx: z.number().int().positive(),
  maxRegions: z.number().int().positive(),
  maxDrags: z.number().int().positive(),
  maxPoints: z.number().int().positive(),
  maxQueuePerClient: z.number().int().positive(),
  maxQueueTotal: z.number().int().positive(),
  maxJobMs: z.number().int().positive(),
  maxIntentChars: z.number().int().positive(),
  /** Optional on the wire (bridges before 0.2 do not report it). */
  maxHeldBytes: z.number().int().positive().optional(),
  /** Optional on the wire: bridges that cannot keep images for reuse do not report it. */
  maxHeldImages: z.number().int().min(0).optional(),
});

/** What the bridge can do: compute device and learned stages. */
export const CapabilitiesSchema = z.object({
  /** `cpu`, or the accelerator the model layer reports (e.g. `cuda`). */
  device: z.string(),
  /** Learned stages and whether each is available (all false with no model files). */
  stages: z.record(z.string(), z.boolean()),
  /**
   * Models known to the bridge. `present`: its files are installed (true also when damaged).
   * `state` (optional; older bridges do not send it), as `smartdrag models list` says it:
   * `complete` (usable), `damaged` (installed, but a file has the wrong size, its ONNX external
   * data is missing or short, or its tokenizer files cannot be read), `partial` (some files
   * missing) or `absent`; `reason` says what is wrong when `damaged` or `partial`.
   */
  models: z.array(z.object({
    id: z.string(),
    present: z.boolean(),
    state: z.enum(['complete', 'damaged', 'partial', 'absent']).optional(),
    reason: z.string().optional(),
  })),
  /** Why this device (e.g. the CUDA error that made the bridge fall back to CPU). Optional (added in v1). */
  deviceReason: z.string().optional(),
  /** Per stage: on/off, the model in use, and why it is off. Optional (added in v1). */
  stageInfo: z.record(z.string(), z.object({ enabled: z.boolean(), model: z.string().optional(), reason: z.string().optional() })).optional(),
  /** The plan reasoner in use: `rules` (default) or `llm` (a local LLM server). Optional (added in v1). */
  reasoner: z.string().optional(),
});

// ---------------------------------------------------------------------------------------------
// Client -> bridge

/** First message on every socket. */
export const HelloSchema = z.object({
  type: z.literal('hello'),
  /** The client's PROTOCOL_VERSION. */
  protocol: z.number().int(),
  client: ClientKindSchema,
  clientVersion: z.string().max(64).optional(),
  /** Bridge token (`smartdrag token`). */
  token: z.string().max(512),
});

/** A handle region: a polygon OR a gray8/png mask frame in `maskSlot` (placed by its frame's left/top). */
export const SubmitRegionSchema = z
  .object({ id: RegionIdSchema, polygon: PolygonSchema.optional(), maskSlot: MaskSlotSchema.optional() })
  .refine((r) => (r.polygon === undefined) !== (r.maskSlot === undefined), {
    message: 'a region needs exactly one of polygon or maskSlot',
  });

/** Pixels that must never change: a polygon OR a mask frame. */
export const KeepSchema = z
  .object({ polygon: PolygonSchema.optional(), maskSlot: MaskSlotSchema.optional() })
  .refine((r) => (r.polygon === undefined) !== (r.maskSlot === undefined), {
    message: 'a keep area needs exactly one of polygon or maskSlot',
  });

/** One drag: a polyline; first point = handle, last = target, middle points shape it. */
export const SubmitDragSchema = z.object({
  region: RegionIdSchema,
  points: z.array(PointSchema).min(2),
  kind: DragKindOrAutoSchema.optional(),
  /** Pivot (rotate) or fixed point (scale); defaults to the region centroid. */
  center: PointSchema.optional(),
});

/**
 * Submit an edit. Followed by binary frames for the same `jobId`: the image in slot 0 and one
 * frame per `maskSlot` used. The job starts when every frame has arrived.
 */
export const JobSubmitSchema = z
  .object({
    type: z.literal('job.submit'),
    jobId: JobIdSchema,
    /** Document position `[left, top]` of the sent image (a crop of the document). Default `[0, 0]`. */
    imageOrigin: z.tuple([z.number().int(), z.number().int()]).optional(),
    regions: z.array(SubmitRegionSchema).min(1),
    /** May be empty when `intent` states the edit (protocol 2: text alone). */
    drags: z.array(SubmitDragSchema),
    keep: z.array(KeepSchema).optional(),
    /** Free-text intent, e.g. "rotate the cup 20° clockwise". */
    intent: z.string().optional(),
    quality: QualitySchema,
    /** Seed for every random choice; default 1, as in-process (the same input gives the same pixels). */
    seed: z.number().int().min(0).max(0xffffffff).optional(),
    /**
     * Preview only: the largest image (in pixels) the host can show. When the sent image is
     * larger by about 4× or more (proxy scale ≤ 1/2), the bridge runs the preview on an
     * area-averaged proxy of at most this many pixels and the result carries `proxy` (its layer
     * is in proxy pixels). Final quality ignores it.
     */
    previewMaxPixels: z.number().int().min(4096).max(1 << 30).optional(),
    /**
     * Preview only (optional, added without a version bump): the sent image is the host's own
     * display-size proxy of the document area `width × height` at `imageOrigin` (document pixels),
     * area-averaged as `downscaleImage` does (shared/src/proxy.ts), the same factor on both axes.
     * Polygons, drags and centres stay in document pixels; mask frames are in the sent image's
     * pixels, placed by their frame's left/top relative to the sent image's top-left. The bridge
     * previews it as it is (no proxy to make) and `job.result` carries `proxy` exactly as for
     * `previewMaxPixels` (which is then ignored). A sent image larger than the area or of another
     * aspect is refused with `proxy_mismatch`.
     */
    proxyOf: z.object({ width: z.number().int().min(1).max(1 << 20), height: z.number().int().min(1).max(1 << 20) }).optional(),
    /**
     * Image reuse (optional, added without a version bump; only when `welcome.limits.maxHeldImages`
     * is reported and > 0): keep the image sent in slot 0 under this key for later jobs of this
     * connection. The job itself runs as usual.
     */
    keepImage: ImageKeySchema.optional(),
    /**
     * Image reuse: no slot-0 frame follows; the job's image is the one this connection sent
     * earlier with `keepImage` = this key (with its frame's left/top and format as sent). A key the
     * bridge does not hold (never kept, dropped under memory pressure or as least recently used,
     * or kept by another connection) is answered `job.error image_unknown` and nothing is queued:
     * the same job id may be submitted again with the pixels.
     */
    heldImage: ImageKeySchema.optional(),
    /**
     * The job's image is this rectangle (in the pixels of the sent or held image) of it, e.g. the
     * edit's crop of a kept document; default the whole image. `imageOrigin` stays the document
     * position of the job's image (default the image frame's left/top plus the rectangle's).
     * Must lie inside the image (`bad_message`). Not with `proxyOf`.
     */
    imageRect: z.object({ left: z.number().int().min(0), top: z.number().int().min(0), width: z.number().int().min(1), height: z.number().int().min(1) }).optional(),
    /**
     * The document's size in pixels when the job's image is a crop of it (optional, added without a
     * version bump). A few readings depend on the document rather than the edited area — whether a
     * selection follows its object's outline (its offsets grow with the document's side), an
     * intent's corners and image shares — and read it, so a crop takes the same reading as the
     * whole document. Without it: the held or sent image the job's `imageRect` is cut from, else
     * the job's image itself.
     */
    documentSize: z.object({ width: z.number().int().min(1).max(1 << 20), height: z.number().int().min(1).max(1 << 20) }).optional(),
    /**
     * A reading the bridge proposed for these regions and drags (optional, added without a version
     * bump): the `operations` of a `job.plan` it sent, or of one of that plan's `alternatives`, as
     * sent (document pixels). The job carries them out as given instead of the bridge's first
     * reading — what a panel sends when the user picks "Or did you mean …", and for the full edit
     * after a preview, so that it is the edit previewed. The job's plan then has these operations,
     * the warnings of the bridge's own matching reading and its other readings as alternatives.
     * Drag kinds do not pin a reading: a reading may differ from another in its amounts alone (the
     * text's direction against the arrow's), and an elastic drag is not a drag kind.
     */
    reading: z.array(OperationSchema).min(1).max(64).optional(),
  })
  .superRefine((s, ctx) => {
    if (s.proxyOf && s.quality !== 'preview') ctx.addIssue({ code: 'custom', message: 'proxyOf is for previews only: a final edit needs the document\'s own pixels', path: ['proxyOf'] });
    if (s.keepImage !== undefined && s.heldImage !== undefined) ctx.addIssue({ code: 'custom', message: 'keepImage and heldImage exclude each other: a job either sends its image or names a held one', path: ['heldImage'] });
    if (s.imageRect && s.proxyOf) ctx.addIssue({ code: 'custom', message: 'imageRect does not combine with proxyOf', path: ['imageRect'] });
    if (s.drags.length === 0 && !(s.intent ?? '').trim()) ctx.addIssue({ code: 'custom', message: 'a job needs at least one drag, or an intent that states the edit', path: ['drags'] });
    const ids = new Set<string>();
    s.regions.forEach((r, i) => {
      if (ids.has(r.id)) ctx.addIssue({ code: 'custom', message: `duplicate region id ${r.id}`, path: ['regions', i, 'id'] });
      ids.add(r.id);
    });
    s.drags.forEach((d, i) => {
      if (!ids.has(d.region)) ctx.addIssue({ code: 'custom', message: `drag names unknown region ${d.region}`, path: ['drags', i, 'region'] });
    });
    s.reading?.forEach((o, i) => {
      if (!ids.has(o.region)) ctx.addIssue({ code: 'custom', message: `the reading moves unknown region ${o.region}`, path: ['reading', i, 'region'] });
    });
    const slots = new Set<number>();
    const useSlot = (slot: number | undefined, path: (string | number)[]) => {
      if (slot === undefined) return;
      if (slots.has(slot)) ctx.addIssue({ code: 'custom', message: `mask slot ${slot} used twice`, path });
      slots.add(slot);
    };
    s.regions.forEach((r, i) => useSlot(r.maskSlot, ['regions', i, 'maskSlot']));
    s.keep?.forEach((k, i) => useSlot(k.maskSlot, ['keep', i, 'maskSlot']));
  });

/** Cancel a queued or running job. */
export const JobCancelSchema = z.object({ type: z.literal('job.cancel'), jobId: JobIdSchema });
/** After a reconnect: re-attach to unfinished jobs and collect finished results. */
export const JobResumeSchema = z.object({ type: z.literal('job.resume'), jobIds: z.array(JobIdSchema).min(1).max(256) });
/** Application heartbeat (browsers cannot send protocol pings). `t` is echoed back. */
export const PingSchema = z.object({ type: z.literal('ping'), t: z.number().optional() });
export const PongSchema = z.object({ type: z.literal('pong'), t: z.number().optional() });

/** Everything a client may send. */
export const ClientMessageSchema = z.discriminatedUnion('type', [
  HelloSchema,
  JobSubmitSchema,
  JobCancelSchema,
  JobResumeSchema,
  PingSchema,
  PongSchema,
]);

// ---------------------------------------------------------------------------------------------
// Bridge -> client

/** Answer to a valid `hello`. */
export const WelcomeSchema = z.object({
  type: z.literal('welcome'),
  protocol: z.number().int(),
  serverVersion: z.string(),
  /** Id of this connection (appears in the bridge log). */
  clientId: z.string(),
  capabilities: CapabilitiesSchema,
  limits: LimitsSchema,
  /** Interval of the bridge heartbeat; clients ping at this rate. */
  heartbeatMs: z.number().int().positive(),
});

/** A connection-level error (handshake, bad message). Handshake errors are followed by a close 4xxx. */
export const ErrorMessageSchema = z.object({
  type: z.literal('error'),
  code: ErrorCodeSchema,
  message: z.string(),
  hint: z.string().optional(),
  /** Structured detail, e.g. `{client, server, upgrade: 'plugin'|'bridge'}` for version_mismatch, or the schema issue path. */
  detail: z.unknown().optional(),
});

/** The job was received whole and validated. `position` = jobs ahead of it (0 = starts now). */
export const JobAcceptedSchema = z.object({ type: z.literal('job.accepted'), jobId: JobIdSchema, position: z.number().int().min(0) });
/** The job's queue position changed. */
export const JobQueuedSchema = z.object({ type: z.literal('job.queued'), jobId: JobIdSchema, position: z.number().int().min(0) });
/** A worker started the job. */
export const JobStartedSchema = z.object({ type: z.literal('job.started'), jobId: JobIdSchema });
/** The plan (how the arrows and intent were understood). */
export const JobPlanSchema = z.object({ type: z.literal('job.plan'), jobId: JobIdSchema, plan: PlanSchema });
/** Progress of one stage (`plan`, `warp`, `fill`, `blend`, `refine`, …), `fraction` 0..1. */
export const JobProgressSchema = z.object({
  type: z.literal('job.progress'),
  jobId: JobIdSchema,
  stage: z.string(),
  fraction: z.number().min(0).max(1),
});
/** How a proxy preview relates to the sent image: proxy size and proxy pixels per image pixel. */
export const ProxySchema = z.object({
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  scaleX: z.number().positive().max(1),
  scaleY: z.number().positive().max(1),
});
export type ProxyInfo = z.infer<typeof ProxySchema>;

/** Most vertices of a `moved` outline, all polygons together. */
export const MAX_MOVED_POINTS = 2000;
/**
 * The outline of what the edit moved (where the moved content lands): closed polygons, vertices
 * in DOCUMENT pixels (pixel-centre convention; `imageOrigin` added, and for a proxy preview
 * scaled back from proxy pixels, so accurate to about one proxy pixel). Draw them with the
 * even-odd rule (a hole's outline is a polygon too). Empty when nothing moved.
 */
export const MovedSchema = z.object({
  polygons: z.array(z.array(PointSchema).min(3).max(MAX_MOVED_POINTS)).max(MAX_MOVED_POINTS)
    .refine((ps) => ps.reduce((n, p) => n + p.length, 0) <= MAX_MOVED_POINTS, `at most ${MAX_MOVED_POINTS} points in all`),
});
export type Moved = z.infer<typeof MovedSchema>;

/**
 * The bridge's self-check of a result (bridge-server core/self-check.ts): measures of what a person
 * would see — the share of the selection filled in, a smeared fill, edges the photo never had
 * (tears), seams where the change meets the rest of the picture, one-directional stretch — and whether they add up to a doubtful result, with the
 * findings in plain words (also added to the result's plan warnings). A warning, never a refusal.
 */
export const SelfCheckSchema = z.object({
  synthesized: z.number().min(0).max(1),
  smearedBlock: z.number().min(0),
  tear: z.number().min(0),
  /** Unexplained seams where the change meets untouched pixels (core/look.ts); absent from bridges before it. */
  seam: z.number().min(0).optional(),
  stretch: z.number().min(1),
  badness: z.number().min(0),
  doubtful: z.boolean(),
  findings: z.array(z.string()),
});
export type SelfCheckInfo = z.infer<typeof SelfCheckSchema>;

/**
 * The job finished. Followed by the layer as `frames` binary chunks (part `layer`, rgba8,
 * straight alpha): only changed pixels, alpha 0 elsewhere, placed at `layer.left/top`.
 */
export const JobResultSchema = z.object({
  type: z.literal('job.result'),
  jobId: JobIdSchema,
  /** Where the layer goes, in document pixels. */
  layer: RectSchema,
  plan: PlanSchema,
  timings: TimingsSchema,
  /** Number of binary chunks that follow. */
  frames: z.number().int().min(1),
  /**
   * Set when a preview ran on a proxy (`previewMaxPixels`): `layer` is then in proxy pixels of
   * the sent image; it covers document pixels `imageOrigin + layer.left / scaleX` … (width
   * `layer.width / scaleX`), i.e. a host shows it scaled up by `1/scaleX × 1/scaleY`.
   */
  proxy: ProxySchema.optional(),
  /** The outline of what moved, in document pixels (optional: older bridges do not send it). */
  moved: MovedSchema.optional(),
  /**
   * The self-check of this result (finals, every size: a large edited area is measured on a
   * proxy); null when there was nothing to check (an empty edit; earlier bridges also sent null
   * for edited areas over 4 MP); absent from older bridges and on previews.
   */
  check: SelfCheckSchema.nullable().optional(),
});
/** The job failed. */
export const JobErrorSchema = z.object({
  type: z.literal('job.error'),
  jobId: JobIdSchema,
  code: ErrorCodeSchema,
  message: z.string(),
  hint: z.string().optional(),
});
/** The job was cancelled (answer to `job.cancel`); nothing was changed. */
export const JobCancelledSchema = z.object({ type: z.literal('job.cancelled'), jobId: JobIdSchema });

/** Everything the bridge may send. */
export const ServerMessageSchema = z.discriminatedUnion('type', [
  WelcomeSchema,
  ErrorMessageSchema,
  JobAcceptedSchema,
  JobQueuedSchema,
  JobStartedSchema,
  JobPlanSchema,
  JobProgressSchema,
  JobResultSchema,
  JobErrorSchema,
  JobCancelledSchema,
  PingSchema,
  PongSchema,
]);

export type WirePoint = z.infer<typeof PointSchema>;
export type WireRect = z.infer<typeof RectSchema>;
export type WireOperation = z.infer<typeof OperationSchema>;
export type WirePlan = z.infer<typeof PlanSchema>;
export type Timings = z.infer<typeof TimingsSchema>;
export type Capabilities = z.infer<typeof CapabilitiesSchema>;
export type ClientKind = z.infer<typeof ClientKindSchema>;
export type Hello = z.infer<typeof HelloSchema>;
export type SubmitRegion = z.infer<typeof SubmitRegionSchema>;
export type SubmitDrag = z.infer<typeof SubmitDragSchema>;
export type Keep = z.infer<typeof KeepSchema>;
export type JobSubmit = z.infer<typeof JobSubmitSchema>;
export type JobCancel = z.infer<typeof JobCancelSchema>;
export type JobResume = z.infer<typeof JobResumeSchema>;
export type Ping = z.infer<typeof PingSchema>;
export type Pong = z.infer<typeof PongSchema>;
export type ClientMessage = z.infer<typeof ClientMessageSchema>;
export type Welcome = z.infer<typeof WelcomeSchema>;
export type ErrorMessage = z.infer<typeof ErrorMessageSchema>;
export type JobAccepted = z.infer<typeof JobAcceptedSchema>;
export type JobQueued = z.infer<typeof JobQueuedSchema>;
export type JobStarted = z.infer<typeof JobStartedSchema>;
export type JobPlan = z.infer<typeof JobPlanSchema>;
export type JobProgress = z.infer<typeof JobProgressSchema>;
export type JobResult = z.infer<typeof JobResultSchema>;
export type JobError = z.infer<typeof JobErrorSchema>;
export type JobCancelled = z.infer<typeof JobCancelledSchema>;
export type ServerMessage = z.infer<typeof ServerMessageSchema>;

const CLIENT_TYPES = new Set(['hello', 'job.submit', 'job.cancel', 'job.resume', 'ping', 'pong']);
const SERVER_TYPES = new Set(['welcome', 'error', 'job.accepted', 'job.queued', 'job.started', 'job.plan', 'job.progress', 'job.result', 'job.error', 'job.cancelled', 'ping', 'pong']);

/** Outcome of parsing one text frame. */
export type ParseResult<T> =
  | { ok: true; msg: T }
  | { ok: false; code: ErrorCode; message: string; /** Schema issue path, when the schema failed. */ path?: (string | number)[]; /** The `type` field, when readable. */ type?: string; /** The `jobId` field, when readable. */ jobId?: string };

function parseWith<T>(text: string, schema: z.ZodType<T>, known: Set<string>): ParseResult<T> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, code: ErrorCode.bad_message, message: 'message is not valid JSON' };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return { ok: false, code: ErrorCode.bad_message, message: 'message must be a JSON object' };
  }
  const rec = json as Record<string, unknown>;
  const type = typeof rec.type === 'string' ? rec.type : undefined;
  const jobId = typeof rec.jobId === 'string' && JobIdSchema.safeParse(rec.jobId).success ? rec.jobId : undefined;
  if (type === undefined) return { ok: false, code: ErrorCode.bad_message, message: 'message has no string "type"' };
  if (!known.has(type)) {
    return { ok: false, code: ErrorCode.unsupported_message, message: `unknown message type "${type.slice(0, 64)}"`, type };
  }
  const r = schema.safeParse(json);
  if (r.success) return { ok: true, msg: r.data };
  const issue = r.error.issues[0]!;
  const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
  return {
    ok: false,
    code: ErrorCode.bad_message,
    message: `${type}: ${path.length ? path.join('.') + ': ' : ''}${issue.message}`,
    path,
    type,
    ...(jobId ? { jobId } : {}),
  };
}

/** Parse a text frame from a client (bridge side). Never throws. */
export function parseClientMessage(text: string): ParseResult<ClientMessage> {
  return parseWith(text, ClientMessageSchema, CLIENT_TYPES);
}

/** Parse a text frame from the bridge (client side). Unknown types yield `unsupported_message` (clients ignore them). */
export function parseServerMessage(text: string): ParseResult<ServerMessage> {
  return parseWith(text, ServerMessageSchema, SERVER_TYPES);
}

/** Serialise a message (typed on the way out, so nothing invalid is sent by our own code). */
export function encodeMessage(msg: ClientMessage | ServerMessage): string {
  return JSON.stringify(msg);
}
