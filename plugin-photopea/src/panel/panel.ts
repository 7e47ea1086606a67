/**
 * The SmartDrag panel, shared by the Photopea plugin page and the web playground: connection
 * status, intent box, type picker, the arrow editor over a document thumbnail, plan with
 * alternatives, progress and cancel. It sees the host through {@link HostAdapter} and the bridge
 * through {@link PanelBridge}, so tests can drive it with a simulator.
 *
 * Keyboard (while the panel has focus): Ctrl/⌘+Enter (or Enter outside a text box) applies, Esc
 * cancels, Delete removes the selected arrow, A / L pick the arrow / lasso tool.
 */
import type { BridgeJob, ConnectionStatus, JobHandlers, SubmitInput, Welcome, WireOperation, WirePlan } from '@smartdrag/shared';
import { connectionWords, editRoi, overallProgress, progressText, previewProxyInput, proxyInfoFor, usesProxy, type Point, type Rect } from '@smartdrag/shared';
import { yieldToPage } from '../util/yield';
import { ContentProxyCache } from './proxy-cache';
import { sameDocument, type HostAdapter, type HostDocument, type LayerPixels, type PlacedLayer, type RgbaPixels } from '../host/host-adapter';
import { ArrowEditor, type EditorRegion } from './arrow-editor';

/** The part of `BridgeClient` the panel uses. */
export interface PanelBridge {
  onStatus(fn: (s: ConnectionStatus) => void): () => void;
  connect(): Promise<Welcome>;
  submit(input: SubmitInput, handlers?: JobHandlers): BridgeJob;
  readonly status: string;
}

/** Transform types offered in the type picker. */
export const DRAG_KINDS = ['auto', 'translate', 'rotate', 'scale', 'deform'] as const;
export type PanelDragKind = (typeof DRAG_KINDS)[number];

export interface PanelOptions {
  /** Element the panel renders into. */
  root: HTMLElement;
  host: HostAdapter;
  bridge: PanelBridge;
  /** Shown in the header ("Photopea", "Playground"). */
  title?: string;
  /** Submit throttled preview-quality jobs while an arrow is being dragged (default false). */
  livePreview?: boolean;
  /** Minimum time between live preview submissions in ms (default 250). */
  previewIntervalMs?: number;
  /** Extra toolbar content (the playground's open/sample/download buttons). */
  toolbar?: HTMLElement;
  /** Seed sent with every job (default 1, so the same request gives the same pixels). */
  seed?: number;
  /** Largest thumbnail side in CSS pixels (default 360). */
  thumbnailMaxSide?: number;
  /** Context margin (px) around the edited area when only a crop of the document is sent (default 64). */
  marginPx?: number;
  /**
   * A Smart Drag's result was added to the host as `placed`; `pressed` is what it was made from
   * (the regions, arrows, intent and type when Smart Drag was pressed): the playground keeps it
   * with its undo step, so Undo can put it back ({@link Panel.restoreEdit}).
   */
  onApplied?: (placed: PlacedLayer, pressed: PanelEdit) => void;
  /** The regions, arrows, intent or type changed (by the user, or by the panel itself). */
  onEditChange?: () => void;
  /**
   * What to do about a connection error, by its code, where this page knows better than the
   * protocol's generic hint (a page served by the bridge has no token setting: `unauthorized`).
   */
  connectionFix?: (code: string) => string | undefined;
  /**
   * Where the host can tell it (the playground): the rectangle in which the pixels of `to` can
   * differ from those of `from`, two documents it gave, `from` read first (null: not known). The
   * thumbnail is then drawn again only there, not the whole document.
   */
  changedArea?: (from: HostDocument, to: HostDocument) => Rect | null;
  /**
   * Where the host can tell it (the playground): a key of a document's pixels, equal for
   * documents with the same pixels (an Undo gives back those before the result): the preview's
   * proxy of those pixels, made once, is used again (null: not known).
   */
  contentKey?: (doc: HostDocument) => string | null;
}

/** What an edit is made from: the panel's regions, arrows (document pixels), intent text and type. */
export interface PanelEdit {
  regions: EditorRegion[];
  arrows: Point[][];
  /** The intent box's text as typed. */
  intent: string;
  kind: PanelDragKind;
}

/** What the panel last sent (for diagnostics and tests). */
export interface SubmittedRequest {
  quality: 'preview' | 'final';
  drags: { region: string; points: Point[]; kind?: string }[];
  regions: { id: string; left: number; top: number; width: number; height: number; data: Uint8Array }[];
  intent: string;
  seed: number;
  /** The part of the document sent, in document pixels (the whole document, or the edit's crop at `imageOrigin`). */
  image: Rect;
  /** Set when the panel sent its own display-size proxy of `image` (a preview of a large document; job.submit `proxyOf`): its size in pixels. */
  proxy?: { width: number; height: number };
}

/** A job the panel runs. */
interface RunningJob {
  job: BridgeJob;
  quality: 'preview' | 'final';
  /** The document its request was read from: a final is added to that document only. */
  doc: HostDocument;
  /** Set when another document was opened meanwhile, or a newer request superseded it: its plan, progress and result are ignored. */
  dropped: boolean;
  /**
   * The result is being added to the host: that runs to its end (a host's paste or insert cannot be
   * stopped halfway, and its Undo removes the layer), so Cancel is not offered meanwhile.
   */
  placing?: boolean;
}

/** A read of the host in progress (a large Photopea document takes seconds per step). */
interface Reading {
  /** Whether Cancel may stop it (between the host's steps: a step itself runs to its end). */
  cancellable: boolean;
  /** Cancel was pressed, or a newer read or another document replaced it: its result is ignored. */
  cancelled: boolean;
}

const RETRYABLE = new Set(['unreachable', 'connection_lost', 'shutting_down', 'heartbeat_timeout']);

/** Said when a lasso makes no region (too few points, or an outline covering no pixel). */
const LASSO_TOO_SMALL = 'That outline was too small to use: draw around the object.';

function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') el.className = v;
    else el.setAttribute(k, v);
  }
  for (const c of children) el.append(c);
  return el;
}

/** Describe an operation's parameters briefly (the plan's own `description` is preferred). */
function planSummary(plan: Pick<WirePlan, 'operations'>): string {
  return plan.operations.map((o) => o.description).join('; ') || 'no operation';
}

