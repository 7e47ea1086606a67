/**
 * The panel's state machine as a pure reducer: connection + one edit at a time
 * (capture -> bridge work -> plan shown -> result ready -> apply). The view renders
 * {@link PanelState} and {@link controlsOf}; the controller dispatches {@link PanelEvent}s.
 */
import { connectionWords, overallProgress, progressText, type ConnectionStatus, type Point, type Rect, type WirePlan } from '@smartdrag/shared';
import type { ErrorInfo } from '../app/errors';

/** Phases of the current edit, as an `as const` object. */
export const Phase = {
  idle: 'idle',
  /** Reading the document (short modal scope). */
  capturing: 'capturing',
  /** The bridge is queueing / planning / editing. */
  working: 'working',
  /** The result arrived and waits for Apply. */
  ready: 'ready',
  /** Writing the new layer (short modal scope). */
  applying: 'applying',
  applied: 'applied',
  failed: 'failed',
  cancelled: 'cancelled',
} as const;
/** One phase. */
export type Phase = (typeof Phase)[keyof typeof Phase];

/** Everything the panel shows. */
export interface PanelState {
  connection: ConnectionStatus;
  phase: Phase;
  /** Jobs ahead of ours; null when not queued. */
  queuePosition: number | null;
  /** Current bridge stage ("plan", "warp", "fill", …). */
  stage: string | null;
  /** Overall progress 0..1; never 1 before the result arrived, never goes backwards within a job. */
  progress: number;
  /** Share of the job's pixels sent to the bridge, until it reports (null: not sending / not told). */
  upload: number | null;
  /** The bridge's reading of the arrows + intent (with alternatives). */
  plan: WirePlan | null;
  /** 0 = the main reading, i = `plan.alternatives[i-1]`. */
  planChoice: number;
  /** Notes from capture and planning. */
  warnings: string[];
  /** The capture's own notes (what `warnings` goes back to when another reading is chosen). */
  captureWarnings: string[];
  error: ErrorInfo | null;
  /** Name of the layer created by the last apply (null when the edit changed nothing). */
  appliedLayer: string | null;
  /** The outline of what the ready result moves, to show before Apply; null when none. */
  moved: MovedView | null;
  /** What the current (or last) job is: the full edit, or a preview that writes nothing. */
  mode: RunMode;
  /** The ready preview picture (mode `preview`); null otherwise. */
  preview: PreviewView | null;
}

/** A full-resolution edit that ends in a new layer, or a preview shown in the panel only. */
export type RunMode = 'final' | 'preview';

/**
 * A preview as the panel shows it: a JPEG of the result composited over the pixels read (at
 * display resolution), for an `<img>`.
 */
export interface PreviewView {
  /** `data:image/jpeg;base64,…` */
  src: string;
  /** The picture's size in pixels (the proxy's, or the area's when it fits the budget). */
  width: number;
  height: number;
  /** The document area it shows (document pixels). */
  frame: Rect;
  /** True when it is a proxy of `frame` (scaled down), false when it is `frame` at full resolution. */
  proxy: boolean;
}

/** The moved outline as the panel shows it: polygons in document pixels over the area read (`frame`). */
export interface MovedView {
  polygons: Point[][];
  /** The document area the edit read (the capture's crop): the view frames it. */
  frame: Rect;
}

/** Events the controller dispatches. */
export type PanelEvent =
  | { type: 'connection'; status: ConnectionStatus }
  | { type: 'run.start'; mode?: RunMode }
  | { type: 'capture.done'; warnings: string[] }
  /** How much of the job's pixels has gone to the bridge (large documents take seconds). */
  | { type: 'job.upload'; fraction: number }
  | { type: 'job.queued'; position: number }
  | { type: 'job.plan'; plan: WirePlan }
  | { type: 'job.progress'; stage: string; fraction: number }
  | { type: 'job.result'; moved?: MovedView | null; preview?: PreviewView | null; warnings?: string[] }
  | { type: 'plan.choose'; index: number }
  | { type: 'apply.start' }
  | { type: 'apply.done'; layerName: string | null; warnings?: string[] }
  /** Photoshop's modal state was held by someone else: nothing written, the result kept for another Apply. */
  | { type: 'apply.busy'; error: ErrorInfo; moved?: MovedView | null }
  | { type: 'cancelled' }
  | { type: 'failed'; error: ErrorInfo }
  | { type: 'dismiss' };

/** Initial state. */
export function initialPanelState(): PanelState {
  return {
    connection: { state: 'closed' }, phase: Phase.idle, queuePosition: null, stage: null, progress: 0, upload: null,
    plan: null, planChoice: 0, warnings: [], captureWarnings: [], error: null, appliedLayer: null, moved: null, mode: 'final', preview: null,
  };
}

