/**
 * onnxruntime-node sessions: the execution provider is chosen once at start (`cuda` when the
 * runtime lists it AND a session can really be created on it, else `cpu`), and each model file
 * gets one lazily created session reused by every job of this process (or worker thread).
 *
 * ORT cannot abort a running `session.run` in Node (the binding runs it synchronously inside a
 * `setImmediate`), so stages cancel *between* runs: see {@link throwIfAborted}.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ort from 'onnxruntime-node';
import { CancelledError } from '../core/types';

let nativeRuns = 0;
let nativeListener: ((busy: boolean) => void) | null = null;

/** Told when this thread enters (true) and leaves (false) native onnxruntime runs (the edit worker posts it). */
export function setNativeRunListener(fn: ((busy: boolean) => void) | null): void {
  nativeListener = fn;
}

/**
 * Run `session.run` (or anything that enters onnxruntime's native code) marked as native: a
 * worker thread terminated while one is in flight takes the whole process down (ORT cannot abort a
 * run; its binding then throws into a torn-down environment: "terminate called after throwing an
 * instance of 'Napi::Error'"), so the pool does not terminate a worker until it is out again.
 */
export async function nativeRun<T>(run: () => Promise<T>): Promise<T> {
  if (nativeRuns++ === 0) nativeListener?.(true);
  try {
    return await run();
  } finally {
    if (--nativeRuns === 0) nativeListener?.(false);
  }
}
import { encodeModel } from './onnx-build';

/** Where learned stages run. */
export type Device = 'cuda' | 'cpu';

/** The outcome of the start-up probe, reported by `/v1/health`. */
export interface DeviceProbe {
  device: Device;
  /** Why this device (e.g. the CUDA error that made us fall back). */
  reason: string;
  /** Backends onnxruntime-node lists (`cpu`, `cuda`, ...), with `bundled` flags. */
  backends: { name: string; bundled: boolean }[];
}

/** Options of {@link SessionManager}. */
export interface SessionManagerOptions {
  /** `auto` (default): probe CUDA, fall back to CPU. `cpu` never tries CUDA. Env `SMARTDRAG_DEVICE`. */
  device?: 'auto' | Device;
  /** Threads per CPU session (default: ORT's choice). */
  intraOpNumThreads?: number;
  /** CUDA device index (default 0). */
  cudaDeviceId?: number;
}

/** Throw {@link CancelledError} when `signal` has fired (call between ORT runs). */
export function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw new CancelledError();
}

/**
 * The output `name` of a model run, checked before a stage uses it: there, a tensor, of the size
 * the stage reads (`dims`: a number is a fixed size, null any size), and finite. A model that
 * passed `models add` (its declared shapes can be symbolic) may still return another size at run
 * time, or NaN (an fp16 export that overflows): read as they were, the hole was painted black or
 * with garbage. Throwing lets the edit fall back (the classical fill, or the unrefined result)
 * with a warning that says why.
 */
export function checkedOutput(outputs: Record<string, unknown>, name: string, file: string, dims: ReadonlyArray<number | null>): ort.Tensor {
  const t = outputs[name];
  if (!(t instanceof ort.Tensor)) throw new Error(`${file}: the model returned no tensor "${name}"`);
  const fits = t.dims.length === dims.length && dims.every((d, i) => d === null || t.dims[i] === d);
  if (!fits) {
    const want = `[${dims.map((d) => d ?? 'any').join(', ')}]`;
    throw new Error(`${file}: the model returned "${name}" of shape [${t.dims.join(', ')}], expected ${want}`);
  }
  const data = t.data as ArrayLike<number>;
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i]!)) throw new Error(`${file}: the model returned non-finite values (NaN or infinity) in "${name}"`);
  }
  return t;
}

let probeModel: Uint8Array | undefined;
function identityModel(): Uint8Array {
  probeModel ??= encodeModel({
    name: 'probe', nodes: [{ op: 'Identity', inputs: ['x'], outputs: ['y'] }],
    inputs: [{ name: 'x', dtype: 'float32', shape: [1] }], outputs: [{ name: 'y', dtype: 'float32', shape: [1] }],
  });
  return probeModel;
}

/**
 * Decide the execution provider. CUDA counts only if `listSupportedBackends()` names it and a
 * real session (and one run) on it succeeds; any failure is reported as the reason for `cpu`.
 */
export async function probeDevice(want: 'auto' | Device = 'auto', cudaDeviceId = 0): Promise<DeviceProbe> {
  const backends = ort.listSupportedBackends().map((b) => ({ name: b.name, bundled: b.bundled }));
  if (want === 'cpu') return { device: 'cpu', reason: 'CPU requested', backends };
  if (!backends.some((b) => b.name === 'cuda')) {
    return { device: 'cpu', reason: 'onnxruntime-node does not list the cuda backend on this platform', backends };
  }
  // Without the provider libraries a session attempt only prints a loud native error line, so
  // in `auto` mode look for them first and say what is missing.
  const missing = missingCudaProviderLibrary();
  if (want === 'auto' && missing) {
    return {
      device: 'cpu', backends,
      reason: `CUDA provider libraries are not installed (${missing} not found); fetch them once (network needed) with "ONNXRUNTIME_NODE_INSTALL=cuda12 node node_modules/onnxruntime-node/script/install.js" to use a GPU (npm ci skips that script: package.json's allowScripts)`,
    };
  }
  try {
    const s = await ort.InferenceSession.create(identityModel(), {
      executionProviders: [{ name: 'cuda', deviceId: cudaDeviceId }], logSeverityLevel: 4,
    });
    try {
      await s.run({ x: new ort.Tensor('float32', new Float32Array([1]), [1]) });
    } finally {
      await s.release();
    }
    return { device: 'cuda', reason: `CUDA execution provider works (device ${cudaDeviceId})`, backends };
  } catch (e) {
    const msg = (e as Error).message.split('\n')[0] ?? String(e);
    const reason = `CUDA execution provider unavailable (${msg}); using CPU`;
    if (want === 'cuda') throw new Error(reason);
    return { device: 'cpu', reason, backends };
  }
}

