import type { BridgeJob, ConnectionStatus, JobHandlers, JobOutcome, SubmitInput, WirePlan } from '@smartdrag/shared';
import { SmartDragController, type BridgeClientLike } from './controller';
import type { ApplyTarget, Capture, CaptureOptions, HostAdapter, PreviewCapture, PreviewCaptureOptions } from './host-adapter';
import { PluginError } from './errors';
import { controlsOf, Phase } from '../panel/panel-state';
import type { LayerPixels } from '../geometry/placement';

/** A scriptable bridge client: each submit returns a job the test resolves by hand. */
class ScriptedClient implements BridgeClientLike {
  listeners = new Set<(s: ConnectionStatus) => void>();
  submitted: Array<{ input: SubmitInput; handlers: JobHandlers; cancelled: boolean; resolve(o: JobOutcome): void; reject(e: unknown): void }> = [];
  connectError: unknown = null;
  closed = false;
  /** What `BridgeClient.welcome` holds once connected (null: no welcome known). */
  welcome: { limits: { maxImagePixels: number; maxImageSidePx: number } } | null = null;
  onStatus(fn: (s: ConnectionStatus) => void) { this.listeners.add(fn); return () => this.listeners.delete(fn); }
  async connect() { if (this.connectError) throw this.connectError; return {}; }
  close() { this.closed = true; }
  submit(input: SubmitInput, handlers: JobHandlers = {}): BridgeJob {
    let resolve!: (o: JobOutcome) => void, reject!: (e: unknown) => void;
    const result = new Promise<JobOutcome>((a, b) => { resolve = a; reject = b; });
    const entry = { input, handlers, cancelled: false, resolve, reject };
    this.submitted.push(entry);
    return {
      id: `job${this.submitted.length}`, plan: new Promise(() => undefined), result,
      cancel: () => { entry.cancelled = true; reject({ code: 'cancelled', message: 'cancelled' }); },
    };
  }
}

const capture: Capture = {
  documentId: 1, sourceLayerId: 2, sourceLayerName: 'Photo', docWidth: 100, docHeight: 80, resolution: 300,
  image: { width: 4, height: 4, data: new Uint8ClampedArray(64) }, imageOrigin: [10, 20],
  regions: [{ id: 'r1', mask: { left: 11, top: 21, width: 2, height: 2, data: new Uint8Array([255, 255, 255, 255]) } }],
  drags: [{ region: 'r1', points: [[11, 21], [13, 22]], kind: 'auto' }],
  warnings: ['1 closed subpath(s) ignored'], historyStateId: 7,
};

/** A 4×4 document area previewed as a 2×2 proxy (grey), its mask in proxy pixels, drags in document pixels. */
const grey = new Uint8ClampedArray(16).fill(128);
const previewCapture: PreviewCapture = {
  ...capture,
  image: { width: 2, height: 2, data: grey },
  roi: { left: 10, top: 20, width: 4, height: 4 },
  proxyOf: { width: 4, height: 4 },
  colorProfile: 'Adobe RGB (1998)',
  regions: [{ id: 'r1', mask: { left: 0, top: 0, width: 1, height: 1, data: new Uint8Array([255]) } }],
};

class FakeHost implements HostAdapter {
  applied: Array<{ layer: LayerPixels; target: ApplyTarget }> = [];
  /** Thrown by the next applyLayer calls, one each. */
  applyErrors: unknown[] = [];
  applyCalls = 0;
  captureOptions: CaptureOptions[] = [];
  captureError: unknown = null;
  captures = 0;
  previewCaptures: PreviewCaptureOptions[] = [];
  previewResult: PreviewCapture = previewCapture;
  encoded: Array<{ picture: { width: number; height: number; data: Uint8ClampedArray }; profile?: string }> = [];
  encodeError: unknown = null;
  /** The Cancel signal each capture got (kept apart from the options compared below). */
  signals: Array<AbortSignal | undefined> = [];
  async capture(opts: CaptureOptions) {
    this.captures++;
    const { signal, ...rest } = opts;
    this.captureOptions.push(rest); this.signals.push(signal);
    if (this.captureError) throw this.captureError;
    return capture;
  }
  async applyLayer(layer: LayerPixels, target: ApplyTarget) {
    this.applyCalls++;
    const e = this.applyErrors.shift();
    if (e) throw e;
    this.applied.push({ layer, target });
    return { layerId: 77, placement: null };
  }
  async capturePreview(opts: PreviewCaptureOptions) {
    const { signal, ...rest } = opts;
    this.previewCaptures.push(rest); this.signals.push(signal);
    if (this.captureError) throw this.captureError;
    return this.previewResult;
  }
  async encodePreview(picture: { width: number; height: number; data: Uint8ClampedArray }, profile?: string) {
    if (this.encodeError) throw this.encodeError;
    this.encoded.push({ picture, ...(profile ? { profile } : {}) });
    return `JPEG${this.encoded.length}`;
  }
}

