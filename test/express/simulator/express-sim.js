// Adobe Express simulator for the SmartDrag add-on tests. Written from the add-on documentation
// (manifest reference, iframe context, document sandbox APIs) and the typings of
// @adobe/ccweb-add-on-sdk-types 1.40.0; see docs/HOSTS-CONFORMANCE.md ("Adobe Express").
//
// - Loads the add-on's manifest.json, runs its `main` page in a sandboxed iframe
//   ("allow-scripts allow-same-origin") on the add-on's own origin, and its `documentSandbox`
//   script (an ES module importing "add-on-sdk-document-sandbox" and "express-document-sdk") here.
// - The UI SDK (sdk.js) reaches this page only by postMessage: every call is asynchronous and
//   structured-cloned, like the real proxy.
// - A document: one page, one artboard, media containers holding bitmaps (position, size,
//   rotation), videos, texts, shapes and groups. Renditions are PNG blobs drawn from the bitmaps at
//   their real size. Locked nodes are left out of `selection` (kept in
//   `selectionIncludingNonEditable`), as the typings say.
// - What the docs limit, the simulator refuses: a preview-intent page rendition without the
//   manifest's `requirements.renditionPreview`; an imported bitmap over 8000 px a side or 80 MB;
//   an export-intent rendition of a page with premium content for a free user (the error string
//   "USER_NOT_ENTITLED_TO_PREMIUM_CONTENT", Manage Premium Content guide).
// - Premium: an image element may be premium content (`premium=1` in the URL for the document's
//   image, or sim.setPremium); the page's metadata says `hasPremiumContent`; the user is free unless
//   `premiumUser=1` (sim.premiumUser); the upgrade flow answers sim.upgradeAnswer (the user upgrades
//   or cancels), or fails with sim.upgradeError.
// - The user's own actions (not edits by the add-on): select, move, resize, delete, Undo.
// - Edits are allowed only while the sandbox may edit (the synchronous part of an exposed API call,
//   or a keepContentActiveDuringAsync callback); every exposed call's edits form one undo step.
(function () {
  'use strict';
  const params = new URLSearchParams(location.search);
  const ADDON = params.get('addon'); // folder URL, ends with '/'
  const ADDON_ORIGIN = new URL(ADDON).origin;
  const sim = (window.sim = { ready: false, errors: [], violations: [], calls: [], history: [], storage: {}, addImageCalls: [], renditionError: null, premiumUser: params.get('premiumUser') === '1', upgradeAnswer: false });
  const fail = (msg) => { sim.violations.push(msg); throw new Error(msg); };

  // ---- geometry -------------------------------------------------------------------------------
  const rad = (deg) => (deg * Math.PI) / 180;
  function apply(n, p) { // local → parent
    const c = Math.cos(rad(n.rotation)), s = Math.sin(rad(n.rotation));
    return { x: n.tx + c * p.x - s * p.y, y: n.ty + s * p.x + c * p.y };
  }
  function boundsInParent(n) {
    if (n.kind === 'group') { // the union of its children (a group's own transform is the identity here)
      const bs = n.children.map(boundsInParent);
      const x = Math.min(...bs.map((b) => b.x)), y = Math.min(...bs.map((b) => b.y));
      return { x, y, width: Math.max(...bs.map((b) => b.x + b.width)) - x, height: Math.max(...bs.map((b) => b.y + b.height)) - y };
    }
    const pts = [[0, 0], [n.width, 0], [0, n.height], [n.width, n.height]].map(([x, y]) => apply(n, { x, y }));
    const xs = pts.map((p) => p.x), ys = pts.map((p) => p.y);
    const x = Math.min(...xs), y = Math.min(...ys);
    return { x, y, width: Math.max(...xs) - x, height: Math.max(...ys) - y };
  }

  // ---- document model ---------------------------------------------------------------------------
  let nextId = 1;
  const page = { id: 'page-1', name: 'Page 1', width: Number(params.get('pageW') || 800), height: Number(params.get('pageH') || 600), nodes: [] };
  let selection = [];
  /** Every node in the document (top level and inside groups). */
  function allNodes(list = page.nodes) { return list.flatMap((n) => [n, ...(n.children ? allNodes(n.children) : [])]); }
  const findNode = (id) => allNodes().find((n) => n.id === id);
  /** The group holding `n`, or null at the top level, or undefined when `n` is not in the document. */
  function parentNode(n) {
    if (page.nodes.includes(n)) return null;
    return allNodes().find((g) => g.children && g.children.includes(n));
  }
  let editOpen = false;
  let step = null; // undo step of the exposed call running now

  function requireEdit(what) {
    if (!editOpen) fail(`${what}: document edits are only allowed in an exposed API call's synchronous part or a keepContentActiveDuringAsync callback`);
  }

  async function decode(blob) {
    const bitmap = await createImageBitmap(blob, { premultiplyAlpha: 'none', colorSpaceConversion: 'none' });
    return bitmap;
  }

  /** Add an image element (test setup; not an edit by the add-on). */
  sim.addImageElement = async function (url, box) {
    const bytes = new Uint8Array(await (await fetch(url)).arrayBuffer());
    const bitmap = await decode(new Blob([bytes], { type: 'image/png' }));
    // kind 'gridcell': a photo in a grid cell (a MediaContainerNode of type GridCell).
    const n = { id: `node-${nextId++}`, kind: box.kind ?? 'image', bitmap, png: bytes, tx: box.x, ty: box.y, width: box.width ?? bitmap.width, height: box.height ?? bitmap.height, rotation: box.rotation ?? 0, data: {}, premium: box.premium === true };
    page.nodes.push(n);
    draw();
    return n.id;
  };
  // An image's media rectangle (the uncropped media in its frame): made when first asked for.
  let nextMedia = 1;
  const newMedia = () => ({ id: `media-${nextMedia++}`, x: 0, y: 0, zoom: 1 });
  const mediaOf = (n) => n.media ?? (n.media = newMedia());
  /**
   * The user's Replace in Express: the image shows another picture (a new media rectangle, filling
   * the frame) where it was; the frame keeps its id, place and size.
   */
  sim.replaceMedia = async function (id, url) {
    const n = findNode(id);
    const bytes = new Uint8Array(await (await fetch(url)).arrayBuffer());
    n.bitmap = await decode(new Blob([bytes], { type: 'image/png' }));
    n.png = bytes;
    n.media = newMedia();
    draw();
  };
  /** The user's crop inside the frame: the media zoomed by `zoom` (≥ 1) and moved by (x, y) ≤ 0 in the frame; the frame stays. */
  sim.cropMedia = (id, zoom, x, y) => { const n = findNode(id); n.media = { ...mediaOf(n), zoom, x, y }; draw(); };
  /** Mark an element as premium content (an Adobe Stock premium photo, say) or not. */
  sim.setPremium = (id, on = true) => { findNode(id).premium = on; };
  const pageHasPremium = () => allNodes().some((n) => n.premium === true);
  const pageMetadata = () => ({ id: page.id, title: page.name, size: { width: page.width, height: page.height }, hasPremiumContent: pageHasPremium(), hasTemporalContent: false, hasAudioContent: false, hasVideoContent: allNodes().some((n) => n.kind === 'video'), hasAnimatedContent: false, pixelsPerInch: 72, isPrintReady: false });
  /** Add a plain rectangle (not an image). */
  sim.addRectangle = function (box) {
    const n = { id: `node-${nextId++}`, kind: 'rectangle', tx: box.x, ty: box.y, width: box.width, height: box.height, rotation: 0, data: {} };
    page.nodes.push(n);
    draw();
    return n.id;
  };
  /** Add a non-image element: 'video' (a media container holding an unknown media rectangle), 'text', 'rectangle'. */
  sim.addElement = function (kind, box) {
    const n = { id: `node-${nextId++}`, kind, tx: box.x, ty: box.y, width: box.width, height: box.height, rotation: 0, data: {} };
    page.nodes.push(n);
    draw();
    return n.id;
  };
  /** Group the top-level nodes `ids` (in place of the first of them). */
  sim.group = function (ids) {
    const kids = ids.map((id) => page.nodes.find((n) => n.id === id));
    if (kids.some((k) => !k)) fail('simulator: group: not top-level nodes');
    const g = { id: `node-${nextId++}`, kind: 'group', tx: 0, ty: 0, rotation: 0, children: kids, data: {} };
    page.nodes.splice(page.nodes.indexOf(kids[0]), 1, g);
    page.nodes = page.nodes.filter((n) => !kids.includes(n));
    draw();
    return g.id;
  };
  sim.lock = (id, locked = true) => { findNode(id).locked = locked; };
  sim.select = (ids) => { selection = ids.slice(); };
  /** The user moves a node by (dx, dy), resizes it, or deletes it (not an add-on edit). */
  sim.move = (id, dx, dy) => { const n = findNode(id); n.tx += dx; n.ty += dy; draw(); };
  sim.resize = (id, width, height) => { const n = findNode(id); n.width = width; n.height = height; draw(); };
  sim.remove = (id) => {
    const n = findNode(id), p = parentNode(n);
    if (p) p.children = p.children.filter((c) => c !== n);
    else page.nodes = page.nodes.filter((c) => c !== n);
    selection = selection.filter((x) => x !== id);
    draw();
  };
  sim.nodes = () => page.nodes.map((n) => ({ id: n.id, kind: n.kind, bounds: boundsInParent(n), width: n.width, height: n.height, rotation: n.rotation, data: { ...n.data }, bitmapSize: n.bitmap ? [n.bitmap.width, n.bitmap.height] : null, png: n.png ? btoa(String.fromCharCode(...n.png)) : null }));
  sim.undoSteps = () => new Set(sim.history.map((h) => h.step)).size;
  /** The user's Undo: reverts the newest step. */
  sim.undo = function () {
    const last = sim.history[sim.history.length - 1];
    if (!last) return 0;
    const undone = sim.history.filter((h) => h.step === last.step);
    sim.history = sim.history.filter((h) => h.step !== last.step);
    for (const h of undone.reverse()) if (h.type === 'append') page.nodes = page.nodes.filter((n) => n.id !== h.id);
    draw();
    return undone.length;
  };

  function renderNodes(nodes, bounds, scale, background) {
    const c = document.createElement('canvas');
    c.width = Math.round(bounds.width * scale);
    c.height = Math.round(bounds.height * scale);
    const ctx = c.getContext('2d');
    if (background) { ctx.fillStyle = background; ctx.fillRect(0, 0, c.width, c.height); }
    ctx.imageSmoothingEnabled = true;
    for (const n of nodes) {
      drawNode(ctx, n, bounds, scale);
    }
    return c;
  }
  function drawNode(ctx, n, bounds, scale) {
    if (n.kind === 'group') { for (const k of n.children) drawNode(ctx, k, bounds, scale); return; }
    ctx.setTransform(scale, 0, 0, scale, -bounds.x * scale, -bounds.y * scale);
    ctx.translate(n.tx, n.ty);
    ctx.rotate(rad(n.rotation));
    if ((n.kind === 'image' || n.kind === 'gridcell') && n.media && (n.media.zoom !== 1 || n.media.x !== 0 || n.media.y !== 0)) {
      // Cropped inside its frame: the media rectangle, clipped by the frame.
      ctx.save();
      ctx.beginPath(); ctx.rect(0, 0, n.width, n.height); ctx.clip();
      ctx.drawImage(n.bitmap, n.media.x, n.media.y, n.width * n.media.zoom, n.height * n.media.zoom);
      ctx.restore();
    } else if (n.kind === 'image' || n.kind === 'gridcell') ctx.drawImage(n.bitmap, 0, 0, n.width, n.height);
    else { ctx.fillStyle = n.kind === 'video' ? '#237' : n.kind === 'text' ? '#a33' : '#3a7'; ctx.fillRect(0, 0, n.width, n.height); }
  }
  const toPng = (c) => new Promise((res) => c.toBlob((b) => res(b), 'image/png'));
  function draw() {
    const v = document.getElementById('view');
    // The view (for screenshots) at most 1200 px a side: a page of 8192 px is not drawn at full size.
    const k = Math.min(1, 1200 / Math.max(page.width, page.height));
    const c = renderNodes(page.nodes, { x: 0, y: 0, width: page.width, height: page.height }, k, '#fff');
    v.width = c.width; v.height = c.height;
    v.getContext('2d').drawImage(c, 0, 0);
  }

  // ---- document sandbox APIs ("express-document-sdk") -------------------------------------------
  // The values of the typings' SceneNodeType.
  const SceneNodeType = {
    line: 'Line', rectangle: 'Rectangle', ellipse: 'Ellipse', path: 'Path', linkedAsset: 'LinkedAsset', group: 'Group', artboard: 'ab:Artboard',
    polygon: 'artgr:Polygon', artworkRoot: 'ArtworkRoot', mediaContainer: 'MediaContainer', imageRectangle: 'ImageRectangle',
    unknownMediaRectangle: 'UnknownMediaRectangle', page: 'Page', complexShape: 'ComplexShape', solidColorShape: 'SolidColorShape',
    strokeShape: 'StrokeShape', gridCell: 'GridCell', gridLayout: 'GridLayout', text: 'Text',
  };
  const TYPE = { image: SceneNodeType.mediaContainer, video: SceneNodeType.mediaContainer, gridcell: SceneNodeType.gridCell, text: SceneNodeType.text, group: SceneNodeType.group, rectangle: SceneNodeType.rectangle };
  const CreateRenditionFormat = { png: 'png', jpeg: 'jpeg' };
  let manifest = null;
  const experimental = (what) => { if (!manifest.requirements?.experimentalApis) fail(`${what} is experimental: the manifest must set requirements.experimentalApis`); };

  const wrappers = new Map();
  function wrap(n) {
    if (wrappers.has(n)) return wrappers.get(n);
    const w = {
      get id() { return n.id; },
      get type() { return TYPE[n.kind]; },
      get mediaRectangle() {
        if (n.kind === 'image' || n.kind === 'gridcell') {
          const m = mediaOf(n);
          return {
            type: SceneNodeType.imageRectangle,
            id: m.id,
            // The uncropped media in the frame's coordinates.
            get boundsInParent() { return { x: m.x, y: m.y, width: n.width * m.zoom, height: n.height * m.zoom }; },
            // Documented (experimental): "true if the media can be exported based on the user's entitlements".
            canExportMedia() {
              experimental('ImageRectangleNode.canExportMedia');
              sim.calls.push({ api: 'canExportMedia', node: n.id });
              return !(n.premium && !sim.premiumUser);
            },
          };
        }
        return n.kind === 'video' ? { type: SceneNodeType.unknownMediaRectangle } : undefined;
      },
      get rotation() { return n.rotation; },
      get locked() { return !!n.locked; },
      // The artboard or the group holding it while it is in the document; an undone (removed) one
      // is an orphan (no parent), as the typings describe.
      get parent() { const p = parentNode(n); return p === null ? artboard : p ? wrap(p) : undefined; },
      get allChildren() { return n.children ? n.children.map(wrap) : []; },
      get translation() { return { x: n.tx, y: n.ty }; },
      get boundsLocal() { return { x: 0, y: 0, width: n.width, height: n.height }; },
      get boundsInParent() { return boundsInParent(n); },
      boundsInNode(target) {
        if (target !== artboard) fail('simulator: boundsInNode only supports the artboard');
        return boundsInParent(n);
      },
      setPositionInParent(p, r) {
        requireEdit('setPositionInParent');
        const c = Math.cos(rad(n.rotation)), s = Math.sin(rad(n.rotation));
        n.tx = p.x - (c * r.x - s * r.y);
        n.ty = p.y - (s * r.x + c * r.y);
        draw();
      },
      setRotationInParent(deg, r) {
        requireEdit('setRotationInParent');
        const q = apply(n, r);
        n.rotation = deg;
        const c = Math.cos(rad(deg)), s = Math.sin(rad(deg));
        n.tx = q.x - (c * r.x - s * r.y);
        n.ty = q.y - (s * r.x + c * r.y);
        draw();
      },
      addOnData: { setItem(k, v) { requireEdit('addOnData.setItem'); n.data[k] = String(v); }, getItem(k) { return n.data[k]; } },
      async createRendition(opts = {}) {
        experimental('VisualNode.createRendition');
        // Documented: "If this node contains images, it will wait for the best quality to be
        // available before capturing … a 20s timeout before an error is thrown". A test sets the error.
        if (sim.renditionError) { sim.calls.push({ api: 'createRendition', node: n.id, failed: true }); throw new Error(sim.renditionError); }
        const scale = opts.scale ?? 1;
        const b = boundsInParent(n);
        const blob = await toPng(renderNodes([n], b, scale, null));
        sim.calls.push({ api: 'createRendition', node: n.id, scale });
        return { blob, drawBoundsGlobal: b };
      },
    };
    wrappers.set(n, w);
    return w;
  }

  const artboard = {
    id: 'artboard-1',
    type: SceneNodeType.artboard,
    get width() { return page.width; },
    get height() { return page.height; },
    get allChildren() { return page.nodes.map(wrap); },
    children: {
      append(w) {
        requireEdit('children.append');
        const n = w.__node;
        if (!n) fail('children.append: not a node created by this editor');
        page.nodes.push(n);
        sim.history.push({ type: 'append', id: n.id, step });
        draw();
      },
      get length() { return page.nodes.length; },
      get first() { return page.nodes[0] ? wrap(page.nodes[0]) : undefined; },
      get last() { return page.nodes.length ? wrap(page.nodes[page.nodes.length - 1]) : undefined; },
      item(i) { return page.nodes[i] ? wrap(page.nodes[i]) : undefined; },
      indexOf(w) { return page.nodes.findIndex((n) => wrap(n) === w); },
      toArray() { return page.nodes.map(wrap); },
      [Symbol.iterator]() { return page.nodes.map(wrap)[Symbol.iterator](); },
    },
  };
  const currentPage = { get id() { return page.id; }, get name() { return page.name; }, get width() { return page.width; }, get height() { return page.height; }, type: SceneNodeType.page, artboards: { first: artboard }, get allChildren() { return [artboard]; } };

  const editor = {
    context: {
      // Locked nodes are never in the regular selection (typings: Context.selection).
      get selection() { return selection.map(findNode).filter((n) => n && !n.locked).map(wrap); },
      get selectionIncludingNonEditable() { return selection.map(findNode).filter(Boolean).map(wrap); },
      get hasSelection() { return this.selection.length > 0; },
      get currentPage() { return currentPage; },
      get insertionParent() { return artboard; },
    },
    async loadBitmapImage(blob) {
      if (!(blob instanceof Blob)) fail('loadBitmapImage: expects a Blob');
      const bytes = new Uint8Array(await blob.arrayBuffer());
      if (!(bytes[0] === 0x89 && bytes[1] === 0x50) && !(bytes[0] === 0xff && bytes[1] === 0xd8)) fail('loadBitmapImage: the data is neither PNG nor JPEG');
      const bitmap = await decode(blob);
      // Express's documented import limits (app-document reference, "Image requirements": "should
      // not exceed 8000px or 80MB"; error texts from its import-errors table). That they hold for
      // loadBitmapImage too is not documented: VERIFY.
      if (bitmap.width > 8000 || bitmap.height > 8000) { sim.violations.push(`loadBitmapImage: ${bitmap.width}×${bitmap.height} over 8000 px`); throw new Error('Import image width or height exceed the maximum limit : 8000'); }
      if (bytes.length > 80 * 1024 * 1024) { sim.violations.push(`loadBitmapImage: ${bytes.length} bytes over 80 MB`); throw new Error('Import image size exceed the maximum limit: 80MB'); }
      return { get width() { return bitmap.width; }, get height() { return bitmap.height; }, __bitmap: bitmap, __bytes: bytes };
    },
    createImageContainer(bm, options = {}) {
      requireEdit('createImageContainer');
      const size = options.initialSize ?? { width: bm.width, height: bm.height };
      if (Math.abs(size.width / size.height - bm.width / bm.height) > 1e-6 * (bm.width / bm.height)) fail(`createImageContainer: initialSize ${size.width}×${size.height} does not have the bitmap's aspect ratio (${bm.width}×${bm.height})`);
      const n = { id: `node-${nextId++}`, kind: 'image', bitmap: bm.__bitmap, png: bm.__bytes, tx: 0, ty: 0, width: size.width, height: size.height, rotation: 0, data: {} };
      const w = wrap(n);
      Object.defineProperty(w, '__node', { value: n });
      return w;
    },
    async keepContentActiveDuringAsync(_target, lambda, after) {
      const r = await lambda();
      const was = editOpen;
      editOpen = true;
      try { after(r); } finally { editOpen = was; }
    },
  };
  const sandboxSdk = {
    instance: { runtime: { type: 'documentSandbox', exposeApi(api) { if (exposed) fail('exposeApi called twice'); exposed = api; exposedReady(); }, apiProxy() { return Promise.reject(new Error('simulator: the panel exposes no API')); } } },
  };
  let exposed = null;
  let exposedReady;
  const sandboxUp = new Promise((r) => { exposedReady = r; });
  window.__expressSandboxSdk = { sandboxSdk, editor, constants: { SceneNodeType, CreateRenditionFormat } };

  async function startSandbox(file) {
    const src = await (await fetch(ADDON + file)).text();
    const mod = (body) => URL.createObjectURL(new Blob([body], { type: 'text/javascript' }));
    const sdkUrl = mod('const s = window.__expressSandboxSdk; export default s.sandboxSdk;');
    const docUrl = mod('const s = window.__expressSandboxSdk; export const editor = s.editor; export const constants = s.constants;');
    let count = 0;
    const code = src
      .replace(/(from\s*|import\s*)(["'])add-on-sdk-document-sandbox\2/g, (_m, k) => { count++; return `${k}"${sdkUrl}"`; })
      .replace(/(from\s*|import\s*)(["'])express-document-sdk\2/g, (_m, k) => { count++; return `${k}"${docUrl}"`; });
    if (/["'](add-on-sdk-document-sandbox|express-document-sdk)["']/.test(code)) fail('sandbox imports an SDK module in a form the simulator does not rewrite');
    sim.sandboxImports = count;
    await import(mod(code));
  }

  async function callExposed(name, args) {
    await sandboxUp;
    const fn = exposed[name];
    if (typeof fn !== 'function') throw new Error(`the document sandbox exposes no function "${name}"`);
    step = `step-${sim.calls.length}-${name}`;
    sim.calls.push({ api: `sandbox.${name}` });
    editOpen = true;
    let r;
    try { r = fn.apply(exposed, args); } finally { editOpen = false; }
    return await r;
  }

  // ---- UI SDK host side -----------------------------------------------------------------------
  const handlers = {
    ready: async () => true,
    'sandbox.ready': async () => { await sandboxUp; return true; },
    'sandbox.call': async ([name, args]) => callExposed(name, args),
    'storage.getItem': async ([k]) => sim.storage[k],
    'storage.setItem': async ([k, v]) => { sim.storage[k] = v; },
    'storage.removeItem': async ([k]) => { delete sim.storage[k]; },
    'storage.keys': async () => Object.keys(sim.storage),
    'storage.clear': async () => { sim.storage = {}; },
    title: async () => 'Untitled',
    'ui.exposeApi': async () => undefined,
    createRenditions: async ([opts, intent]) => {
      if (!opts || opts.range !== 'currentPage') throw new Error(`simulator: range ${opts && opts.range} not simulated`);
      if (opts.format !== 'image/png') throw new Error(`simulator: format ${opts.format} not simulated`);
      // Documented (app-document reference, createRenditions): the intent defaults to export; "If
      // it's set to preview, it also requires the renditionPreview flag to be set to true in the
      // manifest requirements". What Express does without it is not documented: refused here.
      if (intent === 'preview' && !manifest.requirements?.renditionPreview) {
        sim.violations.push('createRenditions: preview intent without requirements.renditionPreview in the manifest');
        throw new Error('createRenditions: RenditionIntent.preview requires "renditionPreview": true in the manifest requirements');
      }
      sim.calls.push({ api: 'createRenditions', range: opts.range, intent });
      // Documented: a free user's export of premium content fails with this string in the message.
      if (intent !== 'preview' && pageHasPremium() && !sim.premiumUser) throw new Error('USER_NOT_ENTITLED_TO_PREMIUM_CONTENT');
      const blob = await toPng(renderNodes(page.nodes, { x: 0, y: 0, width: page.width, height: page.height }, 1, '#fff'));
      return [{ type: 'page', blob, title: page.name, metadata: pageMetadata() }];
    },
    getPagesMetadata: async ([opts]) => {
      if (!opts || opts.range !== 'currentPage') throw new Error(`simulator: range ${opts && opts.range} not simulated`);
      sim.calls.push({ api: 'getPagesMetadata', range: opts.range });
      return [pageMetadata()];
    },
    'currentUser.isPremiumUser': async () => { sim.calls.push({ api: 'isPremiumUser' }); return sim.premiumUser; },
    // Documented: true if the user is premium or completed the flow, false if a free user cancelled it.
    startPremiumUpgradeIfFreeUser: async () => {
      sim.calls.push({ api: 'startPremiumUpgradeIfFreeUser' });
      // (Experimental in one version of the reference: a test makes it fail.)
      if (sim.upgradeError) throw new Error(sim.upgradeError);
      if (!sim.premiumUser) sim.premiumUser = sim.upgradeAnswer === true;
      return sim.premiumUser;
    },
    addImage: async ([blob, attributes]) => {
      // Documented: inserts the image into the current page; the caller gives no position or size.
      // Where Express puts it is not documented: the simulator centres it at its pixel size (VERIFY).
      if (!attributes || typeof attributes.title !== 'string') throw new Error('addImage: MediaAttributes.title is required');
      const bytes = new Uint8Array(await blob.arrayBuffer());
      const bitmap = await decode(blob);
      const n = { id: `node-${nextId++}`, kind: 'image', bitmap, png: bytes, tx: (page.width - bitmap.width) / 2, ty: (page.height - bitmap.height) / 2, width: bitmap.width, height: bitmap.height, rotation: 0, data: {} };
      page.nodes.push(n);
      sim.history.push({ type: 'append', id: n.id, step: `addImage-${n.id}` });
      sim.addImageCalls.push({ id: n.id, size: blob.size, type: blob.type, attributes, bounds: boundsInParent(n) });
      draw();
    },
  };

  window.addEventListener('message', async (e) => {
    const frame = document.getElementById('addon');
    if (e.source !== frame.contentWindow) return;
    const m = e.data;
    if (!m || m.__expressSim !== 'call') return;
    if (e.origin !== ADDON_ORIGIN) { sim.violations.push(`message from ${e.origin}, expected ${ADDON_ORIGIN}`); return; }
    const reply = (body) => frame.contentWindow.postMessage({ __expressSim: 'reply', id: m.id, ...body }, ADDON_ORIGIN);
    const h = handlers[m.method];
    try {
      if (!h) throw new Error(`simulator: no ${m.method}`);
      reply({ result: await h(m.args) });
    } catch (err) {
      sim.errors.push(`${m.method}: ${err.message}`);
      reply({ error: { name: err.name, message: err.message } });
    }
  });

  (async () => {
    manifest = await (await fetch(ADDON + 'manifest.json')).json();
    if (manifest.manifestVersion !== 2) fail('simulator: manifest v2 only');
    const entry = manifest.entryPoints.find((ep) => ep.type === 'panel');
    if (!entry) fail('no panel entry point');
    const doc = params.get('doc');
    if (doc) {
      const id = await sim.addImageElement(doc, { x: Number(params.get('x') || 0), y: Number(params.get('y') || 0), rotation: Number(params.get('rot') || 0), premium: params.get('premium') === '1' });
      sim.select([id]);
    }
    if (entry.documentSandbox) await startSandbox(entry.documentSandbox);
    document.getElementById('addon').src = ADDON + entry.main + location.hash;
    sim.ready = true;
  })().catch((err) => { sim.errors.push(`startup: ${err.message}`); });
})();
