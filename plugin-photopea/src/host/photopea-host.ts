/**
 * The Photopea host adapter (../shared/docs/HOSTS.md §2): reads the document with
 * `saveToOE("png")`, the selection by filling a temporary layer and exporting it, pen paths when
 * `pathItems` exists (feature-detected), and adds results with `app.open(dataURL, null, true)`
 * followed by a translate to the exact document position.
 *
 * Scripts are small ES5 snippets, and every change a script makes to the document for a read is
 * undone by the same script (in a `finally`): Photopea runs one script at a time and a script
 * cannot be interrupted, so even a script that runs after the plugin gave up on it (Photopea was
 * busy) leaves the document as it found it. Nothing is restored by a later script.
 *
 * `saveToOE` exports the whole document only, and on a 24 MP document its PNG encoding takes
 * seconds. So an area (the selection's box, the added layer's box) is read from a temporary
 * duplicate cropped to it (`duplicate()`, `crop([l,t,r,b])`, `close()` — Photoshop's DOM, which
 * Photopea follows; `crop` is confirmed in photopea/photopea#2581), closed in a `finally`; where
 * the document has no `duplicate`/`crop`, or that fails, the whole document is exported as before.
 *
 * History (HOSTS.md §2.3): Photopea makes a step of every change a script makes, and has no
 * working `suspendHistory` to group them (photopea/photopea#5862; #8142: "would be too hard to
 * implement"). So the adapter changes the user's document as little as it can: the selection is
 * made into a mask inside the temporary duplicate where that carries the selection (no step in the
 * document), and the result is pasted where it needs no move when it can (padded so that the
 * centred paste lands in place): one Smart Drag is the paste and its rename.
 */
import type { PlacedMask, Point, Rect } from '@smartdrag/shared';
import { decodePng, encodePng } from '../util/png';
import { bytesToBase64, HostError, trimLayer, type HostAdapter, type HostDocState, type HostDocument, type LayerPixels, type PlacedLayer, type RgbaPixels } from './host-adapter';
import { arrowsOfPaths, type ReadPath } from './paths-to-arrows';
import { PhotopeaError, type PhotopeaClient } from './photopea-client';

/** Name prefix of every temporary layer (and temporary duplicate document) this adapter creates (and removes). */
export const TEMP_LAYER_PREFIX = '__smartdrag_tmp';
const TMP = JSON.stringify(TEMP_LAYER_PREFIX);

/**
 * Script prelude.
 * - `__px(v)`: pixels out of a number or a UnitValue in any ruler unit (via the document's
 *   resolution), so a user whose rulers are in cm gets the same pixels.
 * - `__units()` / `__unitsBack(s)`: switch `app.preferences.rulerUnits` to pixels for the script
 *   (so `translate` moves by pixels, as in Photoshop's DOM) and back; no-ops where absent.
 * - Layer groups (Photoshop DOM `LayerSet`, with its own `layers`): `__all` (every layer, depth
 *   first), `__solo(c,l)` (show only `l` and the groups holding it), `__rm(c,prefix)` (remove
 *   matching layers at any depth).
 * - `__b(L)`: a layer's bounds in pixels, `__sig(L)`: its name and bounds (how a layer is told
 *   apart across scripts: Photopea's scripting has no layer ids).
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
  'function __has(c,l){for(var i=0;i<c.layers.length;i++){var L=c.layers[i];if(L===l||(__isSet(L)&&__has(L,l)))return true;}return false;}' +
  'function __solo(c,l){for(var i=0;i<c.layers.length;i++){var L=c.layers[i];if(L===l){if(!L.visible)L.visible=true;}' +
  'else if(__isSet(L)&&__has(L,l)){if(!L.visible)L.visible=true;__solo(L,l);}else if(L.visible)L.visible=false;}}' +
  'function __rm(c,p){var n=0;for(var i=c.layers.length-1;i>=0;i--){var L=c.layers[i];if(String(L.name).indexOf(p)===0){L.remove();n++;}else if(__isSet(L))n+=__rm(L,p);}return n;}' +
  'function __b(L){var b=L.bounds;return [Math.round(__px(b[0])),Math.round(__px(b[1])),Math.round(__px(b[2])),Math.round(__px(b[3]))];}' +
  'function __sig(L){return String(L.name)+"|"+__b(L).join(",");}';

/**
 * `__docSig(d)`: the document's change signature, read without exporting anything: every layer's
 * and group's name, bounds, kind, visibility, opacity, fill, blend mode, clipping and depth, the
 * selection's bounds, and — where the document has them (Photoshop DOM `historyStates` /
 * `activeHistoryState`; VERIFY in Photopea) — the number of history states and which is active,
 * so an edit inside a layer's bounds and an Undo of it change it too. Temporary layers are left out.
 */
