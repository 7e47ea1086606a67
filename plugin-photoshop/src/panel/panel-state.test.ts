import type { WirePlan } from '@smartdrag/shared';
import { controlsOf, describeConnection, initialPanelState, overallProgress, Phase, progressLabel, reducePanel, STAGE_WEIGHTS, type PanelEvent, type PanelState } from './panel-state';
import { planReadings } from './plan-text';

const plan: WirePlan = {
  operations: [{ region: 'r1', kind: 'translate', params: { kind: 'translate', dx: 1, dy: 2 }, source: 'geometry', description: 'Move r1 by (1, 2)', reason: 'straight arrow' }],
  warnings: ['arrow is short'],
  confidence: 0.8,
  alternatives: [
    { operations: [{ region: 'r1', kind: 'rotate', params: { kind: 'rotate', angleDeg: 5, center: [0, 0] }, source: 'geometry', description: 'Rotate r1 by 5°', reason: '' }], warnings: [], confidence: 0.15 },
  ],
};

function run(events: PanelEvent[], from: PanelState = { ...initialPanelState(), connection: { state: 'connected' } }): PanelState {
  return events.reduce(reducePanel, from);
}

describe('panel state machine', () => {
  test('happy path with controls at each step', () => {
    let s = run([{ type: 'run.start' }]);
    expect(s.phase).toBe(Phase.capturing);
    expect(controlsOf(s)).toMatchObject({ canRun: false, canCancel: true, canApply: false, showProgress: true });
    s = run([{ type: 'capture.done', warnings: ['w1'] }, { type: 'job.queued', position: 1 }, { type: 'job.plan', plan }], s);
    expect(s).toMatchObject({ phase: Phase.working, queuePosition: 1, plan, warnings: ['w1', 'arrow is short'] });
    expect(controlsOf(s).canChoosePlan).toBe(true);
    s = run([{ type: 'job.progress', stage: 'fill', fraction: 0.5 }], s);
    expect(s.queuePosition).toBeNull();
    s = run([{ type: 'job.result' }], s);
    expect(s).toMatchObject({ phase: Phase.ready, progress: 1 });
    expect(controlsOf(s)).toMatchObject({ canApply: true, canDiscard: true, canCancel: false, canRun: true });
    s = run([{ type: 'apply.start' }, { type: 'apply.done', layerName: 'Smart Drag' }], s);
    expect(s).toMatchObject({ phase: Phase.applied, appliedLayer: 'Smart Drag' });
  });

  test('preview: mode, picture on the result, a new preview may replace a working one, a full edit may not be replaced', () => {
    const pv = { src: 'data:image/jpeg;base64,AA', width: 10, height: 8, frame: { left: 0, top: 0, width: 40, height: 32 }, proxy: true };
    let s = run([{ type: 'run.start', mode: 'preview' }]);
    expect(s).toMatchObject({ phase: Phase.capturing, mode: 'preview' });
    expect(controlsOf(s)).toMatchObject({ canRun: false, canPreview: false, canCancel: true });
    s = run([{ type: 'capture.done', warnings: [] }, { type: 'job.plan', plan }], s);
    expect(controlsOf(s)).toMatchObject({ canRun: false, canPreview: true });
    const again = run([{ type: 'run.start', mode: 'preview' }], s);
    expect(again).toMatchObject({ phase: Phase.capturing, mode: 'preview', plan: null });
    expect(reducePanel(s, { type: 'run.start' })).toBe(s);
    s = run([{ type: 'job.result', preview: pv }], s);
    expect(s).toMatchObject({ phase: Phase.ready, mode: 'preview', preview: pv });
    expect(controlsOf(s)).toMatchObject({ canApply: true, canRun: true, canPreview: true });
    expect(run([{ type: 'plan.choose', index: 1 }], s).preview).toBeNull();
    expect(run([{ type: 'dismiss' }], s)).toMatchObject({ phase: Phase.idle, mode: 'final', preview: null });
    // A full edit keeps no picture, and a preview cannot replace it while it works.
    let f = run([{ type: 'run.start' }, { type: 'capture.done', warnings: [] }]);
    expect(controlsOf(f).canPreview).toBe(false);
    expect(reducePanel(f, { type: 'run.start', mode: 'preview' })).toBe(f);
    f = run([{ type: 'job.result', preview: pv }], f);
    expect(f).toMatchObject({ phase: Phase.ready, mode: 'final', preview: null });
  });

  test('upload progress shows until the bridge reports (a queue position or a stage), and a new run starts without it', () => {
    const sending = run([{ type: 'run.start' }, { type: 'capture.done', warnings: [] }, { type: 'job.upload', fraction: 0.4 }]);
    expect(sending).toMatchObject({ upload: 0.4, stage: null, progress: 0 });
    const working = reducePanel(reducePanel(sending, { type: 'job.progress', stage: 'plan', fraction: 1 }), { type: 'job.upload', fraction: 1 });
    expect(working).toMatchObject({ upload: 0.4, stage: 'plan' }); // a late upload report changes nothing once the bridge works
    expect(reducePanel(run([]), { type: 'job.upload', fraction: 0.5 }).upload).toBeNull(); // not working: ignored
    expect(run([{ type: 'run.start' }]).upload).toBeNull();
  });

  test('events out of place are ignored', () => {
    const idle = run([]);
    expect(reducePanel(idle, { type: 'job.result' })).toBe(idle);
    expect(reducePanel(idle, { type: 'apply.start' })).toBe(idle);
    expect(reducePanel(idle, { type: 'cancelled' })).toBe(idle);
    const working = run([{ type: 'run.start' }, { type: 'capture.done', warnings: [] }]);
    expect(reducePanel(working, { type: 'run.start' })).toBe(working); // one edit at a time
    expect(reducePanel(working, { type: 'plan.choose', index: 1 })).toBe(working); // no plan yet
    const planned = reducePanel(working, { type: 'job.plan', plan });
    expect(reducePanel(planned, { type: 'plan.choose', index: 5 })).toBe(planned);
    expect(reducePanel(planned, { type: 'plan.choose', index: 0 })).toBe(planned); // already chosen
  });

  test('choosing another reading starts from the capture\'s warnings and clears an old error', () => {
    const busyErr = { code: 'modal_busy', message: 'Photoshop is busy', hint: 'press Apply again' };
    let s = run([{ type: 'run.start' }, { type: 'capture.done', warnings: ['w1'] }, { type: 'job.plan', plan },
      { type: 'job.result', warnings: ['self-check'] }, { type: 'apply.start' }, { type: 'apply.busy', error: busyErr }]);
    expect(s).toMatchObject({ phase: Phase.ready, error: busyErr, warnings: ['w1', 'arrow is short', 'self-check'] });
    s = run([{ type: 'plan.choose', index: 1 }], s);
    expect(s).toMatchObject({ phase: Phase.working, error: null, warnings: ['w1'] });
    s = run([{ type: 'job.plan', plan: { ...plan.alternatives![0]!, warnings: ['alt1'] } }, { type: 'job.result', warnings: ['alt1'] }], s);
    expect(s.warnings).toEqual(['w1', 'alt1']);
    // Back to the main reading: the alternative's notes go.
    s = run([{ type: 'plan.choose', index: 0 }, { type: 'job.plan', plan }], s);
    expect(s.warnings).toEqual(['w1', 'arrow is short']);
  });

  test('the result\'s own warnings (the bridge\'s self-check) join those shown, once', () => {
    const check = 'Self-check: this result may not look right — 100% of the selection is filled in and the fill looks smeared.';
    const s = run([{ type: 'run.start' }, { type: 'capture.done', warnings: ['w1'] }, { type: 'job.plan', plan },
      { type: 'job.result', warnings: ['arrow is short', check] }]);
    expect(s.phase).toBe(Phase.ready);
    expect(s.warnings).toEqual(['w1', 'arrow is short', check]);
    // An older bridge's result carries no warnings: those shown stay.
    const old = run([{ type: 'run.start' }, { type: 'capture.done', warnings: ['w1'] }, { type: 'job.plan', plan }, { type: 'job.result' }]);
    expect(old.warnings).toEqual(['w1', 'arrow is short']);
  });

  test('choosing an alternative restarts progress but keeps the readings', () => {
    let s = run([{ type: 'run.start' }, { type: 'capture.done', warnings: [] }, { type: 'job.plan', plan }, { type: 'job.progress', stage: 'fill', fraction: 1 }, { type: 'job.result' }]);
    s = reducePanel(s, { type: 'plan.choose', index: 1 });
    expect(s).toMatchObject({ phase: Phase.working, planChoice: 1, progress: 0 });
    const altPlan = { ...plan.alternatives![0]!, warnings: ['new'] };
    s = reducePanel(s, { type: 'job.plan', plan: altPlan });
    expect(s.plan).toBe(plan);
    expect(s.warnings).toContain('new');
  });

  test('cancel and failure', () => {
    const s = run([{ type: 'run.start' }, { type: 'capture.done', warnings: [] }, { type: 'cancelled' }]);
    expect(s.phase).toBe(Phase.cancelled);
    const f = run([{ type: 'run.start' }, { type: 'failed', error: { code: 'no_selection', message: 'Nothing is selected.' } }]);
    expect(f).toMatchObject({ phase: Phase.failed, error: { code: 'no_selection' } });
    expect(run([{ type: 'dismiss' }], f).phase).toBe(Phase.idle);
  });

  test('Run needs a connection', () => {
    expect(controlsOf(initialPanelState()).canRun).toBe(false);
    expect(controlsOf({ ...initialPanelState(), connection: { state: 'connected' } }).canRun).toBe(true);
  });
});