/** The panel. Create it once per page; it connects and reads the host on {@link start}. */
export class Panel {
  readonly editor: ArrowEditor;
  /** Last request sent to the bridge. */
  lastSubmitted: SubmittedRequest | null = null;
  /** The document's and the selection's preview proxies, kept while they stay the same. */
  private readonly proxyCache = new ContentProxyCache();
  /** Layers this panel added to the host. */
  readonly placed: PlacedLayer[] = [];
  private readonly opts: PanelOptions;
  private readonly el: Record<string, HTMLElement>;
  private doc: HostDocument | null = null;
  private job: RunningJob | null = null;
  private connection: ConnectionStatus = { state: 'connecting' };
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private retryCount = 0;
  private previewPending = false;
  private lastPreviewAt = 0;
  private previewTimer: ReturnType<typeof setTimeout> | null = null;
  private reading: Reading | null = null;
  /**
   * What the plan box shows was made for (see {@link stateKey}); null when it is empty or shows
   * an applied result. A change of arrows, regions, intent or type makes it stale: it is cleared.
   */
  private planKey: string | null = null;
  /** The result was just applied and its arrows are being cleared: the plan of what was done stays. */
  private keepPlan = false;
  /**
   * The reading the user chose in the plan box ("Or did you mean …"), for the arrows, regions,
   * intent and type it was proposed for ({@link stateKey}): the previews and the Smart Drag of that
   * edit send it back (job.submit `reading`) and the bridge carries it out as given. Setting the
   * type from the reading's kind did not ask for it: a reading may differ from the first in its
   * amounts alone (the text's direction against the arrow's), and an elastic drag is no type.
   */
  private chosen: { key: string; operations: WireOperation[] } | null = null;
  /**
   * The reading the plan box shows and the edit it was made for: a Smart Drag of that same edit
   * (after its preview) carries it out as given, so that it adds the reading previewed — the
   * preview ran on the view's proxy, and read again on the full image a selection near the line
   * between an outline and an area drawn around the object could come out the other way.
   */
  private shown: { key: string; operations: WireOperation[] } | null = null;
  /** A job ended by the connection (bridge stopped, connection lost): said again when the bridge is back. */
  private interrupted: 'preview' | 'final' | null = null;
  /** Content keys of region masks (computed once per mask). */
  private readonly maskKeys = new WeakMap<object, string>();
  /**
   * A preview or Smart Drag asking the host which document is open and whether it changed
   * ({@link checkHost}); while a final's check runs, nothing else starts.
   */
  private checking: 'preview' | 'final' | null = null;
  /** Counts run() calls: a preview whose check a newer run() overtook is dropped. */
  private runSeq = 0;
  /** What the progress bar shows, 0..1. */
  private progressFraction = 0;

  constructor(opts: PanelOptions) {
    this.opts = opts;
    this.editor = new ArrowEditor({
      maxSide: opts.thumbnailMaxSide,
      onChange: (live) => this.onEditorChange(live),
      onLassoTooSmall: () => {
        this.setMessage(LASSO_TOO_SMALL);
        this.el.message.dataset.hint = 'lasso_too_small';
      },
    });
    const kind = h('select', { 'data-testid': 'kind', title: 'How the arrows move the region' });
    for (const k of DRAG_KINDS) kind.append(h('option', { value: k }, k === 'auto' ? 'Auto (from arrows + intent)' : k[0]!.toUpperCase() + k.slice(1)));
    const intent = h('textarea', { 'data-testid': 'intent', rows: '2', placeholder: 'Optional: what should happen, e.g. "move the red candy up"' });
    const toolArrow = h('button', { 'data-testid': 'tool-arrow', class: 'sd-tool', title: 'Draw, move (drag) and delete (right-click or Delete) arrows — A' }, 'Arrow');
    const toolLasso = h('button', { 'data-testid': 'tool-lasso', class: 'sd-tool', title: 'Lasso a region to move — L' }, 'Lasso');
    const del = h('button', { 'data-testid': 'delete-arrow', title: 'Delete the selected arrow (Delete)' }, 'Delete arrow');
    const clear = h('button', { 'data-testid': 'clear', title: 'Remove all arrows and lassoed regions' }, 'Clear');
    const read = h('button', { 'data-testid': 'read', title: 'Read the document, selection and pen paths again' }, `Read from ${opts.host.label}`);
    const preview = h('button', { 'data-testid': 'preview', title: 'Preview quality, nothing is added' }, 'Preview');
    const apply = h('button', { 'data-testid': 'apply', class: 'sd-primary', title: 'Ctrl+Enter' }, 'Smart Drag');
    const cancel = h('button', { 'data-testid': 'cancel', title: 'Esc' }, 'Cancel');
    const reconnect = h('button', { 'data-testid': 'reconnect', class: 'sd-link' }, 'Reconnect now');
    this.el = {
      status: h('span', { 'data-testid': 'status', class: 'sd-status' }),
      statusHint: h('div', { 'data-testid': 'status-hint', class: 'sd-status-hint' }),
      reconnect,
      info: h('div', { 'data-testid': 'info', class: 'sd-info' }),
      intent, kind, toolArrow, toolLasso, del, clear, read, preview, apply, cancel,
      bar: h('div', { class: 'sd-bar' }),
      progressText: h('span', { 'data-testid': 'progress', class: 'sd-progress-text' }),
      plan: h('div', { 'data-testid': 'plan', class: 'sd-plan' }),
      message: h('div', { 'data-testid': 'message', class: 'sd-message', role: 'status' }),
    };
    const root = h('div', { class: 'sd-panel', tabindex: '0', 'data-testid': 'panel' },
      h('header', { class: 'sd-header' }, h('strong', {}, 'SmartDrag'), h('span', { class: 'sd-host' }, opts.title ?? opts.host.label), this.el.status),
      h('div', { class: 'sd-conn' }, this.el.statusHint, reconnect),
      ...(opts.toolbar ? [opts.toolbar] : []),
      h('div', { class: 'sd-tools' }, toolArrow, toolLasso, del, clear, ...(opts.host.hasSelection ? [read] : [])),
      h('div', { class: 'sd-canvas-wrap' }, this.editor.element),
      this.el.info,
      h('label', { class: 'sd-field' }, h('span', {}, 'Intent'), intent),
      h('label', { class: 'sd-field' }, h('span', {}, 'Type'), kind),
      h('div', { class: 'sd-actions' }, preview, apply, cancel),
      h('div', { class: 'sd-progress' }, this.el.bar, this.el.progressText),
      this.el.plan,
      this.el.message,
    );
    opts.root.append(root);
    toolArrow.addEventListener('click', () => this.setTool('arrow'));
    toolLasso.addEventListener('click', () => this.setTool('lasso'));
    del.addEventListener('click', () => this.editor.deleteArrow());
    clear.addEventListener('click', () => this.editor.clear());
    read.addEventListener('click', () => void this.readHost());
    preview.addEventListener('click', () => void this.run('preview'));
    apply.addEventListener('click', () => void this.run('final'));
    cancel.addEventListener('click', () => this.cancel());
    intent.addEventListener('input', () => {
      this.updateButtons();
      this.dropStalePlan();
      this.opts.onEditChange?.();
    });
    kind.addEventListener('change', () => {
      this.dropStalePlan();
      this.opts.onEditChange?.();
    });
    reconnect.addEventListener('click', () => this.connectNow());
    root.addEventListener('keydown', (e) => this.onKey(e));
    opts.bridge.onStatus((s) => this.onStatus(s));
    this.setTool('arrow');
    this.updateInfo();
    this.updateButtons();
  }

  /** Connect to the bridge and (for hosts with a selection) read the document. */
  async start(): Promise<void> {
    this.connectNow();
    // No document yet is where every session starts: a hint, not an error (startup = true).
    if (this.opts.host.hasSelection) await this.readFromHost(true);
    else await this.loadDocument(true);
  }

  /** Re-read the host document (thumbnail) without touching regions or arrows. Resolves whether it was read. */
  async reloadDocument(): Promise<boolean> {
    return this.loadDocument(false);
  }