/** The overall bar from the bridge's stage fractions (shared by every panel). */
export { overallProgress, STAGE_WEIGHTS } from '@smartdrag/shared';

/** Error codes a lost or refused connection causes (cleared once the panel is connected again). */
const CONNECTION_ERROR_CODES: ReadonlySet<string> = new Set(['unreachable', 'shutting_down', 'connection_lost', 'heartbeat_timeout']);

const busy = (p: Phase): boolean => p === Phase.capturing || p === Phase.working || p === Phase.applying;

/** The reducer. Events that do not fit the current phase leave the state unchanged. */
export function reducePanel(s: PanelState, e: PanelEvent): PanelState {
  switch (e.type) {
    case 'connection': {
      // The connection is back: a failure it caused (the bridge stopped, the socket dropped) is old news.
      if (e.status.state === 'connected' && s.error && CONNECTION_ERROR_CODES.has(s.error.code)) {
        if (s.phase === Phase.failed) return { ...initialPanelState(), connection: e.status };
        return { ...s, connection: e.status, error: null };
      }
      return { ...s, connection: e.status };
    }
    case 'run.start': {
      const mode = e.mode ?? 'final';
      // A new preview may replace a preview the bridge is still working on (the controller cancels that job).
      const supersedes = mode === 'preview' && s.mode === 'preview' && s.phase === Phase.working;
      if (busy(s.phase) && !supersedes) return s;
      return { ...initialPanelState(), connection: s.connection, phase: Phase.capturing, mode };
    }
    case 'capture.done':
      if (s.phase !== Phase.capturing) return s;
      return { ...s, phase: Phase.working, warnings: [...e.warnings], captureWarnings: [...e.warnings] };
    case 'job.upload':
      // Before the bridge reports (a stage or a queue position): the sending is what happens.
      if (s.phase !== Phase.working || s.stage !== null || s.queuePosition !== null) return s;
      return { ...s, upload: Math.max(0, Math.min(1, e.fraction)) };
    case 'job.queued':
      if (s.phase !== Phase.working) return s;
      return { ...s, queuePosition: e.position };
    case 'job.plan':
      if (s.phase !== Phase.working) return s;
      // A re-run for a chosen alternative keeps the original list of readings on screen.
      if (s.plan && s.planChoice !== 0) return { ...s, warnings: mergeWarnings(s.warnings, e.plan.warnings) };
      return { ...s, plan: e.plan, warnings: mergeWarnings(s.warnings, e.plan.warnings) };
    case 'job.progress':
      if (s.phase !== Phase.working) return s;
      return { ...s, queuePosition: null, stage: e.stage, progress: overallProgress(e.stage, e.fraction, s.progress) };
    case 'job.result':
      if (s.phase !== Phase.working) return s;
      return {
        ...s, phase: Phase.ready, queuePosition: null, progress: 1, stage: null, moved: e.moved && e.moved.polygons.length > 0 ? e.moved : null,
        // The result's plan may add warnings the plan sent first did not have (the self-check).
        warnings: e.warnings ? mergeWarnings(s.warnings, e.warnings) : s.warnings,
        preview: s.mode === 'preview' ? e.preview ?? null : null,
      };
    case 'plan.choose': {
      if (!s.plan || (s.phase !== Phase.working && s.phase !== Phase.ready)) return s;
      const n = 1 + (s.plan.alternatives?.length ?? 0);
      if (!Number.isInteger(e.index) || e.index < 0 || e.index >= n || e.index === s.planChoice) return s;
      // The new reading starts from the capture's notes (the old reading's notes and any old
      // error, e.g. a modal collision at Apply, belong to the result it replaces).
      return {
        ...s, phase: Phase.working, planChoice: e.index, progress: 0, upload: null, stage: null, queuePosition: null, moved: null, preview: null,
        warnings: [...s.captureWarnings], error: null,
      };
    }
    case 'apply.start':
      if (s.phase !== Phase.ready) return s;
      return { ...s, phase: Phase.applying, moved: null, preview: null, error: null };
    case 'apply.done':
      if (s.phase !== Phase.applying) return s;
      return { ...s, phase: Phase.applied, appliedLayer: e.layerName, warnings: e.warnings ? mergeWarnings(s.warnings, e.warnings) : s.warnings };
    case 'apply.busy':
      // Back to a ready result (Apply enabled again), with the reason shown.
      if (s.phase !== Phase.applying) return s;
      return { ...s, phase: Phase.ready, error: e.error, moved: e.moved && e.moved.polygons.length > 0 ? e.moved : null };
    case 'cancelled':
      if (!busy(s.phase) && s.phase !== Phase.ready) return s;
      return { ...s, phase: Phase.cancelled, queuePosition: null, stage: null, moved: null, preview: null };
    case 'failed':
      return { ...s, phase: Phase.failed, error: e.error, queuePosition: null, stage: null, moved: null, preview: null };
    case 'dismiss':
      if (busy(s.phase)) return s;
      return { ...initialPanelState(), connection: s.connection };
  }
}