describe('overallProgress', () => {
  test('monotone, below 1, weighted by stage', () => {
    const total = STAGE_WEIGHTS.reduce((s, [, w]) => s + w, 0);
    expect(total).toBeCloseTo(1, 9);
    expect(overallProgress('plan', 1)).toBeCloseTo(0.05, 9);
    expect(overallProgress('fill', 0.5)).toBeCloseTo(0.05 + 0.15 + 0.25, 9);
    expect(overallProgress('layer', 1)).toBe(0.99);
    expect(overallProgress('warp', 0, 0.6)).toBe(0.6); // never backwards
    expect(overallProgress('mystery', 0.5, 0.3)).toBe(0.3);
    expect(overallProgress('fill', Number.NaN, 0.1)).toBeCloseTo(0.2, 9);
  });
});

describe('describeConnection names the failed requirement', () => {
  test.each([
    [{ state: 'error', error: { code: 'unreachable', message: 'connect ECONNREFUSED' } }, 'Bridge not running', /smartdrag serve/],
    [{ state: 'error', error: { code: 'unauthorized', message: 'bad token' } }, 'Wrong token', /smartdrag token/],
    [{ state: 'error', error: { code: 'version_mismatch', message: 'the plugin is older than the bridge', hint: 'Update the plugin' } }, 'Version mismatch: the plugin is older than the bridge', /Update the plugin/],
  ] as const)('%j', (status, label, hint) => {
    const line = describeConnection(status);
    expect(line.label).toBe(label);
    expect(line.tone).toBe('negative');
    expect(line.hint).toMatch(hint);
  });

  test('connected / connecting / reconnecting / closed', () => {
    expect(describeConnection({ state: 'connected' }).tone).toBe('positive');
    expect(describeConnection({ state: 'connecting' }).label).toMatch(/Connecting/);
    expect(describeConnection({ state: 'reconnecting', error: { code: 'connection_lost', message: 'socket closed' } })).toMatchObject({ tone: 'notice', label: 'Reconnecting… (socket closed)' });
    expect(describeConnection({ state: 'closed' }).hint).toMatch(/token/);
  });
});