  /**
   * The host has another document now (the playground opened an image, Express a new element):
   * the running job is cancelled and its result dropped — it was made from the old document, and
   * its coordinates mean nothing in the new one — and the old plan, preview, arrows, regions and
   * messages go before the new document is read. Resolves whether it was read.
   */
  async switchDocument(): Promise<boolean> {
    const running = this.job;
    if (running) {
      running.dropped = true;
      running.job.cancel();
      this.job = null;
    }
    this.previewPending = false;
    if (this.previewTimer) clearTimeout(this.previewTimer);
    this.previewTimer = null;
    this.editor.clear();
    this.clearPlan();
    this.interrupted = null;
    this.setProgress(0, '');
    this.setMessage(running?.placing
      ? 'The Smart Drag result was already being added to the previous image when you switched: look for it there (Undo removes it).'
      : running?.quality === 'final' ? 'The Smart Drag on the previous image was cancelled; nothing was added to it.' : '');
    return this.loadDocument(false); // a read still running for the old document is superseded
  }

  /**
   * A Smart Drag's result is being added to the host now (it cannot be called back: a large
   * document's takes several of the page's tasks). The playground opens another image only once
   * it is in, so that a result it would drop is asked about first.
   */
  get addingResult(): boolean {
    return !!this.job?.placing;
  }

  /**
   * A Smart Drag (a final) is being made, checked or added: the playground's Undo and Redo of
   * earlier results wait for it (its result lands on the image as it is when it comes back).
   */
  get smartDragRunning(): boolean {
    return this.job?.quality === 'final' || this.checking === 'final';
  }

  /** The regions, arrows, intent and type as they are now (arrows copied). */
  editState(): PanelEdit {
    return {
      regions: [...this.editor.regions],
      arrows: this.editor.arrows.map((a) => a.points.map((p) => [p[0], p[1]] as Point)),
      intent: (this.el.intent as HTMLTextAreaElement).value,
      kind: (this.el.kind as HTMLSelectElement).value as PanelDragKind,
    };
  }

  /**
   * What {@link editState} gives, as one string: equal for an equal state (region masks compared
   * by content, the intent trimmed).
   */
  editKey(): string {
    return this.stateKey();
  }

  /**
   * Put the regions, arrows, intent and type back as `edit` has them (Undo of the Smart Drag made
   * from them, so it can be adjusted and made again). As for any change of the drag, a live
   * preview is made for it, or a plan that no longer matches goes. `message`: said in the message line.
   */
  restoreEdit(edit: PanelEdit, message?: string): void {
    (this.el.intent as HTMLTextAreaElement).value = edit.intent;
    (this.el.kind as HTMLSelectElement).value = edit.kind;
    this.editor.restore(edit.regions, edit.arrows);
    if (message !== undefined) this.setMessage(message);
  }

  /** Read the document, the selection (as the region) and pen paths (as arrows) from the host. Resolves whether all were read. */
  async readHost(): Promise<boolean> {
    return this.readFromHost(false);
  }

  private async loadDocument(startup: boolean): Promise<boolean> {
    // Not cancellable: one host step, and the thumbnail must match the document.
    const reading = this.beginReading(false);
    try {
      const doc = await this.opts.host.readDocument();
      if (reading.cancelled) return false; // another document was opened meanwhile
      this.replaceDocument(doc);
      // A document is open now: the start-up hint or an earlier failure (a file that did not open) no longer applies.
      if (this.el.message.classList.contains('sd-error') || this.el.message.dataset.hint) this.setMessage('');
      return true;
    } catch (e) {
      if (reading.cancelled) return false;
      this.doc = null;
      this.showReadError(e, startup);
      return false;
    } finally {
      this.endReading(reading);
    }
  }

  private async readFromHost(startup: boolean): Promise<boolean> {
    if (this.reading) return false;
    const reading = this.beginReading(true);
    this.setMessage(`Reading from ${this.opts.host.label}…`);
    try {
      // Each step may take seconds on a large document: Cancel stops before the next one. The
      // panel's state changes only when all were read, so a cancelled read leaves it as it was.
      const doc = await this.opts.host.readDocument();
      if (reading.cancelled) return this.readCancelled(reading);
      const sel = await this.opts.host.readSelection();
      if (reading.cancelled) return this.readCancelled(reading);
      const paths = await this.opts.host.readPaths();
      if (reading.cancelled) return this.readCancelled(reading);
      // The signature of the document as the reads left it (reading the selection may itself make
      // steps in the document, where it cannot use a duplicate): the copy is this document now.
      if (this.opts.host.docState) {
        const st = await this.opts.host.docState();
        if (reading.cancelled) return this.readCancelled(reading);
        doc.signature = st && sameDocument(st, doc) ? st.signature : undefined;
      }
      this.replaceDocument(doc);
      const lassos = this.editor.regions.filter((r) => r.source === 'lasso');
      this.editor.setRegions(sel ? [{ id: 'h1', mask: sel, source: 'selection' }, ...lassos] : lassos);
      if (paths && paths.length > 0 && this.editor.arrows.length === 0) this.editor.setArrows(paths);
      const pathNote = paths === null ? 'pen paths unavailable in this host — draw arrows here' : `${paths.length} open pen path(s)`;
      this.setMessage(sel
        ? `Selection ${sel.width}×${sel.height} px at (${sel.left}, ${sel.top}); ${pathNote}.`
        : `No selection — select the object in ${this.opts.host.label} (or lasso it here); ${pathNote}.`);
      return true;
    } catch (e) {
      if (reading.cancelled) return this.readCancelled(reading);
      this.showReadError(e, startup);
      return false;
    } finally {
      this.endReading(reading);
    }
  }

  /**
   * Take `doc` as the panel's copy. Where it is another document than the one shown (by id, or by
   * name and size: two photos of one camera have the same size), the arrows and lassoed regions
   * drawn on that one go — their pixels mean nothing in this one.
   */
  private replaceDocument(doc: HostDocument): void {
    const other = !!this.doc && !sameDocument(this.doc, doc);
    // The same document changed in a rectangle the host can tell (a result, an Undo): only that is drawn again.
    const changed = this.doc && !other && this.opts.changedArea ? this.opts.changedArea(this.doc, doc) : null;
    this.doc = doc;
    if (changed) this.editor.updateDocument(doc.rgba, changed);
    else this.editor.setDocument(doc.rgba);
    if (other && (this.editor.arrows.length > 0 || this.editor.regions.length > 0)) this.editor.clear();
  }

  /**
   * Before a preview or a Smart Drag, where the host says cheaply which document is open and
   * whether it changed ({@link HostAdapter.docState}): another document than the one the arrows
   * and regions were drawn on is refused (nothing is sent, nothing added; also when it has the
   * same size); the same document changed since the panel's copy was read (an edit, an Undo in the
   * host) is read again first — the arrows and lassoed regions stay; an unchanged one is used as
   * the panel has it, exporting nothing. Resolves the note to add to the result's message, or
   * null when the run stops (said why, unless `live`, or a newer run took over).
   */
  private async checkHost(quality: 'preview' | 'final', seq: number, live: boolean): Promise<string | null> {
    const host = this.opts.host;
    const doc = this.doc!;
    let st: Awaited<ReturnType<NonNullable<HostAdapter['docState']>>>;
    this.checking = quality;
    this.updateButtons();
    try {
      st = await host.docState!();
    } catch (e) {
      if (seq === this.runSeq && !live) this.showError(e);
      return null;
    } finally {
      if (this.checking === quality) this.checking = null;
      this.updateButtons();
      if (this.previewPending && !this.job) this.schedulePreview(); // a live preview held back by the check
    }
    // A newer run, a read or another document took over meanwhile.
    if (seq !== this.runSeq || this.reading || this.job?.quality === 'final' || this.doc !== doc) return null;
    const what = quality === 'final' ? 'Nothing was added.' : 'Nothing was previewed.';
    if (!st) {
      this.showError(Object.assign(new Error(`${host.label} has no open document: the arrows were drawn on "${doc.name}".`), {
        hint: `${what} Open "${doc.name}" in ${host.label} and press ${quality === 'final' ? 'Smart Drag' : 'Preview'} again.`, code: 'no_document',
      }));
      return null;
    }
    if (!sameDocument(st, doc)) {
      this.clearPlan();
      this.editor.setOverlay(null);
      this.showError(Object.assign(new Error(`The edit was made on "${doc.name}", but "${st.name}" is the active document in ${host.label} now.`), {
        hint: `${what} Switch back to "${doc.name}" in ${host.label} and press ${quality === 'final' ? 'Smart Drag' : 'Preview'} again, or press Read to start over on "${st.name}".`,
        code: 'document_changed',
      }));
      return null;
    }
    if (doc.signature !== undefined && st.signature === doc.signature) return '';
    const underLasso = this.editor.regions.some((r) => r.source === 'lasso');
    if (!(await this.readHost())) return null;
    if (seq !== this.runSeq) return null;
    const used = `The document changed since it was read (an Undo?): ${quality === 'final' ? 'Smart Drag' : 'the preview'} used it as it is now`;
    return underLasso ? `${used} — check that your lasso still outlines the object.` : `${used}.`;
  }

