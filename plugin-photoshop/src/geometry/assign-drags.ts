/**
 * Tie each arrow to the region it drags: the region under the arrow's handle (first point), else
 * the region whose bounds are nearest to it.
 */
import type { PlacedMask, Point } from '@smartdrag/shared';
import { maskAt, maskBounds } from '@smartdrag/shared';

/** Drag kinds the panel offers (`auto` lets the bridge decide). */
export const DRAG_KINDS = ['auto', 'translate', 'rotate', 'scale', 'deform'] as const;
/** One drag kind. */
export type DragKindChoice = (typeof DRAG_KINDS)[number];

/** A region with its id. */
export interface IdRegion {
  id: string;
  mask: PlacedMask;
}

/** A drag as the bridge client takes it. */
export interface DragSpec {
  region: string;
  points: Point[];
  kind?: DragKindChoice;
}

/** Result of {@link assignDrags}. */
export interface AssignResult {
  drags: DragSpec[];
  /** Human-readable notes (arrows starting outside every region). */
  warnings: string[];
}

function distToRect(p: Point, m: PlacedMask): number {
  const b = maskBounds(m);
  const dx = Math.max(b.left - p[0], 0, p[0] - (b.left + b.width - 1));
  const dy = Math.max(b.top - p[1], 0, p[1] - (b.top + b.height - 1));
  return Math.hypot(dx, dy);
}

/**
 * Assign every arrow to a region. `kind` (from the panel's type picker) is put on every drag.
 */
export function assignDrags(arrows: readonly Point[][], regions: readonly IdRegion[], kind: DragKindChoice = 'auto'): AssignResult {
  const drags: DragSpec[] = [];
  const warnings: string[] = [];
  if (regions.length === 0) return { drags, warnings };
  arrows.forEach((arrow, i) => {
    const h = arrow[0]!;
    let best: IdRegion | undefined;
    let bestCov = 0;
    for (const r of regions) {
      const cov = maskAt(r.mask, Math.floor(h[0]), Math.floor(h[1]));
      if (cov > bestCov) { bestCov = cov; best = r; }
    }
    if (!best) {
      let bestD = Infinity;
      for (const r of regions) {
        const d = distToRect(h, r.mask);
        if (d < bestD) { bestD = d; best = r; }
      }
      warnings.push(`arrow ${i + 1} starts outside the selection; it drags the nearest part (${best!.id}, ${Math.round(bestD)} px away)`);
    }
    drags.push({ region: best!.id, points: arrow.map((p) => [p[0], p[1]] as Point), kind });
  });
  return { drags, warnings };
}
