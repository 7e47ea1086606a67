/**
 * The Photopea host adapter (../shared/docs/HOSTS.md §2): reads the document with
 * `saveToOE("png")`, the selection by filling a temporary layer and exporting it, pen paths when
 * `pathItems` exists (feature-detected), and adds results with `app.open(dataURL, null, true)`
 * followed by a translate to the exact document position. Scripts are small ES5 snippets; every
 * temporary layer is removed in a `finally`.
 */
import type { PlacedMask, Point } from '@smartdrag/shared';
import { decodePng, encodePng } from '../util/png';
import { bytesToBase64, HostError, trimLayer, type HostAdapter, type HostDocument, type LayerPixels, type PlacedLayer } from './host-adapter';
import type { PhotopeaClient } from './photopea-client';

/** Name prefix of every temporary layer this adapter creates (and removes). */
export const TEMP_LAYER_PREFIX = '__smartdrag_tmp';

/** Script prelude: numbers out of UnitValues. */
const PX = 'function __px(v){return (v&&typeof v==="object"&&("value" in v))?Number(v.value):Number(v);}';

export interface PhotopeaHostOptions {
  /** Poll interval while waiting for `app.open` to add the layer (ms, default 50). */
  pollMs?: number;
  /** Give up waiting for the new layer after this long (ms, default 15000). */
  openTimeoutMs?: number;
}

/** Result of the feature probe. */
export interface PhotopeaDocInfo {
  name: string;
  width: number;
  height: number;
  layers: number;
  hasPaths: boolean;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Timeout for a call that exports the whole document: saveToOE of a 4K PNG takes seconds. */
function exportTimeoutMs(w: number, h: number): number {
  return 10000 + Math.ceil((w * h) / 1e6) * 3000;
}

/** {@link HostAdapter} over a {@link PhotopeaClient}. */
export class PhotopeaHost implements HostAdapter {
  readonly label = 'Photopea';
  readonly hasSelection = true;
  private info: PhotopeaDocInfo | null = null;
  private readonly pollMs: number;
  private readonly openTimeoutMs: number;

  constructor(
    private readonly client: PhotopeaClient,
    opts: PhotopeaHostOptions = {},
  ) {
    this.pollMs = opts.pollMs ?? 50;
    this.openTimeoutMs = opts.openTimeoutMs ?? 15000;
  }

  /** Size, name, layer count and whether `pathItems` exists. Throws `no_document`. */
  async probe(): Promise<PhotopeaDocInfo> {
    const info = await this.client.eval<PhotopeaDocInfo | null>(
      `${PX}var d=app.activeDocument;if(!d)return null;` +
        'var hp=false;try{hp=(typeof d.pathItems!=="undefined")&&d.pathItems!==null&&typeof d.pathItems.length==="number";}catch(e){hp=false;}' +
        'return {name:String(d.name),width:__px(d.width),height:__px(d.height),layers:d.layers.length,hasPaths:hp};',
    );
    if (!info) throw new HostError('no_document', 'Photopea has no open document', 'Open or create an image in Photopea first.');
    this.info = info;
    return info;
  }

  async readDocument(): Promise<HostDocument> {
    const info = await this.probe();
    const r = await this.client.call('app.activeDocument.saveToOE("png");', {
      expectBuffers: 1,
      timeoutMs: exportTimeoutMs(info.width, info.height),
    });
    const png = new Uint8Array(r.buffers[0]!);
    const rgba = await decodePng(png);
    // A 16-bit export was converted to 8 bits once in decodePng: send those pixels, not the file
    // (the bridge would otherwise read it at 16 bits and convert a second time).
    return { name: info.name, width: rgba.width, height: rgba.height, rgba, ...(rgba.sourceDepth === 16 ? {} : { png }) };
  }

  async readSelection(): Promise<PlacedMask | null> {
    const info = this.info ?? (await this.probe());
    const name = `${TEMP_LAYER_PREFIX}_mask`;
    // 1. Bounds; if any: a temporary layer filled white through the selection (alpha = coverage),
    //    every other top-level layer hidden (their visibility is returned for the restore).
    const setup = await this.client.eval<{ bounds: number[]; visible: boolean[] } | null>(
      `${PX}var d=app.activeDocument;var b=null;try{b=d.selection.bounds;}catch(e){b=null;}` +
        'if(!b)return null;var r=[__px(b[0]),__px(b[1]),__px(b[2]),__px(b[3])];' +
        'if(!(r[2]>r[0]&&r[3]>r[1]))return null;' +
        'var vis=[];for(var i=0;i<d.layers.length;i++)vis.push(d.layers[i].visible);' +
        `var l=d.artLayers.add();l.name=${JSON.stringify(name)};` +
        'try{var c=new SolidColor();c.rgb.red=255;c.rgb.green=255;c.rgb.blue=255;d.selection.fill(c);' +
        'for(var j=0;j<d.layers.length;j++){if(d.layers[j]!==l)d.layers[j].visible=false;}}' +
        'catch(e){l.remove();for(var k=0;k<vis.length;k++)d.layers[k].visible=vis[k];throw e;}' +
        'return {bounds:r,visible:vis};',
    );
    if (!setup) return null;
    let png: Uint8Array;
    try {
      // 2. Export the temporary layer alone.
      const r = await this.client.call('app.activeDocument.saveToOE("png");', {
        expectBuffers: 1,
        timeoutMs: exportTimeoutMs(info.width, info.height),
      });
      png = new Uint8Array(r.buffers[0]!);
    } finally {
      // 3. Always: remove the temporary layer(s) and restore visibility.
      await this.removeTempLayers(setup.visible);
    }
    const img = await decodePng(png);
    const [l, t, rr, bb] = setup.bounds.map((v) => Math.round(v)) as [number, number, number, number];
    const left = Math.max(0, l), top = Math.max(0, t);
    const width = Math.min(img.width, rr) - left, height = Math.min(img.height, bb) - top;
    if (width <= 0 || height <= 0) return null;
    const data = new Uint8Array(width * height);
    let any = 0;
    for (let y = 0; y < height; y++) {
      const row = ((top + y) * img.width + left) * 4;
      for (let x = 0; x < width; x++) {
        const i = row + x * 4;
        // White over transparent: alpha is the coverage. If a host flattened onto black, red is.
        const v = Math.round((img.data[i]! * img.data[i + 3]!) / 255);
        data[y * width + x] = v;
        if (v > 0) any++;
      }
    }
    if (any === 0) {
      throw new HostError('selection_export_failed', 'the exported selection mask is empty',
        'Make the selection again (Select ▸ Deselect, then select), and check no layer is locked.');
    }
    const corner = Math.round((img.data[0]! * img.data[3]!) / 255);
    if (corner === 255 && (left > 0 || top > 0)) {
      // A pixel outside the selection came back white: the host flattened the mask onto white.
      throw new HostError('selection_export_failed', 'the exported selection mask came back all white',
        'Photopea flattened the mask; try again, or draw the region as a lasso in the panel.');
    }
    return { left, top, width, height, data };
  }