const DOC_SIG =
  'function __docSig(d){var all=__all(d,[]),s=[];for(var i=0;i<all.length;i++){var L=all[i];' +
  `if(String(L.name).indexOf(${TMP})===0)continue;var o="";` +
  'try{o=[L.typename,L.visible?1:0,L.opacity,L.fillOpacity,String(L.blendMode),L.grouped?1:0,L.parent===d?0:String(L.parent.name)].join(",");}catch(e){o="?";}' +
  's.push(__sig(L)+"|"+o);}' +
  'var sb="";try{var b=d.selection.bounds;if(b)sb=[__px(b[0]),__px(b[1]),__px(b[2]),__px(b[3])].join(",");}catch(e){sb="";}' +
  'var h="";try{var H=d.historyStates;if(H&&typeof H.length==="number"){var a=d.activeHistoryState,k=-1;' +
  'for(var j=0;j<H.length;j++)if(H[j]===a){k=j;break;}h=H.length+":"+k+":"+(a?String(a.name):"");}}catch(e){h="";}' +
  'return all.length+"L;"+s.join(";")+"#"+sb+"#"+h;}';

/** `close()`'s argument: Photoshop DOM `SaveOptions.DONOTSAVECHANGES` (2 where the enum is absent). */
const NO_SAVE = 'typeof SaveOptions!=="undefined"?SaveOptions.DONOTSAVECHANGES:2';

/** Close temporary duplicates (named with {@link TEMP_LAYER_PREFIX}) left active by a failed area export. */
const CLOSE_TEMP_DOCS =
  `var d=app.activeDocument;for(var i=0;i<4&&d&&typeof d.close==="function"&&String(d.name).indexOf(${TMP})===0;i++){` +
  `d.close(${NO_SAVE});d=app.activeDocument;}`;

/** A script body run with pixel ruler units (restored afterwards, also on error). */
function inPx(body: string): string {
  return `${PX}var __u=__units();try{${body}}finally{__unitsBack(__u);}`;
}

/**
 * Waits and timeouts. Photopea's time for a script grows with the document (its PNG export, a
 * duplicate, a composite), so every script that touches the whole document gets
 * `scriptMs + perMpMs` per started megapixel; `app.open`'s layer is waited for `openMs` plus the
 * same per megapixel of the document and of the pasted image.
 */
export interface PhotopeaTiming {
  /** Base timeout of a script that touches the document (ms). */
  scriptMs: number;
  /** Added per started megapixel of the document (and of a pasted image) (ms). */
  perMpMs: number;
  /** Base wait for the pasted layer to appear (ms). */
  openMs: number;
  /** Poll interval while waiting for it (ms). */
  pollMs: number;
  /** After a failure, how long a result layer that still arrives is watched for, and removed (ms). */
  lateWindowMs: number;
  /** Poll interval of that watch (ms). */
  latePollMs: number;
}

export const DEFAULT_TIMING: PhotopeaTiming = { scriptMs: 10000, perMpMs: 3000, openMs: 15000, pollMs: 50, lateWindowMs: 120000, latePollMs: 500 };

export interface PhotopeaHostOptions {
  timing?: Partial<PhotopeaTiming>;
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
  /** Its change signature ({@link DOC_SIG}). */
  sig: string;
}