const layer = { left: 10, top: 20, width: 1, height: 1, data: new Uint8ClampedArray([1, 2, 3, 255]) };
const plan: WirePlan = {
  operations: [{ region: 'r1', kind: 'translate', params: { kind: 'translate', dx: 2, dy: 1 }, source: 'geometry', description: 'Move r1 by (2, 1)', reason: 'straight arrow' }],
  warnings: [],
  alternatives: [{ operations: [{ region: 'r1', kind: 'rotate', params: { kind: 'rotate', angleDeg: 15, center: [12, 30] }, source: 'geometry', description: 'Rotate r1', reason: 'arc' }], warnings: [] }],
};
const flush = () => new Promise((r) => setImmediate(r));

function setup() {
  const client = new ScriptedClient();
  const host = new FakeHost();
  const c = new SmartDragController({ host, client, applyRetry: { attempts: 3, delayMs: 1 } });
  return { client, host, c };
}

describe('SmartDragController', () => {
  test('capture -> submit (document px, masks, seed) -> plan/progress -> ready -> apply', async () => {
    const { client, host, c } = setup();
    const run = c.run({ intent: 'move it', kind: 'auto', seed: 5 });
    await flush();
    expect(c.state.phase).toBe(Phase.working);
    const job = client.submitted[0]!;
    expect(job.input).toMatchObject({ imageOrigin: [10, 20], quality: 'final', seed: 5, intent: 'move it', documentSize: { width: 100, height: 80 } });
    expect(job.input.regions).toEqual([{ id: 'r1', mask: capture.regions[0]!.mask }]);
    expect(job.input.drags).toEqual([{ region: 'r1', points: [[11, 21], [13, 22]], kind: 'auto' }]);
    job.handlers.onQueued!(2);
    expect(c.state.queuePosition).toBe(2);
    job.handlers.onPlan!(plan);
    job.handlers.onProgress!('fill', 0.5);
    expect(c.state.plan).toBe(plan);
    expect(c.state.progress).toBeGreaterThan(0.2);
    expect(c.state.progress).toBeLessThan(1);
    job.resolve({ layer, plan, timings: {} });
    await run;
    expect(c.state.phase).toBe(Phase.ready);
    expect(host.applied).toHaveLength(0); // waits for Apply
    await c.apply();
    expect(c.state).toMatchObject({ phase: Phase.applied, appliedLayer: 'Smart Drag: move it' });
    // The document's size, history state and source pixels as captured go along: apply refuses a
    // document whose size changed, or that changed at the same size (rotated, flipped, undone).
    expect(host.applied[0]!.target).toEqual({
      documentId: 1, sourceLayerId: 2, name: 'Smart Drag: move it', docWidth: 100, docHeight: 80,
      historyStateId: 7, source: { area: { left: 10, top: 20, width: 4, height: 4 }, data: capture.image.data },
    });
    expect(host.applied[0]!.target.source!.data).toBe(capture.image.data); // the pixels sent, not a copy
    expect(host.applied[0]!.layer).toBe(layer);
  });

  test('autoApply (the command) applies as soon as the result arrives', async () => {
    const { client, host, c } = setup();
    const run = c.run({ intent: '', kind: 'translate', autoApply: true });
    await flush();
    client.submitted[0]!.resolve({ layer, plan, timings: {} });
    await run;
    expect(c.state.phase).toBe(Phase.applied);
    expect(host.applied[0]!.target.name).toBe('Smart Drag');
  });

  test('the command while an edit runs says it is busy, and with a full result waiting for Apply it keeps that result (nothing new started)', async () => {
    const { client, host, c } = setup();
    const running = c.run({ intent: '', kind: 'translate' });
    await flush();
    expect(await c.runCommand({ intent: '', kind: 'auto', autoApply: true })).toBe('busy');
    expect(host.captures).toBe(1);
    client.submitted[0]!.resolve({ layer, plan, timings: {} });
    await running;
    expect(c.state.phase).toBe(Phase.ready); // (the panel's run waits for Apply)
    expect(await c.runCommand({ intent: '', kind: 'auto', autoApply: true })).toBe('waiting');
    expect(c.state.phase).toBe(Phase.ready);
    expect([host.captures, client.submitted.length, host.applied.length]).toEqual([1, 1, 0]);
  });

  test('the command with the bridge down ends at once in failed with the reason and fix: nothing captured or parked, the next press is not ignored', async () => {
    const { client, host, c } = setup();
    client.connectError = { code: 'unreachable', message: 'connect ECONNREFUSED 127.0.0.1:7341' };
    await c.runCommand({ intent: '', kind: 'auto', autoApply: true });
    expect(c.state.phase).toBe(Phase.failed);
    expect(c.state.error).toMatchObject({ code: 'unreachable', message: expect.stringMatching(/not running/), hint: expect.stringMatching(/smartdrag serve/) });
    expect(host.captures).toBe(0);
    expect(client.submitted).toHaveLength(0);
    // The bridge is started: the next press connects, runs and applies.
    client.connectError = null;
    const run = c.runCommand({ intent: '', kind: 'auto', autoApply: true });
    await flush();
    expect(c.state.connection.state).toBe('connected');
    expect(host.captures).toBe(1);
    client.submitted[0]!.resolve({ layer, plan, timings: {} });
    await run;
    expect(c.state.phase).toBe(Phase.applied);
    expect(host.applied).toHaveLength(1);
  });

  test('cancel while the bridge works: job cancelled, nothing applied, a late result is ignored', async () => {
    const { client, host, c } = setup();
    const run = c.run({ intent: '', kind: 'auto', autoApply: true });
    await flush();
    c.cancel();
    expect(client.submitted[0]!.cancelled).toBe(true);
    await run;
    expect(c.state.phase).toBe(Phase.cancelled);
    client.submitted[0]!.handlers.onProgress!('fill', 0.9);
    expect(c.state.phase).toBe(Phase.cancelled);
    expect(host.applied).toHaveLength(0);
  });

  test('choosing an alternative re-submits with that reading (job.submit reading), the drags as drawn; the old job is cancelled and ignored', async () => {
    const { client, c } = setup();
    const run = c.run({ intent: '', kind: 'auto' });
    await flush();
    client.submitted[0]!.handlers.onPlan!(plan);
    const second = c.choosePlan(1);
    await flush();
    expect(client.submitted).toHaveLength(2);
    expect(client.submitted[0]!.cancelled).toBe(true);
    expect(client.submitted[1]!.input.drags).toEqual([{ region: 'r1', points: [[11, 21], [13, 22]], kind: 'auto' }]);
    expect(client.submitted[1]!.input.reading).toEqual(plan.alternatives![0]!.operations);
    expect(client.submitted[0]!.input.reading).toBeUndefined();
    expect(c.state.phase).toBe(Phase.working);
    expect(c.state.planChoice).toBe(1);
    await run; // the first run ended quietly (superseded), not as "cancelled"
    expect(c.state.phase).toBe(Phase.working);
    client.submitted[1]!.resolve({ layer, plan: plan.alternatives![0] as WirePlan, timings: {} });
    await second;
    expect(c.state).toMatchObject({ phase: Phase.ready, planChoice: 1 });
    expect(c.state.plan).toBe(plan); // the list of readings stays on screen
  }, 10_000);

  test('capture errors and bridge errors end in failed with code and hint', async () => {
    const { client, host, c } = setup();
    host.captureError = new PluginError('no_arrows', 'No open pen path to use as an arrow.');
    await c.run({ intent: '', kind: 'auto' });
    expect(c.state).toMatchObject({ phase: Phase.failed, error: { code: 'no_arrows' } });
    expect(c.state.error!.hint).toMatch(/Pen tool/);
    host.captureError = null;
    const run = c.run({ intent: '', kind: 'auto' });
    await flush();
    client.submitted[0]!.reject({ code: 'job_timeout', message: 'too slow', hint: 'Try preview' });
    await run;
    expect(c.state).toMatchObject({ phase: Phase.failed, error: { code: 'job_timeout', hint: 'Try preview' } });
  });

  test('the bridge\'s image limits from its welcome go to the capture (none known: the host uses the defaults)', async () => {
    const { client, host, c } = setup();
    void c.run({ intent: '', kind: 'auto' });
    await flush();
    expect(host.captureOptions[0]).toEqual({ kind: 'auto', marginPx: undefined });
    // The run's Cancel reaches the capture (a capture still reading stops before its pixels).
    expect(host.signals[0]?.aborted).toBe(false);
    c.cancel();
    expect(host.signals[0]?.aborted).toBe(true);
    client.welcome = { limits: { maxImagePixels: 1234, maxImageSidePx: 99 } };
    void c.run({ intent: '', kind: 'auto', marginPx: 16 });
    await flush();
    expect(host.captureOptions[1]).toEqual({ kind: 'auto', marginPx: 16, limits: { maxImagePixels: 1234, maxImageSidePx: 99 } });
    c.cancel();
    void c.preview({ intent: '', kind: 'auto' });
    await flush();
    expect(host.previewCaptures[0]).toEqual({ kind: 'auto', limits: { maxImagePixels: 1234, maxImageSidePx: 99 } });
  });

  test('another plugin modal at Apply: back to ready with the result and the reason; Apply again writes it', async () => {
    const { client, host, c } = setup();
    const run = c.run({ intent: '', kind: 'auto' });
    await flush();
    const moved = { polygons: [[[12, 20], [14, 20], [14, 22]]] as [number, number][][] };
    client.submitted[0]!.resolve({ layer, plan, timings: {}, moved });
    await run;
    host.applyErrors = [new PluginError('modal_busy', 'host is in a modal state')];
    await c.apply();
    expect(c.state).toMatchObject({ phase: Phase.ready, error: { code: 'modal_busy' } });
    expect(c.state.moved?.polygons).toEqual(moved.polygons); // the outline is shown again with the kept result
    expect(host.applyCalls).toBe(1); // a press of Apply is not retried behind the user's back
    await c.apply();
    expect(c.state).toMatchObject({ phase: Phase.applied, error: null });
    expect(host.applied[0]!.layer).toBe(layer);
    expect(client.submitted).toHaveLength(1);
  });

  test('autoApply retries a modal collision a few times, then keeps the result for Apply; other apply errors fail', async () => {
    const { client, host, c } = setup();
    host.applyErrors = [new PluginError('modal_busy', 'busy'), new PluginError('modal_busy', 'busy')];
    let run = c.run({ intent: '', kind: 'auto', autoApply: true });
    await flush();
    client.submitted[0]!.resolve({ layer, plan, timings: {} });
    await run;
    expect(c.state.phase).toBe(Phase.applied);
    expect(host.applyCalls).toBe(3);
    host.applyErrors = [1, 2, 3].map(() => new PluginError('modal_busy', 'busy'));
    run = c.run({ intent: '', kind: 'auto', autoApply: true });
    await flush();
    client.submitted[1]!.resolve({ layer, plan, timings: {} });
    await run;
    expect(c.state).toMatchObject({ phase: Phase.ready, error: { code: 'modal_busy' } });
    expect(host.applyCalls).toBe(6);
    await c.apply();
    expect(c.state.phase).toBe(Phase.applied);
    host.applyErrors = [new PluginError('document_changed', 'The source layer was deleted.')];
    run = c.run({ intent: '', kind: 'auto', autoApply: true });
    await flush();
    client.submitted[2]!.resolve({ layer, plan, timings: {} });
    await run;
    expect(c.state).toMatchObject({ phase: Phase.failed, error: { code: 'document_changed' } });
  });

  test('connection failures show the reason; replaceClient closes the old client', async () => {
    const { client, c } = setup();
    client.connectError = { code: 'unauthorized', message: 'bad token', hint: 'Run smartdrag token' };
    await c.connect();
    expect(c.state.connection).toEqual({ state: 'error', error: { code: 'unauthorized', message: 'bad token', hint: 'Run smartdrag token' } });
    const next = new ScriptedClient();
    c.replaceClient(next);
    expect(client.closed).toBe(true);
    await c.connect();
    expect(c.state.connection.state).toBe('connected');
    for (const fn of next.listeners) fn({ state: 'reconnecting', error: { code: 'unreachable', message: 'down' } });
    expect(c.state.connection.state).toBe('reconnecting');
  });
});