/**
 * On Linux, the path of the CUDA provider library that onnxruntime-node's install step would
 * have downloaded, when it is absent beside the native binding; undefined when present (or on
 * other platforms, where the binding itself decides).
 */
export function missingCudaProviderLibrary(): string | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    const root = path.dirname(require.resolve('onnxruntime-node/package.json'));
    const lib = path.join(root, 'bin', 'napi-v6', 'linux', process.arch, 'libonnxruntime_providers_cuda.so');
    return fs.existsSync(lib) ? undefined : lib;
  } catch {
    return undefined;
  }
}

/** Which file a path names now (device, inode, size, mtime), or `missing`: a replaced file reads differently. */
function fileIdentity(file: string): string {
  try {
    const st = fs.statSync(file);
    return `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}`;
  } catch {
    return 'missing';
  }
}

/** Lazily created, cached onnxruntime-node sessions on one execution provider. */
export class SessionManager {
  private readonly opts: SessionManagerOptions;
  private probe?: Promise<DeviceProbe>;
  private probed?: DeviceProbe;
  private readonly sessions = new Map<string, Promise<ort.InferenceSession>>();
  /** The file each path-made session was loaded from (see {@link fileIdentity}); undefined for bytes. */
  private readonly identities = new Map<string, string | undefined>();
  private created = 0;

  constructor(opts: SessionManagerOptions = {}) {
    const env = process.env.SMARTDRAG_DEVICE;
    const fromEnv = env === 'cpu' || env === 'cuda' || env === 'auto' ? env : undefined;
    this.opts = { ...opts, device: opts.device ?? fromEnv ?? 'auto' };
  }

  /** Probe the device once (idempotent); call at start so `/v1/health` can report it. */
  init(): Promise<DeviceProbe> {
    this.probe ??= probeDevice(this.opts.device, this.opts.cudaDeviceId ?? 0).then((p) => (this.probed = p));
    return this.probe;
  }

  /** The probed device, or `undefined` before {@link init} resolved. */
  get deviceInfo(): DeviceProbe | undefined {
    return this.probed;
  }

  /** How many sessions were created so far (each model once, unless it failed or was released). */
  get sessionsCreated(): number {
    return this.created;
  }

  /** Session options for the probed device (CUDA first, CPU as fallback for unsupported nodes). */
  async sessionOptions(): Promise<ort.InferenceSession.SessionOptions> {
    const { device } = await this.init();
    const base: ort.InferenceSession.SessionOptions = { logSeverityLevel: 3 };
    if (this.opts.intraOpNumThreads) base.intraOpNumThreads = this.opts.intraOpNumThreads;
    base.executionProviders = device === 'cuda'
      ? [{ name: 'cuda', deviceId: this.opts.cudaDeviceId ?? 0 }, 'cpu']
      : ['cpu'];
    return base;
  }

  /**
   * The session for `key`, created from `source` (file path or model bytes) on first use and
   * reused afterwards. Concurrent callers share one creation; a failed creation is not cached.
   * A file replaced or removed since its session was made is noticed here: the old session is
   * released and the file loaded again (or, when gone, the load fails), so a session never runs a
   * copy of a file that is no longer on disk.
   */
  session(key: string, source: string | Uint8Array): Promise<ort.InferenceSession> {
    const id = typeof source === 'string' ? fileIdentity(source) : undefined;
    let p = this.sessions.get(key);
    if (p && this.identities.get(key) !== id) {
      this.sessions.delete(key);
      this.identities.delete(key);
      void p.then((s) => s.release(), () => undefined).catch(() => undefined);
      p = undefined;
    }
    if (!p) {
      // Creating a session is native work too (loading, optimising the graph): marked like a run.
      p = this.sessionOptions().then((o) => nativeRun(() => (typeof source === 'string'
        ? ort.InferenceSession.create(source, o) : ort.InferenceSession.create(source, o))));
      const made = p;
      made.then(() => { this.created++; }, () => { if (this.sessions.get(key) === made) { this.sessions.delete(key); this.identities.delete(key); } });
      this.sessions.set(key, made);
      this.identities.set(key, id);
    }
    return p;
  }

  /** Release the sessions whose key `match` accepts (a stage whose model is gone); later calls create them again. */
  async releaseWhere(match: (key: string) => boolean): Promise<void> {
    const gone = [...this.sessions.entries()].filter(([k]) => match(k));
    for (const [k] of gone) { this.sessions.delete(k); this.identities.delete(k); }
    for (const [, p] of gone) {
      try {
        await (await p).release();
      } catch {
        // a session that failed to create has nothing to release
      }
    }
  }

  /** Whether a session for `key` exists (or is being created). */
  has(key: string): boolean {
    return this.sessions.has(key);
  }

  /** Release every session (e.g. at shutdown); later calls create them again. */
  async release(): Promise<void> {
    const all = [...this.sessions.values()];
    this.sessions.clear();
    this.identities.clear();
    for (const p of all) {
      try {
        await (await p).release();
      } catch {
        // a session that failed to create has nothing to release
      }
    }
  }
}

export { ort };