/** How a pasted result is recognised in later scripts (no layer ids in Photopea's scripting). */
interface PasteMark {
  /** `__sig` of every art layer before the paste (a multiset): the new layer is not among them. */
  before: string[];
  /** Its visible size (the trimmed result's). */
  width: number;
  height: number;
  /** Where it may land: in place (padded paste) or centred (a host that centres by visible bounds). */
  at: [number, number][];
  /** The document it goes into. */
  doc: Pick<HostDocument, 'name' | 'width' | 'height'>;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const mp = (w: number, h: number): number => Math.ceil((w * h) / 1e6);

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

/**
 * Script statements (after {@link PX}, `d` = the document) that set `L` to the pasted layer of
 * `mark` — the one art layer that is new since the paste (not among `mark.before`) and of the
 * result's size (where several are, the one where the result lands) — or null; `__n` = how many
 * there were. A layer the user added meanwhile (another size, or not where ours lands) is never it.
 */
function findPasted(mark: PasteMark): string {
  return `var __seen={},__bf=${JSON.stringify(mark.before)};for(var i=0;i<__bf.length;i++)__seen[__bf[i]]=(__seen[__bf[i]]||0)+1;` +
    `var __at=${JSON.stringify(mark.at)},__c=[],__all0=__all(d,[]);` +
    'for(var i=0;i<__all0.length;i++){var C=__all0[i];if(__isSet(C))continue;var s=__sig(C);if(__seen[s]){__seen[s]--;continue;}' +
    `var cb=__b(C);if(cb[2]-cb[0]===${mark.width}&&cb[3]-cb[1]===${mark.height})__c.push(C);}` +
    'if(__c.length>1){var __p=[];for(var i=0;i<__c.length;i++){var cb=__b(__c[i]);for(var k=0;k<__at.length;k++)if(cb[0]===__at[k][0]&&cb[1]===__at[k][1]){__p.push(__c[i]);break;}}__c=__p;}' +
    'var __n=__c.length,L=__n===1?__c[0]:null;';
}

/**
 * The image to paste for `layer` in a `W`×`H` document: Photopea pastes centred (HOSTS.md §2.5), so
 * the layer is padded with transparent pixels to a box centred on the document — it then lands in
 * place and needs no move (one history step less). Not where the box would be much larger than the
 * layer (an edit near a corner of a large document): that is pasted as it is, and moved.
 */
function padForCentredPaste(layer: LayerPixels, W: number, H: number): LayerPixels {
  const x0 = Math.min(layer.left, W - (layer.left + layer.width)), y0 = Math.min(layer.top, H - (layer.top + layer.height));
  if (x0 < 0 || y0 < 0) return layer;
  const w = W - 2 * x0, h = H - 2 * y0;
  if (w === layer.width && h === layer.height) return layer;
  if (w * h > Math.max(4 * layer.width * layer.height, 1 << 20)) return layer;
  const data = new Uint8ClampedArray(w * h * 4);
  const ox = layer.left - x0, oy = layer.top - y0;
  for (let y = 0; y < layer.height; y++) {
    data.set(layer.data.subarray(y * layer.width * 4, (y + 1) * layer.width * 4), ((oy + y) * w + ox) * 4);
  }
  return { left: x0, top: y0, width: w, height: h, data };
}

/** {@link HostAdapter} over a {@link PhotopeaClient}. */
export class PhotopeaHost implements HostAdapter {
  readonly label = 'Photopea';
  readonly hasSelection = true;
  /** Waits and timeouts (tests shorten them). */
  readonly timing: PhotopeaTiming;
  private info: PhotopeaDocInfo | null = null;
  /** Set when an area export failed once: from then on this session exports the whole document. */
  private areaFailed = false;
  /** Set when a duplicate came without the selection: the mask is then made in the document itself. */
  private dupLosesSelection = false;
  /** Result pastes that failed and whose layer may still arrive: watched, and removed if it does. */
  private latePastes = new Map<PasteMark, Promise<void>>();