describe('connection words and connection-caused failures', () => {
  test('a bridge stopped with Ctrl+C (shutting_down) says so, and the closed hint names the real button', () => {
    const line = describeConnection({ state: 'error', error: { code: 'shutting_down', message: 'connection closed (1001)' } });
    expect(line).toMatchObject({ label: 'Bridge stopped', tone: 'negative' });
    expect(line.hint).toMatch(/smartdrag serve/);
    expect(describeConnection({ state: 'closed' }).hint).toMatch(/Save & connect/);
  });

  test('a failure the connection caused clears when it comes back; other failures stay', () => {
    const down = run([{ type: 'run.start' }, { type: 'capture.done', warnings: [] },
      { type: 'failed', error: { code: 'shutting_down', message: 'the bridge is shutting down' } },
      { type: 'connection', status: { state: 'error', error: { code: 'shutting_down', message: 'x' } } }]);
    expect(down.error?.code).toBe('shutting_down');
    const back = reducePanel(down, { type: 'connection', status: { state: 'connected' } });
    expect(back).toMatchObject({ phase: Phase.idle, error: null, connection: { state: 'connected' } });
    const other = run([{ type: 'run.start' }, { type: 'failed', error: { code: 'no_selection', message: 'nothing selected' } }]);
    expect(reducePanel(other, { type: 'connection', status: { state: 'connected' } })).toMatchObject({ phase: Phase.failed, error: { code: 'no_selection' } });
  });
});

test('the progress line says the stage in words with the overall percent', () => {
  const s = run([{ type: 'run.start' }, { type: 'capture.done', warnings: [] }, { type: 'job.progress', stage: 'warp', fraction: 1 }]);
  expect(progressLabel(s)).toBe('Moving pixels… 20%');
  const words = STAGE_WEIGHTS.map(([stage]) => progressLabel({ ...s, stage }).replace(/… \d+%$/, ''));
  expect(words).toEqual(['Planning', 'Moving pixels', 'Filling', 'Blending', 'Refining', 'Making the layer']);
  expect(progressLabel(run([{ type: 'run.start' }]))).toBe('Reading the document…');
});