  /** Mark a read as running: Smart Drag, Preview and Read wait for it; the progress line says so. */
  private beginReading(cancellable: boolean): Reading {
    if (this.reading) this.reading.cancelled = true; // superseded: its result would be stale
    const reading: Reading = { cancellable, cancelled: false };
    this.reading = reading;
    this.setProgress(0, `Reading from ${this.opts.host.label}…`);
    this.updateButtons();
    return reading;
  }

  private endReading(reading: Reading): void {
    if (this.reading !== reading) return;
    this.reading = null;
    if (!this.job) this.setProgress(0, '');
    this.updateInfo();
    this.updateButtons();
    if (this.previewPending && !this.job) this.schedulePreview(); // a live preview held back by the read
  }

  /** A read stopped by Cancel (said so) or replaced by a newer one (quietly). */
  private readCancelled(reading: Reading): false {
    if (this.reading === reading) this.setMessage('Cancelled.');
    return false;
  }

  /** At start-up, no open document is a hint of what to do first, not an error. */
  private showReadError(e: unknown, startup: boolean): void {
    const err = e as { message?: string; hint?: string; code?: string };
    if (!startup || err.code !== 'no_document') {
      this.showError(e);
      return;
    }
    const what = err.message ?? 'no document is open';
    this.setMessage(`${what[0]!.toUpperCase()}${what.slice(1)}. ${err.hint ?? ''}`.trim());
    this.el.message.dataset.hint = 'no_document';
  }

  /**
   * Cancel the running job and the read of the host (after the step it is on), if any. Not once the
   * result is being added: that finishes (the button is disabled then, and Esc does nothing).
   */
  cancel(): void {
    const reading = this.reading;
    if (reading?.cancellable && !reading.cancelled) {
      reading.cancelled = true;
      this.setMessage(`Cancelling… (${this.opts.host.label} finishes the step it is on first)`);
      this.updateButtons();
    }
    if (!this.job || this.job.placing) return;
    const entry = this.job;
    entry.job.cancel();
    if (this.connection.state === 'connected') {
      this.setMessage('Cancelling…');
      return;
    }
    // The bridge is away: the cancel cannot reach it now (the client sends it when the bridge is
    // back), and waiting for its answer kept "Cancelling…" — and Smart Drag, Undo, Redo — stuck for
    // as long as the bridge stayed away. The job ends here; a result it may still bring is ignored.
    entry.dropped = true;
    this.job = null;
    if (this.interrupted === entry.quality) this.interrupted = null;
    this.setProgress(0, '');
    this.setMessage(entry.quality === 'final' ? 'Cancelled; nothing was added. (The bridge is not reachable: it is told when it is back.)' : 'Cancelled.');
    this.updateButtons();
  }

  /** Build the request from the current state; throws a user-facing Error when something is missing. */
  /** Make the preview proxy of `doc` ahead where a preview of it goes as one ({@link ContentProxyCache.prepare}). */
  private async prepareProxy(doc: HostDocument): Promise<void> {
    const budget = Math.max(4096, this.editor.viewPixels);
    if (!usesProxy(doc.width, doc.height, budget)) return;
    const info = proxyInfoFor(doc.width, doc.height, budget);
    const img = { width: doc.width, height: doc.height, data: doc.rgba.data };
    if (!this.proxyCache.has(img, info, this.opts.contentKey?.(doc) ?? null)) await this.proxyCache.prepare(img, info, () => this.doc === doc);
    // The regions' masks at the proxy's scale (a lasso's: ~20 ms), each in a task of its own: the
    // request then takes them from the cache.
    for (const r of this.editor.regions) {
      if (this.doc !== doc) return;
      if (this.proxyCache.hasMask(r.mask, info)) continue;
      this.proxyCache.mask(r.mask, [0, 0], info);
      await yieldToPage();
    }
  }