  constructor(
    private readonly client: PhotopeaClient,
    opts: PhotopeaHostOptions = {},
  ) {
    this.timing = { ...DEFAULT_TIMING, ...opts.timing };
  }

  /** Timeout of a script that touches (exports, duplicates, composites) a `w`×`h` document. */
  private docMs(w: number, h: number): number {
    return this.timing.scriptMs + mp(w, h) * this.timing.perMpMs;
  }

  /**
   * Options of a call that changes the document and undoes it itself: should it time out and run
   * late all the same, whatever it left (nothing, if it ran to its end) is swept when it lands.
   */
  private docCall(w: number, h: number, expectBuffers: number | ((v: unknown) => number) = 0) {
    return { timeoutMs: this.docMs(w, h), expectBuffers, onLate: () => void this.cleanup().catch(() => undefined) };
  }

  /**
   * Size, name, layer count and whether `pathItems` exists. Throws `no_document`. Sweeps first what
   * an earlier session may have left (a temporary duplicate left active, temporary layers).
   */
  async probe(): Promise<PhotopeaDocInfo> {
    const info = await this.client.eval<PhotopeaDocInfo | null>(inPx(
      DOC_SIG + CLOSE_TEMP_DOCS + 'if(!d)return null;' + `__rm(d,${TMP});` +
        'var hp=false;try{hp=(typeof d.pathItems!=="undefined")&&d.pathItems!==null&&typeof d.pathItems.length==="number";}catch(e){hp=false;}' +
        'var ca=typeof d.duplicate==="function"&&typeof d.crop==="function"&&typeof d.close==="function";' +
        'return {name:String(d.name),width:Math.round(__px(d.width)),height:Math.round(__px(d.height)),layers:__all(d,[]).length,hasPaths:hp,canArea:ca,sig:__docSig(d)};',
    ));
    if (!info) throw new HostError('no_document', 'Photopea has no open document', 'Open or create an image in Photopea first.');
    this.info = info;
    return info;
  }

  async readDocument(): Promise<HostDocument> {
    const info = await this.probe();
    const r = await this.client.call('app.activeDocument.saveToOE("png");', { expectBuffers: 1, timeoutMs: this.docMs(info.width, info.height) });
    const png = new Uint8Array(r.buffers[0]!);
    const rgba = await decodePng(png);
    // A 16-bit export was converted to 8 bits once in decodePng: send those pixels, not the file
    // (the bridge would otherwise read it at 16 bits and convert a second time).
    return { name: info.name, width: rgba.width, height: rgba.height, rgba, signature: info.sig, ...(rgba.sourceDepth === 16 ? {} : { png }) };
  }

  /**
   * The active document's name, size and change signature ({@link DOC_SIG}) — one small script,
   * nothing exported — or null when none is open. Photopea's scripting has no document ids: name
   * and size tell documents apart.
   */
  async docState(): Promise<HostDocState | null> {
    const st = await this.client.eval<HostDocState | null>(inPx(
      DOC_SIG + 'var d=app.activeDocument;if(!d)return null;' +
        'return {name:String(d.name),width:Math.round(__px(d.width)),height:Math.round(__px(d.height)),signature:__docSig(d)};',
    ), this.info ? { timeoutMs: this.docMs(this.info.width, this.info.height) } : {}); // every layer's bounds: as long as a composite
    return st;
  }

