/**
 * Minimum s–t cut by the Boykov–Kolmogorov augmenting-path algorithm (two search trees, one from
 * the source and one from the sink, that are grown, augmented along and repaired by adopting
 * orphans; "An Experimental Comparison of Min-Cut/Max-Flow Algorithms for Energy Minimization in
 * Vision", PAMI 2004). Written on typed arrays for grid graphs of up to a few 10⁵ nodes.
 *
 * Use: `new MaxFlowGraph(nodes, edgeCapacityHint)`, `addTerminal(i, toSource, toSink)` (costs of
 * cutting the node from the source / sink; they may be given many times and add up),
 * `addEdge(i, j, capIJ, capJI)`, then `maxflow()` and `isSource(i)` (the source side of a
 * minimum cut). Deterministic: the same graph built in the same order gives the same cut.
 */

const NONE = -1; // free node (in no tree)
const TERMINAL = -2; // parent is the terminal
const ORPHAN = -3; // lost its parent arc; being repaired
/** Augmentations between two calls of maxflow's `check` (a power of 2). */
const CHECK_EVERY = 1024;

export class MaxFlowGraph {
  readonly nodes: number;
  /** Arc i goes to `head[i]`; its reverse is `i ^ 1`. */
  private head: Int32Array;
  private from: Int32Array;
  private rcap: Float64Array;
  private arcs = 0;
  /** Terminal capacity: > 0 residual from the source, < 0 residual to the sink. */
  private trCap: Float64Array;
  private first: Int32Array | null = null;
  private order: Int32Array | null = null;
  private parent: Int32Array;
  private sinkTree: Uint8Array;
  private ts: Int32Array;
  private dist: Int32Array;
  private flow = 0;
  private solved = false;

  constructor(nodes: number, edgeHint = nodes * 4) {
    this.nodes = nodes;
    const cap = Math.max(2, edgeHint * 2);
    this.head = new Int32Array(cap);
    this.from = new Int32Array(cap);
    this.rcap = new Float64Array(cap);
    this.trCap = new Float64Array(nodes);
    this.parent = new Int32Array(nodes);
    this.sinkTree = new Uint8Array(nodes);
    this.ts = new Int32Array(nodes);
    this.dist = new Int32Array(nodes);
  }

  /** Add `toSource` to the cost of putting `i` on the sink side and `toSink` to that of the source side. */
  addTerminal(i: number, toSource: number, toSink: number): void {
    const delta = toSource - toSink;
    this.trCap[i] = this.trCap[i]! + delta;
    // The common part is paid whatever the cut; it is part of the flow value.
    this.flow += Math.min(toSource, toSink);
  }

  /**
   * Change node i's terminal weights after a {@link maxflow} (by `deltaSource` on the source
   * link and `deltaSink` on the sink link) and allow {@link maxflow} to run again: it starts from
   * the flow found so far (the n-link flows stay feasible), so a graph whose t-links change a
   * little is solved again in a fraction of the first time ("dynamic graph cuts", Kohli & Torr).
   * After such a change {@link maxflow} returns only the flow added by that run.
   */
  changeTerminal(i: number, deltaSource: number, deltaSink: number): void {
    this.trCap[i] = this.trCap[i]! + deltaSource - deltaSink;
    this.solved = false;
    this.flow = 0;
  }

  /** Add an edge i→j of capacity `capIJ` and j→i of capacity `capJI` (both ≥ 0). */
  addEdge(i: number, j: number, capIJ: number, capJI: number): void {
    if (i === j) return;
    if (this.first) throw new Error('edges must be added before the first maxflow()');
    if (this.arcs + 2 > this.head.length) this.growArcs();
    const a = this.arcs;
    this.head[a] = j; this.from[a] = i; this.rcap[a] = capIJ;
    this.head[a + 1] = i; this.from[a + 1] = j; this.rcap[a + 1] = capJI;
    this.arcs += 2;
  }

  private growArcs(): void {
    const n = this.head.length * 2;
    const h = new Int32Array(n); h.set(this.head); this.head = h;
    const f = new Int32Array(n); f.set(this.from); this.from = f;
    const r = new Float64Array(n); r.set(this.rcap); this.rcap = r;
  }

