/**
 * Planning benchmark over the bundled real-photo cases (kinds hidden): accuracy of the inferred
 * kinds (geometry only, geometry without centres, intent + arrows) and the median planning time.
 * Run: `npx tsx bench/plan-bench.ts [casesDir]`. Not a test.
 */
import * as fs from 'fs';
import * as path from 'path';
import { caseToRequest, parseDragCase } from '../bridge-server/src/core/case';
import { createImage } from '../bridge-server/src/core/image';
import { createRng } from '../bridge-server/src/core/random';
import { makePlan } from '../bridge-server/src/core/plan/index';

async function main(): Promise<void> {
  const dir = process.argv[2] ?? path.join(__dirname, '../test/fixtures/cases');
  const cases = fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort()
    .map((f) => parseDragCase(JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'))));
  const modes = ['geometry', 'geometry-no-centre', 'intent'] as const;
  const rows: string[] = [];
  const times: number[] = [];
  for (const mode of modes) {
    let ok = 0, n = 0;
    const misses: string[] = [];
    for (const c of cases) {
      const req = caseToRequest(c, createImage(c.size[0], c.size[1]), { hideKinds: true, quality: 'preview' });
      if (mode === 'geometry-no-centre') for (const d of req.drags) delete d.center;
      const t0 = performance.now();
      const plan = await makePlan(req, { useIntent: mode === 'intent' });
      if (mode === 'intent') times.push(performance.now() - t0);
      c.drags.forEach((d, i) => {
        n++;
        const k = plan.operations.find((o) => o.region === d.region)?.kind;
        if (k === d.kind) ok++;
        else misses.push(`${c.id}#${i} ${d.kind}->${k}`);
      });
    }
    rows.push(`| ${mode} | ${ok}/${n} | ${((100 * ok) / n).toFixed(1)}% | ${misses.join(', ') || '-'} |`);
  }
  // Robustness: every point of every drag jittered by up to ±J px (seeded), geometry only.
  for (const J of [2, 4]) {
    const rng = createRng(7);
    let ok = 0, n = 0;
    const missByKind: Record<string, number> = {};
    for (let rep = 0; rep < 20; rep++) {
      for (const c of cases) {
        const req = caseToRequest(c, createImage(c.size[0], c.size[1]), { hideKinds: true, quality: 'preview' });
        for (const d of req.drags) d.points = d.points.map((p) => [p[0] + (rng() * 2 - 1) * J, p[1] + (rng() * 2 - 1) * J]);
        const plan = await makePlan(req, { useIntent: false });
        c.drags.forEach((d) => {
          n++;
          const k = plan.operations.find((o) => o.region === d.region)?.kind;
          if (k === d.kind) ok++;
          else missByKind[`${d.kind}->${k}`] = (missByKind[`${d.kind}->${k}`] ?? 0) + 1;
        });
      }
    }
    rows.push(`| geometry, points jittered ±${J} px (20 draws) | ${ok}/${n} | ${((100 * ok) / n).toFixed(1)}% | ${Object.entries(missByKind).map(([k, v]) => `${k} ×${v}`).join(', ') || '-'} |`);
  }
  times.sort((a, b) => a - b);
  console.log(`cases: ${cases.length}\n| mode | correct | accuracy | misses |\n|---|---|---|---|\n${rows.join('\n')}`);
  console.log(`makePlan (intent) per case: median ${times[times.length >> 1]!.toFixed(2)} ms, max ${times[times.length - 1]!.toFixed(2)} ms`);
}

void main();