  /**
   * The selection as a soft mask: a temporary layer filled white through the selection (alpha =
   * coverage), shown alone and exported — all in ONE script that undoes its changes in a `finally`
   * (layer removed, each layer's visibility and the active layer set back by reference, not by
   * position), so a script that runs late leaves nothing either.
   * - Where the document has `duplicate`/`crop`: in a temporary duplicate cropped to the
   *   selection's box + 1 px (a pixel outside the selection tells a mask flattened onto white),
   *   when the duplicate carries the selection — the document itself is not touched at all (no
   *   history step); else the mask is made in the document and the duplicate only crops it.
   * - Else the whole document is exported.
   */
  async readSelection(): Promise<PlacedMask | null> {
    const info = this.info ?? (await this.probe());
    const name = JSON.stringify(`${TEMP_LAYER_PREFIX}_mask`), dup = JSON.stringify(`${TEMP_LAYER_PREFIX}_area`);
    const area = info.canArea && !this.areaFailed;
    const r = await this.client.call<{ bounds: number[]; at: number[]; how: string; areaError: string | null; dupSel: boolean } | null>(inPx(
      'var d=app.activeDocument;var b=null;try{b=d.selection.bounds;}catch(e){b=null;}' +
        'if(!b)return null;var r=[Math.round(__px(b[0])),Math.round(__px(b[1])),Math.round(__px(b[2])),Math.round(__px(b[3]))];' +
        'if(!(r[2]>r[0]&&r[3]>r[1]))return null;' +
        'var W=Math.round(__px(d.width)),H=Math.round(__px(d.height));' +
        'var A=[Math.max(0,r[0]-1),Math.max(0,r[1]-1),Math.min(W,r[2]+1),Math.min(H,r[3]+1)];' +
        'var out={bounds:r,at:null,how:null,areaError:null,dupSel:true},done=false;' +
        // The mask layer in `doc`: above an art layer (a group cannot be filled), filled, shown alone.
        'var mask=function(doc){var a=doc.activeLayer;if(a&&__isSet(a)){var arts=__all(a,[]);for(var q=0;q<arts.length;q++){if(!__isSet(arts[q])){doc.activeLayer=arts[q];break;}}}' +
        `var l=doc.artLayers.add();l.name=${name};var c=new SolidColor();c.rgb.red=255;c.rgb.green=255;c.rgb.blue=255;doc.selection.fill(c);__solo(doc,l);return l;};` +
        // Export `A` of `doc` from a duplicate (`inDup`: make the mask there first, if it has the selection).
        'var fromDup=function(inDup){var c=null;try{' +
        `c=d.duplicate(${dup});if(inDup){var cb=null;try{cb=c.selection.bounds;}catch(e){cb=null;}` +
        'if(!cb||Math.round(__px(cb[0]))!==r[0]||Math.round(__px(cb[1]))!==r[1]||Math.round(__px(cb[2]))!==r[2]||Math.round(__px(cb[3]))!==r[3]){out.dupSel=false;return;}mask(c);}' +
        'c.crop(A);c.saveToOE("png");done=true;out.at=[A[0],A[1]];out.how=inDup?"duplicate":"area";' +
        '}catch(e){out.areaError=String(e&&e.message?e.message:e);}' +
        `finally{if(c){try{c.close(${NO_SAVE});}catch(e){}}if(app.activeDocument!==d)app.activeDocument=d;}};` +
        `if(${area && !this.dupLosesSelection})fromDup(true);` +
        'if(!done){var all=__all(d,[]),vis=[];for(var i=0;i<all.length;i++)vis.push(all[i].visible);var a0=d.activeLayer,l=null;' +
        'try{l=mask(d);' +
        `if(${area}&&out.areaError===null)fromDup(false);` +
        'if(!done){d.saveToOE("png");done=true;out.at=[0,0];out.how="document";}}' +
        // Undo in the order that leaves it as it was: the layer, the active layer (making a hidden
        // layer active may show it), then every layer's own visibility.
        'finally{if(l){try{l.remove();}catch(e){}}try{if(a0&&d.activeLayer!==a0)d.activeLayer=a0;}catch(e){}' +
        'for(var i=0;i<all.length;i++){try{if(all[i].visible!==vis[i])all[i].visible=vis[i];}catch(e){}}}}' +
        'return out;',
    ), this.docCall(info.width, info.height, (v) => (v === null ? 0 : 1)));
    const res = r.value;
    if (!res) return null;
    if (res.areaError !== null) this.areaFailed = true;
    if (!res.dupSel) this.dupLosesSelection = true;
    const [l, t, rr, bb] = res.bounds.map((v) => Math.round(v)) as [number, number, number, number];
    // Where the exported image starts in the document (an area export starts at its crop).
    const [ox, oy] = res.at as [number, number];
    const img = await decodePng(new Uint8Array(r.buffers[0]!));
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
      ), this.docCall(info.width, info.height, 1));
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

