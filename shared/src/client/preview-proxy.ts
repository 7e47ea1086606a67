/**
 * Host side of a preview at display resolution: instead of sending the whole document and letting
 * the bridge make a ≤ 1 MP proxy of it for every preview (a full pass over the document per job,
 * plus the upload), a host makes the proxy once — the same area average the bridge would make —
 * and sends it with `proxyOf` (job.submit). The proxy and the selection masks' proxies are kept
 * in a {@link PreviewProxyCache} while the document and the selection stay the same, so the
 * previews of one drag cost only the edit on the proxy.
 */
import type { PlacedMask } from '../geometry';
import { downscaleImage, downscalePlacedMask, proxyInfoFor, type ProxyImage } from '../proxy';
import type { ProxyInfo } from '../protocol/messages';
import type { KeepInput, MaskInput, RawImageInput, RegionInput, SubmitInput } from './bridge-client';

/**
 * Remembers the last proxy of each image and of each mask, by identity of their pixel arrays (a
 * host that changes pixels in place must call {@link PreviewProxyCache.clear}).
 */
export class PreviewProxyCache {
  private images = new WeakMap<object, { key: string; image: RawImageInput }>();
  private masks = new WeakMap<object, { key: string; mask: MaskInput }>();

  image(img: ProxyImage, info: ProxyInfo): RawImageInput {
    const key = `${img.width}x${img.height}>${info.width}x${info.height}`;
    const hit = this.images.get(img.data);
    if (hit && hit.key === key) return hit.image;
    const image = downscaleImage(img, info);
    this.images.set(img.data, { key, image });
    return image;
  }

  /** A document-placed mask in the pixels of a proxy whose image sits at `origin` in the document. */
  mask(m: MaskInput, origin: readonly [number, number], info: ProxyInfo): MaskInput {
    const key = `${m.left - origin[0]},${m.top - origin[1]},${m.width}x${m.height}>${info.width}x${info.height}`;
    const hit = this.masks.get(m.data);
    if (hit && hit.key === key) return hit.mask;
    const local: PlacedMask = { left: m.left - origin[0], top: m.top - origin[1], width: m.width, height: m.height, data: m.data instanceof Uint8Array ? m.data : new Uint8Array(m.data.buffer, m.data.byteOffset, m.data.byteLength) };
    const mask = downscalePlacedMask(local, info);
    this.masks.set(m.data, { key, mask });
    return mask;
  }

  clear(): void {
    this.images = new WeakMap();
    this.masks = new WeakMap();
  }
}

/**
 * The preview job a host sends when it makes the proxy itself: `input` (a preview with a raw
 * image, document-pixel masks) becomes the same job on a proxy of at most `maxPixels` pixels,
 * with `proxyOf` set. Returns null when the bridge would not use a proxy either (final quality, a
 * PNG image, or an image within about 4× of the budget), so the host sends `input` as it is.
 */
export function previewProxyInput(input: SubmitInput, maxPixels: number, cache: PreviewProxyCache = new PreviewProxyCache()): SubmitInput | null {
  if (input.quality !== 'preview' || 'png' in input.image) return null;
  const img = input.image;
  const info = proxyInfoFor(img.width, img.height, maxPixels);
  if (!(info.scaleX <= 0.5 && info.scaleY <= 0.5)) return null;
  const origin = input.imageOrigin ?? [0, 0];
  const regions: RegionInput[] = input.regions.map((r) => ('mask' in r ? { id: r.id, mask: cache.mask(r.mask, origin, info) } : r));
  const keep: KeepInput[] | undefined = input.keep?.map((k) => (!Array.isArray(k) && 'mask' in k ? { mask: cache.mask(k.mask, origin, info) } : k));
  const { previewMaxPixels: _ignored, ...rest } = input;
  return { ...rest, image: cache.image(img, info), regions, ...(keep ? { keep } : {}), proxyOf: { width: img.width, height: img.height } };
}