  buildRequest(quality: 'preview' | 'final'): SubmitInput {
    const doc = this.doc;
    if (!doc) throw Object.assign(new Error('No document.'), { hint: `Open an image${this.opts.host.hasSelection ? ` in ${this.opts.host.label}` : ''} first.` });
    const regions = this.editor.regions;
    if (regions.length === 0) {
      throw Object.assign(new Error('No region to move.'), {
        hint: this.opts.host.hasSelection ? `Select the object in ${this.opts.host.label} and press "Read", or lasso it here.` : 'Use the Lasso tool to outline the object.',
      });
    }
    const arrows = this.editor.arrows;
    const intent = (this.el.intent as HTMLTextAreaElement).value.trim();
    // Text alone (protocol 2): with no arrow the intent must say what to do; the bridge asks back when it does not.
    if (arrows.length === 0 && !intent) throw Object.assign(new Error('No arrow.'), { hint: 'Drag on the thumbnail from the object to where it should go, or type what to do (e.g. "move it 40 px down").' });
    const kind = (this.el.kind as HTMLSelectElement).value as PanelDragKind;
    const drags = arrows.map((a) => ({ region: regionFor(a.points[0]!, regions), points: a.points.map((p) => [p[0], p[1]] as Point), kind }));
    const seed = this.opts.seed ?? 1;
    // The reading chosen in the plan box, while the edit is the one it was proposed for; a Smart
    // Drag after a preview of the same edit: the reading previewed.
    const now = this.stateKey();
    if (this.chosen && this.chosen.key !== now) this.chosen = null;
    const pinned = this.chosen ?? (quality === 'final' && this.shown?.key === now ? this.shown : null);
    const reading = pinned ? { reading: pinned.operations } : {};
    const whole: Rect = { left: 0, top: 0, width: doc.width, height: doc.height };
    // A preview of a document much larger than the view (proxy scale ≤ 1/2) goes as the panel's
    // own area-averaged proxy of the whole document at the view's size (job.submit `proxyOf`):
    // made once per document (and once per selection for its mask), it replaces a full-size
    // upload and the bridge's proxy pass on every preview of a drag.
    const budget = Math.max(4096, this.editor.viewPixels);
    if (quality === 'preview' && usesProxy(doc.width, doc.height, budget)) {
      this.proxyCache.content = this.opts.contentKey?.(doc) ?? null;
      const input = previewProxyInput({
        image: { width: doc.width, height: doc.height, data: doc.rgba.data },
        regions: regions.map((r) => ({ id: r.id, mask: r.mask })), drags, ...(intent ? { intent } : {}), quality, seed, ...reading,
      }, budget, this.proxyCache);
      if (input && 'width' in input.image) {
        this.lastSubmitted = {
          quality, drags, intent, seed, image: whole, proxy: { width: input.image.width, height: input.image.height },
          regions: regions.map((r) => ({ id: r.id, left: r.mask.left, top: r.mask.top, width: r.mask.width, height: r.mask.height, data: r.mask.data })),
        };
        return input;
      }
    }
    // Send only what the edit needs (as the Photoshop plugin does): the regions, where the arrows
    // take them and the arrows, plus a margin. With text alone the intent may move the region
    // anywhere, so the whole document goes.
    const roi = drags.length > 0
      ? editRoi({ regions: regions.map((r) => r.mask), arrows: drags.map((d) => d.points), docWidth: doc.width, docHeight: doc.height, marginPx: this.opts.marginPx })
      : whole;
    const cropped = roi.width > 0 && roi.height > 0 && (roi.width < doc.width || roi.height < doc.height);
    const sent = cropped ? roi : whole;
    this.lastSubmitted = {
      quality, drags, intent, seed, image: sent,
      regions: regions.map((r) => ({ id: r.id, left: r.mask.left, top: r.mask.top, width: r.mask.width, height: r.mask.height, data: r.mask.data })),
    };
    // A preview only needs what the panel can show: the bridge previews a larger image on a proxy
    // (the crop's share of the view, so a crop is previewed at the thumbnail's scale too).
    const view = Math.round(this.editor.viewPixels * (sent.width * sent.height) / Math.max(1, doc.width * doc.height));
    // The crop goes as a rectangle of the document's own pixels (imageRect): the bridge client
    // sends only the rectangle — or, when the bridge keeps images for reuse, the document once
    // for the previews of a drag (each preview's crop moves with the arrow) and then only its key
    // and the rectangle. The job's pixels are the same either way.
    return {
      image: cropped || !doc.png ? { width: doc.width, height: doc.height, data: doc.rgba.data } : { png: doc.png },
      ...(cropped ? { imageRect: { ...roi }, imageOrigin: [roi.left, roi.top] as [number, number] } : {}),
      regions: regions.map((r) => ({ id: r.id, mask: r.mask })),
      drags,
      ...(intent ? { intent } : {}),
      quality,
      seed,
      ...(quality === 'preview' ? { previewMaxPixels: Math.max(4096, view) } : {}),
      ...reading,
    };
  }

  /**
   * Submit a preview or final job; a final result is added to the host as a new layer, in the
   * document it was read from. `live`: an automatic preview while an arrow is dragged, which stays
   * quiet when there is nothing to preview (a clicked Preview says what is missing).
   */
  async run(quality: 'preview' | 'final', opts: { live?: boolean } = {}): Promise<void> {
    // While the host is read its document is about to change (the buttons are disabled too; this
    // catches the keyboard shortcut); while a Smart Drag checks the host, it goes first.
    if (this.reading || this.checking === 'final') return;
    const seq = ++this.runSeq;
    if (quality === 'final') {
      // An explicit apply supersedes any live preview still waiting to be sent.
      this.previewPending = false;
      if (this.previewTimer) clearTimeout(this.previewTimer);
      this.previewTimer = null;
    }
    if (this.job) {
      if (this.job.quality === 'final') return;
      // A newer request supersedes a preview: whatever the preview still brings (its plan, its
      // cancel's answer, a result already on its way, the connection's loss) is ignored. Coming
      // late it had blanked a waiting Smart Drag's progress line ("Waiting for the bridge to come
      // back…"), and shown the old image's plan after another image was opened.
      this.job.dropped = true;
      this.job.job.cancel();
    }
    let note = '';
    if (this.opts.host.docState && this.doc) {
      // The document as it is now, read again only where it changed (a cancelled or failed read said why).
      const n = await this.checkHost(quality, seq, !!opts.live);
      if (n === null) return;
      note = n ? ` ${n}` : '';
    } else if (quality === 'final' && this.opts.host.hasSelection && (!this.doc || !this.editor.regions.some((r) => r.source === 'lasso'))) {
      // Use the document and selection as they are now; a cancelled or failed read said why.
      if (!(await this.readHost())) return;
    }
    // A preview of a large document goes as the panel's proxy of it: made ahead in slices (made
    // in buildRequest, in one piece, it held the page's thread ~180 ms at 48 MP after each lasso
    // or Undo). A newer request meanwhile takes over.
    if (quality === 'preview' && this.doc) {
      await this.prepareProxy(this.doc);
      if (seq !== this.runSeq || this.reading) return;
    }
    let input: SubmitInput;
    try {
      input = this.buildRequest(quality);
    } catch (e) {
      if (!opts.live) {
        this.showError(e); // a live preview with nothing to preview stays quiet
        this.dropStalePlan();
      }
      return;
    }
    // What the plan of this job is about: the plan box shows it only while the panel still matches.
    const key = this.stateKey();
    // What a Smart Drag is made from, for an Undo of its result (onApplied).
    const pressed = quality === 'final' ? this.editState() : null;
    // The arrows and regions it is made from: those drawn while it runs (or while its result is
    // added, in slices on a large photo) are the user's next edit, kept when the result lands.
    const madeFrom = quality === 'final' ? new Set<object>([...this.editor.arrows, ...this.editor.regions]) : null;
    // The handlers ignore a job dropped for another document (declared first: they close over it).
    let entry: RunningJob | undefined;
    let overall = 0;
    const job = this.opts.bridge.submit(input, {
      onUpload: (f) => { if (!entry?.dropped && overall === 0) this.setProgress(0, f < 1 ? `Sending… ${Math.round(f * 100)}%` : 'Sent; waiting for the bridge…'); },
      onQueued: (pos) => { if (!entry?.dropped) this.setProgress(0, pos > 0 ? `Queued (${pos} ahead)` : 'Starting…'); },
      onPlan: (plan) => { if (!entry?.dropped) this.showPlan(plan, key); },
      onProgress: (stage, f) => {
        if (entry?.dropped) return;
        // One bar for the whole job: each stage's fraction placed in its share (it had shown the
        // raw stage fraction, running back to 14% when the fill started after a full warp).
        overall = overallProgress(stage, f, overall);
        this.setProgress(overall, progressText(stage, overall));
      },
    });
    // buildRequest succeeded, so a document is open.
    entry = { job, quality, doc: this.doc!, dropped: false };
    this.job = entry;
    this.updateButtons();
    if (quality === 'final') this.setMessage('Working…');
    this.setProgress(0, 'Sending…');
    try {
      const out = await job.result;
      if (entry.dropped) return;
      if (!this.doc || !sameDocument(this.doc, entry.doc)) {
        // The host was read meanwhile and holds another document: this result is not about it.
        this.setProgress(0, '');
        if (quality === 'final') this.showError(Object.assign(new Error('Another document is open than the one the edit was made on.'), { hint: 'Nothing was added. Run Smart Drag again.', code: 'document_changed' }));
        return;
      }
      this.showPlan(out.plan, key);
      if (quality === 'preview') {
        this.editor.setOverlay(out.layer, input.imageOrigin);
        this.editor.setMovedOutline(out.moved?.polygons ?? null);
        // A live preview after the bridge came back does not hide that the Smart Drag was not applied.
        if (this.el.message.dataset.hint !== 'final_not_applied') this.setMessage(`Preview: ${planSummary(out.plan)}.${note}`);
      } else {
        // The host refuses it (document_changed) where it can tell another document is open now.
        // From here the layer is added whatever happens (a paste cannot be called back): Cancel goes.
        entry.placing = true;
        this.updateButtons();
        this.setMessage(`Adding the layer to ${this.opts.host.label}…`);
        this.setProgress(overall, 'Adding the layer…');
        const placed = await this.opts.host.addLayer(out.layer, 'Smart Drag', entry.doc);
        this.placed.push(placed);
        if (pressed) this.opts.onApplied?.(placed, pressed);
        if (entry.dropped) return; // added where it belongs; the panel has moved on to another document
        this.editor.setOverlay(null);
        // Its arrows and lassoed regions go; those drawn since it was pressed stay (they had gone
        // too: a lasso drawn while the result was added vanished under the user's hand).
        const next = {
          arrows: this.editor.arrows.filter((a) => !madeFrom!.has(a)).map((a) => a.points),
          // (Numbered again from r1, as the editor numbers a lasso by the regions there are.)
          regions: this.editor.regions.filter((r) => !madeFrom!.has(r)).map((r, i) => ({ ...r, id: `r${i + 1}` })),
        };
        // The plan stays, saying what was done, until the arrows, regions or intent change (at
        // once where the user drew the next edit meanwhile).
        this.keepPlan = true;
        try {
          this.editor.setArrows(next.arrows);
          if (!this.opts.host.hasSelection) this.editor.setRegions(next.regions);
        } finally {
          this.keepPlan = false;
        }
        if (this.planKey !== null && next.arrows.length === 0 && (this.opts.host.hasSelection || next.regions.length === 0)) this.planKey = this.stateKey();
        // The thumbnail and the panel's copy of the document take in the new layer: only its box
        // changed, so where the host can say exactly how it shows there, the copy is updated there
        // instead of reading the whole document again (seconds on a large Photopea document).
        if (!(await this.updateAfterAdd(entry.doc, out.layer, placed))) await this.reloadDocument();
        else await this.updateSignature();
        // The bridge's self-check: say so next to the layer when the result looks doubtful.
        const doubt = out.check?.doubtful ? ` The self-check doubts this result (${out.check.findings.join('; ')}): look at it, and delete the layer if it looks wrong.` : '';
        this.setMessage(`Added layer "${placed.name}" at (${placed.left}, ${placed.top}), ${placed.width}×${placed.height} px.${doubt}${note}`);
        this.el.message.dataset.result = 'ok';
        if (out.check) this.el.message.dataset.check = out.check.doubtful ? 'doubtful' : 'ok';
      }
      this.setProgress(1, quality === 'final' ? 'Done' : 'Preview ready');
    } catch (e) {
      if (entry.dropped) return;
      const code = (e as { code?: string }).code;
      if (code === 'cancelled') {
        if (this.job === entry || quality === 'final') this.setMessage('Cancelled.');
      } else {
        this.showError(e);
        // The bridge came back without this Smart Drag (it restarted): a live preview made for the
        // arrows then does not hide that it was not applied.
        if (quality === 'final' && code === 'job_not_found') this.el.message.dataset.hint = 'final_not_applied';
        // A plan made for other arrows, regions or intent than this failed job's goes with it.
        if (this.planKey !== key) this.clearPlan();
        if (code && RETRYABLE.has(code)) {
          // Ended by the connection: when the bridge is back the panel says what was not done,
          // and a live preview is made again for the arrows as they are then.
          if (quality === 'final' || this.interrupted !== 'final') this.interrupted = quality;
          if (quality === 'preview' && this.opts.livePreview) this.previewPending = true;
        }
      }
      this.setProgress(0, '');
    } finally {
      if (this.job === entry) {
        this.job = null;
        // Superseded, and the newer request started nothing (nothing to preview, a read that
        // failed): the progress line does not keep this job's last words.
        if (entry.dropped) this.setProgress(0, '');
      }
      this.updateButtons();
      if (this.previewPending && !this.job) this.schedulePreview();
    }
  }