  /** Adjacency in CSR form: `order[first[i] .. first[i+1])` are the arcs leaving i. */
  private buildAdjacency(): void {
    const n = this.nodes, m = this.arcs;
    const first = new Int32Array(n + 1);
    for (let a = 0; a < m; a++) first[this.from[a]! + 1]++;
    for (let i = 0; i < n; i++) first[i + 1] += first[i]!;
    const fill = first.slice(0, n);
    const order = new Int32Array(m);
    for (let a = 0; a < m; a++) order[fill[this.from[a]!]!++] = a;
    this.first = first;
    this.order = order;
  }

  /**
   * Compute the maximum flow (= the minimum cut's cost). `check` is called every
   * {@link CHECK_EVERY} augmentations (a cancel check that may throw; the graph is then unusable).
   */
  maxflow(check?: () => void): number {
    if (this.solved) return this.flow;
    this.solved = true;
    if (!this.first) this.buildAdjacency();
    const first = this.first!, order = this.order!;
    const head = this.head, rcap = this.rcap, trCap = this.trCap;
    const parent = this.parent, sinkTree = this.sinkTree, ts = this.ts, dist = this.dist;
    const n = this.nodes;
    // Active nodes: a FIFO ring (a node may be queued at most once at a time).
    const queue = new Int32Array(n + 1);
    const queued = new Uint8Array(n);
    let qh = 0, qt = 0, qn = 0;
    const qlen = n + 1;
    // Orphans: a stack (a node is an orphan at most once at a time).
    const orphans = new Int32Array(n + 1);
    let no = 0;
    const from = this.from;
    let time = 0;
    for (let i = 0; i < n; i++) {
      const c = trCap[i]!;
      if (c > 0) { parent[i] = TERMINAL; sinkTree[i] = 0; ts[i] = 0; dist[i] = 1; if (!queued[i]) { queued[i] = 1; queue[qt] = i; qt = qt + 1 === qlen ? 0 : qt + 1; qn++; } }
      else if (c < 0) { parent[i] = TERMINAL; sinkTree[i] = 1; ts[i] = 0; dist[i] = 1; if (!queued[i]) { queued[i] = 1; queue[qt] = i; qt = qt + 1 === qlen ? 0 : qt + 1; qn++; } }
      else parent[i] = NONE;
    }
    let current = -1; // the active node being grown (kept across augmentations)
    let rounds = 0;
    for (;;) {
      if (check && (++rounds & (CHECK_EVERY - 1)) === 0) check();
      // ---- grow: find an arc joining the two trees
      let bridge = -1;
      if (current >= 0 && parent[current] === NONE) current = -1;
      while (bridge < 0) {
        if (current < 0) {
          if (qn === 0) break;
          current = queue[qh]!; qh = qh + 1 === qlen ? 0 : qh + 1; qn--; queued[current] = 0;
          if (parent[current] === NONE) { current = -1; continue; }
        }
        const i = current;
        if (!sinkTree[i]) {
          for (let k = first[i]!; k < first[i + 1]!; k++) {
            const a = order[k]!;
            if (rcap[a]! <= 0) continue;
            const j = head[a]!;
            if (parent[j] === NONE) {
              sinkTree[j] = 0; parent[j] = a ^ 1; ts[j] = ts[i]!; dist[j] = dist[i]! + 1; if (!queued[j]) { queued[j] = 1; queue[qt] = j; qt = qt + 1 === qlen ? 0 : qt + 1; qn++; }
            } else if (sinkTree[j]) { bridge = a; break; }
            else if (ts[j]! <= ts[i]! && dist[j]! > dist[i]!) { parent[j] = a ^ 1; ts[j] = ts[i]!; dist[j] = dist[i]! + 1; }
          }
        } else {
          for (let k = first[i]!; k < first[i + 1]!; k++) {
            const a = order[k]!;
            if (rcap[a ^ 1]! <= 0) continue;
            const j = head[a]!;
            if (parent[j] === NONE) {
              sinkTree[j] = 1; parent[j] = a ^ 1; ts[j] = ts[i]!; dist[j] = dist[i]! + 1; if (!queued[j]) { queued[j] = 1; queue[qt] = j; qt = qt + 1 === qlen ? 0 : qt + 1; qn++; }
            } else if (!sinkTree[j]) { bridge = a ^ 1; break; }
            else if (ts[j]! <= ts[i]! && dist[j]! > dist[i]!) { parent[j] = a ^ 1; ts[j] = ts[i]!; dist[j] = dist[i]! + 1; }
          }
        }
        if (bridge < 0) current = -1;
      }
      if (bridge < 0) break;
      time++;
      // ---- augment along source-root … from(bridge) → head(bridge) … sink-root
      let b = rcap[bridge]!;
      let i = from[bridge]!;
      while (parent[i] !== TERMINAL) { const a = parent[i]!; if (rcap[a ^ 1]! < b) b = rcap[a ^ 1]!; i = head[a]!; }
      if (trCap[i]! < b) b = trCap[i]!;
      let j = head[bridge]!;
      while (parent[j] !== TERMINAL) { const a = parent[j]!; if (rcap[a]! < b) b = rcap[a]!; j = head[a]!; }
      if (-trCap[j]! < b) b = -trCap[j]!;
      rcap[bridge ^ 1] = rcap[bridge ^ 1]! + b; rcap[bridge] = rcap[bridge]! - b;
      i = from[bridge]!;
      while (parent[i] !== TERMINAL) {
        const a = parent[i]!;
        rcap[a] = rcap[a]! + b; rcap[a ^ 1] = rcap[a ^ 1]! - b;
        if (rcap[a ^ 1]! <= 0) { parent[i] = ORPHAN; orphans[no++] = i; }
        i = head[a]!;
      }
      trCap[i] = trCap[i]! - b;
      if (trCap[i]! <= 0) { trCap[i] = 0; parent[i] = ORPHAN; orphans[no++] = i; }
      j = head[bridge]!;
      while (parent[j] !== TERMINAL) {
        const a = parent[j]!;
        rcap[a ^ 1] = rcap[a ^ 1]! + b; rcap[a] = rcap[a]! - b;
        if (rcap[a]! <= 0) { parent[j] = ORPHAN; orphans[no++] = j; }
        j = head[a]!;
      }
      trCap[j] = trCap[j]! + b;
      if (trCap[j]! >= 0) { trCap[j] = 0; parent[j] = ORPHAN; orphans[no++] = j; }
      this.flow += b;
      // ---- adopt orphans
      while (no > 0) {
        const o = orphans[--no]!;
        const sink = sinkTree[o]!;
        let best = -1, bestD = 0x7fffffff;
        for (let k = first[o]!; k < first[o + 1]!; k++) {
          const a = order[k]!;
          // Residual capacity from the neighbour towards o (source tree) or from o towards it (sink tree).
          if ((sink ? rcap[a]! : rcap[a ^ 1]!) <= 0) continue;
          const p = head[a]!;
          if (sinkTree[p] !== sink || parent[p] === NONE) continue;
          // Does p still reach its terminal? Walk up (stopping at nodes already checked this round).
          let d = 0, q = p, ok = false;
          for (;;) {
            if (ts[q] === time) { d += dist[q]!; ok = true; break; }
            const pa = parent[q]!;
            d++;
            if (pa === TERMINAL) { ts[q] = time; dist[q] = 1; ok = true; break; }
            if (pa === ORPHAN || pa === NONE) break;
            q = head[pa]!;
          }
          if (!ok) continue;
          if (d < bestD) { best = a; bestD = d; }
          // Stamp the path so later walks stop early.
          for (q = p; ts[q] !== time; q = head[parent[q]!]!) { ts[q] = time; dist[q] = d--; }
        }
        if (best >= 0) { parent[o] = best; ts[o] = time; dist[o] = bestD + 1; continue; }
        // No parent: o leaves its tree; its children become orphans, neighbours that could grow into it become active.
        parent[o] = NONE;
        for (let k = first[o]!; k < first[o + 1]!; k++) {
          const a = order[k]!;
          const p = head[a]!;
          if (sinkTree[p] !== sink || parent[p] === NONE) continue;
          if ((sink ? rcap[a]! : rcap[a ^ 1]!) > 0) if (!queued[p]) { queued[p] = 1; queue[qt] = p; qt = qt + 1 === qlen ? 0 : qt + 1; qn++; }
          const pa = parent[p]!;
          if (pa !== TERMINAL && pa !== ORPHAN && head[pa] === o) { parent[p] = ORPHAN; orphans[no++] = p; }
        }
      }
    }
    return this.flow;
  }

  /** After {@link maxflow}: is node `i` on the source side of the minimum cut? */
  isSource(i: number): boolean {
    if (!this.solved) throw new Error('maxflow() first');
    // Nodes of the sink tree are on the sink side; free nodes are not reachable from the source.
    return this.parent[i] !== NONE && this.sinkTree[i] === 0;
  }
}
