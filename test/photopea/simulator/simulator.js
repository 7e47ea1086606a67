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
 * Plain browser JS on purpose: it shares no code with the plugin under test (PNG encoding and
 * decoding go through the browser's canvas).
 */
(function () {
  'use strict';
  var params = new URLSearchParams(location.search);
  var pluginUrl = params.get('plugin');
  var docUrl = params.get('doc') || 'smarties.png';
  var withPaths = params.get('paths') === '1';
  var PROCESS_MS = 15; // time "Photopea" takes per script before its "done"

  function UnitValue(v) { this.value = v; this.type = 'px'; }
  UnitValue.prototype.valueOf = function () { return this.value; };
  UnitValue.prototype.toString = function () { return this.value + ' px'; };

  var sim = {
    doc: null, violations: [], scripts: [], pastes: [], errors: [], busy: false, ready: false,
    outbox: [],
  };
  window.sim = sim;

  // ---------------------------------------------------------------- document model
  function Layer(doc, name, pixels) {
    this._doc = doc;
    this.name = name;
    this.visible = true;
    this.typename = 'ArtLayer';
    this.kind = 'normal';
    this.pixels = pixels || new Uint8ClampedArray(doc._w * doc._h * 4);
  }
  Object.defineProperty(Layer.prototype, 'bounds', {
    get: function () {
      var w = this._doc._w, h = this._doc._h, p = this.pixels;
      var x0 = w, y0 = h, x1 = -1, y1 = -1;
      for (var y = 0; y < h; y++) for (var x = 0; x < w; x++) {
        if (p[(y * w + x) * 4 + 3] !== 0) { if (x < x0) x0 = x; if (x > x1) x1 = x; if (y < y0) y0 = y; y1 = y; }
      }
      if (x1 < 0) return [new UnitValue(0), new UnitValue(0), new UnitValue(0), new UnitValue(0)];
      return [new UnitValue(x0), new UnitValue(y0), new UnitValue(x1 + 1), new UnitValue(y1 + 1)];
    },
  });
  Layer.prototype.translate = function (dx, dy) {
    dx = Math.round(Number(dx)); dy = Math.round(Number(dy));
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
    this._doc._changed();
  };
  Layer.prototype.remove = function () {
    var L = this._doc.layers, i = L.indexOf(this);
    if (i < 0) throw new Error('layer already removed');
    L.splice(i, 1);
    if (this._doc._active === this) this._doc._active = L[Math.min(i, L.length - 1)] || null;
    this._doc._changed();
  };

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
      return [new UnitValue(x0), new UnitValue(y0), new UnitValue(x1 + 1), new UnitValue(y1 + 1)];
    },
  });
  Selection.prototype.invert = function () {
    var n = this._doc._w * this._doc._h;
    var m = this.mask || new Uint8Array(n), out = new Uint8Array(n);
    for (var i = 0; i < n; i++) out[i] = 255 - m[i];
    this.mask = out;
  };
  Selection.prototype.deselect = function () { this.mask = null; };
  Selection.prototype.selectAll = function () { this.mask = new Uint8Array(this._doc._w * this._doc._h).fill(255); };
  /** Fill the active layer through the selection with "normal" blending at coverage opacity. */
  Selection.prototype.fill = function (color) {
    var doc = this._doc, L = doc._active, n = doc._w * doc._h, m = this.mask;
    if (!L) throw new Error('no active layer');
    var r = color.rgb.red, g = color.rgb.green, b = color.rgb.blue, p = L.pixels;
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
    doc._changed();
  };

  function Document(name, w, h) {
    var self = this;
    this._w = w; this._h = h; this.name = name;
    this.width = w; this.height = h; this.resolution = 72;
    this.layers = [];
    this._active = null;
    this.selection = new Selection(this);
    this.artLayers = {
      add: function () {
        var L = new Layer(self, 'Layer ' + (self.layers.length + 1));
        var i = self._active ? self.layers.indexOf(self._active) : 0;
        self.layers.splice(Math.max(0, i), 0, L);
        self._active = L;
        self._changed();
        return L;
      },
    };
    if (withPaths) this.pathItems = [];
  }
  Object.defineProperty(Document.prototype, 'activeLayer', {
    get: function () { return this._active; },
    set: function (L) { if (this.layers.indexOf(L) < 0) throw new Error('not a layer of this document'); this._active = L; },
  });
  Document.prototype._composite = function () {
    var w = this._w, h = this._h, out = new Uint8ClampedArray(w * h * 4);
    for (var k = this.layers.length - 1; k >= 0; k--) {
      var L = this.layers[k]; if (!L.visible) continue;
      var p = L.pixels;
      for (var i = 0; i < w * h; i++) {
        var sa = p[i * 4 + 3] / 255; if (sa === 0) continue;
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
    var c = document.createElement('canvas'); c.width = w; c.height = h;
    c.getContext('2d').putImageData(new ImageData(rgba, w, h), 0, 0);
    var slot = { pending: true, data: null };
    sim.outbox.push(slot);
    slot.promise = new Promise(function (res) { c.toBlob(res, 'image/png'); })
      .then(function (blob) { return blob.arrayBuffer(); })
      .then(function (buf) { slot.data = buf; slot.pending = false; });
  };

  var app = {
    get activeDocument() { return sim.doc; },
    documents: { get length() { return sim.doc ? 1 : 0; } },
    echoToOE: function (s) { sim.outbox.push({ data: String(s) }); },
    open: function (url, as, asSmart) {
      var doc = sim.doc;
      if (!asSmart || !doc) throw new Error('simulator supports app.open(url, null, true) into the open document only');
      if (String(url).indexOf('data:image/png;base64,') !== 0) throw new Error('simulator opens PNG data URLs only');
      var anchor = doc._active;
      // Asynchronous like Photopea: the layer appears a little later, centred on the canvas.
      decodeToRgba(url).then(function (img) {
        var L = new Layer(doc, 'Pasted ' + (sim.pastes.length + 1));
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
        var i = anchor ? doc.layers.indexOf(anchor) : 0;
        doc.layers.splice(Math.max(0, i), 0, L);
        doc._active = L;
        sim.pastes.push({ url: url, layer: L, width: img.width, height: img.height });
        doc._changed();
      }).catch(function (e) { sim.errors.push('app.open failed: ' + e); });
    },
  };

  function decodeToRgba(url) {
    return fetch(url).then(function (r) { return r.blob(); })
      .then(function (b) { return createImageBitmap(b, { premultiplyAlpha: 'none', colorSpaceConversion: 'none' }); })
      .then(function (bmp) {
        var c = document.createElement('canvas'); c.width = bmp.width; c.height = bmp.height;
        var ctx = c.getContext('2d'); ctx.drawImage(bmp, 0, 0);
        return { width: bmp.width, height: bmp.height, data: ctx.getImageData(0, 0, bmp.width, bmp.height).data };
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
    sim.scripts.push(script);
    sim.outbox = [];
    var failed = false;
    try {
      new Function('app', 'SolidColor', 'UnitValue', script)(app, SolidColor, UnitValue);
    } catch (err) {
      failed = true;
      sim.errors.push(String(err));
    }
    var out = sim.outbox;
    sim.outbox = [];
    Promise.all(out.map(function (m) { return m.promise; })).then(function () {
      setTimeout(function () {
        if (failed) post('error');
        for (var i = 0; i < out.length; i++) post(out[i].data);
        sim.busy = false;
        post('done');
      }, PROCESS_MS);
    });
  });

  // ---------------------------------------------------------------- test hooks and view
  /** Set the selection from a placed mask {left, top, width, height, data: number[]}. */
  sim.setSelection = function (pm) {
    var d = sim.doc, m = new Uint8Array(d._w * d._h);
    for (var y = 0; y < pm.height; y++) for (var x = 0; x < pm.width; x++) {
      var X = pm.left + x, Y = pm.top + y;
      if (X >= 0 && Y >= 0 && X < d._w && Y < d._h) m[Y * d._w + X] = pm.data[y * pm.width + x];
    }
    d.selection.mask = m;
    scheduleRender();
  };
  /** Layers, top first. */
  sim.layerInfo = function () {
    return sim.doc.layers.map(function (L) {
      var b = L.bounds;
      return { name: L.name, visible: L.visible, kind: L.kind, bounds: [b[0].value, b[1].value, b[2].value, b[3].value] };
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
      document.getElementById('layers').innerHTML = d.layers.map(function (L) {
        return '<div>' + (L.visible ? '[v] ' : '[&nbsp;&nbsp;] ') + L.name.replace(/</g, '&lt;') + (L === d._active ? ' ◂' : '') + '</div>';
      }).join('');
    });
  }

  // Stray messages like the real host: pings always, "done" only while idle (so a stray one can
  // never be taken for the "done" of a script by a correct client).
  setInterval(function () { if (sim.ready) post('MSFAPI#' + Math.random().toString(36).slice(2)); }, 120);
  setInterval(function () { if (sim.ready && !sim.busy) post('done'); }, 700);

  decodeToRgba(docUrl).then(function (img) {
    var d = new Document(docUrl.split('/').pop(), img.width, img.height);
    var bg = new Layer(d, 'Background', new Uint8ClampedArray(img.data));
    d.layers.push(bg);
    d._active = bg;
    sim.doc = d;
    scheduleRender();
    frame.addEventListener('load', function () {
      sim.ready = true;
      post('done'); // Photopea says "done" once it is initialised
    });
    frame.src = pluginUrl;
  });
})();