describe('SmartDragController connection upkeep', () => {
  test('keepConnected retries a down connection every interval, one try at a time, until stopped', async () => {
    const { client, c } = setup();
    client.connectError = { code: 'unreachable', message: 'ECONNREFUSED' };
    let tries = 0;
    const connect = client.connect.bind(client);
    client.connect = async () => { tries++; return connect(); };
    await c.connect();
    expect(c.state.connection.state).toBe('error');
    const stop = c.keepConnected(5);
    await new Promise((r) => setTimeout(r, 40));
    expect(tries).toBeGreaterThan(2);
    client.connectError = null;
    await new Promise((r) => setTimeout(r, 20));
    expect(c.state.connection.state).toBe('connected');
    const n = tries;
    await new Promise((r) => setTimeout(r, 20));
    expect(tries).toBe(n); // connected: no more tries
    stop();
    client.listeners.forEach((fn) => fn({ state: 'error', error: { code: 'shutting_down', message: 'bye' } }));
    await new Promise((r) => setTimeout(r, 20));
    expect(tries).toBe(n); // stopped
  });

  test('replaceClient keeps a ready result (Apply needs no bridge)', async () => {
    const { client, host, c } = setup();
    const run = c.run({ intent: '', kind: 'auto' });
    await flush();
    client.submitted[0]!.resolve({ layer, plan, timings: {} });
    await run;
    c.replaceClient(new ScriptedClient());
    expect(c.state.phase).toBe(Phase.ready);
    await c.apply();
    expect(c.state.phase).toBe(Phase.applied);
    expect(host.applied).toHaveLength(1);
  });

  test('a cancel landing during the final commit still leaves applying once the layer is written', async () => {
    const { client, host, c } = setup();
    const run = c.run({ intent: '', kind: 'auto' });
    await flush();
    client.submitted[0]!.resolve({ layer, plan, timings: {} });
    await run;
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    const orig = host.applyLayer.bind(host);
    host.applyLayer = async (l, t) => { await gate; return orig(l, t); };
    const applying = c.apply();
    await flush();
    expect(c.state.phase).toBe(Phase.applying);
    c.replaceClient(new ScriptedClient());
    c.cancel();
    release();
    await applying;
    expect(c.state.phase).toBe(Phase.applied);
    expect(host.applied).toHaveLength(1);
    // Not stuck: a new run starts.
    void c.run({ intent: '', kind: 'auto' });
    await flush();
    expect(c.state.phase).toBe(Phase.working);
  });
});

