import type { BridgeJob, ConnectionStatus, JobHandlers, JobOutcome, SubmitInput, WirePlan } from '@smartdrag/shared';
import { dragsForPlan, SmartDragController, type BridgeClientLike } from './controller';
import type { ApplyTarget, Capture, HostAdapter } from './host-adapter';
import { PluginError } from './errors';
import { Phase } from '../panel/panel-state';
import type { LayerPixels } from '../geometry/placement';

/** A scriptable bridge client: each submit returns a job the test resolves by hand. */
class ScriptedClient implements BridgeClientLike {
  listeners = new Set<(s: ConnectionStatus) => void>();
  submitted: Array<{ input: SubmitInput; handlers: JobHandlers; cancelled: boolean; resolve(o: JobOutcome): void; reject(e: unknown): void }> = [];
  connectError: unknown = null;
  closed = false;
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
  warnings: ['1 closed subpath(s) ignored'],
};

class FakeHost implements HostAdapter {
  applied: Array<{ layer: LayerPixels; target: ApplyTarget }> = [];
  captureError: unknown = null;
  async capture() { if (this.captureError) throw this.captureError; return capture; }
  async applyLayer(layer: LayerPixels, target: ApplyTarget) { this.applied.push({ layer, target }); return { layerId: 77, placement: null }; }
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
  const c = new SmartDragController({ host, client });
  return { client, host, c };
}

describe('SmartDragController', () => {
  test('capture -> submit (document px, masks, seed) -> plan/progress -> ready -> apply', async () => {
    const { client, host, c } = setup();
    const run = c.run({ intent: 'move it', kind: 'auto', seed: 5 });
    await flush();
    expect(c.state.phase).toBe(Phase.working);
    const job = client.submitted[0]!;
    expect(job.input).toMatchObject({ imageOrigin: [10, 20], quality: 'final', seed: 5, intent: 'move it' });
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
    expect(host.applied[0]!.target).toEqual({ documentId: 1, sourceLayerId: 2, name: 'Smart Drag: move it' });
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

  test('choosing an alternative re-submits with its kinds and centre; the old job is cancelled and ignored', async () => {
    const { client, c } = setup();
    const run = c.run({ intent: '', kind: 'auto' });
    await flush();
    client.submitted[0]!.handlers.onPlan!(plan);
    const second = c.choosePlan(1);
    await flush();
    expect(client.submitted).toHaveLength(2);
    expect(client.submitted[0]!.cancelled).toBe(true);
    expect(client.submitted[1]!.input.drags).toEqual([{ region: 'r1', points: [[11, 21], [13, 22]], kind: 'rotate', center: [12, 30] }]);
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

test('dragsForPlan keeps drags whose region has no operation', () => {
  const drags = [{ region: 'r1', points: [[0, 0], [1, 1]] as [number, number][], kind: 'auto' as const }, { region: 'r9', points: [[0, 0], [2, 2]] as [number, number][], kind: 'auto' as const }];
  expect(dragsForPlan(drags, plan)).toEqual([{ ...drags[0], kind: 'translate' }, drags[1]]);
});