function mergeWarnings(a: string[], b: string[]): string[] {
  const out = [...a];
  for (const w of b) if (!out.includes(w)) out.push(w);
  return out;
}

/** Which controls are enabled. */
export interface Controls {
  canRun: boolean;
  /** Preview: when Smart Drag could run, and while a preview is still working (a new one replaces it). */
  canPreview: boolean;
  canCancel: boolean;
  canApply: boolean;
  canDiscard: boolean;
  canChoosePlan: boolean;
  showProgress: boolean;
}

/** Derive the enabled controls from a state. */
export function controlsOf(s: PanelState): Controls {
  const connected = s.connection.state === 'connected';
  return {
    canRun: connected && !busy(s.phase),
    canPreview: connected && (!busy(s.phase) || (s.mode === 'preview' && s.phase === Phase.working)),
    canCancel: s.phase === Phase.capturing || s.phase === Phase.working,
    // Apply after a preview runs the full edit on the bridge: it needs the connection.
    canApply: s.phase === Phase.ready && (s.mode !== 'preview' || connected),
    canDiscard: s.phase === Phase.ready,
    canChoosePlan: connected && !!s.plan && (s.plan.alternatives?.length ?? 0) > 0 && (s.phase === Phase.working || s.phase === Phase.ready),
    showProgress: s.phase === Phase.working || s.phase === Phase.capturing || s.phase === Phase.applying,
  };
}

/** The connection line of the panel: a short label, a tone and what to do about it. */
export interface ConnectionLine {
  label: string;
  tone: 'positive' | 'notice' | 'negative' | 'neutral';
  hint?: string;
}

/** Words for the connection state, naming the failed requirement (bridge down, wrong token, versions). */
export function describeConnection(c: ConnectionStatus): ConnectionLine {
  const err = c.error;
  if (c.state === 'connected') return { label: 'Connected to the bridge', tone: 'positive' };
  if (c.state === 'connecting') return { label: 'Connecting to the bridge…', tone: 'neutral' };
  if (err) {
    switch (err.code) {
      case 'unreachable': {
        const w = connectionWords(err.code, err.message, err.hint);
        return { label: w.label, tone: 'negative', hint: `${w.fix} (Settings holds the bridge URL.) The panel reconnects by itself.` };
      }
      case 'unauthorized':
        return { label: 'Wrong token', tone: 'negative', hint: err.hint ?? 'Run `smartdrag token` and paste the token in Settings.' };
      case 'version_mismatch':
        return { label: `Version mismatch: ${err.message}`, tone: 'negative', hint: err.hint };
      case 'shutting_down':
      case 'connection_lost':
      case 'heartbeat_timeout':
      case 'forbidden_origin': {
        if (c.state === 'reconnecting') return { label: `Reconnecting… (${err.message})`, tone: 'notice', hint: err.hint };
        const w = connectionWords(err.code, err.message, err.hint);
        return { label: w.label, tone: 'negative', hint: err.code === 'forbidden_origin' ? w.fix : `${w.fix} The panel reconnects by itself.` };
      }
      default:
        return { label: c.state === 'reconnecting' ? `Reconnecting… (${err.message})` : err.message, tone: c.state === 'reconnecting' ? 'notice' : 'negative', hint: err.hint };
    }
  }
  if (c.state === 'reconnecting') return { label: 'Connection lost, reconnecting…', tone: 'notice' };
  return { label: 'Not connected', tone: 'neutral', hint: 'Open Settings, paste the token from `smartdrag token`, and press Save & connect.' };
}

/** The progress line under the bar: what happens now, in words, with the overall percent. */
export function progressLabel(s: PanelState): string {
  if (s.phase === Phase.capturing) return 'Reading the document…';
  if (s.phase === Phase.applying) return 'Adding the layer…';
  if (s.queuePosition !== null && s.queuePosition > 0) return `Queued (${s.queuePosition} ahead)`;
  if (s.stage) return progressText(s.stage, s.progress, 'Working');
  if (s.upload !== null && s.upload < 1) return `Sending to the bridge… ${Math.round(s.upload * 100)}%`;
  return 'Waiting for the bridge…';
}
