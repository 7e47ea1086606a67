/**
 * The Photopea host adapter (../shared/docs/HOSTS.md §2): reads the document with
 * `saveToOE("png")`, the selection by filling a temporary layer and exporting it, pen paths when
 * `pathItems` exists (feature-detected), and adds results with `app.open(dataURL, null, true)`
 * followed by a translate to the exact document position. Scripts are small ES5 snippets; every
 * temporary layer is removed in a `finally`.
 *
 * `saveToOE` exports the whole document only, and on a 24 MP document its PNG encoding takes
 * seconds. So an area (the selection's box, the added layer's box) is read from a temporary
 * duplicate cropped to it (`duplicate()`, `crop([l,t,r,b])`, `close()` — Photoshop's DOM, which
 * Photopea follows; `crop` is confirmed in photopea/photopea#2581), closed in a `finally`; where
 * the document has no `duplicate`/`crop`, or that fails, the whole document is exported as before.
 */
import type { PlacedMask, Point, Rect } from '@smartdrag/shared';
import { decodePng, encodePng } from '../util/png';
import { bytesToBase64, HostError, trimLayer, type HostAdapter, type HostDocument, type LayerPixels, type PlacedLayer, type RgbaPixels } from './host-adapter';
import type { PhotopeaClient } from './photopea-client';

/** Name prefix of every temporary layer (and temporary duplicate document) this adapter creates (and removes). */
export const TEMP_LAYER_PREFIX = '__smartdrag_tmp';

/**
 * Script prelude.
 * - `__px(v)`: pixels out of a number or a UnitValue in any ruler unit (via the document's
 *   resolution), so a user whose rulers are in cm gets the same pixels.
 * - `__units()` / `__unitsBack(s)`: switch `app.preferences.rulerUnits` to pixels for the script
 *   (so `translate` moves by pixels, as in Photoshop's DOM) and back; no-ops where absent.
 * - Layer groups (Photoshop DOM `LayerSet`, with its own `layers`): `__all` (every layer, depth
 *   first), `__vs`/`__vr` (snapshot/restore the visibility of the whole tree), `__solo(c,l)` (show
 *   only `l` and the groups holding it), `__rm(c,prefix)` (remove matching layers at any depth).
 */
const PX =
  'function __px(v){if(v&&typeof v==="object"&&("value" in v)){var t=String(v.type||"px").toLowerCase(),n=Number(v.value);' +
  'if(t==="px"||t==="pixels")return n;var k={"in":1,"inches":1,"cm":2.54,"mm":25.4,"pt":72,"points":72,"pc":6,"picas":6}[t];' +
  'if(!k)throw new Error("unsupported ruler unit "+t);var r=Number(app.activeDocument.resolution)||72;return n/k*r;}return Number(v);}' +
  'function __units(){try{if(app.preferences&&typeof Units!=="undefined"&&Units.PIXELS!==undefined){var u=app.preferences.rulerUnits;' +
  'if(u!==Units.PIXELS)app.preferences.rulerUnits=Units.PIXELS;return {u:u};}}catch(e){}return null;}' +
  'function __unitsBack(s){if(s&&s.u!==Units.PIXELS){try{app.preferences.rulerUnits=s.u;}catch(e){}}}' +
  'function __isSet(L){return L.typename==="LayerSet"&&L.layers;}' +
  'function __all(c,o){for(var i=0;i<c.layers.length;i++){var L=c.layers[i];o.push(L);if(__isSet(L))__all(L,o);}return o;}' +
  'function __vs(c){var r=[];for(var i=0;i<c.layers.length;i++){var L=c.layers[i];r.push([L.visible,__isSet(L)?__vs(L):null]);}return r;}' +
  'function __vr(c,s){for(var i=0;i<s.length&&i<c.layers.length;i++){var L=c.layers[i];if(L.visible!==s[i][0])L.visible=s[i][0];if(s[i][1]&&__isSet(L))__vr(L,s[i][1]);}}' +
  'function __has(c,l){for(var i=0;i<c.layers.length;i++){var L=c.layers[i];if(L===l||(__isSet(L)&&__has(L,l)))return true;}return false;}' +
  'function __solo(c,l){for(var i=0;i<c.layers.length;i++){var L=c.layers[i];if(L===l){if(!L.visible)L.visible=true;}' +
  'else if(__isSet(L)&&__has(L,l)){if(!L.visible)L.visible=true;__solo(L,l);}else if(L.visible)L.visible=false;}}' +
  'function __rm(c,p){var n=0;for(var i=c.layers.length-1;i>=0;i--){var L=c.layers[i];if(String(L.name).indexOf(p)===0){L.remove();n++;}else if(__isSet(L))n+=__rm(L,p);}return n;}';