  async readPaths(): Promise<Point[][] | null> {
    const info = this.info ?? (await this.probe());
    if (!info.hasPaths) return null;
    return this.client.eval<Point[][]>(
      `${PX}var d=app.activeDocument;var out=[];` +
        'for(var i=0;i<d.pathItems.length;i++){var p=d.pathItems[i];if(!p.subPathItems)continue;' +
        'for(var j=0;j<p.subPathItems.length;j++){var s=p.subPathItems[j];if(s.closed)continue;var pts=[];' +
        'for(var k=0;k<s.pathPoints.length;k++){var a=s.pathPoints[k].anchor;pts.push([__px(a[0]),__px(a[1])]);}' +
        'if(pts.length>=2)out.push(pts);}}return out;',
    );
  }

  async addLayer(layer: LayerPixels, name: string): Promise<PlacedLayer> {
    const trimmed = trimLayer(layer);
    if (!trimmed) throw new HostError('layer_placement_failed', 'the result layer is fully transparent', 'Nothing changed; try a longer arrow.');
    const png = await encodePng(trimmed);
    const url = 'data:image/png;base64,' + bytesToBase64(png);
    // Paste at top level: make a top-level, non-group layer active first.
    const before = await this.client.eval<number>(
      'var d=app.activeDocument;for(var i=0;i<d.layers.length;i++){var L=d.layers[i];' +
        'if(L.typename!=="LayerSet"&&String(L.name).indexOf(' + JSON.stringify(TEMP_LAYER_PREFIX) + ')!==0){d.activeLayer=L;break;}}' +
        'return d.layers.length;',
    );
    await this.client.eval(`app.open(${JSON.stringify(url)},null,true);`, { timeoutMs: 30000 });
    // app.open is asynchronous: poll the layer count.
    const deadline = Date.now() + this.openTimeoutMs;
    for (;;) {
      const n = await this.client.eval<number>('return app.activeDocument.layers.length;');
      if (n > before) break;
      if (Date.now() > deadline) {
        throw new HostError('layer_placement_failed', 'Photopea did not add the result layer',
          'Photopea may have blocked the image; try again, or check the browser console.');
      }
      await sleep(this.pollMs);
    }
    // It lands centred: translate by the difference of its visible bounds to the target.
    const placed = await this.client.eval<number[]>(
      `${PX}var l=app.activeDocument.activeLayer;var b=l.bounds;` +
        `var dx=${trimmed.left}-__px(b[0]),dy=${trimmed.top}-__px(b[1]);if(dx!==0||dy!==0)l.translate(dx,dy);` +
        `l.name=${JSON.stringify(name)};b=l.bounds;return [__px(b[0]),__px(b[1]),__px(b[2]),__px(b[3])];`,
    );
    const [pl, pt, pr, pb] = placed as [number, number, number, number];
    if (pl !== trimmed.left || pt !== trimmed.top || pr - pl !== trimmed.width || pb - pt !== trimmed.height) {
      throw new HostError('layer_placement_failed',
        `the layer landed at (${pl},${pt}) ${pr - pl}×${pb - pt}, expected (${trimmed.left},${trimmed.top}) ${trimmed.width}×${trimmed.height}`,
        'Check the document is not scaled on paste (Edit ▸ Preferences).');
    }
    return { name, left: pl, top: pt, width: pr - pl, height: pb - pt };
  }

  async cleanup(): Promise<void> {
    await this.removeTempLayers(null);
  }

  /** Remove every layer named with {@link TEMP_LAYER_PREFIX}; then restore top-level visibility if given. */
  private async removeTempLayers(visible: boolean[] | null): Promise<void> {
    await this.client.eval(
      'var d=app.activeDocument;if(!d)return 0;var n=0;' +
        `for(var i=d.layers.length-1;i>=0;i--){var L=d.layers[i];if(String(L.name).indexOf(${JSON.stringify(TEMP_LAYER_PREFIX)})===0){L.remove();n++;}}` +
        `var vis=${JSON.stringify(visible)};if(vis){for(var k=0;k<vis.length&&k<d.layers.length;k++)d.layers[k].visible=vis[k];}` +
        'return n;',
    );
  }
}