  /**
   * Pen paths as arrows, by the Photoshop plugin's rule (./paths-to-arrows.ts): the Work Path when
   * there is one, else the saved paths; open subpaths only; curves followed through their direction
   * handles. Read with pixel rulers (HOSTS.md §1.3 on units: VERIFY what Photopea's anchors are in).
   */
  async readPaths(): Promise<Point[][] | null> {
    const info = this.info ?? (await this.probe());
    if (!info.hasPaths) return null;
    const raw = await this.client.eval<{ kind: ReadPath['kind']; subs: { closed: boolean; pts: { a: Point; l: Point; r: Point }[] }[] }[]>(inPx(
      'var d=app.activeDocument;var out=[];var PK=typeof PathKind!=="undefined"?PathKind:null;' +
        'function P(v){return [__px(v[0]),__px(v[1])];}' +
        'for(var i=0;i<d.pathItems.length;i++){var p=d.pathItems[i],k=p.kind,ks=String(k);' +
        // Kind: PathKind.WORKPATH / NORMALPATH where the enum exists; else by its text; none = a saved path.
        'var kind=PK&&k===PK.WORKPATH?"work":PK&&k===PK.NORMALPATH?"normal":(k===undefined||k===null)?"normal":/work/i.test(ks)?"work":/normal/i.test(ks)?"normal":"other";' +
        'var subs=[];if(p.subPathItems)for(var j=0;j<p.subPathItems.length;j++){var s=p.subPathItems[j],pts=[];' +
        'for(var q=0;q<s.pathPoints.length;q++){var pp=s.pathPoints[q],a=P(pp.anchor);' +
        'pts.push({a:a,l:pp.leftDirection?P(pp.leftDirection):a,r:pp.rightDirection?P(pp.rightDirection):a});}' +
        'subs.push({closed:!!s.closed,pts:pts});}' +
        'out.push({kind:kind,subs:subs});}return out;',
    ));
    return arrowsOfPaths(raw.map((p) => ({
      kind: p.kind,
      subpaths: p.subs.map((s) => ({ closed: s.closed, points: s.pts.map((q) => ({ anchor: q.a, backward: q.l, forward: q.r })) })),
    })));
  }

