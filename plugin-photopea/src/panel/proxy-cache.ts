/**
 * The panel's cache of preview proxies (a large document's preview goes as the panel's own
 * display-size proxy of it, job.submit `proxyOf`), made ahead in slices of the page's thread.
 */
import { boxReduce, downscaleImage, PreviewProxyCache, type ProxyImage, type ProxyInfo } from '@smartdrag/shared';
import { SLICE_MS, yieldToPage } from '../util/yield';

/**
 * The preview proxy cache, which also finds a proxy by the content key of the document's pixels
 * (the panel's `contentKey` option): an Undo gives back pixels whose proxy was made before the
 * result (a 48 MP document's took ~290 ms of the page's thread), in a new array.
 */
export class ContentProxyCache extends PreviewProxyCache {
  /** The content key of the document whose proxy is asked for next (set before each use). */
  content: string | null = null;
  private readonly byContent = new Map<string, { key: string; image: ReturnType<PreviewProxyCache['image']> }>();

  /** Proxies made ahead ({@link prepare}), by the document's array. */
  private made = new WeakMap<object, { key: string; image: ReturnType<PreviewProxyCache['image']> }>();

  override image(...args: Parameters<PreviewProxyCache['image']>): ReturnType<PreviewProxyCache['image']> {
    const [img, info] = args;
    const key = `${img.width}x${img.height}>${info.width}x${info.height}`;
    const hit = this.content !== null ? this.byContent.get(this.content) : undefined;
    if (hit && hit.key === key) return hit.image;
    const ready = this.made.get(img.data);
    const image = ready && ready.key === key ? ready.image : super.image(img, info);
    if (this.content !== null) {
      this.byContent.delete(this.content);
      this.byContent.set(this.content, { key, image });
      // The last few (each is at most the view's size).
      while (this.byContent.size > 4) this.byContent.delete(this.byContent.keys().next().value!);
    }
    return image;
  }

  override clear(): void {
    super.clear();
    this.byContent.clear();
    this.made = new WeakMap();
    this.maskKeys = new WeakMap();
  }

  /** Whether the proxy of the document-placed mask `m` at `info` is made already (at origin 0, 0). */
  hasMask(m: { left: number; top: number; width: number; height: number; data: object }, info: ProxyInfo): boolean {
    return this.maskKeys.get(m.data) === `${m.left},${m.top},${m.width}x${m.height}>${info.width}x${info.height}`;
  }

  private maskKeys = new WeakMap<object, string>();

  override mask(...args: Parameters<PreviewProxyCache['mask']>): ReturnType<PreviewProxyCache['mask']> {
    const [m, origin, info] = args;
    const out = super.mask(m, origin, info);
    this.maskKeys.set(m.data, `${m.left - origin[0]},${m.top - origin[1]},${m.width}x${m.height}>${info.width}x${info.height}`);
    return out;
  }

  /** Whether the proxy of `img` (content key `content`) at `info` is made already. */
  has(img: ProxyImage, info: ProxyInfo, content: string | null): boolean {
    const key = `${img.width}x${img.height}>${info.width}x${info.height}`;
    return (content !== null && this.byContent.get(content)?.key === key) || this.made.get(img.data)?.key === key;
  }

  /**
   * Make the proxy of `img` at `info` ahead, exactly as {@link image} would (`downscaleImage`: the
   * integer box average, then the fractional area average of that), but the box average — the one
   * pass over the document, ~180 ms of the page's thread for 48 MP — in bands of block rows of at
   * most {@link SLICE_MS} ms, the page's other work in between. `current`: whether `img` is still
   * the document's pixels (checked between bands: a change of them drops what was made).
   */
  async prepare(img: ProxyImage, info: ProxyInfo, current: () => boolean): Promise<void> {
    const key = `${img.width}x${img.height}>${info.width}x${info.height}`;
    const k = Math.floor(1 / Math.max(info.scaleX, info.scaleY) + 1e-9);
    if (k < 2) return;
    const w = Math.ceil(img.width / k), h = Math.ceil(img.height / k);
    const reduced = new Float32Array(w * h * 4);
    // Block rows are made independently of each other: a band's are those of the whole image. As
    // many block rows a band as the slice has time left for at the pace measured so far (the first
    // run before the code is optimised: a band of 1 MP then took ~80 ms), one to begin with.
    const most = Math.max(1, Math.floor((1 << 20) / Math.max(1, img.width * k)));
    let slice = performance.now(), msPerRow = 0;
    for (let by = 0; by < h;) {
      if (performance.now() - slice > SLICE_MS) {
        await yieldToPage();
        if (!current()) return;
        slice = performance.now();
      }
      const fit = msPerRow > 0 ? Math.floor((SLICE_MS - (performance.now() - slice)) / msPerRow) : 1;
      const band = Math.max(1, Math.min(most, fit, h - by));
      const top = by * k, height = Math.min(img.height - top, band * k);
      const t = performance.now();
      reduced.set(boxReduce(img, k, { left: 0, top, width: img.width, height }).data, by * w * 4);
      msPerRow = Math.max(1e-3, (performance.now() - t) / band);
      by += band;
    }
    await yieldToPage();
    if (!current()) return;
    // The fractional pass over the small image: downscaleImage's own (at scale·k it reduces by 1).
    const sx = info.scaleX * k, sy = info.scaleY * k;
    let image: ReturnType<PreviewProxyCache['image']>;
    if (sx === 1 && sy === 1) {
      const data = new Uint8ClampedArray(reduced.length);
      for (let i = 0; i < reduced.length; i++) data[i] = Math.round(reduced[i]!);
      image = { width: w, height: h, data };
    } else {
      image = downscaleImage({ width: w, height: h, data: reduced as unknown as Uint8Array }, { width: info.width, height: info.height, scaleX: sx, scaleY: sy });
    }
    this.made.set(img.data, { key, image });
    // (What the request makes next, the masks' proxies, in a task of its own.)
    await yieldToPage();
  }
}

