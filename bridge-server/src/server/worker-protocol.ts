/** Messages between the bridge's main thread and its edit workers (worker_threads). */
import type { SelfCheckInfo } from '@smartdrag/shared';
import type { Operation, Plan, PlacedMask, Point, RgbaImage, Timings } from '../core/types';

/** A region as the worker receives it, in IMAGE (crop-local) pixels. */
export type WorkerRegion = { id: string; polygon: Point[] } | { id: string; mask: PlacedMask };
/** A keep area in image pixels. */
export type WorkerKeep = { polygon: Point[] } | { mask: PlacedMask };

/** Everything the worker needs to run one edit; coordinates are image-local. */
export interface WorkerJob {
  jobId: string;
  image: RgbaImage;
  regions: WorkerRegion[];
  drags: { region: string; points: Point[]; kind?: 'translate' | 'rotate' | 'scale' | 'deform' | 'auto'; center?: Point }[];
  keep: WorkerKeep[];
  intent?: string;
  quality: 'preview' | 'final';
  seed: number;
  /** Preview on a proxy of at most this many pixels (core/proxy.ts) when the image is larger. */
  proxyMaxPixels?: number;
  /** The image is the host's own proxy (job.submit `proxyOf`); regions, drags and keep are in its pixels. */
  sentProxy?: { width: number; height: number; scaleX: number; scaleY: number };
  /** The whole document in the job image's pixels when the image is a crop of it (EditRequest `document`). */
  document?: { left: number; top: number; width: number; height: number };
  /** A reading chosen by the user, in the job image's pixels (EditRequest `reading`). */
  reading?: Operation[];
}

/** Main -> worker. */
export type ToWorker = { type: 'run'; job: WorkerJob } | { type: 'cancel'; jobId: string } | { type: 'memory'; collect?: boolean }
  /**
   * Run small edits, results discarded — a final and a drag's previews (on a proxy the worker
   * makes and on one the host sent) — so the worker's code is compiled before its first job
   * (worker-pool.ts, "Retiring"); answered `warmed`. A `run` that arrives meanwhile ends it at
   * the warm-up's next cancel check, and runs next.
   */
  | { type: 'warm' };

/** A worker thread's own JS memory (its isolate: `process.memoryUsage()` inside it, less the process-wide RSS), bytes. */
export interface WorkerMemory {
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
}

/** The worker's result; `layer` is image-local (the main thread adds the image origin). */
export interface WorkerResult {
  plan: Plan;
  layer: { left: number; top: number; image: RgbaImage };
  timings: Timings;
  /** Set when the preview ran on a proxy: `layer` is in proxy pixels of the image. */
  proxy?: { width: number; height: number; scaleX: number; scaleY: number };
  /** Outline of what moved, image-local pixels (proxy previews already scaled back to image pixels). */
  moved?: { polygons: Point[][] };
  /** The self-check (core/self-check.ts); null for an empty crop. */
  check?: SelfCheckInfo | null;
  /** Wall milliseconds the worker spent on the job, from its message to its answer (the rest of the round trip is the hand-off). */
  workerMs?: number;
}

/** The edits of a worker's warm-up (ToWorker `warm`), in order. */
export type WarmStep = 'final' | 'preview-proxy' | 'preview-sent';
/** The warm-up's edits in the order they run. */
export const WARM_STEPS: readonly WarmStep[] = ['preview-sent', 'preview-proxy', 'final', 'preview-sent', 'preview-sent'];

/** Worker -> main. */
export type FromWorker =
  | { type: 'ready'; stages: WorkerStages }
  /**
   * A native onnxruntime run started (`busy`) or ended: terminating a worker thread inside one
   * aborts the whole process (the binding throws into a torn-down environment), so the pool waits.
   */
  | { type: 'native'; busy: boolean }
  /** The answer to a `memory` message (bench and tests: what an idle worker holds). */
  | { type: 'memory'; usage: WorkerMemory }
  /** The warm-up is over: the edits it ran to the end ({@link WarmStep}); fewer than {@link WARM_STEPS} when a job cut it short. */
  | { type: 'warmed'; ran?: WarmStep[] }
  | { type: 'plan'; jobId: string; plan: Plan }
  | { type: 'progress'; jobId: string; stage: string; fraction: number }
  /**
   * The edit's layer, posted as soon as the edit is done (before the moved outline is traced), so
   * the main thread cuts it into frame chunks while the worker traces; `done` then comes without it.
   */
  | { type: 'layer'; jobId: string; layer: WorkerResult['layer']; proxy?: WorkerResult['proxy'] }
  | { type: 'done'; jobId: string; result: Omit<WorkerResult, 'layer'> & { layer?: WorkerResult['layer'] } }
  | { type: 'failed'; jobId: string; code: 'cancelled' | 'internal' | 'bad_message' | 'model_missing' | 'intent_unclear'; message: string; stack?: string; /** The error's own hint when it differs from the code's. */ hint?: string };

/** What a worker found at start: the execution provider and which learned stages it runs. */
export interface WorkerStages {
  /** `cpu` or `cuda` (the worker's onnxruntime probe). */
  device: string;
  deviceReason: string;
  /** Learned stages this worker will use. */
  filler: boolean;
  refiner: boolean;
  /** Name of the plan reasoner (`rules`, or `llm` when configured). */
  reasoner: string;
  /** Set when initialising the learned stages failed (the classical core runs alone). */
  error?: string;
}

/** Data given to each worker at start. */
export interface WorkerData {
  debugHooks: boolean;
  /** SmartDrag home (its `models/` folder holds the learned models). Default `$SMARTDRAG_HOME`. */
  home?: string;
  /** Build learned stages from installed models. Default true. */
  learned?: boolean;
  /** Optional local LLM plan reasoner (loopback only). */
  llm?: { baseUrl: string; model?: string; timeoutMs?: number } | null;
}