test('planReadings lists the main reading then the alternatives', () => {
  expect(planReadings(plan)).toEqual([
    // The planner's evidence is for a tooltip, not the reading's text.
    { index: 0, title: 'Move', lines: ['Move r1 by (1, 2)'], why: ['straight arrow'], confidencePct: 80 },
    { index: 1, title: 'Rotate', lines: ['Rotate r1 by 5°'], why: [], confidencePct: 15 },
  ]);
});

test('planReadings titles an elastic drag, the one that keeps the background and the one with more room apart from a part deform', () => {
  const op = (params: WirePlan['operations'][number]['params']) => ({ region: 'r1', kind: 'deform' as const, params, source: 'geometry' as const, description: 'd', reason: '' });
  const elastic: WirePlan = {
    operations: [op({ kind: 'deform', handles: [[1, 1]], targets: [[5, 5]], elastic: true })],
    warnings: [],
    alternatives: [
      { operations: [{ region: 'r1', kind: 'translate', params: { kind: 'translate', dx: 4, dy: 4 }, source: 'geometry', description: 'm', reason: '' }], warnings: [] },
      { operations: [op({ kind: 'deform', handles: [[1, 1]], targets: [[5, 5]], elastic: true, keepBackground: true })], warnings: [] },
      { operations: [op({ kind: 'deform', handles: [[1, 1]], targets: [[5, 5]] })], warnings: [] },
      { operations: [op({ kind: 'deform', handles: [[1, 1]], targets: [[5, 5]], elastic: true, room: 12 })], warnings: [] },
    ],
  };
  expect(planReadings(elastic).map((r) => r.title)).toEqual(['Elastic drag', 'Move', 'Elastic drag, background kept', 'Deform', 'Elastic drag, more room']);
});

describe('moved outline state', () => {
  test('the moved outline is kept with a ready result and dropped when it is applied, re-read, cancelled or fails', () => {
    const moved = { polygons: [[[10, 10], [20, 10], [20, 20]] as [number, number][]], frame: { left: 0, top: 0, width: 100, height: 80 } };
    const ready = run([{ type: 'run.start' }, { type: 'capture.done', warnings: [] }, { type: 'job.plan', plan }, { type: 'job.result', moved }]);
    expect(ready).toMatchObject({ phase: Phase.ready, moved });
    expect(run([{ type: 'apply.start' }], ready).moved).toBeNull();
    expect(run([{ type: 'plan.choose', index: 1 }], ready).moved).toBeNull();
    expect(run([{ type: 'cancelled' }], ready).moved).toBeNull();
    expect(run([{ type: 'dismiss' }], ready).moved).toBeNull();
    // No outline (an older bridge, or nothing moved): none shown.
    const none = run([{ type: 'run.start' }, { type: 'capture.done', warnings: [] }, { type: 'job.result', moved: { ...moved, polygons: [] } }]);
    expect(none).toMatchObject({ phase: Phase.ready, moved: null });
  });
});

describe('apply met Photoshop busy', () => {
  test('apply.busy: back to ready with the reason and the outline, Apply enabled; the next apply.start clears the reason; notes of apply.done join the warnings', () => {
    const moved = { polygons: [[[10, 10], [20, 10], [20, 20]] as [number, number][]], frame: { left: 0, top: 0, width: 100, height: 80 } };
    const applying = run([{ type: 'run.start' }, { type: 'capture.done', warnings: ['w1'] }, { type: 'job.result', moved }, { type: 'apply.start' }]);
    const error = { code: 'modal_busy', message: 'host is in a modal state', hint: 'finish it' };
    const busy = run([{ type: 'apply.busy', error, moved }], applying);
    expect(busy).toMatchObject({ phase: Phase.ready, error, moved, warnings: ['w1'] });
    expect(controlsOf(busy)).toMatchObject({ canApply: true, canDiscard: true });
    // Only while applying.
    expect(reducePanel(busy, { type: 'apply.busy', error })).toBe(busy);
    const again = run([{ type: 'apply.start' }], busy);
    expect(again).toMatchObject({ phase: Phase.applying, error: null });
    expect(run([{ type: 'apply.done', layerName: 'Smart Drag', warnings: ['the Work Path was kept'] }], again)).toMatchObject({ phase: Phase.applied, warnings: ['w1', 'the Work Path was kept'] });
  });
});
