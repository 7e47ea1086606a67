/**
 * The planner reads a drag elastically by building its field (plan/elastic-reading.ts), and the
 * warp then renders that same field (warp-regions.ts): one job built every elastic field twice.
 * Results are kept per mask OBJECT (a WeakMap: they go when the mask goes), a few per mask, keyed
 * by everything else the computation reads; the keep masks are compared by identity. Callers
 * must treat what they get as read-only (the warp and the planner only read fields).
 */
import type { PlacedMask } from '../types';

interface Entry<R> { key: string; keep: readonly PlacedMask[]; value: R }

/** Entries kept per mask (a drag's preview and final, a second region reading the same mask). */
const PER_MASK = 4;

export class MaskMemo<R> {
  private readonly byMask = new WeakMap<PlacedMask, Array<Entry<R>>>();

  /** The value for (mask, keep, key), computed once. */
  get(mask: PlacedMask, keep: readonly PlacedMask[], key: string, compute: () => R): R {
    if (process.env.SMARTDRAG_ELASTIC_CACHE === '0') return compute();
    let list = this.byMask.get(mask);
    const hit = list?.find((e) => e.key === key && e.keep.length === keep.length && e.keep.every((k, i) => k === keep[i]));
    if (hit) return hit.value;
    const value = compute();
    if (!list) { list = []; this.byMask.set(mask, list); }
    list.unshift({ key, keep: keep.slice(), value });
    if (list.length > PER_MASK) list.length = PER_MASK;
    return value;
  }
}

/** A stable key of points (rounded to 1/1000 px). */
export function pointsKey(...lists: ReadonlyArray<readonly (readonly [number, number])[] | undefined>): string {
  return lists.map((l) => (l ?? []).map((p) => `${Math.round(p[0] * 1000)},${Math.round(p[1] * 1000)}`).join(';')).join('|');
}
