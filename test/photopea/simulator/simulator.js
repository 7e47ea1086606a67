/*
 * A Photopea simulator for SmartDrag's browser tests: the parent page that embeds the plugin
 * iframe and answers its scripts from a small in-memory document model, following Photopea's
 * documented scripting API (../shared/docs/HOSTS.md §2): app.activeDocument, layers / artLayers,
 * selection (bounds, fill, invert), SolidColor, saveToOE("png"), app.echoToOE, app.open(url, null,
 * true) (asynchronous, pasted centred), layer.bounds / translate / remove / visible / name.
 * `pathItems` exists only when the page URL has `paths=1`.
 *
 * Like the real host it answers every script with its messages and then "done", sends "done"
 * once at start-up and stray "MSFAPI#…" pings and "done"s now and then. It processes strictly
 * one script at a time: a script that arrives before the previous "done" is recorded in
 * `sim.violations` (and logged as an error), which the tests assert is empty.
 *
 * PNGs are what Photopea itself writes: its PNG engine is UPNG.js (by Photopea's author), so
 * `saveToOE("png")` goes through `UPNG.encode(…, 0)`, which writes palette PNGs for ≤ 256 colours
 * and 1/2/4-bit ones for ≤ 16 (a hard-edged selection mask has two colours). With `depth=16` the
 * document is a 16-bit one and exports 16-bit RGBA PNGs (low bits carry detail below one 8-bit
 * step). With `groups=1` every top-level layer sits in a group and the active layer is inside
 * one. With `units=cm` (and `res=…`) the ruler unit is centimetres: bounds, width and height are
 * UnitValues in cm and `translate` takes ruler units, like Photoshop's DOM; `app.preferences.
 * rulerUnits` and `Units` exist. `Document.duplicate(name)`, `crop([l,t,r,b])` and `close()`
 * follow Photoshop's DOM (Photopea's area exports: a duplicate cropped to the area, counted in
 * `sim.duplicates`; `area=0` leaves `duplicate` out); layers carry `opacity`, `fillOpacity`, `blendMode` (`BlendMode`) and `grouped`.
 * Every export's size and form is recorded in `sim.exports`. Tests may open
 * another document (`sim.openDocument`, it becomes the active one) and slow exports down
 * (`sim.exportDelayMs`, a large document's seconds-long saveToOE).
 *
 * Timing like the real host's: scripts are taken one at a time in the order they arrive (a script
 * posted while another runs waits, and is recorded as a violation); `sim.stallNext(match, ms)`
 * makes Photopea busy before the next script containing `match` (a long filter, a large document:
 * it runs late, after the plugin may have given up on it, and everything sent meanwhile waits
 * behind it); `sim.pasteDelayMs` is how long `app.open`'s layer takes to appear (HOSTS.md §2.5:
 * asynchronous).
 *
 * Layer stacks: a layer's `opacity` and `fillOpacity` (and a group's `opacity`) weigh its pixels in
 * the composite (Normal blending); `sim.makeGroup(name, layerNames, visible)` wraps top-level
 * layers in a group. `ArtLayer.move(relativeLayer, ElementPlacement.X)` follows Photoshop's DOM
 * (photopea/photopea#5546 shows Photopea running it; `move=0` leaves it out).
 *
 * History (HOSTS.md §2.3: every script step creates history entries; `suspendHistory` does not
 * group them in Photopea, photopea/photopea#5862, #8142): each document keeps the list of steps
 * made to it (`sim.history(docName)`): a new layer, a fill, a visibility change, a rename, a move
 * or an arrange, a delete, a crop, a paste ("Place"). Making a layer active, `duplicate()` (for the
 * source) and exports are not steps. Which of these Photopea really records is VERIFY
 * (docs/HOSTS-CONFORMANCE.md); the model errs on counting.
 *
 * Undo (`sim.undo()`, Edit ▸ Undo): every step keeps a snapshot of the document after it, so the
 * last step can be undone; `Document.historyStates` / `activeHistoryState` follow Photoshop's DOM
 * (the opening state first; an Undo makes an earlier state active, the undone ones stay listed
 * until the next step); `hist=0` leaves them out (VERIFY whether Photopea has them). A selection
 * set by the test (`sim.setSelection`) is a step, as a marquee is; `sim.paint` is a brush stroke;
 * `sim.activate(name)` switches to another open document (two documents may have one size).
 *
 * `Document.duplicate()` carries the selection over, as Photoshop's Image ▸ Duplicate does
 * (`dupsel=0`: it does not; VERIFY which Photopea does).
 *
 * Pen paths (`paths=1`): `pathItems` as Photoshop's DOM has them (HOSTS.md §1.3, §2.4): PathItem
 * {name, kind (PathKind), subPathItems}, SubPathItem {closed, operation, pathPoints}, PathPoint
 * {anchor, leftDirection (incoming handle), rightDirection (outgoing), kind}; coordinates are
 * numbers in the ruler unit (VERIFY); `sim.addPath` adds one (document pixels).
 *
 * Plain browser JS on purpose: it shares no code with the plugin under test.
 */
