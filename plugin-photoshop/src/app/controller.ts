/**
 * The Smart Drag controller: glue between the panel (state + events), the host adapter and the
 * bridge client. It owns one edit at a time:
 *
 *   run -> host.capture (modal #1) -> client.submit -> plan / progress -> result
 *       -> [confirm] -> host.applyLayer (modal #2, one undo step)
 *
 *   preview -> host.capturePreview (read-only modal scope, ≤ ~1 MP) -> client.submit (quality
 *       'preview', `proxyOf` when the image is a proxy) -> plan / progress -> result
 *       -> composite over the pixels read -> host.encodePreview -> picture in the panel;
 *       Apply then runs the full edit above (with the reading chosen) and adds the layer.
 *
 * No modal scope is held while the bridge works. Cancel at any point before apply leaves the
 * document untouched (nothing was written); a preview never writes; a stale job's late messages
 * are ignored (a new preview replaces one still running).
 */
import type { BridgeJob, ConnectionStatus, JobHandlers, JobOutcome, SubmitDrag, SubmitInput, WireOperation, WirePlan } from '@smartdrag/shared';
import { compositeOver, connectionWords } from '@smartdrag/shared';
import type { DragKindChoice, DragSpec } from '../geometry/assign-drags';
import { layerNameFor } from '../geometry/placement';
import { initialPanelState, Phase, reducePanel, type MovedView, type PanelEvent, type PanelState, type PreviewView, type RunMode } from '../panel/panel-state';
import { PluginError, toErrorInfo } from './errors';
import type { ApplyTarget, Capture, HostAdapter, ImageLimits, PreviewCapture } from './host-adapter';

/** The part of `BridgeClient` the controller uses (so tests can script one). */
export interface BridgeClientLike {
  onStatus(fn: (s: ConnectionStatus) => void): () => void;
  connect(): Promise<unknown>;
  submit(input: SubmitInput, handlers?: JobHandlers): BridgeJob;
  close(): void;
  /** The bridge's last `welcome` (`BridgeClient.welcome`): its limits; null or absent before one. */
  readonly welcome?: { limits: ImageLimits } | null;
}

/** What one run asks for. */
export interface RunOptions {
  intent: string;
  kind: DragKindChoice;
  /** Context margin px (settings). */
  marginPx?: number;
  seed?: number;
  /** Apply as soon as the result arrives (the command, or "confirm" turned off). */
  autoApply?: boolean;
}

/** What one preview asks for (the run's options; a preview is never applied by itself). */
export interface PreviewOptions extends Omit<RunOptions, 'autoApply'> {
  /** Most pixels of the preview image (default about 1 MP). */
  maxPixels?: number;
}

/** Dependencies of {@link SmartDragController}. */
export interface ControllerDeps {
  host: HostAdapter;
  client: BridgeClientLike;
  /**
   * How often an automatic apply (the command, `autoApply`) tries again when another plugin or a
   * dialog holds Photoshop's modal state (`modal_busy`), and the wait between tries. Default
   * {@link DEFAULT_APPLY_RETRY}. A press of Apply tries once: the user presses it again.
   */
  applyRetry?: { attempts: number; delayMs: number };
}

/**
 * Three tries, one second apart. Each try already waits up to MODAL_TIMEOUT_MS inside Photoshop
 * (executeAsModal `timeOut`, 25.10+); this covers older builds and a modal state that outlasts it.
 */
export const DEFAULT_APPLY_RETRY = { attempts: 3, delayMs: 1000 } as const;

interface Active {
  token: number;
  mode: RunMode;
  opts: RunOptions & { maxPixels?: number };
  capture?: Capture | PreviewCapture;
  job?: BridgeJob;
  outcome?: JobOutcome;
  /** The outline of what the result moves, as shown with it (shown again if Apply must be pressed again). */
  moved?: MovedView | null;
  /** Set when the user cancels this run. */
  abort: AbortController;
  /** Ends the watch on the document read ({@link HostAdapter.watchDocument}); called when the run ends. */
  unwatch?: () => void;
}

/**
 * Drives one edit at a time and publishes {@link PanelState}. Every async continuation checks
 * its run token, so a cancelled or superseded run can never write to the document.
 */
