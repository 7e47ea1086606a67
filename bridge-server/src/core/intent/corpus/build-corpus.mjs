// Builds corpus.json: edit instructions whose WORDING comes from public repositories (cited per
// group), instantiated with fixed numbers (the sources fill their templates with random numbers;
// here a fixed list, so the file is reproducible). Each row says what the source meant, in the
// source's own terms (e.g. a move by (dx, dy) with y up); the table test turns that into the
// expected plan on its test region. The dev / held-out split is by a hash of the text (FNV-1a,
// held out when hash % 3 === 0), fixed before any rule was written for it.
// Run: node bridge-server/src/core/intent/corpus/build-corpus.mjs
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const MON = 'github.com/monurcan/precise_benchmark_for_image_editing';
const f2 = (x) => x.toFixed(2);
const groups = [];
function group(source, rows) { groups.push({ source, rows }); }

// ---- move by pixels (src/precisebenchmark/object_transformations/move.py, MoveByPixel) ----------
{
  const vecs = [[80, 40], [-120, 60], [45, -200], [-60, -90], [150, 0], [0, -75], [200, 45], [-40, 160], [90, -30], [-175, 20]];
  const rows = [];
  vecs.forEach(([dx, dy], k) => {
    const expect = { kind: 'translate', dx, dyUp: dy };
    const t = k % 4;
    const vecTemplates = [
      `displace the object by a vector of (${dx}, ${-dy}) pixels. my convention is: the origin is top left corner`,
      `move the object by a vector of (${dx}, ${-dy}) pixels. my convention is: the origin is top left corner`,
      `translate the object by a vector (${dx}, ${-dy}) pixels. my convention is: the origin is top left corner`,
      `apply a movement to the object by a vector of (${dx}, ${-dy}) pixels. my convention is: the origin is top left corner`,
    ];
    rows.push({ text: vecTemplates[t], expect });
    rows.push({ text: vecTemplates[(t + 2) % 4], expect });
    rows.push({ text: `move the object ${dx} pixels to the right and ${dy} pixels up`, expect });
    rows.push({ text: `displace the object ${dx} pixels to the right and ${dy} pixels up`, expect });
    const mag = Math.hypot(dx, dy), ang = (Math.atan2(dy, dx) * 180) / Math.PI;
    rows.push({ text: `displace the object using the vector of ${f2(ang)} degrees direction and ${f2(mag)} pixels magnitude. my convention is: counterclockwise angle is positive`, expect });
    rows.push({ text: `move the object using the vector of ${f2(ang)} degrees direction and ${f2(mag)} pixels magnitude. my convention is: counterclockwise angle is positive`, expect });
  });
  group(`${MON} src/precisebenchmark/object_transformations/move.py (MoveByPixel._get_manually_generated_prompt)`, rows);
}
// ---- move by percentage of the image (MoveByPercentage) -----------------------------------------
{
  const rows = [];
  for (const [px, py] of [[10, 20], [-15, 5], [25, -10], [-5, -25], [30, 12]]) {
    const expect = { kind: 'translate', imagePercentX: px, imagePercentYUp: py };
    rows.push({ text: `displace the object by (${px}%, ${py}%), percentages are with respect to the image size. my convention is: the origin is bottom left corner`, expect });
    rows.push({ text: `move the object by (${px}%, ${py}%), percentages are with respect to the image size. my convention is: the origin is bottom left corner`, expect });
    rows.push({ text: `translate the object by a vector (${px}%, ${py}%), percentages are with respect to the image size. my convention is: the origin is bottom left corner`, expect });
    rows.push({ text: `apply a movement to the object by (${px}%, ${py}%), percentages are with respect to the image size. my convention is: the origin is bottom left corner`, expect });
    rows.push({ text: `move the object to ${px}% right and ${py}% up. here percentages are with respect to the image size`, expect });
    rows.push({ text: `displace the object to ${px}% right and ${py}% up. here percentages are with respect to the image size`, expect });
    rows.push({ text: `translate the object to ${px}% right and ${py}% up. here percentages are with respect to the image`, expect });
  }
  group(`${MON} src/precisebenchmark/object_transformations/move.py (MoveByPercentage._get_manually_generated_prompt)`, rows);
}
// ---- move to a corner (MoveTo) ------------------------------------------------------------------
{
  const rows = [];
  for (const pos of ['left-up', 'left-center', 'left-bottom', 'center-up', 'center-center', 'center-bottom', 'right-up', 'right-center', 'right-bottom']) {
    for (const v of ['displace', 'move', 'translate']) rows.push({ text: `${v} the object to ${pos} corner`, expect: { kind: 'translate', corner: pos } });
  }
  group(`${MON} src/precisebenchmark/object_transformations/move.py (MoveTo._get_manually_generated_prompt)`, rows);
}
// ---- rotate (rotate.py, Rotate; angle_clockwise) -------------------------------------------------
{
  const rows = [];
  for (const a of [35.2, -72.5, 120, -15, 90, -160.4, 8.75, 45, -30]) {
    const expect = { kind: 'rotate', clockwiseDeg: a };
    rows.push({ text: `rotate the object by ${f2(-a)} degrees. my convention: counterclockwise is positive`, expect });
    rows.push({ text: `rotate the object around its center by ${f2(-a)} degrees. my convention: counterclockwise is positive`, expect });
    rows.push({ text: `apply a rotation of ${f2(-a)} degrees to the object. my convention: counterclockwise is positive`, expect });
    rows.push({ text: `turn the object by ${f2(-a)} degrees. my convention: counterclockwise is positive`, expect });
    rows.push({ text: `rotate the object at an angle of ${f2(-a)} degrees. my convention: counterclockwise is positive`, expect });
    rows.push({ text: a > 0 ? `rotate the object clockwise by ${f2(Math.abs(a))} degrees` : `rotate the object counterclockwise by ${f2(Math.abs(a))} degrees`, expect });
  }
  group(`${MON} src/precisebenchmark/object_transformations/rotate.py (Rotate._get_manually_generated_prompt)`, rows);
}
// ---- scale by a factor (scale.py, ScaleBy) -------------------------------------------------------
{
  const rows = [];
  for (const s of [0.45, 0.66, 0.8, 1.25, 1.6, 2.35]) {
    const v = f2(s), expect = { kind: 'scale', factor: Number(v) };
    const base = [
      `scale the object by a factor of ${v}`, `resize the object by a factor of ${v}`, `change the size of the object by a factor of ${v}`,
      `change the scale of the object by a factor of ${v}`, `adjust the object's size to a factor of ${v}`, `apply a scale transformation with a factor of ${v} to the object`,
      `resize the object to ${v} times its original size`, `alter the dimensions of the object by a scaling factor of ${v}`, `modify the object's scale by ${v} for better alignment`,
      `transform the object to achieve a scale of ${v}`, `set the object size to ${v} of its original dimensions`, `change the object's proportions by a scale factor of ${v}`,
    ];
    if (s < 1) base.push(`shrink the object by a factor of ${v}`, `reduce the object's size to ${v} times`, `make the object smaller with a factor of ${v}`);
    else base.push(`enlarge the object by a factor of ${v}`, `increase the object's size to ${v} times`, `boost the size of the object to ${v}`);
    if (s > 2) base.push(`significantly increase the size of the object to ${v} times its original`);
    else if (s > 1.3) base.push(`noticeably enlarge the object to ${v} times its initial size`);
    else if (s > 0.5 && s <= 0.7) base.push(`reduce the object's size considerably to ${v} times its original dimensions`);
    else if (s <= 0.5) base.push(`drastically shrink the object to ${v} of its original size`);
    for (const text of base) rows.push({ text, expect });
  }
  group(`${MON} src/precisebenchmark/object_transformations/scale.py (ScaleBy._get_manually_generated_prompt)`, rows);
}
// ---- scale to a share of the image / to a width or height in pixels -------------------------------
{
  const rows = [];
  for (const p of [15, 35]) {
    const v = f2(p), expect = { kind: 'scale', imagePercent: p };
    for (const text of [`scale the object to the ${v}% of the image`, `resize the object to the ${v}% of the image`, `change the size of the object to the ${v}% of the image`,
      `change the scale of the object to the ${v}% of the image size`, `adjust the object's size to ${v} percent of the image`]) rows.push({ text, expect });
    if (p < 25) rows.push({ text: `shrink the object to the ${v}% of the image`, expect }, { text: `reduce the object's size to ${v}% of the image`, expect }, { text: `make the object smaller to ${v}% of the image size`, expect });
    else rows.push({ text: `enlarge the object to ${v}% of the total image size`, expect }, { text: `increase the object's size to ${v}% of the image`, expect }, { text: `boost the size of the object to ${v}% of the image size`, expect });
  }
  for (const [dim, n] of [['width', 60], ['height', 120], ['width', 140]]) {
    const expect = { kind: 'scale', [dim]: n };
    for (const text of [`scale the object to a ${dim} of ${n} pixels`, `resize the object to a ${dim} of ${n} pixels`, `change the size of the object to a ${dim} of ${n} pixels`, `adjust the object's size to a ${dim} of ${n} pixels`]) rows.push({ text, expect });
    if (n < 80) rows.push({ text: `shrink the object to a ${dim} of ${n} pixels`, expect }, { text: `reduce the object's size to a ${dim} of ${n} pixels`, expect }, { text: `make the object smaller to a ${dim} of ${n} pixels`, expect });
    else rows.push({ text: `enlarge the object to a ${dim} of ${n} pixels`, expect }, { text: `increase the object's size to a ${dim} of ${n} pixels`, expect }, { text: `boost the size of the object to a ${dim} of ${n} pixels`, expect });
  }
  group(`${MON} src/precisebenchmark/object_transformations/scale.py (ScaleAbsolutelyToPercentage, ScaleAbsolutelyToPixels)`, rows);
}
// ---- presets of an image-editing studio ----------------------------------------------------------
group('github.com/renovate-bot/GoogleCloudPlatform-_-vertex-ai-creative-studio config/banana_presets.py (IMAGE_ACTION_PRESETS.edit)', [
  { text: 'Rotate the primary subject in the image to the left.', expect: { kind: 'rotate', sense: 'ccw' } },
  { text: 'Rotate the primary subject in the image to the right.', expect: { kind: 'rotate', sense: 'cw' } },
]);