/** `close()`'s argument: Photoshop DOM `SaveOptions.DONOTSAVECHANGES` (2 where the enum is absent). */
const NO_SAVE = 'typeof SaveOptions!=="undefined"?SaveOptions.DONOTSAVECHANGES:2';

/** Close temporary duplicates (named with {@link TEMP_LAYER_PREFIX}) left active by a failed area export. */
const CLOSE_TEMP_DOCS =
  'var d=app.activeDocument;for(var i=0;i<4&&d&&typeof d.close==="function"&&String(d.name).indexOf(' + JSON.stringify(TEMP_LAYER_PREFIX) + ')===0;i++){' +
  `d.close(${NO_SAVE});d=app.activeDocument;}return true;`;

/** A script body run with pixel ruler units (restored afterwards, also on error). */
function inPx(body: string): string {
  return `${PX}var __u=__units();try{${body}}finally{__unitsBack(__u);}`;
}

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
  /** Whether the document has `duplicate`, `crop` and `close`, so an area can be exported alone. */
  canArea: boolean;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Timeout for a call that exports the whole document: saveToOE of a 4K PNG takes seconds. */
function exportTimeoutMs(w: number, h: number): number {
  return 10000 + Math.ceil((w * h) / 1e6) * 3000;
}

/** A script expression (after {@link PX}, `d` = the active document): whether `d` is `doc` by name and size. */
function sameDocScript(doc: Pick<HostDocument, 'name' | 'width' | 'height'>): string {
  return `String(d.name)===${JSON.stringify(doc.name)}&&Math.round(__px(d.width))===${doc.width}&&Math.round(__px(d.height))===${doc.height}`;
}

/** The refusal when another document (or none) is active than the one the result was made from. */
function documentChanged(from: Pick<HostDocument, 'name'> | undefined, other: string): HostError {
  if (!from) return new HostError('no_document', 'Photopea has no open document', 'Open the document the edit was made on, and press Smart Drag again.');
  return new HostError('document_changed',
    other ? `the edit was made on "${from.name}", but "${other}" is the active document now` : `the edit was made on "${from.name}", which is no longer open`,
    `Nothing was added. Switch back to "${from.name}" in Photopea and press Smart Drag again.`);
}

/** {@link HostAdapter} over a {@link PhotopeaClient}. */
export class PhotopeaHost implements HostAdapter {
  readonly label = 'Photopea';
  readonly hasSelection = true;
  private info: PhotopeaDocInfo | null = null;
  private readonly pollMs: number;
  private readonly openTimeoutMs: number;
  /** Set when an area export failed once: from then on this session exports the whole document. */
  private areaFailed = false;

  constructor(
    private readonly client: PhotopeaClient,
    opts: PhotopeaHostOptions = {},
  ) {
    this.pollMs = opts.pollMs ?? 50;
    this.openTimeoutMs = opts.openTimeoutMs ?? 15000;
  }

