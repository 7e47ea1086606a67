/**
 * Plain-words descriptions of planned operations, e.g.
 * "Rotate region h1 by 25° clockwise about (197,173)".
 */
import type { OperationParams } from '../types';
import { pt } from './infer';

const r1 = (x: number): string => (Math.round(x * 10) / 10).toString();
const r2 = (x: number): string => (Math.round(x * 100) / 100).toFixed(2);

function compass(dx: number, dy: number): string {
  if (Math.hypot(dx, dy) < 0.5) return 'in place';
  const h = Math.abs(dx) >= 0.5 ? (dx > 0 ? 'right' : 'left') : '';
  const v = Math.abs(dy) >= 0.5 ? (dy > 0 ? 'down' : 'up') : '';
  if (h && v) {
    const ratio = Math.abs(dx) / Math.abs(dy);
    if (ratio > 3) return h;
    if (ratio < 1 / 3) return v;
    return `${v} and ${h}`;
  }
  return h || v;
}

/** One sentence describing what an operation does to `region`. */
export function describeOperation(region: string, p: OperationParams): string {
  switch (p.kind) {
    case 'translate':
      return `Move region ${region} by (${Math.round(p.dx)}, ${Math.round(p.dy)}) px (${compass(p.dx, p.dy)})`;
    case 'rotate': {
      const sense = p.angleDeg >= 0 ? 'clockwise' : 'counter-clockwise';
      return `Rotate region ${region} by ${r1(Math.abs(p.angleDeg))}° ${sense} about (${pt(p.center)})`;
    }
    case 'scale': {
      if (Math.abs(p.sx - p.sy) < 1e-6) {
        const verb = p.sx >= 1 ? 'Enlarge' : 'Shrink';
        return `${verb} region ${region} ×${r2(p.sx)} about (${pt(p.center)})`;
      }
      const parts: string[] = [];
      if (Math.abs(p.sx - 1) > 1e-6) parts.push(`${p.sx >= 1 ? 'widen' : 'narrow'} ×${r2(p.sx)}`);
      if (Math.abs(p.sy - 1) > 1e-6) parts.push(`${p.sy >= 1 ? 'make taller' : 'make shorter'} ×${r2(p.sy)}`);
      return `Scale region ${region} non-uniformly (${parts.join(', ')}) about (${pt(p.center)})`;
    }
    case 'deform': {
      const moving = p.handles.map((h, i) => [h, p.targets[i]!] as const).filter(([h, t]) => Math.hypot(t[0] - h[0], t[1] - h[1]) >= 1e-6);
      const pins = p.handles.length - moving.length;
      const moves = moving.map(([h, t]) => `(${pt(h)}) to (${pt(t)}) (${compass(t[0] - h[0], t[1] - h[1])})`);
      if (p.elastic) {
        // (Keeping the background, only the object found inside the selection bends.)
        // (With room, the selection grown outward bends: plan/room.ts.)
        const kept = p.keepBackground === true, room = !kept && p.room !== undefined && p.room > 0;
        return `Elastic drag ${kept ? 'of the object ' : ''}in region ${region}: pull ${moves.join(' and ')}; the part under each handle moves as a whole, ` +
          `the rest of ${kept ? 'the object found inside the selection' : room ? `the selection, grown by ${Math.round(p.room!)} px,` : 'the selection'} stretches to follow${pins > 0 ? `, ${pins} pinned point${pins > 1 ? 's' : ''} stay` : ''}; ` +
          (kept ? 'the background inside the selection stays where it is, and what the object uncovers is filled'
            : `${room ? 'the grown' : 'the selection\'s'} edge does not move and nothing is cut out or filled`);
      }
      return `Deform region ${region}: pull ${moves.join(' and ')}; the far side of the region stays put`;
    }
  }
}
