/** Messages between the bridge's main thread and its edit workers (worker_threads). */
import type { Plan, PlacedMask, Point, RgbaImage, Timings } from '../core/types';

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
}

/** Main -> worker. */
export type ToWorker = { type: 'run'; job: WorkerJob } | { type: 'cancel'; jobId: string };

/** The worker's result; `layer` is image-local (the main thread adds the image origin). */
export interface WorkerResult {
  plan: Plan;
  layer: { left: number; top: number; image: RgbaImage };
  timings: Timings;
}

/** Worker -> main. */
export type FromWorker =
  | { type: 'ready' }
  | { type: 'progress'; jobId: string; stage: string; fraction: number }
  | { type: 'done'; jobId: string; result: WorkerResult }
  | { type: 'failed'; jobId: string; code: 'cancelled' | 'internal' | 'bad_message' | 'model_missing'; message: string; stack?: string };

/** Data given to each worker at start. */
export interface WorkerData {
  debugHooks: boolean;
}
