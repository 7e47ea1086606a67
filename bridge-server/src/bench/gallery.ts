/**
 * `gallery.html`: every sample's tile (input with arrows | result) at full tile size with its
 * measures, worst first by {@link badness} (core/look.ts); column headers re-sort. Images are
 * referenced relative to the output folder, so the page opens from there (file://, no server).
 */
import type { BenchReport, SampleRecord } from './report';

function esc(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function num(x: number | null | undefined, d: number): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '' : x.toFixed(d);
}

/** Sort key for the initial order: badness, samples without look measures (or a non-finite badness) last, failed first. */
function initialKey(r: SampleRecord): number {
  if (!r.ok) return Infinity;
  return r.look && Number.isFinite(r.look.badness) ? r.look.badness : -1;
}

/** Worst first by {@link initialKey}; equal keys (two failed samples) keep the report's order. */
function worstFirst(a: SampleRecord, b: SampleRecord): number {
  const x = initialKey(a), y = initialKey(b);
  return x === y ? 0 : y > x ? 1 : -1;
}

/** The gallery page for a report; `tileOf` gives each sample's tile path relative to the page. */
export function renderGallery(report: BenchReport, tileOf: (r: SampleRecord) => string): string {
  const rows = [...report.samples].sort(worstFirst);
  const cols: [string, string][] = [
    ['badness', 'synthesized + smearedBlock + tear + seam + ln⁺(stretch/2)'],
    ['synthesized', 'share of the editable area made by the filler'],
    ['smear', 'gradient of the synthesized block / untouched ring (≈1 natural, ≪1 smeared)'],
    ['smearedBlock', 'block share × |ln smear|'],
    ['tear', 'unexplained cut length / √(editable area)'],
    ['seam', 'unexplained step where changed pixels meet untouched ones with no cut / √(editable area)'],
    ['stretch', 'largest local anisotropy of the displacement'],
    ['dai10', 'DAI at r = 10 (lower = handle content nearer its target)'],
  ];
  const body = rows.map((r) => {
    const l = r.look;
    // Shown rounded; sorted by the unrounded value (`data-v`): two samples that round alike are
    // still ordered, worst first, as the initial order is.
    const raw: Record<string, number | null | undefined> = {
      badness: l?.badness, synthesized: l?.synthesized, smear: l?.smear, smearedBlock: l?.smearedBlock,
      tear: l?.tear, seam: l?.seam, stretch: l?.stretch, dai10: r.dai['10'],
    };
    const digits: Record<string, number> = { badness: 3, synthesized: 3, smear: 2, smearedBlock: 3, tear: 3, seam: 3, stretch: 2, dai10: 4 };
    const cells = cols.map(([k]) => {
      const x = raw[k];
      return `<td data-k="${k}" data-v="${x === null || x === undefined || !Number.isFinite(x) ? '' : String(x)}">${num(x, digits[k]!)}</td>`;
    }).join('');
    const img = r.ok ? `<img loading="lazy" src="${esc(tileOf(r))}" alt="${esc(r.id)}">` : `<span class="err">failed: ${esc(r.error ?? '')}</span>`;
    return `<tr><td class="tile">${img}<div class="id">${esc(r.suite)} #${r.sheetNumber} ${esc(r.id)} <span class="plan">[${esc(r.planKinds.join(', '))}]</span></div></td>${cells}</tr>`;
  }).join('\n');
  const head = cols.map(([k, t]) => `<th data-k="${k}" title="${esc(t)}">${k}</th>`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>SmartDrag bench gallery</title>
<style>
body{background:#202024;color:#eee;font:14px/1.4 system-ui,sans-serif;margin:16px}
table{border-collapse:collapse}td,th{padding:4px 8px;border-bottom:1px solid #333;vertical-align:top;text-align:right}
th{cursor:pointer;position:sticky;top:0;background:#2c2c32}th.sorted{color:#ffcc66}
td.tile{text-align:left}td.tile img{display:block;max-width:min(1350px,75vw)}.id{font-family:monospace;margin-top:2px}.plan{color:#aaa}.err{color:#f77}
</style></head><body>
<h1>SmartDrag bench gallery</h1>
${report.interrupted ? `<p class="err"><b>Interrupted: ${report.interrupted.done} of ${report.interrupted.planned} samples done.</b></p>\n` : ''}<p>${esc(report.command)} — ${esc(report.startedAt)}${report.git ? ` — commit ${esc(report.git.commit.slice(0, 10))}${report.git.dirty ? ' (uncommitted changes)' : ''}` : ''}. ${report.samples.length} samples, worst first by badness; click a column to sort (again to reverse). Measures: core/look.ts; how to judge: REVIEW.md.</p>
<table><thead><tr><th data-k="id">sample: input with arrows | result | what the measures see (green: synthesized, magenta: tear, orange: seam)</th>${head}</tr></thead><tbody>
${body}
</tbody></table>
<script>
(function(){var tb=document.querySelector('tbody'),dir={};
document.querySelectorAll('th').forEach(function(th){th.addEventListener('click',function(){
var k=th.dataset.k;dir[k]=dir[k]===1?-1:1;var rows=[].slice.call(tb.rows);
rows.sort(function(a,b){if(k==='id'){return dir[k]*a.cells[0].textContent.localeCompare(b.cells[0].textContent);}
var x=a.querySelector('td[data-k="'+k+'"]').dataset.v,y=b.querySelector('td[data-k="'+k+'"]').dataset.v;
if(x===''&&y==='')return 0;if(x==='')return 1;if(y==='')return -1;return dir[k]*(parseFloat(y)-parseFloat(x));});
rows.forEach(function(r){tb.appendChild(r);});
document.querySelectorAll('th').forEach(function(h){h.classList.toggle('sorted',h===th);});});});})();
</script>
</body></html>
`;
}