  /**
   * After `layer` was added as `placed` to the document read as `from`: update the panel's copy of
   * it in the layer's box only. A plain top layer (PlacedLayer.plainTop) whose pixels are all opaque
   * or transparent (every result on an opaque document: it holds the changed pixels) shows exactly
   * its opaque pixels over what was there, so the copy is composited here, reading nothing;
   * otherwise (inside a group, under other layers, soft alpha) the host's composite of the box is
   * read, where it can read an area. Resolves false when it could do neither: the caller reads the
   * whole document. Holds the buttons like any read.
   */
  private async updateAfterAdd(from: HostDocument, layer: LayerPixels & { proxy?: unknown }, placed: PlacedLayer): Promise<boolean> {
    const host = this.opts.host;
    // Another read replaced the copy meanwhile, or the layer is not in document pixels: read it all.
    if (this.doc !== from || layer.proxy) return false;
    const W = from.width, H = from.height;
    const x0 = Math.max(0, placed.left), y0 = Math.max(0, placed.top);
    const x1 = Math.min(W, placed.left + placed.width), y1 = Math.min(H, placed.top + placed.height);
    if (!(x1 > x0 && y1 > y0)) return false;
    let local = !!placed.plainTop && layer.left <= x0 && layer.top <= y0 && layer.left + layer.width >= x1 && layer.top + layer.height >= y1;
    for (let i = 3; local && i < layer.data.length; i += 4) if (layer.data[i] !== 0 && layer.data[i] !== 255) local = false;
    if (!local && !host.readArea) return false;
    const reading = this.beginReading(false);
    try {
      let area: RgbaPixels | null = null;
      if (!local) {
        area = await host.readArea!({ left: x0, top: y0, width: x1 - x0, height: y1 - y0 }, from);
        if (reading.cancelled) return true; // another document was opened meanwhile: its read took over
        if (!area || area.width !== x1 - x0 || area.height !== y1 - y0 || this.doc !== from) return false;
      }
      // Only the box is written, into the copy's own memory (a 48 MP copy's 192 MB were copied
      // whole for each result: ~100 ms of the page's thread), through a new array over it (the
      // preview proxy cache keys on the document's array: this is another image to it). Nothing
      // else holds the old pixels: the job they were sent for is done (the bridge client keys
      // held images by content). The copy's PNG is dropped (it no longer matches; the pixels are
      // sent instead).
      const old = from.rgba.data;
      const data = new Uint8ClampedArray(old.buffer, old.byteOffset, old.length);
      for (let y = y0; y < y1; y++) {
        if (area) {
          data.set(area.data.subarray((y - y0) * area.width * 4, (y - y0 + 1) * area.width * 4), (y * W + x0) * 4);
          continue;
        }
        const src = ((y - layer.top) * layer.width + (x0 - layer.left)) * 4;
        for (let x = 0, o = (y * W + x0) * 4; x < x1 - x0; x++, o += 4) {
          const i = src + x * 4;
          if (layer.data[i + 3] === 255) { data[o] = layer.data[i]!; data[o + 1] = layer.data[i + 1]!; data[o + 2] = layer.data[i + 2]!; data[o + 3] = 255; }
        }
      }
      const { png: _png, ...rest } = from;
      const doc: HostDocument = { ...rest, rgba: { width: W, height: H, data } };
      this.doc = doc;
      // Only the box is drawn again: the rest of the thumbnail stays (a large document's
      // thumbnail had been made again whole).
      this.editor.updateDocument(doc.rgba, { left: x0, top: y0, width: x1 - x0, height: y1 - y0 });
      return true;
    } catch {
      return !!reading.cancelled;
    } finally {
      this.endReading(reading);
    }
  }

