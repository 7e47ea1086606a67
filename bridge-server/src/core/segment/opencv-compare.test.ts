/**
 * Our GrabCut against OpenCV's (`cv.grabCut` from @techstark/opencv-js, a dev-only reference; the
 * product never loads it) on the synthetic scenes: the same trimap (outside the selection =
 * background, a small disc at the handle = foreground, the rest probable foreground); OpenCV
 * runs three rounds, ours its default two; both are scored against the known object.
 */
import { segmentObject } from './grabcut';
import { iouAgainst, makeSegmentScene, type SceneKind, type SegmentScene } from './test-scenes';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Cv = any;

async function loadCv(): Promise<{ cv: Cv }> {
  // The module object has an Emscripten `then`: never await it directly, wrap it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const m: Cv = require('@techstark/opencv-js');
  if (m instanceof Promise) return { cv: await m };
  if (!m.Mat) await new Promise<void>((resolve) => { m.onRuntimeInitialized = () => resolve(); });
  return { cv: m };
}

/** OpenCV's GrabCut with our trimap; returns the object as a placed mask like the selection. */
function cvGrabCut(cv: Cv, s: SegmentScene): { left: number; top: number; width: number; height: number; data: Uint8Array } {
  const { width: w, height: h, data } = s.image;
  const rgb = new Uint8Array(w * h * 3);
  for (let p = 0; p < w * h; p++) { rgb[p * 3] = data[p * 4]!; rgb[p * 3 + 1] = data[p * 4 + 1]!; rgb[p * 3 + 2] = data[p * 4 + 2]!; }
  const trimap = new Uint8Array(w * h); // 0 = GC_BGD
  const sel = s.selection;
  for (let y = 0; y < sel.height; y++) for (let x = 0; x < sel.width; x++) {
    const X = x + sel.left, Y = y + sel.top;
    if (X >= 0 && Y >= 0 && X < w && Y < h && sel.data[y * sel.width + x]! >= 128) trimap[Y * w + X] = 3; // GC_PR_FGD
  }
  for (const [hx, hy] of s.handles) for (let dy = -2; dy <= 2; dy++) for (let dx = -2; dx <= 2; dx++) if (dx * dx + dy * dy <= 4) trimap[(Math.round(hy) + dy) * w + Math.round(hx) + dx] = 1; // GC_FGD
  const img = cv.matFromArray(h, w, cv.CV_8UC3, rgb);
  const mask = cv.matFromArray(h, w, cv.CV_8UC1, trimap);
  const bgd = new cv.Mat(), fgd = new cv.Mat(), rect = new cv.Rect(0, 0, 1, 1);
  try {
    cv.grabCut(img, mask, rect, bgd, fgd, 3, cv.GC_INIT_WITH_MASK);
    const out = new Uint8Array(sel.width * sel.height);
    for (let y = 0; y < sel.height; y++) for (let x = 0; x < sel.width; x++) {
      const X = x + sel.left, Y = y + sel.top;
      if (X < 0 || Y < 0 || X >= w || Y >= h) continue;
      const v = mask.data[Y * w + X];
      if ((v === 1 || v === 3) && sel.data[y * sel.width + x]! >= 128) out[y * sel.width + x] = 255;
    }
    return { left: sel.left, top: sel.top, width: sel.width, height: sel.height, data: out };
  } finally {
    img.delete(); mask.delete(); bgd.delete(); fgd.delete();
  }
}

describe('segmentObject against OpenCV grabCut (reference)', () => {
  let cv: Cv;
  beforeAll(async () => { cv = (await loadCv()).cv; });

  it.each(['textured', 'touching-edge', 'low-contrast-part'] as SceneKind[])('%s: at least as close to the truth as cv.grabCut (within 0.01 IoU)', (kind) => {
    const s = makeSegmentScene(kind);
    const ours = iouAgainst(segmentObject(s.image, s.selection, s.handles).mask, s.truth, s.image.width);
    const theirs = iouAgainst(cvGrabCut(cv, s), s.truth, s.image.width);
    expect(theirs).toBeGreaterThan(0.9); // the reference itself works on these scenes
    expect(ours).toBeGreaterThanOrEqual(theirs - 0.01);
  });
});