  /** Size, name, layer count and whether `pathItems` exists. Throws `no_document`. */
  async probe(): Promise<PhotopeaDocInfo> {
    const info = await this.client.eval<PhotopeaDocInfo | null>(inPx(
      'var d=app.activeDocument;if(!d)return null;' +
        'var hp=false;try{hp=(typeof d.pathItems!=="undefined")&&d.pathItems!==null&&typeof d.pathItems.length==="number";}catch(e){hp=false;}' +
        'var ca=typeof d.duplicate==="function"&&typeof d.crop==="function"&&typeof d.close==="function";' +
        'return {name:String(d.name),width:Math.round(__px(d.width)),height:Math.round(__px(d.height)),layers:__all(d,[]).length,hasPaths:hp,canArea:ca};',
    ));
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
    //    every other layer hidden, at any depth — the temporary layer may land inside a group
    //    (above the active layer), so the groups holding it stay visible. The visibility of the
    //    whole layer tree is returned for the restore.
    const setup = await this.client.eval<{ bounds: number[]; visible: unknown[] } | null>(inPx(
      'var d=app.activeDocument;var b=null;try{b=d.selection.bounds;}catch(e){b=null;}' +
        'if(!b)return null;var r=[Math.round(__px(b[0])),Math.round(__px(b[1])),Math.round(__px(b[2])),Math.round(__px(b[3]))];' +
        'if(!(r[2]>r[0]&&r[3]>r[1]))return null;' +
        'var vis=__vs(d);var a=d.activeLayer;' +
        'if(a&&__isSet(a)){var arts=__all(a,[]);for(var q=0;q<arts.length;q++){if(!__isSet(arts[q])){d.activeLayer=arts[q];break;}}}' +
        `var l=d.artLayers.add();l.name=${JSON.stringify(name)};` +
        'try{var c=new SolidColor();c.rgb.red=255;c.rgb.green=255;c.rgb.blue=255;d.selection.fill(c);__solo(d,l);}' +
        'catch(e){l.remove();__vr(d,vis);throw e;}' +
        'return {bounds:r,visible:vis};',
    ));
    if (!setup) return null;
    const [l, t, rr, bb] = setup.bounds.map((v) => Math.round(v)) as [number, number, number, number];
    let png: Uint8Array | null = null;
    // Where the exported image starts in the document (an area export starts at its crop).
    let ox = 0, oy = 0;
    try {
      // 2. Export the temporary layer alone: only the selection's box plus a 1 px margin where the
      //    document allows (a pixel outside the selection is what tells a mask flattened onto
      //    white), else the whole document.
      const area = { left: Math.max(0, l - 1), top: Math.max(0, t - 1), right: Math.min(info.width, rr + 1), bottom: Math.min(info.height, bb + 1) };
      if (area.right > area.left && area.bottom > area.top) {
        png = await this.exportArea(info, area);
        if (png) { ox = area.left; oy = area.top; }
      }
      if (!png) {
        const r = await this.client.call('app.activeDocument.saveToOE("png");', {
          expectBuffers: 1,
          timeoutMs: exportTimeoutMs(info.width, info.height),
        });
        png = new Uint8Array(r.buffers[0]!);
      }
    } finally {
      // 3. Always: remove the temporary layer(s) and restore visibility.
      await this.removeTempLayers(setup.visible);
    }
    const img = await decodePng(png);
    const left = Math.max(ox, l), top = Math.max(oy, t);
    const width = Math.min(ox + img.width, rr) - left, height = Math.min(oy + img.height, bb) - top;
    if (width <= 0 || height <= 0) return null;
    const data = new Uint8Array(width * height);
    let any = 0;
    for (let y = 0; y < height; y++) {
      const row = ((top - oy + y) * img.width + (left - ox)) * 4;
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
    // The export's first pixel, at (ox, oy): outside the selection's box when that starts further in.
    const corner = Math.round((img.data[0]! * img.data[3]!) / 255);
    if (corner === 255 && (ox < left || oy < top)) {
      // A pixel outside the selection came back white: the host flattened the mask onto white.
      throw new HostError('selection_export_failed', 'the exported selection mask came back all white',
        'Photopea flattened the mask; try again, or draw the region as a lasso in the panel.');
    }
    return { left, top, width, height, data };
  }

  /**
   * The document's composite in `rect` (document pixels, inside the document) as a PNG, exported
   * from a temporary duplicate cropped to it; null where the document cannot (no `duplicate`/`crop`,
   * or it failed once: the caller exports the whole document). The duplicate is closed and the
   * document made active again in the script's `finally`; should that fail too, a duplicate left
   * active is closed by name before anything else runs.
   */
  private async exportArea(info: PhotopeaDocInfo, rect: { left: number; top: number; right: number; bottom: number }): Promise<Uint8Array | null> {
    if (!info.canArea || this.areaFailed) return null;
    const name = `${TEMP_LAYER_PREFIX}_area`;
    try {
      // The duplicate is of the whole document: the call gets the whole document's time.
      const r = await this.client.call(inPx(
        'var d=app.activeDocument;' +
          `var c=d.duplicate(${JSON.stringify(name)});` +
          `try{c.crop([${rect.left},${rect.top},${rect.right},${rect.bottom}]);c.saveToOE("png");}` +
          `finally{try{c.close(${NO_SAVE});}finally{if(app.activeDocument!==d)app.activeDocument=d;}}` +
          'return true;',
      ), { expectBuffers: 1, timeoutMs: exportTimeoutMs(info.width, info.height) });
      return new Uint8Array(r.buffers[0]!);
    } catch {
      this.areaFailed = true;
      await this.client.eval(CLOSE_TEMP_DOCS).catch(() => undefined);
      return null;
    }
  }

  /**
   * The composite of `rect` (clipped to the document) of the document `from` — after a result
   * layer was added, its box is all that changed. Null where only the whole document can be read
   * (or another document is active now): the caller reads it all.
   */
  async readArea(rect: Rect, from?: HostDocument): Promise<RgbaPixels | null> {
    const info = await this.probe();
    if (from && !(info.name === from.name && info.width === from.width && info.height === from.height)) return null;
    const area = {
      left: Math.max(0, rect.left), top: Math.max(0, rect.top),
      right: Math.min(info.width, rect.left + rect.width), bottom: Math.min(info.height, rect.top + rect.height),
    };
    if (!(area.right > area.left && area.bottom > area.top)) return null;
    const png = await this.exportArea(info, area);
    if (!png) return null;
    const img = await decodePng(png);
    if (img.width !== area.right - area.left || img.height !== area.bottom - area.top) return null;
    return { width: img.width, height: img.height, data: img.data };
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

  async addLayer(layer: LayerPixels, name: string, from?: HostDocument): Promise<PlacedLayer> {
    const trimmed = trimLayer(layer);
    if (!trimmed) throw new HostError('layer_placement_failed', 'the result layer is fully transparent', 'Nothing changed; try a longer arrow.');
    const png = await encodePng(trimmed);
    const url = 'data:image/png;base64,' + bytesToBase64(png);
    // Only into the document the edit was read from: the user may have switched documents while it
    // ran. Photopea's scripting names no document id, so name and size tell them apart; checked
    // by the script that touches the document first and again by the one that pastes.
    const same = from ? sameDocScript(from) : 'true';
    // The paste lands above the active layer, inside its group if it is in one (every layer of
    // some documents is). Only when no usable art layer is active, pick the topmost one.
    const before = await this.client.eval<number | { other: string }>(
      PX + `var d=app.activeDocument;if(!d||!(${same}))return {other:d?String(d.name):""};` +
        'var a=d.activeLayer;var tmp=' + JSON.stringify(TEMP_LAYER_PREFIX) + ';' +
        'if(!a||__isSet(a)||String(a.name).indexOf(tmp)===0){var all=__all(d,[]);for(var i=0;i<all.length;i++){var L=all[i];' +
        'if(!__isSet(L)&&String(L.name).indexOf(tmp)!==0){d.activeLayer=L;break;}}}' +
        'return __all(d,[]).length;',
    );
    if (typeof before !== 'number') throw documentChanged(from, before.other);
    const pasted = await this.client.eval<true | { other: string }>(
      PX + `var d=app.activeDocument;if(!d||!(${same}))return {other:d?String(d.name):""};app.open(${JSON.stringify(url)},null,true);return true;`,
      { timeoutMs: 30000 },
    );
    if (pasted !== true) throw documentChanged(from, pasted.other);
    // app.open is asynchronous: poll the layer count.
    const deadline = Date.now() + this.openTimeoutMs;
    for (;;) {
      const n = await this.client.eval<number>(PX + 'return __all(app.activeDocument,[]).length;');
      if (n > before) break;
      if (Date.now() > deadline) {
        throw new HostError('layer_placement_failed', 'Photopea did not add the result layer',
          'Photopea may have blocked the image; try again, or check the browser console.');
      }
      await sleep(this.pollMs);
    }
    // It lands centred: translate by the difference of its visible bounds to the target. Also
    // say whether it is a plain top layer (see PlacedLayer.plainTop): the document's first
    // top-level layer, visible, Normal at 100 % opacity (and fill), not clipped, in an RGB
    // document; where a property cannot be read it is not.
    const placed = await this.client.eval<[number, number, number, number, boolean]>(inPx(
      'var d=app.activeDocument;var l=d.activeLayer;var b=l.bounds;' +
        `var dx=${trimmed.left}-Math.round(__px(b[0])),dy=${trimmed.top}-Math.round(__px(b[1]));if(dx!==0||dy!==0)l.translate(dx,dy);` +
        `l.name=${JSON.stringify(name)};b=l.bounds;` +
        'var pt=false;try{pt=l.parent===d&&d.layers[0]===l&&l.visible===true&&Number(l.opacity)===100' +
        '&&(l.fillOpacity===undefined||Number(l.fillOpacity)===100)&&l.grouped!==true' +
        '&&typeof BlendMode!=="undefined"&&l.blendMode===BlendMode.NORMAL' +
        '&&(typeof DocumentMode==="undefined"||d.mode===undefined||d.mode===DocumentMode.RGB);}catch(e){pt=false;}' +
        'return [Math.round(__px(b[0])),Math.round(__px(b[1])),Math.round(__px(b[2])),Math.round(__px(b[3])),pt];',
    ));
    const [pl, pt, pr, pb, plainTop] = placed;
    if (pl !== trimmed.left || pt !== trimmed.top || pr - pl !== trimmed.width || pb - pt !== trimmed.height) {
      throw new HostError('layer_placement_failed',
        `the layer landed at (${pl},${pt}) ${pr - pl}×${pb - pt}, expected (${trimmed.left},${trimmed.top}) ${trimmed.width}×${trimmed.height}`,
        'Check the document is not scaled on paste (Edit ▸ Preferences).');
    }
    return { name, left: pl, top: pt, width: pr - pl, height: pb - pt, plainTop };
  }

  async cleanup(): Promise<void> {
    // A duplicate an area export of a crashed session left open (and active) goes first.
    await this.client.eval(CLOSE_TEMP_DOCS);
    await this.removeTempLayers(null);
  }

  /** Remove every layer named with {@link TEMP_LAYER_PREFIX} (at any depth); then restore the visibility snapshot if given. */
  private async removeTempLayers(visible: unknown[] | null): Promise<void> {
    await this.client.eval(
      PX + 'var d=app.activeDocument;if(!d)return 0;' +
        `var n=__rm(d,${JSON.stringify(TEMP_LAYER_PREFIX)});` +
        `var vis=${JSON.stringify(visible)};if(vis)__vr(d,vis);` +
        'return n;',
    );
  }
}
