/**
 * A full garbage collection of the calling thread, for worker threads that must not keep a
 * finished job's memory (V8 collects only when a thread allocates: an idle thread keeps its last
 * job's dead buffers, hundreds of MB at 24–50 MP). `gc` is taken from a context made with
 * `--expose-gc` switched on (a constant lookup, nothing else is evaluated); undefined when the
 * runtime refuses, and memory then goes when V8 collects by itself.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * Bytes a job held (its input) or a thread released that make a full collection worth its cost:
 * below this V8's own collections keep up.
 */
export const COLLECT_AFTER_BYTES = 8 * 1024 * 1024;

export const collectGarbage: (() => void) | undefined = (() => {
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as unknown;
    return typeof gc === 'function' ? (gc as () => void) : undefined;
  } catch {
    return undefined;
  }
})();
