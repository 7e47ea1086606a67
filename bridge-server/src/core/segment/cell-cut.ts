/**
 * A two-label graph cut on a grid of cells (GrabCut's energy, Rother et al. 2004, on cells rather
 * than pixels): each free cell pays its colour models' log-likelihood ratio for the label it does
 * not prefer, neighbouring cells pay γ·exp(−β|Δc|²) for differing (β = 1 / (2⟨|Δc|²⟩) over the
 * pairs that touch a free cell), fixed cells pass their label to the free cells next to them.
 * For the readings that cut a region of a picture into "the object" and "the rest" on a grid of at
 * most a few hundred cells a side (plan/object-extension.ts: the band past a quick lasso).
 */
import { MaxFlowGraph } from './maxflow';
import { throwIfCancelled } from '../cancel';

/** Cell classes of {@link cutCells}. */
export const CELL_FREE = 0, CELL_FG = 1, CELL_BG = 2, CELL_VOID = 3;

/**
 * The cut: 1 for the cells that end on the foreground (the fixed foreground ones and the free ones
 * the cut gives it), 0 elsewhere. `col` holds each cell's mean colour (3 per cell, Lab), `adv` its
 * foreground advantage (nats: positive prefers the foreground), `cls` its class: free, fixed
 * foreground, fixed background, or void (not part of the graph: no links, stays 0).
 */
export function cutCells(col: Float32Array, adv: Float32Array, cls: Uint8Array, gw: number, gh: number, gamma: number, signal?: AbortSignal): Uint8Array {
  const n = gw * gh;
  const node = new Int32Array(n).fill(-1);
  let nodes = 0;
  for (let k = 0; k < n; k++) if (cls[k] === CELL_FREE) node[k] = nodes++;
  const taken = new Uint8Array(n);
  for (let k = 0; k < n; k++) if (cls[k] === CELL_FG) taken[k] = 1;
  if (nodes === 0) return taken;
  const dist2 = (a: number, b: number): number => {
    const e0 = col[a * 3]! - col[b * 3]!, e1 = col[a * 3 + 1]! - col[b * 3 + 1]!, e2 = col[a * 3 + 2]! - col[b * 3 + 2]!;
    return e0 * e0 + e1 * e1 + e2 * e2;
  };
  const linked = (a: number, b: number): boolean => cls[a] !== CELL_VOID && cls[b] !== CELL_VOID && (node[a]! >= 0 || node[b]! >= 0);
  let sum = 0, pairs = 0;
  for (let y = 0; y < gh; y++) for (let x = 0; x < gw; x++) {
    const k = y * gw + x;
    if (x + 1 < gw && linked(k, k + 1)) { sum += dist2(k, k + 1); pairs++; }
    if (y + 1 < gh && linked(k, k + gw)) { sum += dist2(k, k + gw); pairs++; }
  }
  const beta = pairs > 0 && sum > 0 ? pairs / (2 * sum) : 0;
  const g = new MaxFlowGraph(nodes, nodes * 2);
  const toFg = new Float64Array(nodes), toBg = new Float64Array(nodes);
  const link = (a: number, b: number): void => {
    if (!linked(a, b)) return;
    const wgt = gamma * Math.exp(-beta * dist2(a, b));
    const na = node[a]!, nb = node[b]!;
    if (na >= 0 && nb >= 0) g.addEdge(na, nb, wgt, wgt);
    else if (na >= 0) { if (cls[b] === CELL_FG) toFg[na] += wgt; else toBg[na] += wgt; }
    else { if (cls[a] === CELL_FG) toFg[nb] += wgt; else toBg[nb] += wgt; }
  };
  for (let y = 0; y < gh; y++) for (let x = 0; x < gw; x++) {
    const k = y * gw + x;
    if (x + 1 < gw) link(k, k + 1);
    if (y + 1 < gh) link(k, k + gw);
  }
  for (let k = 0; k < n; k++) {
    const a = node[k]!;
    if (a < 0) continue;
    // Source = the foreground: its likelihood advantage is what labelling the cell background
    // costs (and its disadvantage what labelling it foreground costs).
    g.addTerminal(a, Math.max(0, adv[k]!) + toFg[a]!, Math.max(0, -adv[k]!) + toBg[a]!);
  }
  throwIfCancelled(signal);
  g.maxflow(signal ? (): void => throwIfCancelled(signal) : undefined);
  for (let k = 0; k < n; k++) if (node[k]! >= 0 && g.isSource(node[k]!)) taken[k] = 1;
  return taken;
}