  /**
   * Add the result as a new layer at the TOP of the document. The edit was computed from the
   * composite of the whole document (`saveToOE` has nothing else), and the user previewed that;
   * the layer shows exactly those pixels only where nothing is above it. Pasted above the active
   * layer (HOSTS.md §2.5), under a layer that darkens or tints, it would be darkened a second time;
   * inside a hidden group, not seen at all. Reading only the active layer instead would need every
   * other layer hidden (history steps), would miss that layer's opacity and blend mode, and a
   * layer above would still cover the result. So: a top-level art layer is made active first (as
   * §2.5 says, so the paste does not land in a folder), and where the paste is not the document's
   * first layer even so (groups above), it is moved there with `move(first, PLACEBEFORE)`.
   *
   * The pasted layer is told from any other (a layer the user adds meanwhile) by being new since
   * the paste and of the result's size; no other layer is touched. A failure leaves the document
   * as it was: a layer that landed wrong is removed, and one that arrives after the wait gave up is
   * watched for and removed.
   */
  async addLayer(layer: LayerPixels, name: string, from?: HostDocument): Promise<PlacedLayer> {
    const trimmed = trimLayer(layer);
    if (!trimmed) throw new HostError('layer_placement_failed', 'the result layer is fully transparent', 'Nothing changed; try a longer arrow.');
    // A failed paste of the same size whose layer may still come could not be told from this one:
    // wait for it to land (and be removed) or for its watch to end.
    for (const [m, watch] of [...this.latePastes]) if (m.width === trimmed.width && m.height === trimmed.height) await watch;
    const W = from?.width ?? this.info?.width ?? 0, H = from?.height ?? this.info?.height ?? 0;
    const pasted = W > 0 && H > 0 ? padForCentredPaste(trimmed, W, H) : trimmed;
    const png = await encodePng(pasted);
    const url = 'data:image/png;base64,' + bytesToBase64(png);
    // Only into the document the edit was read from: the user may have switched documents while it
    // ran. Photopea's scripting names no document id, so name and size tell them apart; checked
    // by every script that touches the document.
    const same = from ? sameDocScript(from) : 'true';
    const other = 'return {other:d?String(d.name):""};';
    // 1. A top-level art layer active (the topmost one; a group only where there is none), and the
    //    signature of every art layer now.
    const before = await this.client.eval<{ sig: string[]; W: number; H: number } | { other: string }>(inPx(
      `var d=app.activeDocument;if(!d||!(${same}))${other}` +
        'var A=null;for(var i=0;i<d.layers.length;i++){var T=d.layers[i];' +
        `if(!__isSet(T)&&String(T.name).indexOf(${TMP})!==0){A=T;break;}}if(!A)A=d.layers[0];` +
        // Making a hidden layer active may show it (Photoshop does): its visibility is kept.
        'if(A&&d.activeLayer!==A){var v=A.visible;d.activeLayer=A;if(A.visible!==v)A.visible=v;}' +
        'var all=__all(d,[]),sig=[];for(var i=0;i<all.length;i++)if(!__isSet(all[i]))sig.push(__sig(all[i]));' +
        'return {sig:sig,W:Math.round(__px(d.width)),H:Math.round(__px(d.height))};',
    ), { timeoutMs: this.docMs(W, H) });
    if ('other' in before) throw documentChanged(from, before.other);
    const doc = from ?? { name: this.info?.name ?? '', width: before.W, height: before.H };
    const mark: PasteMark = {
      before: before.sig, width: trimmed.width, height: trimmed.height, doc,
      at: [[trimmed.left, trimmed.top], [Math.round((before.W - trimmed.width) / 2), Math.round((before.H - trimmed.height) / 2)]],
    };
    // 2. The paste (asynchronous in Photopea: the layer appears later).
    try {
      const ok = await this.client.eval<true | { other: string }>(
        PX + `var d=app.activeDocument;if(!d||!(${same}))${other}app.open(${JSON.stringify(url)},null,true);return true;`,
        { timeoutMs: this.timing.scriptMs + mp(pasted.width, pasted.height) * this.timing.perMpMs },
      );
      if (ok !== true) throw documentChanged(from, ok.other);
    } catch (e) {
      // Timed out: Photopea may still run it, and the layer come.
      if (e instanceof PhotopeaError && e.code === 'timeout') this.watchLatePaste(mark);
      throw e;
    }
    // 3. Wait for it; then, in the script that finds it: to the top, into place, named.
    const deadline = Date.now() + this.timing.openMs + (mp(before.W, before.H) + mp(pasted.width, pasted.height)) * this.timing.perMpMs;
    type Placed = { state: 'none' | 'hidden'; n: number } | { state: 'misplaced' | 'placed'; b: number[]; plainTop: boolean } | { other: string };
    let placed: Placed;
    for (;;) {
      try {
        placed = await this.client.eval<Placed>(inPx(
          `var d=app.activeDocument;if(!d||!(${same}))${other}` + findPasted(mark) +
            'if(!L)return {state:"none",n:__n};' +
            'if(d.layers[0]!==L&&typeof L.move==="function"&&typeof ElementPlacement!=="undefined"){try{L.move(d.layers[0],ElementPlacement.PLACEBEFORE);}catch(e){}}' +
            `var b=__b(L),dx=${trimmed.left}-b[0],dy=${trimmed.top}-b[1];if(dx!==0||dy!==0){L.translate(dx,dy);b=__b(L);}` +
            `if(b[0]!==${trimmed.left}||b[1]!==${trimmed.top}||b[2]-b[0]!==${trimmed.width}||b[3]-b[1]!==${trimmed.height}){L.remove();return {state:"misplaced",b:b,plainTop:false};}` +
            // Seen at all: the layer and every group holding it visible (a paste into a hidden group is not).
            'var vis=L.visible!==false;for(var p=L.parent;vis&&p&&p!==d;p=p.parent)if(p.visible===false)vis=false;' +
            'if(!vis){L.remove();return {state:"hidden",n:1};}' +
            `if(L.name!==${JSON.stringify(name)})L.name=${JSON.stringify(name)};` +
            'try{if(d.activeLayer!==L)d.activeLayer=L;}catch(e){}' +
            // A plain top layer (see PlacedLayer.plainTop): the document's first top-level layer,
            // visible, Normal at 100 % opacity (and fill), not clipped, in an RGB document; where a
            // property cannot be read it is not.
            'var pt=false;try{pt=L.parent===d&&d.layers[0]===L&&L.visible===true&&Number(L.opacity)===100' +
            '&&(L.fillOpacity===undefined||Number(L.fillOpacity)===100)&&L.grouped!==true' +
            '&&typeof BlendMode!=="undefined"&&L.blendMode===BlendMode.NORMAL' +
            '&&(typeof DocumentMode==="undefined"||d.mode===undefined||d.mode===DocumentMode.RGB);}catch(e){pt=false;}' +
            'return {state:"placed",b:b,plainTop:pt};',
        ), { timeoutMs: this.docMs(before.W, before.H) });
      } catch (e) {
        this.watchLatePaste(mark);
        throw e;
      }
      if ('other' in placed) {
        this.watchLatePaste(mark); // ours may land in the first document: removed once it is active again
        throw documentChanged(from, placed.other);
      }
      if (placed.state !== 'none') break;
      if (Date.now() > deadline) {
        this.watchLatePaste(mark);
        throw new HostError('layer_placement_failed', 'Photopea did not add the result layer',
          'Nothing was added (should it still come, it is removed). Photopea may be busy or have blocked the image; try again.');
      }
      await sleep(this.timing.pollMs);
    }
    if ('other' in placed || !('b' in placed)) {
      throw new HostError('layer_placement_failed', 'the result layer landed inside a hidden group',
        'Nothing was added. Select a layer that is not inside a hidden group, and press Smart Drag again.');
    }
    const [pl, pt, pr, pb] = placed.b as [number, number, number, number];
    if (placed.state === 'misplaced') {
      throw new HostError('layer_placement_failed',
        `the layer landed at (${pl},${pt}) ${pr - pl}×${pb - pt}, expected (${trimmed.left},${trimmed.top}) ${trimmed.width}×${trimmed.height}`,
        'Nothing was added. Check the document is not scaled on paste (Edit ▸ Preferences).');
    }
    return { name, left: pl, top: pt, width: pr - pl, height: pb - pt, plainTop: placed.plainTop };
  }

  /**
   * After a failed paste: watch (in the background, for `lateWindowMs`) for its layer, and remove
   * it when it lands — only that layer (new since the paste, of the result's size), only in the
   * document it was pasted into.
   */
  private watchLatePaste(mark: PasteMark): void {
    if (this.latePastes.has(mark)) return;
    const until = Date.now() + this.timing.lateWindowMs;
    const watch = (async () => {
      while (Date.now() < until) {
        await sleep(this.timing.latePollMs);
        const r = await this.client.eval<number>(
          PX + `var d=app.activeDocument;if(!d||!(${sameDocScript(mark.doc)}))return -1;` + findPasted(mark) + 'if(L){L.remove();return 1;}return 0;',
          { timeoutMs: this.docMs(mark.doc.width, mark.doc.height) },
        ).catch(() => 0);
        if (r === 1) return;
      }
    })().finally(() => void this.latePastes.delete(mark));
    this.latePastes.set(mark, watch);
  }

  /** Remove anything temporary: a temporary duplicate left active, temporary layers at any depth. */
  async cleanup(): Promise<void> {
    await this.client.eval(PX + CLOSE_TEMP_DOCS + `if(!d)return 0;return __rm(d,${TMP});`);
  }
}
