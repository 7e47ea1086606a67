/**
 * Parse the batchPlay descriptor of a path (`get` on `{_ref:"path", _id}` or
 * `{_ref:"path", _property:"workPath"}`) into subpaths in document pixels.
 *
 * Shape (Photoshop action descriptors):
 * `pathContents.pathComponents[].subpathListKey[].{closedSubpath?, points[].{anchor, forward?, backward?}}`
 * where each point is `{horizontal: UnitValue, vertical: UnitValue}`.
 */
import type { Point } from '@smartdrag/shared';
import type { Subpath, PathAnchor } from '@smartdrag/shared';
import { lengthToPx, type UnitValue } from './units';

/** A point as descriptors carry it. */
export interface DescriptorPoint {
  horizontal: UnitValue | number;
  vertical: UnitValue | number;
}

/** One path point in a descriptor. */
export interface DescriptorPathPoint {
  anchor: DescriptorPoint;
  forward?: DescriptorPoint;
  backward?: DescriptorPoint;
  smooth?: boolean;
}

/** The part of a path descriptor we read. */
export interface PathDescriptor {
  pathContents?: {
    pathComponents?: Array<{
      subpathListKey?: Array<{ closedSubpath?: boolean; points?: DescriptorPathPoint[] }>;
    }>;
  };
}

function toPoint(p: DescriptorPoint, resolution: number): Point {
  return [lengthToPx(p.horizontal, resolution), lengthToPx(p.vertical, resolution)];
}

/** All subpaths of all components of a path descriptor, converted to pixels. */
export function parsePathDescriptor(desc: PathDescriptor, resolution: number): Subpath[] {
  const out: Subpath[] = [];
  for (const comp of desc.pathContents?.pathComponents ?? []) {
    for (const sp of comp.subpathListKey ?? []) {
      const points: PathAnchor[] = (sp.points ?? []).map((pp) => ({
        anchor: toPoint(pp.anchor, resolution),
        ...(pp.forward ? { forward: toPoint(pp.forward, resolution) } : {}),
        ...(pp.backward ? { backward: toPoint(pp.backward, resolution) } : {}),
      }));
      out.push({ closed: sp.closedSubpath === true, points });
    }
  }
  return out;
}