export class SmartDragController {
  private s: PanelState = initialPanelState();
  private readonly listeners = new Set<(s: PanelState) => void>();
  private active: Active | null = null;
  private nextToken = 1;
  /**
   * The last run's host read (capture or preview capture) until it settles. Cancel ends a run at
   * once, but its read may still be inside a modal scope (reading 50 MP takes a second or more);
   * a new run's read started then collides with it — before Photoshop 25.10 at once (error 9),
   * which the panel showed as "Photoshop is busy with another plugin…" — so the next read waits
   * for it first.
   */
  private reading: Promise<void> | null = null;
  private unsubscribe: () => void;
  private client: BridgeClientLike;

  constructor(private readonly deps: ControllerDeps) {
    this.client = deps.client;
    this.unsubscribe = this.client.onStatus((status) => this.dispatch({ type: 'connection', status }));
  }

  /**
   * Swap the bridge client (new URL or token): the current edit is cancelled, the old client is
   * closed, and the connection line follows the new one.
   */
  replaceClient(client: BridgeClientLike): void {
    // Only work that still waits on the bridge goes: a ready result and an apply in progress need no bridge.
    if (this.s.phase === Phase.capturing || this.s.phase === Phase.working) this.cancel();
    this.unsubscribe();
    this.client.close();
    this.client = client;
    this.unsubscribe = client.onStatus((status) => this.dispatch({ type: 'connection', status }));
    this.dispatch({ type: 'connection', status: { state: 'closed' } });
  }

