/**
 * Pen paths -> drag arrows on the Photopea page: which of the document's paths count — the Work
 * Path when there is one (what the Pen just drew), else every saved (normal) path; clipping paths,
 * vector and text masks never — and the Photoshop plugin's stroke rule from `@smartdrag/shared`
 * (`pathsToArrows`: every OPEN subpath one arrow, first anchor the handle, last the target, Bézier
 * curves followed through the DOM's `rightDirection` = outgoing / `leftDirection` = incoming
 * handles; closed subpaths are shapes, not arrows).
 *
 * Pure: document pixels in, polylines in document pixels out.
 */
import { pathsToArrows, type Point, type Subpath } from '@smartdrag/shared';

/** A path of the document as the host script reads it. */
export interface ReadPath {
  kind: 'work' | 'normal' | 'other';
  subpaths: Subpath[];
}

/** The arrows of a document's paths: its Work Path's if it has one, else its saved paths'. */
export function arrowsOfPaths(paths: readonly ReadPath[]): Point[][] {
  const work = paths.filter((p) => p.kind === 'work');
  const chosen = work.length > 0 ? work : paths.filter((p) => p.kind === 'normal');
  return pathsToArrows(chosen.flatMap((p) => p.subpaths)).arrows;
}