(function () {
  'use strict';
  var params = new URLSearchParams(location.search);
  var pluginUrl = params.get('plugin');
  var docUrl = params.get('doc') || 'smarties.png';
  var withPaths = params.get('paths') === '1';
  var withGroups = params.get('groups') === '1';
  var depth16 = params.get('depth') === '16';
  var noArea = params.get('area') === '0'; // documents without duplicate(): only whole-document exports
  var noMove = params.get('move') === '0'; // layers without move()
  var dupKeepsSelection = params.get('dupsel') !== '0'; // duplicate() carries the selection over
  var withHistoryStates = params.get('hist') !== '0'; // Document.historyStates / activeHistoryState (VERIFY in Photopea)
  var startUnits = params.get('units') || 'px';
  var RES = Number(params.get('res') || 72);
  var PROCESS_MS = 15; // time "Photopea" takes per script before its "done"

  function UnitValue(v, type) { this.value = Number(v); this.type = type || 'px'; }
  var BlendMode = { NORMAL: 'BlendMode.NORMAL', PASSTHROUGH: 'BlendMode.PASSTHROUGH', MULTIPLY: 'BlendMode.MULTIPLY', SCREEN: 'BlendMode.SCREEN' };
  var SaveOptions = { SAVECHANGES: 1, DONOTSAVECHANGES: 2, PROMPTTOSAVECHANGES: 3 };
  var ElementPlacement = { PLACEBEFORE: 'ElementPlacement.PLACEBEFORE', PLACEAFTER: 'ElementPlacement.PLACEAFTER', INSIDE: 'ElementPlacement.INSIDE', PLACEATBEGINNING: 'ElementPlacement.PLACEATBEGINNING', PLACEATEND: 'ElementPlacement.PLACEATEND' };
  var PathKind = { NORMALPATH: 'PathKind.NORMALPATH', WORKPATH: 'PathKind.WORKPATH', CLIPPINGPATH: 'PathKind.CLIPPINGPATH', VECTORMASK: 'PathKind.VECTORMASK', TEXTMASK: 'PathKind.TEXTMASK' };
  var Units = { PIXELS: 'px', INCHES: 'in', CM: 'cm', MM: 'mm', POINTS: 'pt', PICAS: 'pc' };
  var preferences = { rulerUnits: startUnits };
  var PER_INCH = { px: null, in: 1, cm: 2.54, mm: 25.4, pt: 72, pc: 6 };
  /** Pixels → a UnitValue in the current ruler unit. */
  function rulerValue(px) {
    var u = preferences.rulerUnits;
    return u === 'px' ? new UnitValue(px, 'px') : new UnitValue(px / RES * PER_INCH[u], u);
  }
  /** Pixels → a plain number in the current ruler unit (path point coordinates). */
  function rulerNumber(px) { return Number(rulerValue(px).value); }
  /** A number (ruler units) or UnitValue → pixels. */
  function toPx(v) {
    var u = v instanceof UnitValue ? v.type : preferences.rulerUnits, n = Number(v instanceof UnitValue ? v.value : v);
    return u === 'px' ? n : n / PER_INCH[u] * RES;
  }
  UnitValue.prototype.valueOf = function () { return this.value; };
  UnitValue.prototype.toString = function () { return this.value + ' ' + this.type; };

  var sim = {
    doc: null, docs: [], violations: [], scripts: [], pastes: [], errors: [], busy: false, ready: false,
    outbox: [], exports: [], duplicates: 0,
    /** Extra time per script that exports (saveToOE) before its answer: tests set it to model a large document's seconds-long export. */
    exportDelayMs: 0,
    /** How long app.open's pasted layer takes to appear after the script (ms). */
    pasteDelayMs: 0,
    /** Pending stalls: [{match, ms}] (see stallNext). */
    stalls: [],
  };
  window.sim = sim;

  // ---------------------------------------------------------------- document model
  function Layer(doc, name, pixels) {
    this._doc = doc;
    this.parent = doc;
    this._name = name;
    this._visible = true;
    this.typename = 'ArtLayer';
    this.kind = 'normal';
    // Photoshop DOM: opacity and fillOpacity in percent, blendMode a BlendMode, grouped = clipped
    // to the layer below. A new or pasted layer is Normal at 100 %, unclipped (the composite below
    // draws every layer so; a test changing these only checks what the plugin reads).
    this.opacity = 100;
    this.fillOpacity = 100;
    this.blendMode = BlendMode.NORMAL;
    this.grouped = false;
    this.pixels = pixels || new Uint8ClampedArray(doc._w * doc._h * 4);
  }
  /** `name` and `visible` of layers and groups: setting them to a new value is a history step. */
  var namedVisible = {
    name: {
      get: function () { return this._name; },
      set: function (v) { v = String(v); if (v !== this._name) { this._name = v; this._doc._record('Rename Layer'); this._doc._changed(); } },
    },
    visible: {
      get: function () { return this._visible; },
      set: function (v) { v = !!v; if (v !== this._visible) { this._visible = v; this._doc._record(v ? 'Show Layer' : 'Hide Layer'); this._doc._changed(); } },
    },
  };
  Object.defineProperties(Layer.prototype, namedVisible);
  Object.defineProperty(Layer.prototype, 'bounds', {
    get: function () {
      var w = this._doc._w, h = this._doc._h, p = this.pixels;
      var x0 = w, y0 = h, x1 = -1, y1 = -1;
      for (var y = 0; y < h; y++) for (var x = 0; x < w; x++) {
        if (p[(y * w + x) * 4 + 3] !== 0) { if (x < x0) x0 = x; if (x > x1) x1 = x; if (y < y0) y0 = y; y1 = y; }
      }
      if (x1 < 0) return [rulerValue(0), rulerValue(0), rulerValue(0), rulerValue(0)];
      return [rulerValue(x0), rulerValue(y0), rulerValue(x1 + 1), rulerValue(y1 + 1)];
    },
  });
  Layer.prototype.translate = function (dx, dy) {
    dx = Math.round(toPx(dx)); dy = Math.round(toPx(dy));
    var w = this._doc._w, h = this._doc._h, src = this.pixels, out = new Uint8ClampedArray(src.length);
    for (var y = 0; y < h; y++) {
      var sy = y - dy; if (sy < 0 || sy >= h) continue;
      for (var x = 0; x < w; x++) {
        var sx = x - dx; if (sx < 0 || sx >= w) continue;
        var s = (sy * w + sx) * 4, d = (y * w + x) * 4;
        out[d] = src[s]; out[d + 1] = src[s + 1]; out[d + 2] = src[s + 2]; out[d + 3] = src[s + 3];
      }
    }
    this.pixels = out;
    this._doc._record('Move');
    this._doc._changed();
  };
  Layer.prototype.remove = function () {
    var L = this.parent.layers, i = L.indexOf(this);
    if (i < 0) throw new Error('layer already removed');
    L.splice(i, 1);
    if (this._doc._active === this) this._doc._active = L[Math.min(i, L.length - 1)] || (this.parent !== this._doc ? this.parent : null);
    this._doc._record('Delete Layer');
    this._doc._changed();
  };
  /**
   * Photoshop DOM `move(relativeObject, insertionLocation)`: PLACEBEFORE / PLACEAFTER a layer or
   * group, INSIDE / PLACEATBEGINNING (its top) or PLACEATEND of a group (or the document).
   */
  Layer.prototype.move = function (rel, where) {
    var doc = this._doc;
    if (!rel || rel === this) throw new Error('move: bad relative object');
    for (var p = rel; p && p !== doc; p = p.parent) if (p === this) throw new Error('move: into itself');
    var into, i;
    if (where === ElementPlacement.PLACEBEFORE || where === ElementPlacement.PLACEAFTER) {
      into = rel.parent;
      if (!into || into.layers.indexOf(rel) < 0) throw new Error('move: relative layer not in the document');
    } else if (where === ElementPlacement.INSIDE || where === ElementPlacement.PLACEATBEGINNING || where === ElementPlacement.PLACEATEND) {
      into = rel;
      if (!into.layers) throw new Error('move: not a group');
    } else throw new Error('move: unknown ElementPlacement ' + where);
    var from = this.parent.layers; from.splice(from.indexOf(this), 1);
    if (where === ElementPlacement.PLACEBEFORE) i = into.layers.indexOf(rel);
    else if (where === ElementPlacement.PLACEAFTER) i = into.layers.indexOf(rel) + 1;
    else if (where === ElementPlacement.PLACEATEND) i = into.layers.length;
    else i = 0;
    into.layers.splice(i, 0, this);
    this.parent = into;
    doc._record('Arrange');
    doc._changed();
  };

  /** A layer group (Photoshop DOM: LayerSet, with its own `layers`). */
  function LayerSet(doc, name) {
    this._doc = doc; this.parent = doc; this._name = name; this._visible = true; this.typename = 'LayerSet'; this.layers = [];
    this.opacity = 100; this.blendMode = BlendMode.PASSTHROUGH;
  }
  Object.defineProperties(LayerSet.prototype, namedVisible);
  Object.defineProperty(LayerSet.prototype, 'bounds', {
    get: function () {
      var x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
      this.layers.forEach(function (L) {
        var b = L.bounds.map(toPx); if (b[2] <= b[0]) return;
        x0 = Math.min(x0, b[0]); y0 = Math.min(y0, b[1]); x1 = Math.max(x1, b[2]); y1 = Math.max(y1, b[3]);
      });
      if (x1 < x0) return [rulerValue(0), rulerValue(0), rulerValue(0), rulerValue(0)];
      return [rulerValue(x0), rulerValue(y0), rulerValue(x1), rulerValue(y1)];
    },
  });
  LayerSet.prototype.remove = Layer.prototype.remove;
  LayerSet.prototype.move = Layer.prototype.move;
  if (noMove) { delete Layer.prototype.move; delete LayerSet.prototype.move; }
  /** Every layer and group under a container, top first (depth-first). */
  function allLayers(c, out) {
    out = out || [];
    c.layers.forEach(function (L) { out.push(L); if (L.typename === 'LayerSet') allLayers(L, out); });
    return out;
  }

  function SolidColor() { this.rgb = { red: 0, green: 0, blue: 0, hexValue: '000000' }; }

  function Selection(doc) { this._doc = doc; this.mask = null; }
  Object.defineProperty(Selection.prototype, 'bounds', {
    get: function () {
      var m = this.mask, w = this._doc._w, h = this._doc._h;
      if (!m) return null;
      var x0 = w, y0 = h, x1 = -1, y1 = -1;
      for (var y = 0; y < h; y++) for (var x = 0; x < w; x++) {
        if (m[y * w + x] !== 0) { if (x < x0) x0 = x; if (x > x1) x1 = x; if (y < y0) y0 = y; y1 = y; }
      }
      if (x1 < 0) return null;
      return [rulerValue(x0), rulerValue(y0), rulerValue(x1 + 1), rulerValue(y1 + 1)];
    },
  });
  Selection.prototype.invert = function () {
    var n = this._doc._w * this._doc._h;
    var m = this.mask || new Uint8Array(n), out = new Uint8Array(n);
    for (var i = 0; i < n; i++) out[i] = 255 - m[i];
    this.mask = out;
    this._doc._record('Select Inverse');
  };
  Selection.prototype.deselect = function () { this.mask = null; this._doc._record('Deselect'); };
  Selection.prototype.selectAll = function () { this.mask = new Uint8Array(this._doc._w * this._doc._h).fill(255); this._doc._record('Select All'); };
  /** Fill the active layer through the selection with "normal" blending at coverage opacity. */
  Selection.prototype.fill = function (color) {
    var doc = this._doc, L = doc._active, n = doc._w * doc._h, m = this.mask;
    if (!L) throw new Error('no active layer');
    if (L.typename === 'LayerSet') throw new Error('cannot fill a group');
    // A new array (the history's snapshots hold the old one by reference).
    var r = color.rgb.red, g = color.rgb.green, b = color.rgb.blue, p = L.pixels = new Uint8ClampedArray(L.pixels);
    if (color.rgb.hexValue && color.rgb.hexValue !== '000000' && r === 0 && g === 0 && b === 0) {
      var hv = parseInt(color.rgb.hexValue, 16); r = hv >> 16 & 255; g = hv >> 8 & 255; b = hv & 255;
    }
    for (var i = 0; i < n; i++) {
      var c = m ? m[i] : 255; if (c === 0) continue;
      var sa = c / 255, da = p[i * 4 + 3] / 255, oa = sa + da * (1 - sa);
      p[i * 4] = Math.round((r * sa + p[i * 4] * da * (1 - sa)) / oa);
      p[i * 4 + 1] = Math.round((g * sa + p[i * 4 + 1] * da * (1 - sa)) / oa);
      p[i * 4 + 2] = Math.round((b * sa + p[i * 4 + 2] * da * (1 - sa)) / oa);
      p[i * 4 + 3] = Math.round(oa * 255);
    }
    doc._record('Fill');
    doc._changed();
  };

  function Document(name, w, h) {
    var self = this;
    this._w = w; this._h = h; this.name = name;
    this.resolution = RES;
    this.layers = [];
    this._active = null;
    this._history = [];
    this._hi = 0;
    this._snaps = [];
    this._openName = 'Open';
    this.selection = new Selection(this);
    this.artLayers = {
      // Like Photoshop: the new layer goes above the active layer, in the same group (inside a
      // selected group, at its top).
      add: function () {
        var L = new Layer(self, 'Layer ' + (allLayers(self).length + 1));
        var a = self._active, c = !a ? self : a.typename === 'LayerSet' ? a : a.parent;
        var i = a && c !== a ? c.layers.indexOf(a) : 0;
        c.layers.splice(Math.max(0, i), 0, L);
        L.parent = c;
        self._active = L;
        self._record('New Layer');
        self._changed();
        return L;
      },
    };
    if (withPaths) this.pathItems = [];
  }
  /**
   * A history step made to this document: its name and a snapshot of the document after it (the
   * layer tree, each layer's properties and pixels — held by reference: every change replaces a
   * layer's array —, the selection, the active layer), so `sim.undo()` can go back to the one
   * before. A step made after an Undo drops the steps undone (as in Photoshop, with no
   * non-linear history).
   */
  Document.prototype._record = function (name) {
    this._history.length = this._hi;
    this._snaps.length = this._hi + 1;
    this._history.push(name);
    this._snaps.push(snapshot(this));
    this._hi = this._history.length;
  };
  /** The document as it is: see `_record`. */
  function snapshot(doc) {
    function tree(c) {
      return c.layers.map(function (L) {
        return {
          L: L, name: L._name, visible: L._visible, opacity: L.opacity, fillOpacity: L.fillOpacity, blendMode: L.blendMode, grouped: L.grouped,
          pixels: L.pixels || null, kids: L.typename === 'LayerSet' ? tree(L) : null,
        };
      });
    }
    return { tree: tree(doc), active: doc._active, sel: doc.selection.mask, w: doc._w, h: doc._h };
  }
  function restore(doc, snap) {
    function put(c, items) {
      c.layers = items.map(function (it) {
        var L = it.L;
        L._name = it.name; L._visible = it.visible; L.opacity = it.opacity; L.fillOpacity = it.fillOpacity; L.blendMode = it.blendMode; L.grouped = it.grouped;
        if (it.pixels) L.pixels = it.pixels;
        L.parent = c;
        if (it.kids) put(L, it.kids);
        return L;
      });
    }
    put(doc, snap.tree);
    doc._active = snap.active; doc.selection.mask = snap.sel; doc._w = snap.w; doc._h = snap.h;
    doc._changed();
  }
  /** The first snapshot ("Open"), once the document has its layers. */
  Document.prototype._opened = function (name) {
    this._history = []; this._hi = 0; this._snaps = [snapshot(this)]; this._openName = name || 'Open';
  };
  /**
   * Photoshop DOM `Document.historyStates` (the states in the History panel, the document's
   * opening first) and `activeHistoryState` (the state shown: an Undo makes the one before it
   * active; the undone ones stay listed until the next step). `hist=0` leaves both out. Each state
   * object is the same across reads (the adapter compares by reference). VERIFY that Photopea has
   * them.
   */
  Document.prototype._stateObjs = function () {
    var objs = this._stateCache || (this._stateCache = []);
    var names = [this._openName].concat(this._history);
    objs.length = Math.min(objs.length, names.length);
    for (var i = 0; i < names.length; i++) {
      if (!objs[i] || objs[i].name !== names[i]) { objs.length = i; objs.push({ name: names[i], snapshot: false, typename: 'HistoryState' }); }
    }
    return objs;
  };
  if (withHistoryStates) {
    Object.defineProperty(Document.prototype, 'historyStates', { get: function () { return this._stateObjs().slice(); } });
    Object.defineProperty(Document.prototype, 'activeHistoryState', { get: function () { return this._stateObjs()[this._hi]; } });
  }
  Object.defineProperty(Document.prototype, 'activeLayer', {
    get: function () { return this._active; },
    set: function (L) { if (allLayers(this).indexOf(L) < 0) throw new Error('not a layer of this document'); this._active = L; },
  });
  Object.defineProperty(Document.prototype, 'width', { get: function () { return rulerValue(this._w); } });
  Object.defineProperty(Document.prototype, 'height', { get: function () { return rulerValue(this._h); } });
  /** Visible art layers, bottom first, each with its weight (opacity × fill × its groups' opacity; a hidden group hides what it holds). */
  function visibleStack(c, out, weight) {
    for (var k = c.layers.length - 1; k >= 0; k--) {
      var L = c.layers[k]; if (!L.visible) continue;
      var wt = weight * (Number(L.opacity) / 100);
      if (L.typename === 'LayerSet') visibleStack(L, out, wt);
      else out.push({ layer: L, weight: wt * (L.fillOpacity === undefined ? 1 : Number(L.fillOpacity) / 100) });
    }
    return out;
  }
  Document.prototype._composite = function () {
    var w = this._w, h = this._h, out = new Uint8ClampedArray(w * h * 4), stack = visibleStack(this, [], 1);
    for (var k = 0; k < stack.length; k++) {
      var p = stack[k].layer.pixels, wt = stack[k].weight;
      for (var i = 0; i < w * h; i++) {
        var sa = p[i * 4 + 3] / 255 * wt; if (sa === 0) continue;
        var da = out[i * 4 + 3] / 255, oa = sa + da * (1 - sa);
        for (var c = 0; c < 3; c++) out[i * 4 + c] = Math.round((p[i * 4 + c] * sa + out[i * 4 + c] * da * (1 - sa)) / oa);
        out[i * 4 + 3] = Math.round(oa * 255);
      }
    }
    return out;
  };
  Document.prototype._changed = function () { scheduleRender(); };
  Document.prototype.saveToOE = function (format) {
    if (String(format).indexOf('png') !== 0) throw new Error('simulator only exports png');
    var w = this._w, h = this._h, rgba = this._composite();
    var buf = depth16 ? png16(w, h, rgba) : UPNG.encode([new Uint8Array(rgba).buffer], w, h, 0);
    var b = new Uint8Array(buf);
    sim.exports.push({ width: w, height: h, depth: b[24], colorType: b[25], bytes: b.length });
    sim.outbox.push({ data: buf });
  };

  /**
   * Photoshop DOM `Document.duplicate(name)`: a copy of the whole layer tree (pixels, names,
   * visibility), opened as a new document that becomes the active one. Counted in `sim.duplicates`.
   */
  Document.prototype.duplicate = function (name) {
    var src = this, copy = new Document(name ? String(name) : this.name + ' copy', this._w, this._h);
    function cloneInto(from, into) {
      from.layers.forEach(function (L) {
        var c;
        if (L.typename === 'LayerSet') { c = new LayerSet(copy, L.name); c.opacity = L.opacity; c.blendMode = L.blendMode; cloneInto(L, c); }
        else { c = new Layer(copy, L.name, new Uint8ClampedArray(L.pixels)); c.kind = L.kind; c.opacity = L.opacity; c.fillOpacity = L.fillOpacity; c.blendMode = L.blendMode; c.grouped = L.grouped; }
        c._visible = L.visible; c.parent = into; into.layers.push(c);
        if (L === src._active) copy._active = c;
      });
    }
    cloneInto(this, copy);
    if (dupKeepsSelection && this.selection.mask) copy.selection.mask = new Uint8Array(this.selection.mask);
    copy._opened('Duplicate Image');
    sim.docs.push(copy);
    sim.doc = copy;
    sim.duplicates++;
    return copy;
  };
  /** Photoshop DOM `Document.crop(bounds)`: [left, top, right, bottom] in ruler units (photopea/photopea#2581); every layer is cut to it, the selection dropped. */
  Document.prototype.crop = function (bounds) {
    if (!bounds || bounds.length !== 4) throw new Error('crop: bounds must be [left, top, right, bottom]');
    var b = Array.prototype.map.call(bounds, function (v) { return Math.round(toPx(v)); });
    var w = b[2] - b[0], h = b[3] - b[1], ow = this._w, oh = this._h;
    if (!(w > 0 && h > 0)) throw new Error('crop: empty bounds');
    allLayers(this).forEach(function (L) {
      if (L.typename === 'LayerSet') return;
      var out = new Uint8ClampedArray(w * h * 4);
      for (var y = 0; y < h; y++) {
        var sy = b[1] + y; if (sy < 0 || sy >= oh) continue;
        for (var x = 0; x < w; x++) {
          var sx = b[0] + x; if (sx < 0 || sx >= ow) continue;
          var s = (sy * ow + sx) * 4, d = (y * w + x) * 4;
          out[d] = L.pixels[s]; out[d + 1] = L.pixels[s + 1]; out[d + 2] = L.pixels[s + 2]; out[d + 3] = L.pixels[s + 3];
        }
      }
      L.pixels = out;
    });
    this._w = w; this._h = h;
    this.selection.mask = null;
    this._record('Crop');
    this._changed();
  };
  if (noArea) delete Document.prototype.duplicate;
  /** Photoshop DOM `Document.close(saveOptions)`: the document goes; another open one becomes active. */
  Document.prototype.close = function () {
    var i = sim.docs.indexOf(this);
    if (i < 0) throw new Error('document already closed');
    sim.docs.splice(i, 1);
    if (sim.doc === this) sim.doc = sim.docs[sim.docs.length - 1] || null;
    scheduleRender();
  };

  /**
   * A 16-bit RGBA PNG of an 8-bit composite: each sample v becomes v·257 plus detail below half an
   * 8-bit step (what a 16-bit document holds), so rounding back to 8 bits gives v exactly.
   */
  function png16(w, h, rgba) {
    var stride = w * 8 + 1, raw = new Uint8Array(stride * h);
    for (var y = 0; y < h; y++) for (var x = 0; x < w; x++) for (var c = 0; c < 4; c++) {
      var v = rgba[(y * w + x) * 4 + c], d = ((x * 7 + y * 13 + c * 5) % 200) - 100;
      var s = Math.max(0, Math.min(65535, v * 257 + (c === 3 && (v === 0 || v === 255) ? 0 : d)));
      var o = y * stride + 1 + x * 8 + c * 2;
      raw[o] = s >> 8; raw[o + 1] = s & 255;
    }
    var idat = pako.deflate(raw), out = [], crcT = [];
    for (var n = 0; n < 256; n++) { var k = n; for (var j = 0; j < 8; j++) k = k & 1 ? 0xedb88320 ^ (k >>> 1) : k >>> 1; crcT[n] = k >>> 0; }
    function u32(v) { return [v >>> 24 & 255, v >>> 16 & 255, v >>> 8 & 255, v & 255]; }
    function chunk(type, body) {
      var td = [].concat(type.split('').map(function (ch) { return ch.charCodeAt(0); }), Array.prototype.slice.call(body));
      var crc = 0xffffffff; for (var i = 0; i < td.length; i++) crc = crcT[(crc ^ td[i]) & 255] ^ (crc >>> 8);
      return u32(body.length).concat(td, u32((crc ^ 0xffffffff) >>> 0));
    }
    out = out.concat([137, 80, 78, 71, 13, 10, 26, 10], chunk('IHDR', u32(w).concat(u32(h), [16, 6, 0, 0, 0])), chunk('IDAT', idat), chunk('IEND', []));
    return new Uint8Array(out).buffer;
  }

  var app = {
    preferences: preferences,
    get activeDocument() { return sim.doc; },
    set activeDocument(d) { if (sim.docs.indexOf(d) < 0) throw new Error('not an open document'); sim.doc = d; scheduleRender(); },
    documents: { get length() { return sim.docs.length; } },
    echoToOE: function (s) { sim.outbox.push({ data: String(s) }); },
    open: function (url, as, asSmart) {
      var doc = sim.doc;
      if (!asSmart || !doc) throw new Error('simulator supports app.open(url, null, true) into the open document only');
      if (String(url).indexOf('data:image/png;base64,') !== 0) throw new Error('simulator opens PNG data URLs only');
      var anchor = doc._active, delay = sim.pasteDelayMs;
      // Asynchronous like Photopea: the layer appears a little later (sim.pasteDelayMs more), centred
      // on the canvas by the image's own size, above the layer active at the paste.
      var decoded = decodeToRgba(url).then(function (img) { return new Promise(function (r) { setTimeout(function () { r(img); }, delay); }); });
      decoded.then(function (img) {
        if (sim.docs.indexOf(doc) < 0) return; // closed meanwhile
        var L = new Layer(doc, 'Pasted ' + (sim.pastes.length + 1)), into = !anchor ? doc : anchor.typename === 'LayerSet' ? anchor : anchor.parent;
        if (into !== doc && allLayers(doc).indexOf(into) < 0) into = doc; // its group was deleted meanwhile
        L.kind = 'smartObject';
        var ox = Math.round((doc._w - img.width) / 2), oy = Math.round((doc._h - img.height) / 2);
        for (var y = 0; y < img.height; y++) {
          var dy = oy + y; if (dy < 0 || dy >= doc._h) continue;
          for (var x = 0; x < img.width; x++) {
            var dx = ox + x; if (dx < 0 || dx >= doc._w) continue;
            var s = (y * img.width + x) * 4, d = (dy * doc._w + dx) * 4;
            for (var c = 0; c < 4; c++) L.pixels[d + c] = img.data[s + c];
          }
        }
        var i = anchor && into !== anchor ? into.layers.indexOf(anchor) : 0;
        into.layers.splice(Math.max(0, i), 0, L);
        L.parent = into;
        doc._active = L;
        sim.pastes.push({ url: url, layer: L, width: img.width, height: img.height });
        doc._record('Place');
        doc._changed();
      }).catch(function (e) { sim.errors.push('app.open failed: ' + e); });
    },
  };

  /** Read a PNG (URL or data URL) like Photopea does, with UPNG.js (exact, straight alpha). */
  function decodeToRgba(url) {
    return fetch(url).then(function (r) { return r.arrayBuffer(); })
      .then(function (buf) {
        var img = UPNG.decode(buf);
        return { width: img.width, height: img.height, data: new Uint8ClampedArray(UPNG.toRGBA8(img)[0]) };
      });
  }

  // ---------------------------------------------------------------- messaging
  var frame = document.getElementById('plugin');
  function post(msg) { frame.contentWindow.postMessage(msg, '*'); }

  window.addEventListener('message', function (e) {
    if (e.source !== frame.contentWindow) return;
    var script = e.data;
    if (typeof script !== 'string') {
      sim.violations.push('non-string message from the plugin');
      return;
    }
    if (sim.busy) {
      var msg = 'second script before "done": ' + script.slice(0, 80);
      sim.violations.push(msg);
      console.error('[photopea-sim] PROTOCOL VIOLATION: ' + msg);
    }
    sim.busy = true;
    // Photopea takes messages one at a time, in order: this one waits for those before it.
    inbox.push(script);
    if (inbox.length === 1) startNext();
  });

  /** Scripts received and not yet answered ("done"), first = the one running. */
  var inbox = [];
  /** Run the first script of the inbox, after a stall if one is set for it. */
  function startNext() {
    var script = inbox[0], wait = 0;
    for (var k = 0; k < sim.stalls.length; k++) {
      if (sim.stalls[k].match === null || script.indexOf(sim.stalls[k].match) >= 0) { wait = sim.stalls[k].ms; sim.stalls.splice(k, 1); break; }
    }
    if (wait > 0) setTimeout(function () { runScript(script); }, wait);
    else runScript(script);
  }
  function runScript(script) {
    sim.scripts.push(script);
    sim.outbox = [];
    var failed = false;
    try {
      new Function('app', 'SolidColor', 'UnitValue', 'Units', 'BlendMode', 'SaveOptions', 'ElementPlacement', 'PathKind', script)(app, SolidColor, UnitValue, Units, BlendMode, SaveOptions, ElementPlacement, PathKind);
    } catch (err) {
      failed = true;
      sim.errors.push(String(err));
    }
    var out = sim.outbox;
    sim.outbox = [];
    var exported = out.some(function (m) { return typeof m.data !== 'string'; });
    Promise.all(out.map(function (m) { return m.promise; })).then(function () {
      setTimeout(function () {
        if (failed) post('error');
        for (var i = 0; i < out.length; i++) post(out[i].data);
        inbox.shift();
        if (inbox.length === 0) sim.busy = false;
        post('done');
        if (inbox.length > 0) startNext();
      }, PROCESS_MS + (exported ? sim.exportDelayMs : 0));
    });
  }

  // ---------------------------------------------------------------- test hooks and view
  /**
   * Photopea busy: the next script containing `match` (any script when null) starts `ms` later;
   * scripts posted meanwhile wait behind it (and count as violations, as posted before "done").
   */
  sim.stallNext = function (match, ms) { sim.stalls.push({ match: match === undefined ? null : match, ms: ms }); };
  /** The history steps of a document (default: the active one), oldest first. */
  sim.history = function (docName) {
    var doc = docName ? sim.docs.filter(function (d) { return d.name === docName; })[0] : sim.doc;
    return doc._history.slice(0, doc._hi);
  };
  /**
   * Edit ▸ Undo in the active document (Ctrl+Z): the last step made (or the last one not undone
   * yet) is undone — the document goes back to the state before it. Resolves the undone step's
   * name (null when there was nothing to undo).
   */
  sim.undo = function () {
    var d = sim.doc;
    if (!d || d._hi === 0) return null;
    var name = d._history[d._hi - 1];
    d._hi--;
    restore(d, d._snaps[d._hi]);
    return name;
  };
  /**
   * A brush stroke by the user: an opaque `[r, g, b]` rectangle painted onto the active layer (a
   * step "Brush Tool"). Inside a layer that covers the document its bounds do not change.
   */
  sim.paint = function (rect, rgb) {
    var d = sim.doc, L = d._active;
    if (!L || L.typename === 'LayerSet') throw new Error('no active art layer');
    var p = L.pixels = new Uint8ClampedArray(L.pixels);
    for (var y = rect.top; y < rect.top + rect.height; y++) for (var x = rect.left; x < rect.left + rect.width; x++) {
      var i = (y * d._w + x) * 4; p[i] = rgb[0]; p[i + 1] = rgb[1]; p[i + 2] = rgb[2]; p[i + 3] = 255;
    }
    d._record('Brush Tool');
    d._changed();
  };
  /** Make another open document (by name) the active one, as clicking its tab in Photopea does. */
  sim.activate = function (name) {
    var d = sim.docs.filter(function (x) { return x.name === name; })[0];
    if (!d) throw new Error('no open document ' + name);
    sim.doc = d;
    scheduleRender();
  };
  /** Wrap the named top-level layers of the active document in a new group (at the first one's place). */
  sim.makeGroup = function (name, layerNames, visible) {
    var d = sim.doc, g = new LayerSet(d, name), at = -1;
    g._visible = visible !== false;
    layerNames.forEach(function (n) {
      var L = d.layers.filter(function (x) { return x.name === n; })[0];
      if (!L) throw new Error('no top-level layer ' + n);
      var i = d.layers.indexOf(L);
      if (at < 0 || i < at) at = i;
      d.layers.splice(i, 1); g.layers.push(L); L.parent = g;
    });
    d.layers.splice(Math.max(0, at), 0, g);
    d._changed();
    return g;
  };
  /**
   * Add a pen path to the active document (`paths=1`): {name, kind: 'WORKPATH' | 'NORMALPATH' | …,
   * subpaths: [{closed, points: [{anchor, left?, right?}]}]}, document pixels; `left` is the
   * incoming handle (leftDirection), `right` the outgoing one (rightDirection), each defaulting to
   * the anchor (a corner point).
   */
  sim.addPath = function (spec) {
    var d = sim.doc;
    if (!d.pathItems) throw new Error('open the simulator with paths=1');
    function xy(p) { return [rulerNumber(p[0]), rulerNumber(p[1])]; }
    d.pathItems.push({
      name: spec.name,
      kind: PathKind[spec.kind || 'NORMALPATH'],
      subPathItems: spec.subpaths.map(function (sp) {
        return {
          closed: !!sp.closed, operation: 'ShapeOperation.SHAPEXOR',
          pathPoints: sp.points.map(function (pt) {
            var a = pt.anchor, l = pt.left || a, r = pt.right || a;
            return {
              kind: pt.left || pt.right ? 'PointKind.SMOOTHPOINT' : 'PointKind.CORNERPOINT',
              get anchor() { return xy(a); }, get leftDirection() { return xy(l); }, get rightDirection() { return xy(r); },
            };
          }),
        };
      }),
    });
  };
  /** Set the selection from a placed mask {left, top, width, height, data: number[]}. */
  sim.setSelection = function (pm) {
    var d = sim.doc, m = new Uint8Array(d._w * d._h);
    for (var y = 0; y < pm.height; y++) for (var x = 0; x < pm.width; x++) {
      var X = pm.left + x, Y = pm.top + y;
      if (X >= 0 && Y >= 0 && X < d._w && Y < d._h) m[Y * d._w + X] = pm.data[y * pm.width + x];
    }
    d.selection.mask = m;
    d._record('Marquee');
    scheduleRender();
  };
  /**
   * Open another document (a file served next to this page) and make it the active one, as a user
   * switching tabs in Photopea does; the earlier ones stay open in `sim.docs`. Resolves when it is.
   */
  sim.openDocument = function (name) {
    return decodeToRgba(name).then(function (img) {
      sim.doc = newDocument(name, img);
      sim.docs.push(sim.doc);
      scheduleRender();
    });
  };
  /** Every layer and group of a document (default: the active one), top first (depth-first); bounds in pixels; `group` = parent group's name. */
  sim.layerInfo = function (docName) {
    var doc = docName ? sim.docs.filter(function (d) { return d.name === docName; })[0] : sim.doc;
    return allLayers(doc).map(function (L) {
      var b = L.bounds.map(function (v) { return Math.round(toPx(v)); });
      return { name: L.name, visible: L.visible, kind: L.typename === 'LayerSet' ? 'group' : L.kind, group: L.parent === doc ? null : L.parent.name, bounds: b, active: L === doc._active };
    });
  };

  var renderPending = false;
  function scheduleRender() {
    if (renderPending) return;
    renderPending = true;
    requestAnimationFrame(function () {
      renderPending = false;
      var d = sim.doc; if (!d) return;
      var c = document.getElementById('view'); c.width = d._w; c.height = d._h;
      var ctx = c.getContext('2d');
      ctx.putImageData(new ImageData(d._composite(), d._w, d._h), 0, 0);
      if (d.selection.mask) {
        var ov = new ImageData(d._w, d._h), m = d.selection.mask;
        for (var i = 0; i < m.length; i++) {
          var edge = m[i] > 0 && m[i] < 255;
          if (edge) { ov.data[i * 4] = 0; ov.data[i * 4 + 1] = 0; ov.data[i * 4 + 2] = 0; ov.data[i * 4 + 3] = 255; }
        }
        var t = document.createElement('canvas'); t.width = d._w; t.height = d._h;
        t.getContext('2d').putImageData(ov, 0, 0);
        ctx.drawImage(t, 0, 0);
      }
      document.getElementById('layers').innerHTML = allLayers(d).map(function (L) {
        var indent = L.parent === d ? '' : '&nbsp;&nbsp;&nbsp;&nbsp;';
        return '<div>' + indent + (L.visible ? '[v] ' : '[&nbsp;&nbsp;] ') + (L.typename === 'LayerSet' ? '▾ ' : '') + L.name.replace(/</g, '&lt;') + (L === d._active ? ' ◂' : '') + '</div>';
      }).join('');
    });
  }

  // Stray messages like the real host: pings always, "done" only while idle (so a stray one can
  // never be taken for the "done" of a script by a correct client).
  setInterval(function () { if (sim.ready) post('MSFAPI#' + Math.random().toString(36).slice(2)); }, 120);
  setInterval(function () { if (sim.ready && !sim.busy) post('done'); }, 700);

  /** A document of one image: its Background layer (in "Group 1" with `groups=1`), active. */
  function newDocument(url, img) {
    var d = new Document(url.split('/').pop(), img.width, img.height);
    var bg = new Layer(d, 'Background', new Uint8ClampedArray(img.data));
    if (withGroups) {
      var g = new LayerSet(d, 'Group 1');
      g.layers.push(bg); bg.parent = g;
      d.layers.push(g);
    } else d.layers.push(bg);
    d._active = bg;
    d._opened();
    return d;
  }

  decodeToRgba(docUrl).then(function (img) {
    sim.doc = newDocument(docUrl, img);
    sim.docs.push(sim.doc);
    scheduleRender();
    frame.addEventListener('load', function () {
      sim.ready = true;
      post('done'); // Photopea says "done" once it is initialised
    });
    frame.src = pluginUrl;
  });
})();
