/**
 * Whole-edit speed benchmark (not a test): `runEdit` end to end (plan → warp → fill → blend →
 * layer) on a 1024² and a 4096² textured canvas holding the same ~15% elliptical region (the
 * warp benchmark's region), for each drag kind, at preview and final quality. Reports the
 * median of each stage over `runs` (after one warm-up run).
 *
 * Run: `npx smartdrag bench --suite speed [--runs 7]`.
 */
import { rasterizePolygon } from '@smartdrag/shared';
import { runEdit } from '../core/edit';
import { makeTexture } from '../core/textures';
import type { Drag, DragKind, EditRequest } from '../core/types';
import { benchRegionPolygon } from './warp-bench';

/** One measured configuration. */
export interface EditSpeedRow {
  size: number;
  kind: DragKind;
  quality: 'preview' | 'final';
  runs: number;
  /** Median milliseconds per stage (plan, warp, fill, blend, layer, total). */
  medianMs: Record<string, number>;
}

/** The drag measured for each kind, on the benchmark ellipse centred at (512, 512). */
export const SPEED_DRAGS: Readonly<Record<DragKind, Drag>> = {
  translate: { region: 'r', kind: 'translate', points: [[512, 512], [632, 452]] },
  rotate: { region: 'r', kind: 'rotate', center: [512, 512], points: [[752, 512], [744, 574], [720, 632]] },
  scale: { region: 'r', kind: 'scale', center: [512, 512], points: [[752, 512], [680, 512]] },
  deform: { region: 'r', kind: 'deform', points: [[700, 512], [760, 470]] },
};

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Run the benchmark; one row per size × kind × quality. */
export async function runEditSpeed(opts: { sizes?: number[]; runs?: number; onRow?: (r: EditSpeedRow) => void } = {}): Promise<EditSpeedRow[]> {
  const sizes = opts.sizes ?? [1024, 4096];
  const runs = Math.max(1, opts.runs ?? 7);
  const region = { id: 'r', mask: rasterizePolygon(benchRegionPolygon()) };
  const rows: EditSpeedRow[] = [];
  for (const size of sizes) {
    const image = makeTexture('noise', size, size, 5);
    for (const kind of Object.keys(SPEED_DRAGS) as DragKind[]) {
      for (const quality of ['preview', 'final'] as const) {
        const req: EditRequest = { image, regions: [region], drags: [SPEED_DRAGS[kind]], quality, seed: 1 };
        const samples: Record<string, number[]> = {};
        for (let i = 0; i <= runs; i++) {
          const r = await runEdit(req);
          if (i === 0) continue; // warm-up
          for (const [stage, ms] of Object.entries(r.timings)) (samples[stage] ??= []).push(ms);
        }
        const medianMs: Record<string, number> = {};
        for (const [stage, xs] of Object.entries(samples)) medianMs[stage] = median(xs);
        const row = { size, kind, quality, runs, medianMs };
        rows.push(row);
        opts.onRow?.(row);
      }
    }
  }
  return rows;
}

/** Markdown table of the rows. */
export function formatEditSpeed(rows: readonly EditSpeedRow[]): string {
  const stages = ['plan', 'warp', 'fill', 'blend', 'layer', 'total'];
  const lines = [
    `| canvas | kind | quality | ${stages.join(' | ')} |`,
    `|---|---|---|${stages.map(() => '---:').join('|')}|`,
  ];
  for (const r of rows) {
    lines.push(`| ${r.size}² | ${r.kind} | ${r.quality} | ${stages.map((s) => (r.medianMs[s] ?? 0).toFixed(1)).join(' | ')} |`);
  }
  return lines.join('\n');
}