describe('SmartDragController preview', () => {
  /** A red pixel at proxy (1, 0), as a proxy-scale layer of the 2×2 proxy. */
  const proxyLayer = { left: 1, top: 0, width: 1, height: 1, data: new Uint8ClampedArray([255, 0, 0, 255]), proxy: { width: 2, height: 2, scaleX: 0.5, scaleY: 0.5 } };
  const px = (p: { width: number; data: Uint8ClampedArray }, x: number, y: number) => Array.from(p.data.subarray((y * p.width + x) * 4, (y * p.width + x) * 4 + 4));

  test('submits a preview of the proxy (proxyOf, masks in proxy pixels, drags in document pixels) and shows the layer composited over it; nothing is written', async () => {
    const { client, host, c } = setup();
    const done = c.preview({ intent: 'move it', kind: 'auto', seed: 5, maxPixels: 4096 });
    await flush();
    expect(host.previewCaptures).toEqual([{ kind: 'auto', maxPixels: 4096 }]);
    expect(host.captures).toBe(0);
    expect(c.state).toMatchObject({ phase: Phase.working, mode: 'preview' });
    const job = client.submitted[0]!;
    expect(job.input).toMatchObject({ quality: 'preview', proxyOf: { width: 4, height: 4 }, imageOrigin: [10, 20], seed: 5, intent: 'move it' });
    expect(job.input.image).toBe(previewCapture.image);
    expect(job.input.regions).toEqual([{ id: 'r1', mask: previewCapture.regions[0]!.mask }]);
    expect(job.input.drags).toEqual([{ region: 'r1', points: [[11, 21], [13, 22]], kind: 'auto' }]);
    job.handlers.onPlan!(plan);
    job.resolve({ layer: proxyLayer, plan, timings: {}, moved: { polygons: [[[12, 20], [14, 20], [14, 22]]] } });
    await done;
    expect(c.state).toMatchObject({ phase: Phase.ready, mode: 'preview', plan });
    expect(c.state.preview).toEqual({ src: 'data:image/jpeg;base64,JPEG1', width: 2, height: 2, frame: { left: 10, top: 20, width: 4, height: 4 }, proxy: true });
    // The outline is framed on the document area, as for a final result.
    expect(c.state.moved?.frame).toEqual({ left: 10, top: 20, width: 4, height: 4 });
    const pic = host.encoded[0]!.picture;
    expect(host.encoded[0]!.profile).toBe('Adobe RGB (1998)');
    expect([pic.width, pic.height]).toEqual([2, 2]);
    expect(px(pic, 1, 0)).toEqual([255, 0, 0, 255]);
    expect(px(pic, 0, 0)).toEqual([128, 128, 128, 128]);
    expect(px(pic, 1, 1)).toEqual([128, 128, 128, 128]);
    expect(grey.every((v) => v === 128)).toBe(true); // the pixels read are not changed
    expect(host.applied).toHaveLength(0);
  });

  test('a preview that fits the budget is sent without proxyOf; its document-pixel layer is placed by the image origin', async () => {
    const { client, host, c } = setup();
    const { proxyOf: _p, ...full } = previewCapture;
    host.previewResult = { ...full, image: { width: 4, height: 4, data: new Uint8ClampedArray(64).fill(200) }, regions: capture.regions };
    const done = c.preview({ intent: '', kind: 'translate' });
    await flush();
    const job = client.submitted[0]!;
    expect(job.input.quality).toBe('preview');
    expect(job.input.proxyOf).toBeUndefined();
    job.resolve({ layer: { left: 12, top: 23, width: 1, height: 1, data: new Uint8ClampedArray([0, 0, 255, 255]) }, plan, timings: {} });
    await done;
    expect(c.state.preview).toMatchObject({ width: 4, height: 4, proxy: false });
    expect(px(host.encoded[0]!.picture, 2, 3)).toEqual([0, 0, 255, 255]);
    expect(px(host.encoded[0]!.picture, 1, 3)).toEqual([200, 200, 200, 200]);
  });

  test('Apply after a preview runs the full edit (final capture, quality final, no proxyOf, the reading chosen) and adds the layer', async () => {
    const { client, host, c } = setup();
    await c.connect();
    const done = c.preview({ intent: 'move it', kind: 'auto', seed: 5 });
    await flush();
    client.submitted[0]!.handlers.onPlan!(plan);
    client.submitted[0]!.resolve({ layer: proxyLayer, plan, timings: {} });
    await done;
    // Pick the alternative reading: the preview is redone with it.
    const again = c.choosePlan(1);
    await flush();
    expect(client.submitted[1]!.input).toMatchObject({ quality: 'preview', proxyOf: { width: 4, height: 4 } });
    client.submitted[1]!.resolve({ layer: proxyLayer, plan: plan.alternatives![0] as WirePlan, timings: {} });
    await again;
    expect(c.state).toMatchObject({ phase: Phase.ready, mode: 'preview', planChoice: 1 });
    expect(host.applied).toHaveLength(0);
    const applying = c.apply();
    await flush();
    expect(host.captures).toBe(1);
    const fin = client.submitted[2]!;
    expect(fin.input).toMatchObject({ quality: 'final', imageOrigin: [10, 20], seed: 5, intent: 'move it' });
    expect(fin.input.proxyOf).toBeUndefined();
    expect(fin.input.image).toBe(capture.image);
    expect(fin.input.drags).toEqual([{ region: 'r1', points: [[11, 21], [13, 22]], kind: 'auto' }]);
    expect(fin.input.reading).toEqual(plan.alternatives![0]!.operations);
    fin.resolve({ layer, plan, timings: {} });
    await applying;
    expect(c.state).toMatchObject({ phase: Phase.applied, mode: 'final', preview: null });
    expect(host.applied).toHaveLength(1);
    expect(host.applied[0]!.layer).toBe(layer);
  });

  test('Apply after the preview of an elastic drag asks the bridge for the same elastic reading (the reading sent back, the drags on auto: not a part deform)', async () => {
    // No drag kind asks for an elastic drag: it is the bridge's reading of arrows on auto. Pinned
    // as `deform` (the operation's kind), the full edit was a part deform of the selection as
    // drawn — another edit than the one previewed. The reading itself goes back now.
    const elastic: WirePlan = {
      operations: [{ region: 'r1', kind: 'deform', params: { kind: 'deform', handles: [[11, 21]], targets: [[13, 22]], elastic: true, map: 'parts' }, source: 'geometry', description: 'Bend r1', reason: 'the selection is an editable area' }],
      warnings: [],
      alternatives: plan.alternatives!,
    };
    const { client, host, c } = setup();
    await c.connect();
    const done = c.preview({ intent: '', kind: 'auto', seed: 5 });
    await flush();
    client.submitted[0]!.handlers.onPlan!(elastic);
    client.submitted[0]!.resolve({ layer: proxyLayer, plan: elastic, timings: {} });
    await done;
    // The alternative, then the elastic reading again: each preview asks for the reading chosen.
    const alt = c.choosePlan(1);
    await flush();
    expect(client.submitted[1]!.input.reading).toEqual(plan.alternatives![0]!.operations);
    client.submitted[1]!.resolve({ layer: proxyLayer, plan: plan.alternatives![0] as WirePlan, timings: {} });
    await alt;
    const back = c.choosePlan(0);
    await flush();
    expect(client.submitted[2]!.input.drags).toEqual([{ region: 'r1', points: [[11, 21], [13, 22]], kind: 'auto' }]);
    expect(client.submitted[2]!.input.reading).toEqual(elastic.operations);
    client.submitted[2]!.resolve({ layer: proxyLayer, plan: elastic, timings: {} });
    await back;
    const applying = c.apply();
    await flush();
    const fin = client.submitted[3]!;
    expect(fin.input.quality).toBe('final');
    expect(fin.input.drags).toEqual([{ region: 'r1', points: [[11, 21], [13, 22]], kind: 'auto' }]);
    expect(fin.input.reading).toEqual(elastic.operations);
    fin.resolve({ layer, plan: elastic, timings: {} });
    await applying;
    expect(host.applied).toHaveLength(1);
  });

  async function previewReady(c: SmartDragController, client: ScriptedClient) {
    const done = c.preview({ intent: 'move it', kind: 'auto' });
    await flush();
    client.submitted[0]!.handlers.onPlan!(plan);
    client.submitted[0]!.resolve({ layer: proxyLayer, plan, timings: {} });
    await done;
    expect(c.state).toMatchObject({ phase: Phase.ready, mode: 'preview' });
  }

  test('Apply after a preview with the bridge disconnected is disabled, and fails at once with the reason if pressed', async () => {
    const { client, host, c } = setup();
    await previewReady(c, client);
    expect(c.state.connection.state).not.toBe('connected');
    expect(controlsOf(c.state).canApply).toBe(false);
    await c.apply(); // resolves at once (no hang on "Waiting for the bridge…")
    expect(c.state.phase).toBe(Phase.failed);
    expect(c.state.error?.code).toBe('unreachable');
    expect(host.captures).toBe(0);
    expect(client.submitted).toHaveLength(1);
    await c.connect();
    expect(controlsOf({ ...c.state, phase: Phase.ready, mode: 'preview' }).canApply).toBe(true);
  });

  test('Apply after a preview pins the main reading previewed (job.submit reading) for the full edit', async () => {
    const { client, host, c } = setup();
    await c.connect();
    await previewReady(c, client);
    const applying = c.apply();
    await flush();
    expect(client.submitted[1]!.input.drags).toEqual([{ region: 'r1', points: [[11, 21], [13, 22]], kind: 'auto' }]);
    expect(client.submitted[1]!.input.reading).toEqual(plan.operations);
    client.submitted[1]!.resolve({ layer, plan, timings: {} });
    await applying;
    expect(host.applied).toHaveLength(1);
  });

  test.each([
    ['another document', { documentId: 9 }],
    ['another source layer', { sourceLayerId: 9 }],
    ['one more arrow', { drags: [...capture.drags, { region: 'r1', points: [[11, 22], [30, 40]] as Array<[number, number]>, kind: 'auto' as const }] }],
    ['a moved arrow', { drags: [{ region: 'r1', points: [[11, 21], [40, 22]] as Array<[number, number]>, kind: 'auto' as const }] }],
    ['another selection', { regions: [{ id: 'r1', mask: { left: 40, top: 50, width: 2, height: 2, data: new Uint8Array([255, 255, 255, 255]) } }] }],
  ])('Apply after a preview refuses an edit that changed since (%s): nothing submitted or applied', async (_what, change) => {
    const { client, host, c } = setup();
    await c.connect();
    await previewReady(c, client);
    host.capture = async () => { host.captures++; return { ...capture, ...change } as Capture; };
    await c.apply();
    expect(c.state.phase).toBe(Phase.failed);
    expect(c.state.error?.message).toMatch(/changed since the preview/);
    expect(c.state.error?.hint).toMatch(/Preview again, or Smart Drag/);
    expect(client.submitted).toHaveLength(1);
    expect(host.applied).toHaveLength(0);
  });

  test('cancel while the preview works: job cancelled, a late result is ignored (nothing encoded or shown)', async () => {
    const { client, host, c } = setup();
    const done = c.preview({ intent: '', kind: 'auto' });
    await flush();
    c.cancel();
    await done;
    expect(client.submitted[0]!.cancelled).toBe(true);
    expect(c.state).toMatchObject({ phase: Phase.cancelled, preview: null });
    client.submitted[0]!.handlers.onProgress!('fill', 0.5);
    client.submitted[0]!.resolve({ layer: proxyLayer, plan, timings: {} });
    await flush();
    expect(c.state.phase).toBe(Phase.cancelled);
    expect(host.encoded).toHaveLength(0);
    expect(host.applied).toHaveLength(0);
  });

  test('a new preview replaces one still working: the old job is cancelled and its late messages are ignored', async () => {
    const { client, host, c } = setup();
    const first = c.preview({ intent: 'a', kind: 'auto' });
    await flush();
    const second = c.preview({ intent: 'b', kind: 'auto' });
    await flush();
    expect(client.submitted).toHaveLength(2);
    expect(client.submitted[0]!.cancelled).toBe(true);
    await first; // ended quietly: the state is the second preview's
    expect(c.state).toMatchObject({ phase: Phase.working, mode: 'preview' });
    client.submitted[0]!.handlers.onPlan!(plan);
    expect(c.state.plan).toBeNull();
    client.submitted[1]!.resolve({ layer: proxyLayer, plan, timings: {} });
    await second;
    expect(c.state).toMatchObject({ phase: Phase.ready, mode: 'preview' });
    expect(host.encoded).toHaveLength(1);
    // A full edit is not replaced by a preview.
    const run = c.run({ intent: '', kind: 'auto' });
    await flush();
    await c.preview({ intent: '', kind: 'auto' });
    expect(c.state).toMatchObject({ phase: Phase.working, mode: 'final' });
    expect(client.submitted).toHaveLength(3);
    client.submitted[2]!.resolve({ layer, plan, timings: {} });
    await run;
    expect(c.state).toMatchObject({ phase: Phase.ready, mode: 'final', preview: null });
  });

  test('errors: an encoding failure and a bridge refusal end in failed with their code and hint', async () => {
    const { client, host, c } = setup();
    host.encodeError = new PluginError('preview_failed', 'encodeImageData returned no base64 text.');
    let done = c.preview({ intent: '', kind: 'auto' });
    await flush();
    client.submitted[0]!.resolve({ layer: proxyLayer, plan, timings: {} });
    await done;
    expect(c.state).toMatchObject({ phase: Phase.failed, preview: null, error: { code: 'preview_failed' } });
    expect(c.state.error!.hint).toMatch(/not changed/);
    host.encodeError = null;
    done = c.preview({ intent: '', kind: 'auto' });
    await flush();
    client.submitted[1]!.reject({ code: 'proxy_mismatch', message: 'the sent image 2x2 does not have the aspect', hint: 'Send the display image scaled by one factor' });
    await done;
    expect(c.state).toMatchObject({ phase: Phase.failed, error: { code: 'proxy_mismatch', hint: 'Send the display image scaled by one factor' } });
    host.captureError = new PluginError('no_selection', 'Nothing is selected.');
    await c.preview({ intent: '', kind: 'auto' });
    expect(c.state).toMatchObject({ phase: Phase.failed, error: { code: 'no_selection' } });
    expect(host.applied).toHaveLength(0);
  });
});