  /**
   * After the panel updated its copy itself (the added layer composited in): take the host's
   * signature of the document as it is now, so the next Smart Drag does not read it again.
   */
  private async updateSignature(): Promise<void> {
    const doc = this.doc, host = this.opts.host;
    if (!doc || !host.docState) return;
    try {
      const st = await host.docState();
      if (this.doc === doc) doc.signature = st && sameDocument(st, doc) ? st.signature : undefined;
    } catch {
      if (this.doc === doc) doc.signature = undefined; // read again next time
    }
  }

  private onEditorChange(live: boolean): void {
    this.updateInfo();
    this.updateButtons();
    if (!live) this.editor.setOverlay(null);
    if (!live && this.el.message.dataset.hint === 'lasso_too_small' && this.editor.regions.length > 0) this.setMessage('');
    const livePreview = !!this.opts.livePreview && this.editor.arrows.length > 0 && this.editor.regions.length > 0;
    if (livePreview) {
      this.previewPending = true;
      this.schedulePreview();
    }
    // A live preview about to be sent replaces the plan; otherwise a plan that no longer matches goes now.
    if (!(livePreview && this.connection.state === 'connected')) this.dropStalePlan();
    this.opts.onEditChange?.();
  }

  /**
   * What a plan is made from, as a string: the type, the intent, the arrows and the regions (their
   * masks by content, so the same selection read again matches).
   */
  private stateKey(): string {
    const kind = (this.el.kind as HTMLSelectElement).value;
    const intent = (this.el.intent as HTMLTextAreaElement).value.trim();
    const arrows = this.editor.arrows.map((a) => a.points.map((p) => `${p[0]},${p[1]}`).join(' ')).join(';');
    const regions = this.editor.regions.map((r) => `${r.id}:${this.maskKey(r.mask)}`).join(';');
    return JSON.stringify([kind, intent, arrows, regions]);
  }

  private maskKey(m: EditorRegion['mask']): string {
    let k = this.maskKeys.get(m);
    if (k === undefined) {
      let hash = 0x811c9dc5;
      for (let i = 0; i < m.data.length; i++) hash = Math.imul(hash ^ m.data[i]!, 0x01000193);
      k = `${m.left},${m.top},${m.width}x${m.height}#${(hash >>> 0).toString(36)}`;
      this.maskKeys.set(m, k);
    }
    return k;
  }

  /** Clear the plan box when what it shows was made for other arrows, regions, intent or type. */
  private dropStalePlan(): void {
    if (this.planKey === null || this.keepPlan) return;
    if (this.stateKey() !== this.planKey) this.clearPlan();
  }

  private clearPlan(): void {
    this.el.plan.replaceChildren();
    this.planKey = null;
    this.shown = null;
  }

  /** Throttle: at most one preview in flight, and not more often than previewIntervalMs. */
  private schedulePreview(): void {
    if (this.previewTimer || this.connection.state !== 'connected') return;
    if (this.job || this.checking) return; // resumed from run()'s finally
    const wait = Math.max(0, this.lastPreviewAt + (this.opts.previewIntervalMs ?? 250) - Date.now());
    this.previewTimer = setTimeout(() => {
      this.previewTimer = null;
      // Not connected any more: still pending, sent when the bridge is back (onStatus).
      if (!this.previewPending || this.job || this.checking || this.reading || this.connection.state !== 'connected' || this.editor.arrows.length === 0 || this.editor.regions.length === 0) return;
      this.previewPending = false;
      this.lastPreviewAt = Date.now();
      void this.run('preview', { live: true });
    }, wait);
  }

  private setTool(tool: 'arrow' | 'lasso'): void {
    this.editor.tool = tool;
    this.el.toolArrow.classList.toggle('sd-active', tool === 'arrow');
    this.el.toolLasso.classList.toggle('sd-active', tool === 'lasso');
  }

  private onKey(e: KeyboardEvent): void {
    const t = e.target as HTMLElement;
    const inText = t.tagName === 'TEXTAREA' || t.tagName === 'INPUT' || t.tagName === 'SELECT';
    if (e.key === 'Escape') {
      e.preventDefault();
      this.cancel();
    } else if (e.key === 'Enter' && (e.ctrlKey || e.metaKey || (!inText && t.tagName !== 'BUTTON'))) {
      e.preventDefault();
      void this.run('final');
    } else if (!inText && (e.key === 'Delete' || e.key === 'Backspace')) {
      e.preventDefault();
      this.editor.deleteArrow();
    } else if (!inText && !e.ctrlKey && !e.metaKey && (e.key === 'a' || e.key === 'l')) {
      this.setTool(e.key === 'a' ? 'arrow' : 'lasso');
    }
  }

  private connectNow(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.opts.bridge.connect().catch(() => undefined); // reported through onStatus
  }

  private onStatus(s: ConnectionStatus): void {
    this.connection = s;
    const st = this.el.status;
    st.dataset.state = s.state;
    const hint = this.el.statusHint;
    hint.dataset.code = s.error?.code ?? '';
    // (Unchanged text is not set again: no re-layout.)
    const setHint = (t: string) => { if (hint.textContent !== t) hint.textContent = t; };
    const retryable = !s.error || RETRYABLE.has(s.error.code);
    switch (s.state) {
      case 'connected':
        this.retryCount = 0;
        st.textContent = 'Connected';
        hint.textContent = '';
        this.jobBack();
        this.bridgeBack();
        break;
      case 'connecting':
        st.textContent = 'Connecting…';
        break;
      // The hint says why and what to do, and stays the same while the retries go on (the retry
      // count-down is in the status word): a hint that changed its length every second re-wrapped,
      // moving the thumbnail under a drawing hand.
      case 'reconnecting':
        st.textContent = 'Reconnecting…';
        this.jobAway();
        {
          const code = s.error?.code ?? 'connection_lost';
          const w = connectionWords(code, s.error?.message, s.error?.hint);
          setHint(`${w.reason} ${this.opts.connectionFix?.(code) ?? w.fix}`);
        }
        break;
      case 'closed':
      case 'error': {
        const { reason, fix } = connectionWords(s.error?.code, s.error?.message, s.error?.hint);
        setHint(`${reason} ${(s.error?.code && this.opts.connectionFix?.(s.error.code)) || fix}`);
        if (retryable) {
          // The client gives up after a failed first connect or a shutdown: keep trying here.
          const delay = Math.min(5000, 500 * 2 ** this.retryCount++);
          st.textContent = `Retrying in ${Math.ceil(delay / 1000)} s…`;
          if (this.retryTimer) clearTimeout(this.retryTimer);
          this.retryTimer = setTimeout(() => this.connectNow(), delay);
        } else {
          st.textContent = s.state === 'error' ? 'Not connected' : 'Disconnected';
        }
        break;
      }
    }
    this.el.reconnect.hidden = s.state === 'connected' || s.state === 'connecting';
    this.updateButtons();
  }

