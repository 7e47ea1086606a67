/**
 * One progress bar for a whole job from the bridge's per-stage fractions (`job.progress` carries
 * a stage and how far that stage is): each stage covers its share of the bar, in pipeline order,
 * so the bar never runs backwards when a new stage starts at 0. Used by every panel.
 */

/** Share of the overall bar each bridge stage covers, in pipeline order (krita-style weights). */
export const STAGE_WEIGHTS: ReadonlyArray<readonly [string, number]> = [
  ['plan', 0.05], ['warp', 0.15], ['fill', 0.5], ['blend', 0.1], ['refine', 0.15], ['layer', 0.05],
];

/** Overall progress for a stage fraction; unknown stages keep `previous`. Never below `previous`, capped below 1. */
export function overallProgress(stage: string, fraction: number, previous = 0): number {
  let before = 0;
  for (const [name, w] of STAGE_WEIGHTS) {
    if (name === stage) {
      const f = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
      return Math.max(previous, Math.min(0.99, before + w * f));
    }
    before += w;
  }
  return previous;
}

/** What each bridge stage is called on a panel's (or the CLI's) progress line. */
export const STAGE_WORDS: Readonly<Record<string, string>> = {
  plan: 'Planning', warp: 'Moving pixels', fill: 'Filling', blend: 'Blending', refine: 'Refining', layer: 'Making the layer',
};

/** The progress line for `stage` at `overall` (0..1): "Filling… 45%"; a stage without words is called `unknown`. */
export function progressText(stage: string, overall: number, unknown = stage): string {
  return `${STAGE_WORDS[stage] ?? unknown}… ${Math.round(overall * 100)}%`;
}
