/**
 * The moved outline in the Photoshop panel: before Apply, a small canvas frames the area the
 * edit read (the capture's crop) and draws the outline of what will move as marching ants. Only
 * basic canvas calls (paths of straight lines, solid strokes): dashes are cut here, not with
 * `setLineDash`, so UXP's basic canvas draws them. No Photoshop calls here.
 */
import type { Point } from '@smartdrag/shared';
import type { MovedView } from './panel-state';

/** The part of a 2D context the outline uses. */
export interface OutlineContext {
  strokeStyle: unknown;
  fillStyle: unknown;
  lineWidth: number;
  clearRect(x: number, y: number, w: number, h: number): void;
  fillRect(x: number, y: number, w: number, h: number): void;
  beginPath(): void;
  moveTo(x: number, y: number): void;
  lineTo(x: number, y: number): void;
  stroke(): void;
}

/** Dash and gap of the ants, in view pixels. */
export const ANT_DASH = 4;

/** View size for a frame: within `maxW`×`maxH`, the frame's aspect ratio, enlarged at most 2×. */
export function outlineViewSize(frame: { width: number; height: number }, maxW = 260, maxH = 180): { width: number; height: number; scale: number } {
  const scale = Math.min(maxW / Math.max(1, frame.width), maxH / Math.max(1, frame.height), 2);
  return { width: Math.max(1, Math.round(frame.width * scale)), height: Math.max(1, Math.round(frame.height * scale)), scale };
}

/** Polygons (document pixels, pixel centres) → view pixels of the frame at `scale`. */
export function toViewRings(view: MovedView, scale: number): Point[][] {
  const { left, top } = view.frame;
  return view.polygons.map((r) => r.map((p) => [(p[0] - left + 0.5) * scale, (p[1] - top + 0.5) * scale] as Point));
}

/**
 * Cut closed rings into dashes: `[x0, y0, x1, y1]` pieces of `dash` on, `dash` off along each
 * ring, starting `offset` into the pattern (advance it to make the ants march).
 */
export function dashSegments(rings: readonly Point[][], dash = ANT_DASH, offset = 0): [number, number, number, number][] {
  const out: [number, number, number, number][] = [];
  const period = 2 * dash;
  for (const ring of rings) {
    let phase = ((offset % period) + period) % period; // position in the pattern
    for (let i = 0; i < ring.length; i++) {
      const a = ring[i]!, b = ring[(i + 1) % ring.length]!;
      const len = Math.hypot(b[0] - a[0], b[1] - a[1]);
      let t = 0;
      while (t < len) {
        const on = phase < dash;
        const step = Math.min(len - t, (on ? dash : period) - phase);
        if (on && step > 0) {
          const u0 = t / len, u1 = (t + step) / len;
          out.push([a[0] + (b[0] - a[0]) * u0, a[1] + (b[1] - a[1]) * u0, a[0] + (b[0] - a[0]) * u1, a[1] + (b[1] - a[1]) * u1]);
        }
        t += step;
        phase = (phase + step) % period;
      }
    }
  }
  return out;
}

/** Draw the frame and the marching ants into a `width`×`height` context. */
export function drawMovedOutline(ctx: OutlineContext, view: MovedView, width: number, height: number, offset = 0): void {
  const scale = Math.min(width / Math.max(1, view.frame.width), height / Math.max(1, view.frame.height));
  const rings = toViewRings(view, scale);
  ctx.clearRect(0, 0, width, height);
  ctx.fillStyle = 'rgba(128,128,128,0.18)';
  ctx.fillRect(0, 0, width, height);
  // Solid white under the ants, then black dashes on top.
  ctx.lineWidth = 1.5;
  ctx.strokeStyle = '#ffffff';
  ctx.beginPath();
  for (const r of rings) {
    r.forEach((p, i) => (i ? ctx.lineTo(p[0], p[1]) : ctx.moveTo(p[0], p[1])));
    ctx.lineTo(r[0]![0], r[0]![1]);
  }
  ctx.stroke();
  ctx.strokeStyle = '#000000';
  ctx.beginPath();
  for (const [x0, y0, x1, y1] of dashSegments(rings, ANT_DASH, offset)) { ctx.moveTo(x0, y0); ctx.lineTo(x1, y1); }
  ctx.stroke();
}

/** One line saying what will move and where (the outline's bounds in document pixels). */
export function movedCaption(view: MovedView): string {
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (const r of view.polygons) for (const [x, y] of r) { x0 = Math.min(x0, x); y0 = Math.min(y0, y); x1 = Math.max(x1, x); y1 = Math.max(y1, y); }
  const l = Math.round(x0 + 0.5), t = Math.round(y0 + 0.5);
  return `Moves to ${Math.round(x1 + 0.5) - l}×${Math.round(y1 + 0.5) - t} px at (${l}, ${t}) — dashed outline, within the ${view.frame.width}×${view.frame.height} px area read.`;
}