// ---- AnyEdit "relation" moves (no amount: the planner uses its default distance and says so) -----
{
  const rows = [];
  const objs = ['dog', 'cup', 'clock', 'bench', 'kite', 'umbrella', 'vase', 'teddy bear', 'bicycle', 'potted plant'];
  objs.forEach((o, k) => {
    const verb = k % 2 ? 'Place' : 'Move';
    rows.push({ text: `${verb} the ${o} to left`, expect: { kind: 'translate', sign: [-1, 0] } });
    rows.push({ text: `${verb} the ${o} from right to left`, expect: { kind: 'translate', sign: [-1, 0] } });
    rows.push({ text: `${verb} the ${o} to right`, expect: { kind: 'translate', sign: [1, 0] } });
    rows.push({ text: `${verb} the ${o} from left to right`, expect: { kind: 'translate', sign: [1, 0] } });
    rows.push({ text: `${verb} the ${o} to down`, expect: { kind: 'translate', sign: [0, 1] } });
    rows.push({ text: `${verb} the ${o} from top to down`, expect: { kind: 'translate', sign: [0, 1] } });
    rows.push({ text: `${verb} the ${o} to upper`, expect: { kind: 'translate', sign: [0, -1] } });
    rows.push({ text: `${verb} the ${o} from bottom to upper`, expect: { kind: 'translate', sign: [0, -1] } });
  });
  group('github.com/DCDmllm/AnyEdit AnyEdit_Collection/diverse_Instruction_generation/edit_instruction/other_instruction_gen.py (relation_instruction_generation, moves without a target object)', rows);
}

function fnv1a(s) {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) { h ^= s.charCodeAt(i); h = Math.imul(h, 0x01000193) >>> 0; }
  return h >>> 0;
}
const seen = new Set();
for (const g of groups) {
  g.rows = g.rows.filter((r) => (seen.has(r.text) ? false : (seen.add(r.text), true)));
  for (const r of g.rows) r.split = fnv1a(r.text) % 3 === 0 ? 'heldout' : 'dev';
}
const out = join(dirname(fileURLToPath(import.meta.url)), 'corpus.json');
writeFileSync(out, JSON.stringify({ about: 'Edit instructions from public sources; see build-corpus.mjs. split: fnv1a(text) % 3 === 0 → heldout.', groups }, null, 1) + '\n');
const all = groups.flatMap((g) => g.rows);
console.log(`${all.length} rows, dev ${all.filter((r) => r.split === 'dev').length}, heldout ${all.filter((r) => r.split === 'heldout').length}`);
