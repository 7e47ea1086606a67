/**
 * Breadth-first growth of a pixel set by rings: from the `seeds` (pixel indices on a `w × h`
 * grid), ring 1, 2, … `radius` visit the neighbours of the previous ring — 8-neighbours on odd
 * rings, 4-neighbours on even ones, so the rings approximate Euclidean discs (octagons). Cost ∝
 * perimeter × radius, never the grid. `visit(q, ring)` decides: it marks what it needs (the
 * caller keeps its own "seen" state) and returns true when `q` joins the ring (its neighbours are
 * visited next); a pixel is offered again from every neighbour until the caller marks it seen.
 */
export function growRings(w: number, h: number, seeds: ArrayLike<number>, seedCount: number, radius: number, visit: (q: number, ring: number) => boolean): void {
  let frontier = new Int32Array(Math.max(16, seedCount)), next = new Int32Array(Math.max(16, seedCount));
  for (let i = 0; i < seedCount; i++) frontier[i] = seeds[i]!;
  let fLen = seedCount;
  for (let ring = 1; ring <= radius && fLen > 0; ring++) {
    const diagonal = ring % 2 === 1;
    let nLen = 0;
    for (let i = 0; i < fLen; i++) {
      const p = frontier[i]!, x = p % w, y = (p - x) / w;
      for (let dy = -1; dy <= 1; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= h) continue;
        for (let dx = -1; dx <= 1; dx++) {
          if ((dx === 0 && dy === 0) || (!diagonal && dx !== 0 && dy !== 0)) continue;
          const xx = x + dx;
          if (xx < 0 || xx >= w) continue;
          const q = yy * w + xx;
          if (!visit(q, ring)) continue;
          if (nLen === next.length) { const b = new Int32Array(next.length * 2); b.set(next); next = b; }
          next[nLen++] = q;
        }
      }
    }
    const t = frontier; frontier = next; next = t; fLen = nLen;
    if (next.length < frontier.length) next = new Int32Array(frontier.length);
  }
}