  /**
   * While the panel is open: whenever the connection is down (closed or failed, not while it is
   * connecting or the client reconnects by itself), try to connect again every `intervalMs`.
   * One try at a time. Returns the function that stops it (the panel closed, the plugin unloads).
   */
  keepConnected(intervalMs = 3000, enabled: () => boolean = () => true): () => void {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const tick = async (): Promise<void> => {
      timer = null;
      const st = this.s.connection.state;
      if ((st === 'closed' || st === 'error') && enabled()) await this.connect();
      if (!stopped) timer = setTimeout(() => void tick(), intervalMs);
    };
    timer = setTimeout(() => void tick(), intervalMs);
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
    };
  }

  /** Current state. */
  get state(): PanelState {
    return this.s;
  }

  /** Listen to state changes; returns the unsubscribe function. */
  subscribe(fn: (s: PanelState) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Connect (or reconnect) to the bridge; failures show in the connection line, never throw. */
  async connect(): Promise<void> {
    this.dispatch({ type: 'connection', status: { state: 'connecting' } });
    try {
      await this.client.connect();
      this.dispatch({ type: 'connection', status: { state: 'connected' } });
    } catch (e) {
      this.dispatch({ type: 'connection', status: { state: 'error', error: toErrorInfo(e) } });
    }
  }

  /**
   * Start an edit. Resolves when the edit reaches a resting phase (ready, applied, failed,
   * cancelled); never rejects (failures land in the state).
   */
  async run(opts: RunOptions): Promise<void> {
    if (this.isBusy()) return;
    await this.start('final', opts);
  }

  /**
   * The "Smart Drag" command (a keyboard shortcut; the panel may be closed): connect when not
   * connected, then run and apply. When the bridge cannot be reached the run ends at once in
   * `failed` with the connection's reason and fix, and nothing is captured or submitted — a job
   * handed to a client that never connected would wait unseen (the command's promise never
   * settling, every later press ignored as busy) and be sent, with its stale capture, by whatever
   * connection came up later.
   */
  async runCommand(opts: RunOptions): Promise<'busy' | 'waiting' | void> {
    // Another edit is being read, worked on or applied: this press does not start one (the
    // command tells the user; it had been ignored in silence).
    if (this.isBusy()) return 'busy';
    // A full edit's result waits in the panel for Apply: a new edit would discard it unseen.
    if (this.s.phase === Phase.ready && this.s.mode === 'final') return 'waiting';
    if (this.s.connection.state !== 'connected') await this.connect();
    const c = this.s.connection;
    if (c.state !== 'connected') {
      const w = connectionWords(c.error?.code, c.error?.message, c.error?.hint);
      this.dispatch({ type: 'run.start', mode: 'final' });
      this.dispatch({ type: 'failed', error: { code: c.error?.code ?? 'unreachable', message: w.reason, hint: w.fix } });
      return;
    }
    await this.run(opts);
  }

  /**
   * Preview the edit at display resolution: read-only capture, a preview job, and the result
   * shown in the panel (`state.preview`); nothing is written to the document. A preview still
   * working is replaced (its job cancelled, its late messages ignored). Resolves when the preview
   * is ready, failed or cancelled; never rejects.
   */
  async preview(opts: PreviewOptions): Promise<void> {
    const cur = this.active;
    if (cur && cur.mode === 'preview' && this.s.phase === Phase.working) {
      cur.abort.abort();
      cur.job?.cancel();
      this.setActive(null);
    } else if (this.isBusy()) {
      return;
    }
    await this.start('preview', { ...opts, autoApply: false });
  }

  private async start(mode: RunMode, opts: RunOptions & { maxPixels?: number }, reading?: Pick<WirePlan, 'operations'>, previewed?: PreviewCapture): Promise<void> {
    const run: Active = { token: this.nextToken++, mode, opts, abort: new AbortController() };
    this.setActive(run);
    this.dispatch({ type: 'run.start', mode });
    // The bridge's image limits, when its welcome told them: the host refuses a larger area before reading it.
    const lim = this.client.welcome?.limits;
    const limits = lim ? { limits: { maxImagePixels: lim.maxImagePixels, maxImageSidePx: lim.maxImageSidePx, ...(lim.maxRegions !== undefined ? { maxRegions: lim.maxRegions } : {}) } } : {};
    try {
      // A cancelled run's read still in Photoshop: wait for it (its outcome is not ours).
      if (this.reading) await this.reading;
      if (!this.isCurrent(run)) return;
      const read = mode === 'preview'
        ? this.deps.host.capturePreview({ kind: opts.kind, marginPx: opts.marginPx, ...(opts.maxPixels ? { maxPixels: opts.maxPixels } : {}), ...limits, signal: run.abort.signal })
        : this.deps.host.capture({ kind: opts.kind, marginPx: opts.marginPx, ...limits, signal: run.abort.signal });
      const settled: Promise<void> = read.then(() => undefined, () => undefined);
      this.reading = settled;
      void settled.then(() => { if (this.reading === settled) this.reading = null; });
      const capture = await read;
      if (!this.isCurrent(run)) return;
      // Apply after a preview adds exactly the edit previewed: never one on another document or with other arrows.
      if (previewed && !sameEdit(previewed, capture)) {
        throw new PluginError('document_changed', 'The document, selection or arrows changed since the preview.', {
          hint: 'Press Preview again, or Smart Drag for the full edit.',
        });
      }
      run.capture = capture;
      this.watch(run, capture);
      this.dispatch({ type: 'capture.done', warnings: capture.warnings });
      await this.submitAndWait(run, capture.drags, reading?.operations);
    } catch (e) {
      this.fail(run, e);
    }
  }

  /** Re-run with another reading of the plan (0 = main, i = alternatives[i-1]). */
  async choosePlan(index: number): Promise<void> {
    const run = this.active;
    const plan = this.s.plan;
    if (!run?.capture || !plan) return;
    const before = this.s.planChoice;
    this.dispatch({ type: 'plan.choose', index });
    if (this.s.planChoice === before) return;
    run.job?.cancel();
    run.outcome = undefined;
    const reading = index === 0 ? plan : plan.alternatives![index - 1]!;
    try {
      await this.submitAndWait(run, run.capture.drags, reading.operations);
    } catch (e) {
      this.fail(run, e);
    }
  }

  /**
   * Write the ready result as a new layer (one undo step). After a preview: run the full edit
   * (with the reading chosen in the preview) and add its layer.
   *
   * Another plugin or a dialog holding Photoshop's modal state (`modal_busy`) does not throw the
   * finished result away: the edit goes back to `ready` with the reason, and Apply can be pressed
   * again. An automatic apply (the command) first tries again a few times (`applyRetry`).
   */
  async apply(): Promise<void> {
    const run = this.active;
    if (!run?.capture || !run.outcome || this.s.phase !== Phase.ready) return;
    if (run.mode === 'preview') {
      // The full edit is the bridge's work: without a connection it would wait unseen.
      const conn = this.s.connection;
      if (conn.state !== 'connected') {
        const w = connectionWords(conn.error?.code, conn.error?.message, conn.error?.hint);
        this.setActive(null);
        this.dispatch({ type: 'run.start', mode: 'final' });
        this.dispatch({ type: 'failed', error: { code: conn.error?.code ?? 'unreachable', message: w.reason, hint: w.fix } });
        return;
      }
      // The reading previewed (the main one or the alternative chosen) is pinned for the full edit.
      const plan = this.s.plan, choice = this.s.planChoice;
      const reading = plan ? (choice > 0 ? plan.alternatives?.[choice - 1] : plan) : undefined;
      this.setActive(null);
      await this.start('final', { ...run.opts, autoApply: true }, reading, run.capture as PreviewCapture);
      return;
    }
    this.dispatch({ type: 'apply.start' });
    const name = layerNameFor(run.opts.intent);
    const c = run.capture;
    const target: ApplyTarget = {
      documentId: c.documentId, sourceLayerId: c.sourceLayerId, name,
      // The size the result's coordinates refer to: a canvas cropped or resized since is refused.
      docWidth: c.docWidth, docHeight: c.docHeight,
      ...(c.workPath ? { workPath: c.workPath } : {}),
      // What the result was computed from: a document rotated, flipped, undone or whose layer
      // changed since (same size) is refused rather than given a layer that does not line up.
      ...(c.historyStateId !== undefined ? { historyStateId: c.historyStateId } : {}),
      ...('proxyOf' in c && c.proxyOf ? {} : {
        source: { area: { left: c.imageOrigin[0], top: c.imageOrigin[1], width: c.image.width, height: c.image.height }, data: c.image.data },
      }),
    };
    const retry = this.deps.applyRetry ?? DEFAULT_APPLY_RETRY;
    const attempts = run.opts.autoApply ? Math.max(1, retry.attempts) : 1;
    for (let attempt = 1; ; attempt++) {
      try {
        const out = await this.deps.host.applyLayer(run.outcome.layer, target, run.abort.signal);
        // The layer is written: leave `applying` even when the run was cancelled meanwhile (too late to stop it).
        this.dispatch({ type: 'apply.done', layerName: out.layerId === null ? null : name, ...(out.notes ? { warnings: out.notes } : {}) });
        if (this.active === run) this.setActive(null);
        return;
      } catch (e) {
        if (toErrorInfo(e).code !== 'modal_busy' || !this.isCurrent(run)) return this.fail(run, e);
        if (attempt >= attempts) {
          // Nothing was written (the scope never started): keep the result for another Apply.
          this.dispatch({ type: 'apply.busy', error: toErrorInfo(e), moved: run.moved ?? null });
          return;
        }
      }
      await new Promise((r) => setTimeout(r, retry.delayMs));
      if (!this.isCurrent(run)) return this.fail(run, new PluginError('cancelled', 'Cancelled before applying.'));
    }
  }

  /** Drop a ready result without touching the document. */
  discard(): void {
    if (this.s.phase !== Phase.ready) return;
    this.setActive(null);
    this.dispatch({ type: 'dismiss' });
  }

  /** Cancel the current edit (capture, bridge work or a waiting result). */
  cancel(): void {
    const run = this.active;
    if (!run) return;
    if (this.s.phase === Phase.applying) {
      run.abort.abort();
      return;
    }
    run.abort.abort();
    run.job?.cancel();
    this.setActive(null);
    this.dispatch({ type: 'cancelled' });
  }

  /** Back to idle after a finished, failed or cancelled edit. */
  dismiss(): void {
    this.dispatch({ type: 'dismiss' });
  }

  /** Stop listening to the client. */
  dispose(): void {
    this.cancel();
    this.unsubscribe();
    this.listeners.clear();
  }

  /** The plugin unloads: the work in progress is cancelled and the bridge connection closed for good (no reconnect left running). */
  close(): void {
    this.dispose();
    this.client.close();
  }

  // -------------------------------------------------------------------------------------------

  /**
   * Submit the run's capture with `drags` and wait for the outcome. `reading`: the operations of
   * the reading chosen (the plan's or an alternative's, as the bridge sent them), carried out as
   * given (job.submit `reading`): drag kinds cannot ask for a reading that differs from another in
   * its amounts alone, nor for an elastic drag.
   */
  private async submitAndWait(run: Active, drags: DragSpec[], reading?: WireOperation[]): Promise<void> {
    const c = run.capture!;
    const handlers: JobHandlers = {
      onUpload: (fraction) => this.isCurrent(run, job) && this.dispatch({ type: 'job.upload', fraction }),
      onQueued: (position) => this.isCurrent(run, job) && this.dispatch({ type: 'job.queued', position }),
      onPlan: (plan) => this.isCurrent(run, job) && this.dispatch({ type: 'job.plan', plan }),
      onProgress: (stage, fraction) => this.isCurrent(run, job) && this.dispatch({ type: 'job.progress', stage, fraction }),
    };
    const input: SubmitInput = {
      image: c.image,
      imageOrigin: c.imageOrigin,
      regions: c.regions.map((r) => ({ id: r.id, mask: r.mask })),
      drags: drags.map(toSubmitDrag),
      ...(c.keep ? { keep: c.keep.map((m) => ({ mask: m })) } : {}),
      ...(run.opts.intent ? { intent: run.opts.intent } : {}),
      quality: run.mode,
      seed: run.opts.seed ?? 1,
      ...(run.mode === 'preview' && 'proxyOf' in c && c.proxyOf ? { proxyOf: c.proxyOf } : {}),
      // The image is the edit's area of the document: the readings that depend on the whole
      // document (does the selection hug its object?) read its size, as a whole-document edit does.
      documentSize: { width: c.docWidth, height: c.docHeight },
      ...(reading ? { reading } : {}),
    };
    const job: BridgeJob = this.client.submit(input, handlers);
    run.job = job;
    let outcome: JobOutcome;
    try {
      outcome = await job.result;
    } catch (e) {
      if (!this.isCurrent(run, job)) return; // superseded by another reading, or cancelled
      throw e;
    }
    if (!this.isCurrent(run, job)) return;
    const frame = 'roi' in c ? c.roi : { left: c.imageOrigin[0], top: c.imageOrigin[1], width: c.image.width, height: c.image.height };
    let preview: PreviewView | null = null;
    if (run.mode === 'preview') {
      preview = await this.previewPicture(c as PreviewCapture, outcome);
      if (!this.isCurrent(run, job)) return;
    }
    run.outcome = outcome;
    // The outline of what moves, framed on the area read, shown with the plan before Apply.
    const moved = outcome.moved && outcome.moved.polygons.length > 0 ? { polygons: outcome.moved.polygons, frame } : null;
    run.moved = moved;
    this.dispatch({ type: 'job.result', moved, preview, warnings: outcome.plan.warnings });
    if (run.opts.autoApply && run.mode === 'final') await this.apply();
  }

  /**
   * The preview picture: the result layer over the pixels read, as a JPEG. A proxy preview's
   * layer is in the sent image's pixels (job.result `proxy`); otherwise it is placed in document
   * pixels and shifted by the image's origin.
   */
  private async previewPicture(c: PreviewCapture, outcome: JobOutcome): Promise<PreviewView> {
    const L = outcome.layer;
    const left = L.proxy ? L.left : L.left - c.imageOrigin[0];
    const top = L.proxy ? L.top : L.top - c.imageOrigin[1];
    const picture = { width: c.image.width, height: c.image.height, data: new Uint8ClampedArray(c.image.data) };
    compositeOver(picture, { left, top, width: L.width, height: L.height, data: L.data });
    const b64 = await this.deps.host.encodePreview(picture, c.colorProfile);
    return { src: `data:image/jpeg;base64,${b64}`, width: picture.width, height: picture.height, frame: c.roi, proxy: !!c.proxyOf };
  }

  /**
   * The run in progress. A run that stops being it has ended (applied, failed, cancelled,
   * discarded or replaced): its document watch ends with it, so no listener outlives its edit.
   */
  private setActive(run: Active | null): void {
    const prev = this.active;
    this.active = run;
    if (prev && prev !== run) this.unwatch(prev);
  }

  private unwatch(run: Active): void {
    const stop = run.unwatch;
    run.unwatch = undefined;
    try { stop?.(); } catch { /* a host's watch never matters more than the edit */ }
  }

  /**
   * From the capture until the run ends, the host watches the document read: the user closing it
   * (or deleting the source layer, merging it into another, flattening the image, converting the
   * layer) stops the edit at once — the bridge job is cancelled, and the panel says why — instead
   * of the bridge working on for seconds and Apply refusing afterwards.
   */
  private watch(run: Active, c: Capture | PreviewCapture): void {
    if (!this.deps.host.watchDocument) return;
    this.unwatch(run);
    try {
      run.unwatch = this.deps.host.watchDocument(c.documentId, c.sourceLayerId, (error) => this.documentGone(run, error));
    } catch {
      run.unwatch = undefined; // no watch: Apply still refuses a document that is gone
    }
    // The run ended while the watch was being set up (nothing here awaits, but stay safe).
    if (this.active !== run) this.unwatch(run);
  }

  /** The document read was closed, or its source layer taken away (deleted, merged, flattened, converted): stop the edit, nothing is added. */
  private documentGone(run: Active, error: PluginError): void {
    // Adding the layer is already under way in a modal scope, which checks the document itself.
    if (this.active !== run || this.s.phase === Phase.applying) return;
    run.abort.abort();
    run.job?.cancel();
    this.setActive(null);
    this.dispatch({ type: 'failed', error: toErrorInfo(error) });
  }

  private isBusy(): boolean {
    return this.s.phase === Phase.capturing || this.s.phase === Phase.working || this.s.phase === Phase.applying;
  }

  private isCurrent(run: Active, job?: BridgeJob): boolean {
    return this.active === run && !run.abort.signal.aborted && (job === undefined || run.job === job);
  }

  private fail(run: Active, e: unknown): void {
    if (this.active !== run) return; // a cancelled/superseded run: its errors are expected
    const info = toErrorInfo(e);
    if (run.abort.signal.aborted || info.code === 'cancelled') {
      this.setActive(null);
      this.dispatch({ type: 'cancelled' });
      return;
    }
    this.setActive(null);
    this.dispatch({ type: 'failed', error: info });
  }

  private dispatch(e: PanelEvent): boolean {
    const next = reducePanel(this.s, e);
    if (next !== this.s) {
      this.s = next;
      for (const fn of [...this.listeners]) fn(next);
    }
    return true;
  }
}

