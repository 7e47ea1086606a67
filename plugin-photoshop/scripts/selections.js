/**
 * Real-like selections for the dev scripts (bench-mask-split.js, selection-memory.js): a
 * feathered blob with a wavy outline, and a whole selection of several such objects, a marquee part,
 * specks and stray soft pixels.
 */
/** A feathered blob: coverage 255 inside r(θ), falling to 0 over `feather` px across its outline. */
function blob(data, W, H, cx, cy, R, feather, waves) {
  const reach = R * 1.3 + feather;
  const y0 = Math.max(0, Math.floor(cy - reach)), y1 = Math.min(H, Math.ceil(cy + reach));
  const x0 = Math.max(0, Math.floor(cx - reach)), x1 = Math.min(W, Math.ceil(cx + reach));
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const dx = x + 0.5 - cx, dy = y + 0.5 - cy, d = Math.hypot(dx, dy), t = Math.atan2(dy, dx);
      let r = R;
      for (const [k, a, ph] of waves) r += R * a * Math.sin(k * t + ph);
      const v = feather === 0 ? (d <= r ? 255 : 0) : Math.round(Math.max(0, Math.min(1, (r - d) / feather + 0.5)) * 255);
      const i = y * W + x;
      if (v > data[i]) data[i] = v;
    }
  }
}

function realLike(W, H) {
  const data = new Uint8Array(W * H);
  const s = Math.min(W, H);
  // The main object (most of the box), feathered ~24 px, wavy outline.
  blob(data, W, H, W * 0.42, H * 0.5, s * 0.36, 24, [[5, 0.08, 0.3], [13, 0.03, 1.1], [31, 0.01, 2]]);
  // Two smaller objects whose soft edges touch (two parts), feathered 40 and 12 px.
  blob(data, W, H, W * 0.82, H * 0.3, s * 0.14, 40, [[3, 0.1, 0]]);
  blob(data, W, H, W * 0.82, H * 0.3 + s * 0.14 * 2 + 30, s * 0.14, 12, [[7, 0.05, 0.5]]);
  // A hard-edged rectangle (a marquee added to the selection).
  for (let y = Math.floor(H * 0.78); y < Math.floor(H * 0.95); y++) data.fill(255, y * W + Math.floor(W * 0.7), y * W + Math.floor(W * 0.95));
  // Specks and stray soft pixels.
  let seed = 11;
  const rnd = () => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed / 0x7fffffff; };
  for (let k = 0; k < 400; k++) data[Math.floor(rnd() * W * H)] = Math.floor(rnd() * 256);
  return { left: 100, top: 80, width: W, height: H, data };
}

module.exports = { blob, realLike };
