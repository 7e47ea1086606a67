/**
 * The main-thread probe of the dev benches (undo-bench.ts, photopea-result-bench.ts): scripts to
 * evaluate in a page or frame. Strings, not functions: tsx names the arrow functions of a function
 * given to evaluate with a helper the page lacks.
 */

/** A method to time: the object (an expression in the page, e.g. `sd.host`; `sd` is window.smartdrag), its method, the label. */
export type ProbedMethod = readonly [target: string, method: string, label: string];

/**
 * Installs the probe (once per page): long tasks (`ownOnly`: only the page's own, named "self",
 * the rest kept apart — where a simulator's page shares the process), a 10 ms heartbeat, and the
 * synchronous time of each of `methods` per call.
 */
export function probeScript(methods: readonly ProbedMethod[], ownOnly = false): string {
  return `(() => {
    const w = window, sd = w.smartdrag;
    const b = w.__bench = { tasks: [], other: [], beats: [], calls: [], ownOnly: ${ownOnly} };
    new PerformanceObserver((l) => { for (const e of l.getEntries()) (!b.ownOnly || e.name === 'self' ? b.tasks : b.other).push([e.startTime, e.duration]); }).observe({ type: 'longtask', buffered: false });
    let last = performance.now();
    setInterval(() => { const t = performance.now(); b.beats.push([last, t - last]); last = t; }, 10);
    function wrap(obj, name, label) {
      const f = obj[name];
      if (typeof f !== 'function') return;
      obj[name] = function (...args) {
        const t = performance.now();
        const r = f.apply(this, args);
        b.calls.push([label, t, performance.now() - t]);
        return r;
      };
    }
    ${methods.map(([target, method, label]) => `wrap(${target}, ${JSON.stringify(method)}, ${JSON.stringify(label)});`).join('\n    ')}
  })()`;
}

/** What {@link sinceScript} reads: the longest task and heartbeat gap, each method's total ms and calls, and a detail line. */
export interface ProbeReading { longestTask: number; gap: number; steps: Record<string, [number, number]>; detail: string }

/**
 * Reads the probe from `t0` (page time) until now. `more`: a function body evaluated in the page
 * (with `b`, `t0` and `longest(xs, from)` in scope) whose returned fields are added.
 */
export function sinceScript(t0: number, more = 'return {};'): string {
  return `(() => {
    const b = window.__bench, t0 = ${t0};
    function longest(xs, from) { return Math.round(Math.max(0, ...xs.filter((x) => x[0] + x[1] > from).map((x) => x[1]))); }
    function spans(xs, min) { return xs.filter((x) => x[0] + x[1] > t0 && x[1] > min).map((x) => Math.round(x[0] - t0) + '+' + Math.round(x[1])).join(' '); }
    const steps = {};
    for (const [n, t, d] of b.calls) if (t >= t0) { const s = steps[n] || (steps[n] = [0, 0]); s[0] += d; s[1]++; }
    for (const n in steps) steps[n][0] = Math.round(steps[n][0]);
    const detail = (b.ownOnly ? 'other tasks ' + spans(b.other, 0) + '; ' : '') + 'tasks ' + spans(b.tasks, 0)
      + '; gaps ' + spans(b.beats, 50)
      + '; calls ' + b.calls.filter((c) => c[1] >= t0 && c[2] > 5).map((c) => c[0] + '@' + Math.round(c[1] - t0) + '+' + Math.round(c[2])).join(' ');
    return Object.assign({ longestTask: longest(b.tasks, t0), gap: longest(b.beats, t0), steps, detail }, (() => { ${more} })());
  })()`;
}