/**
 * Whether a full-resolution capture reads the same edit as the preview: the same document and
 * source layer, the same arrows (document pixels), and the same regions (bounds in document
 * pixels; a proxy's masks are scaled back, within its rounding).
 */
export function sameEdit(previewed: PreviewCapture, c: Capture): boolean {
  if (previewed.documentId !== c.documentId || previewed.sourceLayerId !== c.sourceLayerId) return false;
  if (previewed.drags.length !== c.drags.length || previewed.regions.length !== c.regions.length) return false;
  for (let i = 0; i < c.drags.length; i++) {
    const a = previewed.drags[i]!, b = c.drags[i]!;
    if (a.region !== b.region || a.points.length !== b.points.length) return false;
    if (a.points.some((p, j) => Math.abs(p[0] - b.points[j]![0]) > 0.5 || Math.abs(p[1] - b.points[j]![1]) > 0.5)) return false;
  }
  const proxy = previewed.proxyOf;
  const sx = proxy ? previewed.roi.width / previewed.image.width : 1;
  const sy = proxy ? previewed.roi.height / previewed.image.height : 1;
  const ox = proxy ? previewed.roi.left : 0, oy = proxy ? previewed.roi.top : 0;
  const tolX = proxy ? Math.ceil(sx) + 1 : 0, tolY = proxy ? Math.ceil(sy) + 1 : 0;
  for (let i = 0; i < c.regions.length; i++) {
    const a = previewed.regions[i]!, b = c.regions[i]!;
    if (a.id !== b.id) return false;
    const m = a.mask, n = b.mask;
    const l = ox + m.left * sx, t = oy + m.top * sy, r = ox + (m.left + m.width) * sx, btm = oy + (m.top + m.height) * sy;
    if (Math.abs(l - n.left) > tolX || Math.abs(r - (n.left + n.width)) > tolX) return false;
    if (Math.abs(t - n.top) > tolY || Math.abs(btm - (n.top + n.height)) > tolY) return false;
  }
  return true;
}

function toSubmitDrag(d: DragSpec): SubmitDrag {
  return { region: d.region, points: d.points.map((p) => [p[0], p[1]]), ...(d.kind ? { kind: d.kind } : {}), ...('center' in d && d.center ? { center: d.center as [number, number] } : {}) };
}