  /**
   * The connection went while a job runs (the bridge stopped without saying so: it crashed, the
   * machine slept): the client waits to resume it, so the progress line and a Smart Drag's message
   * say it is waiting for the bridge — not "Working…" at a frozen percentage under "not running".
   */
  private jobAway(): void {
    const entry = this.job;
    if (!entry || entry.placing) return;
    this.setProgress(this.progressFraction, 'Waiting for the bridge to come back…');
    if (entry.quality === 'final' && this.el.message.textContent !== 'Cancelling…') {
      this.setMessage('The bridge went away while the Smart Drag ran: it goes on if the bridge comes back with it. Cancel stops waiting.');
      this.el.message.dataset.hint = 'job_waiting';
    }
  }

  /** Connected again with a job still running: the waiting words go (its progress comes again). */
  private jobBack(): void {
    if (!this.job) return;
    if (this.el.progressText.textContent === 'Waiting for the bridge to come back…') this.setProgress(this.progressFraction, 'Resuming…');
    if (this.el.message.dataset.hint === 'job_waiting') this.setMessage(this.job.quality === 'final' ? 'Working…' : '');
  }

  /**
   * Connected (again): an error the connection caused is replaced by what it left undone, and a
   * live preview held back while the bridge was away is made for the arrows as they are now.
   */
  private bridgeBack(): void {
    const m = this.el.message;
    if (m.classList.contains('sd-error') && RETRYABLE.has(m.dataset.result ?? '')) {
      const what = this.interrupted === 'final'
        ? ' The Smart Drag that was running was not applied — press Smart Drag again.'
        : this.interrupted === 'preview' && !this.opts.livePreview ? ' The preview that was running did not finish — press Preview again.' : '';
      this.setMessage(`The bridge is back.${what}`);
      m.dataset.hint = this.interrupted === 'final' ? 'final_not_applied' : 'reconnected';
    }
    this.interrupted = null;
    if (this.previewPending && this.opts.livePreview) this.schedulePreview();
  }

  private updateInfo(): void {
    const r = this.editor.regions, a = this.editor.arrows;
    const doc = this.editor.documentSize;
    const parts = [doc.width ? `${doc.width}×${doc.height} px` : 'no document'];
    parts.push(r.length === 0 ? 'no region' : r.map((x) => `${x.source === 'selection' ? 'selection' : 'lasso'} ${x.mask.width}×${x.mask.height}`).join(', '));
    parts.push(`${a.length} arrow${a.length === 1 ? '' : 's'}`);
    this.el.info.textContent = parts.join(' · ');
  }

  private updateButtons(): void {
    const connected = this.connection.state === 'connected';
    const hasText = (this.el.intent as HTMLTextAreaElement).value.trim().length > 0;
    // Nothing starts while the host is read: the document is about to change.
    const ready = connected && !!this.doc && !this.reading && (this.editor.arrows.length > 0 || hasText);
    const finalRuns = this.job?.quality === 'final' || this.checking === 'final';
    (this.el.apply as HTMLButtonElement).disabled = !ready || finalRuns;
    (this.el.preview as HTMLButtonElement).disabled = !ready || finalRuns;
    // Nor a read while a final runs: its layer goes into the document as the read's steps change it
    // (the selection is read through a temporary layer).
    (this.el.read as HTMLButtonElement).disabled = !!this.reading || finalRuns;
    const readCancellable = !!this.reading?.cancellable && !this.reading.cancelled;
    // Once the result is being added it is added: Cancel is not offered (it would not stop it).
    (this.el.cancel as HTMLButtonElement).disabled = (!this.job || !!this.job.placing) && !readCancellable;
    this.el.cancel.title = this.job?.placing ? 'The result is being added; it cannot be stopped now (Undo removes it afterwards)' : 'Esc';
    (this.el.del as HTMLButtonElement).disabled = this.editor.selected === null;
    this.el.apply.title = connected ? 'Ctrl+Enter' : 'Not connected to the bridge';
  }

  private setProgress(f: number, text: string): void {
    const v = Math.max(0, Math.min(1, f));
    this.progressFraction = v;
    // The width eases only while a job runs (panel.css): "Done" shows a full bar at once instead of
    // one still catching up, and a reset to 0 does not sweep backwards.
    this.el.bar.parentElement!.dataset.state = v >= 1 ? 'done' : v > 0 ? 'running' : 'idle';
    this.el.bar.style.width = `${Math.round(v * 100)}%`;
    this.el.progressText.textContent = text;
  }

  private showPlan(plan: WirePlan, key: string): void {
    const box = this.el.plan;
    box.replaceChildren();
    this.planKey = key;
    this.shown = { key, operations: plan.operations };
    box.append(h('div', { class: 'sd-plan-title' }, 'Plan'));
    const ol = h('ol', {});
    for (const op of plan.operations) ol.append(h('li', { title: op.reason }, op.description));
    box.append(ol);
    for (const w of plan.warnings) box.append(h('div', { class: 'sd-warning' }, `⚠ ${w}`));
    if (plan.alternatives?.length) {
      box.append(h('div', { class: 'sd-plan-title' }, 'Or did you mean'));
      for (const alt of plan.alternatives) {
        const b = h('button', { class: 'sd-alt', 'data-testid': 'alternative', title: 'Use this reading: the preview and Smart Drag carry it out' }, planSummary(alt));
        b.addEventListener('click', () => {
          // Chosen for the edit the plan box shows (the arrows, regions, intent and type it was made for).
          this.chosen = { key: key, operations: alt.operations };
          void this.run('preview');
        });
        box.append(b);
      }
    }
  }

  private setMessage(text: string): void {
    this.el.message.textContent = text;
    this.el.message.classList.remove('sd-error');
    delete this.el.message.dataset.result;
    delete this.el.message.dataset.check;
    delete this.el.message.dataset.hint;
  }

  /** Show a failure (an Error, or a coded bridge or host error with a hint) in the message line. */
  showError(e: unknown): void {
    const err = e as { message?: string; hint?: string; code?: string };
    const message = err.message ?? String(e);
    this.setMessage(`${message}${err.hint && !repeatsHint(message, err.hint) ? ` — ${err.hint}` : ''}`);
    this.el.message.classList.add('sd-error');
    this.el.message.dataset.result = err.code ?? 'error';
  }
}

/**
 * Whether a message already gives its hint's advice: the bridge's questions (intent_unclear) end
 * with "…, or draw an arrow." as its generic hint does, which would say it twice.
 */
function repeatsHint(message: string, hint: string): boolean {
  const tail = /\b(or [^,.;]+)\.?$/i.exec(hint.trim())?.[1];
  return !!tail && message.toLowerCase().includes(tail.toLowerCase());
}

/** The region an arrow belongs to: the one covering its handle most, else the nearest. */
export function regionFor(p: Point, regions: readonly EditorRegion[]): string {
  let best = regions[0]!.id, bestScore = -Infinity;
  for (const r of regions) {
    const m = r.mask;
    const x = Math.round(p[0]) - m.left, y = Math.round(p[1]) - m.top;
    let score: number;
    if (x >= 0 && y >= 0 && x < m.width && y < m.height) score = m.data[y * m.width + x]!;
    else {
      const dx = Math.max(m.left - p[0], 0, p[0] - (m.left + m.width - 1));
      const dy = Math.max(m.top - p[1], 0, p[1] - (m.top + m.height - 1));
      score = -Math.hypot(dx, dy);
    }
    if (score > bestScore) {
      bestScore = score;
      best = r.id;
    }
  }
  return best;
}
