/**
 * Learned inpainting behind the core's `Filler` interface (MI-GAN, LaMa, or any model whose
 * manifest has task `inpaint`): crop a square context around the hole, resize it to the model's
 * size, run the model, resize the result back, and composite it ONLY inside the hole plus a
 * feathered seam band. Every other pixel of the image stays bit-exact.
 *
 * `forbidden` is not used: a learned model sees the whole context crop (including the moved
 * object at its new place) and cannot be told which pixels not to copy from.
 */
import type { Filler, FillOptions, Mask, RgbaImage } from '../core/types';
import type { ModelManifest } from './manifest';
import { fileByRole, tensorByRole } from './manifest';
import { compositePlanes, contextRect, holeBandWeights, nonZeroBox, resizePlanes, rgbPlanes } from './pixels';
import type { SessionManager } from './session-manager';
import { checkedOutput, nativeRun, ort, throwIfAborted } from './session-manager';

/** Options of {@link LearnedFiller}. */
export interface LearnedFillerOptions {
  manifest: ModelManifest;
  /** Installed path of the manifest's `inpaint` file. */
  modelPath: string;
  sessions: SessionManager;
  /** Seam band width in pixels outside the hole (default 4). */
  bandPx?: number;
  /** Context margin around the hole as a fraction of its larger side (default 0.5, at least 16 px). */
  marginFraction?: number;
}

/** Map 0..255 to a manifest range [lo, hi]. */
const toRange = (v: number, lo: number, hi: number): number => lo + (v / 255) * (hi - lo);

/** The learned filler (one instance per installed model; sessions are shared and lazy). */
export class LearnedFiller implements Filler {
  readonly name: string;
  private readonly o: LearnedFillerOptions;

  constructor(opts: LearnedFillerOptions) {
    if (opts.manifest.task !== 'inpaint') throw new TypeError(`LearnedFiller needs an inpaint manifest, got ${opts.manifest.task}`);
    this.o = opts;
    this.name = `learned:${opts.manifest.id}`;
  }

  async fill(image: RgbaImage, hole: Mask, _forbidden: Mask, opts: FillOptions): Promise<void> {
    if (hole.width !== image.width || hole.height !== image.height) throw new RangeError('hole mask size differs from the image');
    const box = nonZeroBox(hole);
    if (!box) {
      opts.onProgress?.(1);
      return;
    }
    const { manifest, sessions, modelPath } = this.o;
    const band = this.o.bandPx ?? 4;
    const pre = manifest.preprocessing, S = pre.size, N = S * S;
    const file = fileByRole(manifest, 'inpaint');
    const imgT = tensorByRole(file, 'image', 'inputs'), maskT = tensorByRole(file, 'mask', 'inputs');
    const resT = tensorByRole(file, 'result', 'outputs');
    const margin = Math.max(16, Math.round((this.o.marginFraction ?? 0.5) * Math.max(box.width, box.height))) + band;
    const rect = contextRect(box, margin, image.width, image.height);
    throwIfAborted(opts.signal);
    const session = await sessions.session(`${manifest.id}/${file.name}`, modelPath);
    opts.onProgress?.(0.1);

    // Model-resolution inputs. A model pixel is "hole" if any source pixel under it is (or lies
    // in the seam band), so the model repaints everything the composite will take.
    const weights = holeBandWeights(hole, rect, band);
    const rgb = new Float32Array(3 * N), m = new Float32Array(N);
    resizePlanes(rgbPlanes(image, rect), rect.width, rect.height, 3, S, S, rgb);
    resizePlanes(weights, rect.width, rect.height, 1, S, S, m);
    const [lo, hi] = pre.imageRange, mc = pre.mask ?? { hole: 1, keep: 0 };
    const isU8 = (t: typeof imgT): boolean => (Array.isArray(t.dtype) ? t.dtype[0] : t.dtype) === 'uint8';
    const imgData = isU8(imgT) ? new Uint8Array(3 * N) : new Float32Array(3 * N);
    const maskData = isU8(maskT) ? new Uint8Array(N) : new Float32Array(N);
    for (let c = 0; c < 3; c++) {
      const srcC = pre.channelOrder === 'bgr' ? 2 - c : c;
      for (let p = 0; p < N; p++) {
        const isHole = m[p]! > 1e-3;
        imgData[c * N + p] = isHole && pre.zeroHole ? 0 : toRange(rgb[srcC * N + p]!, lo, hi);
      }
    }
    for (let p = 0; p < N; p++) maskData[p] = m[p]! > 1e-3 ? mc.hole : mc.keep;
    const feeds: Record<string, ort.Tensor> = {
      [imgT.name]: imgData instanceof Uint8Array ? new ort.Tensor('uint8', imgData, [1, 3, S, S]) : new ort.Tensor('float32', imgData, [1, 3, S, S]),
      [maskT.name]: maskData instanceof Uint8Array ? new ort.Tensor('uint8', maskData, [1, 1, S, S]) : new ort.Tensor('float32', maskData, [1, 1, S, S]),
    };
    throwIfAborted(opts.signal);
    const outputs = await nativeRun(() => session.run(feeds));
    throwIfAborted(opts.signal);
    // A result of another size than the input (declared with symbolic dims, so `models add`
    // could not tell) or with NaN or infinities (a broken or mismatched file that passed the
    // contract) would paint the hole black or with garbage: it is an error, and the fill falls back.
    const out = checkedOutput(outputs, resT.name, file.name, [1, 3, S, S]);
    opts.onProgress?.(0.8);

    // Back to 0..255 RGB planes at model size, then to the context rectangle's size.
    const [olo, ohi] = pre.outputRange, od = out.data as ArrayLike<number>;
    const res = new Float32Array(3 * N);
    for (let c = 0; c < 3; c++) {
      const srcC = pre.channelOrder === 'bgr' ? 2 - c : c;
      for (let p = 0; p < N; p++) res[c * N + p] = ((od[srcC * N + p]! - olo) / (ohi - olo)) * 255;
    }
    const back = new Float32Array(3 * rect.width * rect.height);
    resizePlanes(res, S, S, 3, rect.width, rect.height, back);
    compositePlanes(image, rect, back, weights);
    opts.onProgress?.(1);
  }
}

