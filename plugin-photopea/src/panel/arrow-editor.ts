/**
 * The arrow editor: a thumbnail of the document with the handle regions tinted, drag arrows
 * drawn on top, and pointer tools to draw, move and delete arrows or lasso a region. Everything
 * it reports is in integer document pixels: a view point maps back with `round(view / scale)`,
 * so a point the user places over document pixel (x, y) is exactly (x, y).
 *
 * A document more than 3:1 wide (a panorama) or tall is not squeezed into a strip: its short side
 * gets half the thumbnail's largest side and the view scrolls along the long one (the wheel
 * scrolls it), inside the panel's width.
 */
import { boundsOfPoints, rasterizePolygon, type PlacedMask, type Point } from '@smartdrag/shared';

const SVG_NS = 'http://www.w3.org/2000/svg';
import type { RgbaPixels } from '../host/host-adapter';

/** One drag arrow in document pixels: `points[0]` is the handle, the last point the target. */
export interface EditorArrow {
  id: number;
  points: Point[];
}

/** A handle region in document pixels. */
export interface EditorRegion {
  id: string;
  mask: PlacedMask;
  /** Where it came from: the host's selection, a lasso drawn here, or a path. */
  source: 'selection' | 'lasso';
  /** The lasso outline (document pixels), when drawn here. */
  polygon?: Point[];
}

/** Pointer tool. */
export type EditorTool = 'arrow' | 'lasso';

export interface ArrowEditorOptions {
  /** Largest thumbnail side in CSS pixels (default 360). */
  maxSide?: number;
  /** Called after any change of arrows or regions; `live` is true while a pointer drag is in progress. */
  onChange?: (live: boolean) => void;
  /** Called when a lasso was drawn too small to make a region (it is dropped): the panel says so. */
  onLassoTooSmall?: () => void;
}

/**
 * Largest canvas side in device pixels a scrolling view gets (a 100000×500 strip is shown at a
 * smaller short side rather than as a canvas no browser allocates).
 */
const MAX_VIEW_DEVICE_PX = 16384;

/**
 * A document with more than this many times the view's device pixels is shown through a
 * {@link Thumbnail} made here; a smaller one is put whole into a canvas and scaled by the browser.
 */
const THUMB_MIN_RATIO = 4;

/** How long one band of a {@link Thumbnail} may hold the page's thread (ms) before it lets other work in. */
const THUMB_SLICE_MS = 12;

const HIT_END_PX = 9;
const HIT_BODY_PX = 6;
/**
 * A new arrow shorter than this on screen (CSS pixels) is a click, not a drag: it is dropped. In
 * document pixels a 1-CSS-px hand shake on a large image is many pixels (15 on a 48 MP photo).
 */
const MIN_ARROW_PX = 4;

function distToSegment(p: Point, a: Point, b: Point): number {
  const vx = b[0] - a[0], vy = b[1] - a[1];
  const len2 = vx * vx + vy * vy;
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((p[0] - a[0]) * vx + (p[1] - a[1]) * vy) / len2));
  return Math.hypot(p[0] - a[0] - t * vx, p[1] - a[1] - t * vy);
}

/**
 * A shift clamped to [lo, hi] (how far the points can go each way and stay on the document). An
 * arrow wider than the document (a host path) gets `hi`: it stays put or moves back towards it.
 */
function clampShift(v: number, lo: number, hi: number): number {
  return Math.min(Math.max(v, Math.min(lo, hi)), hi);
}

/** Canvas widget; create one per panel and call {@link setDocument} when the document changes. */
export class ArrowEditor {
  /** The canvas, inside {@link element}. */
  readonly canvas: HTMLCanvasElement;
  /**
   * What to put in the DOM: the view (it scrolls when the document is a panorama, see
   * {@link scrolling}) holding the canvas with the moved-outline overlay (an SVG) on top.
   */
  readonly element: HTMLDivElement;
  /** The canvas and the overlay, in {@link element}. */
  private readonly stage: HTMLDivElement;
  /**
   * Whether the view scrolls: the document's short side, fitted into the thumbnail's largest
   * side, would be under a third of it (a panorama past 3:1): it is shown at half of it instead.
   */
  scrolling = false;
  /** The moved-outline overlay: an SVG in document pixels (viewBox = the document) over the canvas. */
  readonly outline: SVGSVGElement;
  /** The polygons the outline shows (document pixels); null when hidden. */
  movedPolygons: Point[][] | null = null;
  arrows: EditorArrow[] = [];
  regions: EditorRegion[] = [];
  selected: number | null = null;
  tool: EditorTool = 'arrow';
  /** Scale the thumbnail was laid out at (`maxSide` cap); the view may be narrower, see {@link scale}. */
  private layoutScale = 1;

  /**
   * Scale from document to view (CSS) pixels as displayed: in a panel narrower than the
   * thumbnail (Photopea's ~300 px plugin column) the canvas is shrunk by CSS (`max-width: 100%`),
   * so this is measured from the canvas box when it is laid out.
   */
  get scale(): number {
    const w = this.canvas.getBoundingClientRect().width;
    return w > 0 && this.docW > 0 ? w / this.docW : this.layoutScale;
  }
  private docW = 0;
  private docH = 0;
  /** The document itself, on a canvas (a document at most {@link THUMB_MIN_RATIO}× the view's pixels). */
  private base: HTMLCanvasElement | null = null;
  /** A larger document: its thumbnail at the view's size, made here ({@link Thumbnail}). */
  private thumb: Thumbnail | null = null;
  private overlay: { left: number; top: number; width: number; height: number; canvas: HTMLCanvasElement } | null = null;
  private regionTint: RegionTint | null = null;
  private nextId = 1;
  private drag:
    | { kind: 'new' | 'end'; arrow: EditorArrow; index: number }
    | { kind: 'move'; arrow: EditorArrow; from: Point; orig: Point[] }
    | { kind: 'lasso'; points: Point[] }
    | null = null;
  private readonly maxSide: number;
  private readonly onChange: (live: boolean) => void;
  private readonly onLassoTooSmall: () => void;

  constructor(opts: ArrowEditorOptions = {}) {
    this.maxSide = opts.maxSide ?? 360;
    this.onChange = opts.onChange ?? (() => undefined);
    this.onLassoTooSmall = opts.onLassoTooSmall ?? (() => undefined);
    this.canvas = document.createElement('canvas');
    this.canvas.className = 'sd-editor';
    this.canvas.width = 1;
    this.canvas.height = 1;
    this.canvas.style.touchAction = 'none';
    this.element = document.createElement('div');
    this.element.className = 'sd-editor-view';
    this.element.setAttribute('data-testid', 'editor-view');
    this.stage = document.createElement('div');
    this.stage.className = 'sd-editor-box';
    this.element.append(this.stage);
    // A scrolling panorama: the wheel scrolls it along its long side (the page scrolls on at its ends).
    this.element.addEventListener('wheel', (e) => this.onWheel(e), { passive: false });
    this.outline = document.createElementNS(SVG_NS, 'svg');
    this.outline.setAttribute('class', 'sd-moved');
    this.outline.setAttribute('data-testid', 'moved-outline');
    this.outline.setAttribute('preserveAspectRatio', 'none');
    this.outline.setAttribute('aria-hidden', 'true');
    this.outline.style.display = 'none';
    this.stage.append(this.canvas, this.outline);
    this.canvas.addEventListener('pointerdown', (e) => this.onDown(e));
    this.canvas.addEventListener('pointermove', (e) => this.onMove(e));
    this.canvas.addEventListener('pointerup', (e) => this.onUp(e));
    this.canvas.addEventListener('pointercancel', (e) => this.onUp(e));
    this.canvas.addEventListener('contextmenu', (e) => {
      e.preventDefault();
      const hit = this.hitArrow(this.toDoc(e));
      if (hit) this.deleteArrow(hit.index);
    });
  }

  /** Document size in pixels (0 before a document is set). */
  get documentSize(): { width: number; height: number } {
    return { width: this.docW, height: this.docH };
  }

  /** Show a new document; keeps arrows and regions (call {@link clear} to drop them). */
  setDocument(img: RgbaPixels): void {
    const sizeChanged = img.width !== this.docW || img.height !== this.docH;
    this.docW = img.width;
    this.docH = img.height;
    const dpr = globalThis.devicePixelRatio || 1;
    const long = Math.max(img.width, img.height), short = Math.min(img.width, img.height);
    const fit = Math.min(1, this.maxSide / long);
    // A panorama fitted into maxSide would be a strip (20000×1000 into 520 px: 26 px tall): past
    // 3:1 its short side gets half of maxSide instead, the long side scrolls (within the largest
    // canvas). Up to 3:1 the thumbnail fits as before (a 21:9 photo is not worth scrolling).
    const minShort = Math.round(this.maxSide / 2);
    this.scrolling = fit < 1 && short * fit < this.maxSide / 3;
    this.layoutScale = this.scrolling ? Math.min(1, minShort / short, MAX_VIEW_DEVICE_PX / (long * dpr)) : fit;
    this.scrolling = this.scrolling && long * this.layoutScale > this.maxSide;
    this.element.classList.toggle('sd-scroll', this.scrolling);
    this.thumb?.stop();
    this.thumb = null;
    this.base = null;
    this.overlay = null;
    this.setMovedOutline(null);
    this.outline.setAttribute('viewBox', `0 0 ${img.width} ${img.height}`);
    if (sizeChanged) this.clear();
    const cssW = img.width * this.layoutScale, cssH = img.height * this.layoutScale;
    // Width caps at the panel's width; height follows the canvas's aspect ratio (see `scale`). A
    // scrolling view keeps its size: the view around it scrolls.
    this.canvas.style.width = `${cssW}px`;
    this.canvas.style.maxWidth = this.scrolling ? 'none' : '100%';
    if (sizeChanged) {
      this.element.scrollLeft = 0;
      this.element.scrollTop = 0;
    }
    this.canvas.style.height = 'auto';
    this.canvas.width = Math.max(1, Math.round(cssW * dpr));
    this.canvas.height = Math.max(1, Math.round(cssH * dpr));
    if (img.width * img.height > THUMB_MIN_RATIO * this.canvas.width * this.canvas.height) {
      // A photo many times the view's size: not put whole into a canvas (a 48 MP one held the
      // page's thread 170–220 ms, and every redraw scaled it down again) but area-averaged into a
      // thumbnail at the view's size, a band at a time between the page's other work.
      this.thumb = new Thumbnail(img, this.canvas.width, this.canvas.height, () => this.render());
    } else {
      const base = document.createElement('canvas');
      base.width = img.width;
      base.height = img.height;
      // (putImageData copies the pixels: the document's own array is handed over as it is.)
      base.getContext('2d')!.putImageData(imageDataOf(img), 0, 0);
      this.base = base;
    }
    this.render();
  }

  /**
   * The document shown changed only in `rect` (document pixels; `img` is the whole document as it
   * is now, the same size): only that part is drawn again (an Undo, a result added) — the rest of
   * the thumbnail stays. Another size: as {@link setDocument}.
   */
  updateDocument(img: RgbaPixels, rect: { left: number; top: number; width: number; height: number }): void {
    if (img.width !== this.docW || img.height !== this.docH || (!this.base && !this.thumb)) {
      this.setDocument(img);
      return;
    }
    this.overlay = null;
    this.setMovedOutline(null);
    const x0 = Math.max(0, rect.left), y0 = Math.max(0, rect.top);
    const x1 = Math.min(img.width, rect.left + rect.width), y1 = Math.min(img.height, rect.top + rect.height);
    if (x1 > x0 && y1 > y0) {
      // (The document's own array, handed over as it is: only the rectangle is copied.)
      if (this.base) this.base.getContext('2d')!.putImageData(imageDataOf(img), 0, 0, x0, y0, x1 - x0, y1 - y0);
      else this.thumb!.update(img, x0, y0, x1, y1);
    }
    this.render();
  }

  /** Whether the thumbnail of a large document is still being made (it is drawn as it comes). */
  get drawing(): boolean {
    return !!this.thumb?.busy;
  }

  /** A wheel over a scrolling view scrolls it along its long side, until that end is reached. */
  private onWheel(e: WheelEvent): void {
    const v = this.element;
    if (!this.scrolling || e.ctrlKey || e.deltaX !== 0 || e.deltaY === 0) return;
    if (v.scrollWidth > v.clientWidth) {
      const max = v.scrollWidth - v.clientWidth;
      if ((e.deltaY < 0 && v.scrollLeft <= 0) || (e.deltaY > 0 && v.scrollLeft >= max)) return;
      e.preventDefault();
      // Lines and pages (deltaMode 1, 2) as about 40 px and a view.
      v.scrollLeft += e.deltaY * (e.deltaMode === 1 ? 40 : e.deltaMode === 2 ? v.clientWidth : 1);
    }
  }

  /**
   * Put back regions and arrows as they were (document pixels; an Undo of the result they made):
   * the arrows' points are copied. One change is reported.
   */
  restore(regions: readonly EditorRegion[], arrows: readonly Point[][]): void {
    this.regions = [...regions];
    this.regionTint = null;
    this.arrows = arrows.map((p) => ({ id: this.nextId++, points: p.map((q) => [q[0], q[1]] as Point) }));
    this.selected = null;
    this.overlay = null;
    this.setMovedOutline(null);
    this.render();
    this.onChange(false);
  }

  /** Drop every arrow and region. */
  clear(): void {
    this.arrows = [];
    this.regions = [];
    this.regionTint = null;
    this.selected = null;
    this.overlay = null;
    this.setMovedOutline(null);
    this.render();
    this.onChange(false);
  }

  /**
   * Show the outline of what a preview moved (closed polygons in document pixels, even-odd) as
   * marching ants over the thumbnail; null or no polygon hides it.
   */
  setMovedOutline(polygons: readonly Point[][] | null): void {
    const svg = this.outline;
    svg.replaceChildren();
    const rings = (polygons ?? []).filter((r) => r.length >= 3);
    this.movedPolygons = rings.length ? rings.map((r) => r.map((p) => [p[0], p[1]] as Point)) : null;
    if (!this.movedPolygons) {
      svg.style.display = 'none';
      return;
    }
    // Vertices are pixel centres: pixel (x, y) covers [x, x+1) in the viewBox, so shift by ½.
    const d = this.movedPolygons.map((r) => `M${r.map((p) => `${+(p[0] + 0.5).toFixed(2)} ${+(p[1] + 0.5).toFixed(2)}`).join('L')}Z`).join('');
    for (const cls of ['sd-moved-under', 'sd-moved-ants']) {
      const path = document.createElementNS(SVG_NS, 'path');
      path.setAttribute('d', d);
      path.setAttribute('class', cls);
      path.setAttribute('fill', 'none');
      path.setAttribute('fill-rule', 'evenodd');
      path.setAttribute('vector-effect', 'non-scaling-stroke');
      svg.append(path);
    }
    svg.style.display = '';
  }

  /** Replace the regions (e.g. with the host's selection). */
  setRegions(regions: EditorRegion[]): void {
    this.regions = regions;
    this.regionTint = null;
    this.render();
    this.onChange(false);
  }

  /** Replace the arrows (e.g. with the host's pen paths). */
  setArrows(paths: Point[][]): void {
    this.arrows = paths.map((p) => ({ id: this.nextId++, points: p.map((q) => [q[0], q[1]] as Point) }));
    this.selected = null;
    this.render();
    this.onChange(false);
  }

  /** Delete one arrow (default: the selected one). Returns whether one was deleted. */
  deleteArrow(index: number | null = this.selected): boolean {
    if (index === null || index < 0 || index >= this.arrows.length) return false;
    this.arrows.splice(index, 1);
    this.selected = null;
    this.render();
    this.onChange(false);
    return true;
  }

  /** Device pixels of the view: the largest preview this panel can show (a proxy preview's budget). */
  get viewPixels(): number {
    return this.canvas.width * this.canvas.height;
  }

  /**
   * Show a result layer (straight-alpha RGBA, document position) over the thumbnail; null hides
   * it. A proxy preview's layer (`proxy` set) is in proxy pixels and is drawn scaled to the document.
   */
  setOverlay(layer: { left: number; top: number; width: number; height: number; data: Uint8ClampedArray; proxy?: { scaleX: number; scaleY: number } } | null, imageOrigin: readonly [number, number] = [0, 0]): void {
    if (!layer || layer.width === 0 || layer.height === 0) {
      this.overlay = null;
      if (!layer) this.setMovedOutline(null);
    } else {
      const c = document.createElement('canvas');
      c.width = layer.width;
      c.height = layer.height;
      c.getContext('2d')!.putImageData(imageDataOf(layer), 0, 0);
      // A proxy layer is in proxy pixels of the sent image (which sits at imageOrigin in the document).
      const sx = layer.proxy?.scaleX ?? 1, sy = layer.proxy?.scaleY ?? 1;
      const [ox, oy] = layer.proxy ? imageOrigin : [0, 0];
      this.overlay = { left: ox + layer.left / sx, top: oy + layer.top / sy, width: layer.width / sx, height: layer.height / sy, canvas: c };
    }
    this.render();
  }

  /** Document point → CSS pixel offset inside the canvas. */
  docToView(p: Point): Point {
    return [p[0] * this.scale, p[1] * this.scale];
  }

  private toDoc(e: { clientX: number; clientY: number }): Point {
    const r = this.canvas.getBoundingClientRect();
    const scale = this.scale;
    const x = Math.round((e.clientX - r.left) / scale);
    const y = Math.round((e.clientY - r.top) / scale);
    return [Math.max(0, Math.min(this.docW - 1, x)), Math.max(0, Math.min(this.docH - 1, y))];
  }

  private hitArrow(p: Point): { index: number; end: number | null } | null {
    const endTol = HIT_END_PX / this.scale, bodyTol = HIT_BODY_PX / this.scale;
    for (let i = this.arrows.length - 1; i >= 0; i--) {
      const pts = this.arrows[i]!.points;
      const last = pts.length - 1;
      for (const k of [last, 0]) if (Math.hypot(pts[k]![0] - p[0], pts[k]![1] - p[1]) <= endTol) return { index: i, end: k };
    }
    for (let i = this.arrows.length - 1; i >= 0; i--) {
      const pts = this.arrows[i]!.points;
      for (let k = 1; k < pts.length; k++) if (distToSegment(p, pts[k - 1]!, pts[k]!) <= bodyTol) return { index: i, end: null };
    }
    return null;
  }

  private onDown(e: PointerEvent): void {
    if ((!this.base && !this.thumb) || e.button !== 0) return;
    this.canvas.setPointerCapture?.(e.pointerId);
    const p = this.toDoc(e);
    if (this.tool === 'lasso') {
      this.drag = { kind: 'lasso', points: [p] };
      return;
    }
    const hit = this.hitArrow(p);
    if (hit) {
      this.selected = hit.index;
      const arrow = this.arrows[hit.index]!;
      this.drag = hit.end !== null
        ? { kind: 'end', arrow, index: hit.end }
        : { kind: 'move', arrow, from: p, orig: arrow.points.map((q) => [q[0], q[1]] as Point) };
    } else {
      const arrow: EditorArrow = { id: this.nextId++, points: [p, [p[0], p[1]]] };
      this.arrows.push(arrow);
      this.selected = this.arrows.length - 1;
      this.drag = { kind: 'new', arrow, index: 1 };
    }
    this.render();
  }

  private onMove(e: PointerEvent): void {
    const d = this.drag;
    if (!d) return;
    const p = this.toDoc(e);
    if (d.kind === 'lasso') {
      const last = d.points[d.points.length - 1]!;
      if (Math.hypot(p[0] - last[0], p[1] - last[1]) * this.scale >= 2) d.points.push(p);
      this.render();
      return;
    }
    if (d.kind === 'move') {
      // The whole arrow stays on the document, as a drawn one does (toDoc clamps each point): the
      // shift stops, per axis, where one of its points reaches an edge, so an arrow pushed off the
      // image cannot keep driving edits from where nobody sees it.
      const xs = d.orig.map((q) => q[0]), ys = d.orig.map((q) => q[1]);
      const dx = clampShift(p[0] - d.from[0], -Math.min(...xs), this.docW - 1 - Math.max(...xs));
      const dy = clampShift(p[1] - d.from[1], -Math.min(...ys), this.docH - 1 - Math.max(...ys));
      d.arrow.points = d.orig.map((q) => [q[0] + dx, q[1] + dy] as Point);
    } else {
      const prev = d.arrow.points[d.index]!;
      if (prev[0] === p[0] && prev[1] === p[1]) return;
      d.arrow.points[d.index] = p;
      // A new arrow still shorter than a click's shake is not reported (no live preview of it).
      if (d.kind === 'new' && this.tooShort(d.arrow)) {
        this.render();
        return;
      }
    }
    this.render();
    this.onChange(true);
  }

  /** Whether an arrow is shorter on screen than {@link MIN_ARROW_PX} (measured at the current scale). */
  private tooShort(arrow: EditorArrow): boolean {
    const a = arrow.points[0]!, b = arrow.points[arrow.points.length - 1]!;
    return Math.hypot(b[0] - a[0], b[1] - a[1]) * this.scale < MIN_ARROW_PX;
  }

  private onUp(e: PointerEvent): void {
    const d = this.drag;
    if (!d) return;
    this.drag = null;
    if (e.type === 'pointerup') this.onMove(e);
    if (d.kind === 'lasso') {
      // Points are recorded 2 CSS px apart: fewer than 3 (a click, a tiny loop) or an outline that
      // covers no pixel makes no region. Said so (through the panel) instead of nothing happening.
      const polygon = d.points;
      const mask = polygon.length >= 3 ? rasterizePolygon(polygon) : null;
      const made = !!mask && mask.width > 0 && mask.height > 0 && mask.data.some((v) => v !== 0);
      if (made) {
        this.regions = [...this.regions, { id: `r${this.regions.length + 1}`, mask: mask!, source: 'lasso', polygon }];
        this.regionTint = null;
      }
      this.render();
      this.onChange(false);
      if (!made) this.onLassoTooSmall();
      return;
    }
    if (d.kind === 'new' && this.tooShort(d.arrow)) {
      // A click (or a click with a little hand shake), measured on screen: no arrow.
      this.arrows.splice(this.arrows.indexOf(d.arrow), 1);
      this.selected = null;
    }
    this.render();
    this.onChange(false);
  }

  /**
   * The regions' blue tint, over the regions' box only (not the whole document: a 48 MP
   * document's tint had been a 192 MB image filled and drawn on every lasso), made at the size it
   * is seen: in the view's device pixels (`k` of them per document pixel, `left`/`top` in them)
   * wherever the view shows the document smaller ({@link viewTint}); at the document's pixels,
   * scaled by the view as before, where it shows it at its size or larger (a small document).
   * Kept until the regions or the view's scale change.
   */
  private tint(): RegionTint | null {
    const k = this.canvas.width / Math.max(1, this.docW);
    if (this.regionTint && this.regionTint.k !== k) this.regionTint = null;
    if (this.regionTint || this.regions.length === 0 || !this.docW) return this.regionTint;
    let x0 = this.docW, y0 = this.docH, x1 = 0, y1 = 0;
    for (const r of this.regions) {
      const m = r.mask;
      x0 = Math.min(x0, Math.max(0, m.left)); y0 = Math.min(y0, Math.max(0, m.top));
      x1 = Math.max(x1, Math.min(this.docW, m.left + m.width)); y1 = Math.max(y1, Math.min(this.docH, m.top + m.height));
    }
    if (!(x1 > x0 && y1 > y0)) return null;
    this.regionTint = k < 1 ? viewTint(this.regions, k, x0, y0, x1, y1, this.canvas.width, this.canvas.height) : docTint(this.regions, k, x0, y0, x1, y1);
    return this.regionTint;
  }

  /** Redraw everything. */
  render(): void {
    const ctx = this.canvas.getContext('2d');
    if (!ctx) return;
    const k = this.canvas.width / Math.max(1, this.docW);
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    if (!this.base && !this.thumb) return;
    ctx.imageSmoothingQuality = 'high';
    // The thumbnail is at the view's size: drawn as it is.
    if (this.thumb) ctx.drawImage(this.thumb.canvas, 0, 0);
    ctx.setTransform(k, 0, 0, k, 0, 0);
    if (this.base) ctx.drawImage(this.base, 0, 0);
    if (this.overlay) ctx.drawImage(this.overlay.canvas, this.overlay.left, this.overlay.top, this.overlay.width, this.overlay.height);
    const tint = this.tint();
    if (tint?.device) {
      // At the view's device pixels: put on its pixels as it is (no scaling).
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.drawImage(tint.canvas, tint.left, tint.top);
      ctx.setTransform(k, 0, 0, k, 0, 0);
    } else if (tint) ctx.drawImage(tint.canvas, tint.left, tint.top);
    const px = 1 / k; // one device pixel in document units
    if (this.drag?.kind === 'lasso') {
      ctx.beginPath();
      this.drag.points.forEach((p, i) => (i ? ctx.lineTo(p[0], p[1]) : ctx.moveTo(p[0], p[1])));
      ctx.strokeStyle = '#28f';
      ctx.setLineDash([4 * px, 3 * px]);
      ctx.lineWidth = 1.5 * px;
      ctx.stroke();
      ctx.setLineDash([]);
    }
    this.arrows.forEach((a, i) => {
      const sel = i === this.selected;
      const pts = a.points;
      const dpr = this.canvas.width / Math.max(1, this.docW * this.scale);
      const w = (sel ? 3 : 2.2) * dpr * px;
      ctx.lineCap = 'round';
      ctx.lineJoin = 'round';
      ctx.strokeStyle = 'rgba(0,0,0,0.55)';
      ctx.lineWidth = w + 2 * dpr * px;
      this.strokePath(ctx, pts);
      ctx.strokeStyle = sel ? '#ffd400' : '#ff3b30';
      ctx.lineWidth = w;
      this.strokePath(ctx, pts);
      // Arrowhead at the target.
      const b = pts[pts.length - 1]!, a0 = pts[pts.length - 2]!;
      const ang = Math.atan2(b[1] - a0[1], b[0] - a0[0]);
      const hl = 11 * dpr * px;
      ctx.beginPath();
      ctx.moveTo(b[0], b[1]);
      ctx.lineTo(b[0] - hl * Math.cos(ang - 0.45), b[1] - hl * Math.sin(ang - 0.45));
      ctx.lineTo(b[0] - hl * Math.cos(ang + 0.45), b[1] - hl * Math.sin(ang + 0.45));
      ctx.closePath();
      ctx.fillStyle = sel ? '#ffd400' : '#ff3b30';
      ctx.fill();
      // Handle dot at the start.
      ctx.beginPath();
      ctx.arc(pts[0]![0], pts[0]![1], 4.5 * dpr * px, 0, Math.PI * 2);
      ctx.fillStyle = '#fff';
      ctx.fill();
      ctx.lineWidth = 2 * dpr * px;
      ctx.strokeStyle = sel ? '#ffd400' : '#ff3b30';
      ctx.stroke();
    });
  }

  private strokePath(ctx: CanvasRenderingContext2D, pts: Point[]): void {
    ctx.beginPath();
    pts.forEach((p, i) => (i ? ctx.lineTo(p[0], p[1]) : ctx.moveTo(p[0], p[1])));
    ctx.stroke();
  }
}

/**
 * The regions' tint as drawn: `canvas` at (`left`, `top`) in the view's device pixels when
 * `device` (made for the view's scale `k`), else in document pixels (scaled by `k` when drawn).
 */
interface RegionTint {
  canvas: HTMLCanvasElement;
  left: number;
  top: number;
  k: number;
  device: boolean;
}

/**
 * Where regions overlap the strongest wins: per pixel of [x0, x1) × [y0, y1) (document pixels) the
 * regions' largest mask value (a single region filling the box is its own mask).
 */
function strongest(regions: readonly EditorRegion[], x0: number, y0: number, x1: number, y1: number): Uint8Array | Uint8ClampedArray {
  const w = x1 - x0, hgt = y1 - y0;
  const one = regions.length === 1 ? regions[0]!.mask : null;
  if (one && one.left === x0 && one.top === y0 && one.width === w && one.height === hgt) return one.data;
  const most = new Uint8Array(w * hgt);
  for (const r of regions) {
    const m = r.mask;
    const mx0 = Math.max(0, x0 - m.left), mx1 = Math.min(m.width, x1 - m.left);
    for (let y = Math.max(0, y0 - m.top); y < Math.min(m.height, y1 - m.top); y++) {
      const row = y * m.width, o = (m.top + y - y0) * w + (m.left - x0);
      for (let x = mx0; x < mx1; x++) { const v = m.data[row + x]!; if (v > most[o + x]!) most[o + x] = v; }
    }
  }
  return most;
}

/**
 * The tint at the document's pixels over its box [x0, x1) × [y0, y1), one tint pixel per mask
 * value from a table, a 32-bit word at a time (a 1 MP lasso's tint had taken ~35 ms of the page's
 * thread, byte by byte). Used where the view shows the document at its size or larger (`k` ≥ 1):
 * there it is no larger than the view's pixels over the box.
 */
function docTint(regions: readonly EditorRegion[], k: number, x0: number, y0: number, x1: number, y1: number): RegionTint {
  return { canvas: tintCanvas(strongest(regions, x0, y0, x1, y1), x1 - x0, y1 - y0), left: x0, top: y0, k, device: false };
}

/** A `w` × `h` canvas of the tint of mask values `most` (row-major): one tint pixel per value from a table, a 32-bit word at a time. */
function tintCanvas(most: ArrayLike<number>, w: number, h: number): HTMLCanvasElement {
  const c = document.createElement('canvas');
  c.width = w;
  c.height = h;
  const img = new ImageData(w, h);
  const out = new Uint32Array(img.data.buffer, img.data.byteOffset, w * h);
  const n = w * h, table = tintTable();
  for (let i = 0; i < n; i++) out[i] = table[most[i]!]!;
  c.getContext('2d')!.putImageData(img, 0, 0);
  return c;
}

/**
 * The tint at the view's device pixels (`k` < 1 of them per document pixel) over the regions'
 * document box [x0, x1) × [y0, y1): each device pixel's mask value is the average over the
 * document pixels under it (what drawing the document-sized tint scaled down gave, area-averaged),
 * the strongest region winning. Lassos alone are their outlines rasterised again at the view's
 * pixels (the coverage their masks were rasterised from at the photo's, at a cost that follows
 * the outline); with a host's selection, the regions' masks are area-averaged from their pixels, a
 * row at a time through running sums. A 5000 px wide lasso on a 48 MP photo had been an 18 MP,
 * 72 MB ImageData made, put and scaled down on the page's thread (110–170 ms per lasso, and
 * 30–60 ms per later redraw); at the view's size it is a few hundred pixels a side.
 */
function viewTint(regions: readonly EditorRegion[], k: number, x0: number, y0: number, x1: number, y1: number, viewW: number, viewH: number): RegionTint {
  const tx0 = Math.max(0, Math.floor(x0 * k)), ty0 = Math.max(0, Math.floor(y0 * k));
  const tx1 = Math.min(viewW, Math.max(tx0 + 1, Math.ceil(x1 * k))), ty1 = Math.min(viewH, Math.max(ty0 + 1, Math.ceil(y1 * k)));
  const w = tx1 - tx0, h = ty1 - ty0;
  // Mask value per device pixel.
  const most = new Uint8ClampedArray(w * h);
  if (regions.every(polygonMatchesMask)) {
    // Lassos: each outline rasterised at the view's pixels, 8×8 sub-samples each (its vertices
    // are document pixel centres: document pixel (x, y) spans [x, x + 1) once shifted by ½, and
    // rasterizePolygon's vertices are the view pixels' centres, ½ in from their corners); where
    // they overlap the largest coverage (where two outlines cross inside one view pixel, a little
    // less than their union's). The first is copied in row by row.
    regions.forEach((r, n) => {
      const m = rasterizePolygon(r.polygon!.map((p) => [(p[0] + 0.5) * k - 0.5 - tx0, (p[1] + 0.5) * k - 0.5 - ty0] as Point), 8);
      const mx0 = Math.max(0, m.left), mx1 = Math.min(w, m.left + m.width);
      if (mx1 <= mx0) return;
      for (let y = Math.max(0, m.top); y < Math.min(h, m.top + m.height); y++) {
        const from = (y - m.top) * m.width - m.left, o = y * w;
        if (n === 0) most.set(m.data.subarray(from + mx0, from + mx1), o + mx0);
        else for (let x = mx0; x < mx1; x++) { const v = m.data[from + x]!; if (v > most[o + x]!) most[o + x] = v; }
      }
    });
  } else {
    // A host's selection (with lassos or not): the regions' strongest value per document pixel
    // (the selection's own mask when it is alone), area-averaged.
    const cov = new Float32Array(w * h);
    areaAverage({ left: x0, top: y0, width: x1 - x0, height: y1 - y0, data: strongest(regions, x0, y0, x1, y1) }, k, tx0, ty0, w, h, x0, y0, x1, y1, cov);
    most.set(cov);
  }
  return { canvas: tintCanvas(most, w, h), left: tx0, top: ty0, k, device: true };
}

/**
 * Whether a region is a lasso whose outline is the one its mask was rasterised from (the mask's
 * box is the outline's, one pixel around): it can be drawn as its outline.
 */
function polygonMatchesMask(r: EditorRegion): boolean {
  const p = r.polygon;
  if (r.source !== 'lasso' || !p || p.length < 3) return false;
  const b = boundsOfPoints(p), m = r.mask;
  return m.left === b.left - 1 && m.top === b.top - 1 && m.width === b.width + 2 && m.height === b.height + 2;
}

/**
 * Add to `cov` (w×h device pixels from (`tx0`, `ty0`), `k` < 1 per document pixel) the area
 * average of `m`'s values over each device pixel, within the document box [x0, x1) × [y0, y1).
 * Each document row goes to the one or two device rows it overlaps (by how much), and each device
 * column takes the integral of the row over its span from the row's running sums.
 */
function areaAverage(m: { left: number; top: number; width: number; height: number; data: Uint8Array | Uint8ClampedArray }, k: number, tx0: number, ty0: number, w: number, h: number, x0: number, y0: number, x1: number, y1: number, cov: Float32Array): void {
  const mx0 = Math.max(x0, m.left), mx1 = Math.min(x1, m.left + m.width);
  const my0 = Math.max(y0, m.top), my1 = Math.min(y1, m.top + m.height);
  if (!(mx1 > mx0 && my1 > my0)) return;
  const n = mx1 - mx0;
  // sums[i]: the row's values from mx0 up to mx0 + i; a device column's span [a, b) in document x.
  const sums = new Float64Array(n + 1);
  const colA = new Float64Array(w), colB = new Float64Array(w);
  for (let tx = 0; tx < w; tx++) {
    colA[tx] = Math.min(n, Math.max(0, (tx0 + tx) / k - mx0));
    colB[tx] = Math.min(n, Math.max(0, (tx0 + tx + 1) / k - mx0));
  }
  const d = m.data;
  for (let y = my0; y < my1; y++) {
    const row = (y - m.top) * m.width + (mx0 - m.left);
    let s = 0;
    for (let i = 0; i < n; i++) { s += d[row + i]!; sums[i + 1] = s; }
    if (s === 0) continue;
    // The row spans [y·k, (y + 1)·k) in device rows: one or two of them, by how much (each
    // weight also k: a device column's integral is over 1/k document pixels).
    const a = y * k, b = (y + 1) * k, ta = Math.floor(a), t = ta - ty0;
    const split = ta + 1 < b;
    const w0 = (split ? ta + 1 - a : b - a) * k, w1 = split ? (b - ta - 1) * k : 0;
    for (let tx = 0; tx < w; tx++) {
      const ua = colA[tx]!, ub = colB[tx]!;
      if (ub <= ua) continue;
      const ia = Math.floor(ua), ib = Math.floor(ub);
      const fa = sums[ia]! + (ia < n ? (ua - ia) * d[row + ia]! : 0);
      const fb = sums[ib]! + (ib < n ? (ub - ib) * d[row + ib]! : 0);
      const v = fb - fa;
      if (v === 0) continue;
      if (t >= 0 && t < h) cov[t * w + tx]! += v * w0;
      if (w1 > 0 && t + 1 >= 0 && t + 1 < h) cov[(t + 1) * w + tx]! += v * w1;
    }
  }
}

/**
 * `img` as an ImageData without copying its pixels where it can be (a Uint8ClampedArray of exactly
 * width×height×4 over an ArrayBuffer); a copy otherwise (a view into a SharedArrayBuffer, a longer array).
 */
function imageDataOf(img: { width: number; height: number; data: Uint8ClampedArray }): ImageData {
  const d = img.data;
  if (d.length === img.width * img.height * 4 && d.buffer instanceof ArrayBuffer) {
    try {
      return new ImageData(d as Uint8ClampedArray<ArrayBuffer>, img.width, img.height);
    } catch {
      // (an array this ImageData does not take: copied below)
    }
  }
  return new ImageData(new Uint8ClampedArray(d), img.width, img.height);
}

/** The regions' tint of each mask value, as a 32-bit RGBA word in the platform's byte order (transparent at 0). */
let TINT_TABLE: Uint32Array | null = null;
function tintTable(): Uint32Array {
  if (TINT_TABLE) return TINT_TABLE;
  const t = new Uint32Array(256), b = new Uint8Array(t.buffer);
  for (let v = 1; v < 256; v++) { b[v * 4] = 40; b[v * 4 + 1] = 140; b[v * 4 + 2] = 255; b[v * 4 + 3] = Math.round(v * 0.45); }
  TINT_TABLE = t;
  return t;
}

/** Where along one axis each document pixel falls in the thumbnail: the first thumbnail pixel it overlaps, and its overlap with it and with the next. */
interface AxisTaps { idx: Int32Array; w0: Float64Array; w1: Float64Array }

function axisTaps(n: number, out: number): AxisTaps {
  const s = out / n;
  const idx = new Int32Array(n), w0 = new Float64Array(n), w1 = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const a = i * s, b = (i + 1) * s, o = Math.min(out - 1, Math.floor(a));
    idx[i] = o;
    if (b <= o + 1 || o + 1 >= out) { w0[i] = Math.min(b, o + 1) - a; w1[i] = 0; } else { w0[i] = o + 1 - a; w1[i] = b - (o + 1); }
  }
  return { idx, w0, w1 };
}

/**
 * The thumbnail of a large document at the view's device size: each of its pixels the area average
 * (colours weighted by alpha) of the document pixels under it. Made in bands of rows, each at most
 * {@link THUMB_SLICE_MS} of the page's thread, the page's other work (input, timers) in between, and
 * drawn as they come (`drawn`). A change of the document (`update`) makes again only the thumbnail
 * pixels over the changed rectangle, from the document's pixels, so they are exactly what making
 * the whole thumbnail again would give.
 */
class Thumbnail {
  readonly canvas: HTMLCanvasElement;
  private readonly ctx: CanvasRenderingContext2D;
  private readonly xs: AxisTaps;
  private readonly ys: AxisTaps;
  /** Parts still to make (thumbnail pixels, rows `next`..`y1`), in order. */
  private jobs: { x0: number; x1: number; y0: number; y1: number; next: number }[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** How long one full-width row took last (ms; 0: none made yet). */
  private msPerRow = 0;

  constructor(private img: RgbaPixels, readonly width: number, readonly height: number, private readonly drawn: () => void) {
    this.canvas = document.createElement('canvas');
    this.canvas.width = width;
    this.canvas.height = height;
    this.ctx = this.canvas.getContext('2d')!;
    this.xs = axisTaps(img.width, width);
    this.ys = axisTaps(img.height, height);
    this.jobs.push({ x0: 0, x1: width, y0: 0, y1: height, next: 0 });
    this.schedule();
  }

  /** Whether parts are still to be made. */
  get busy(): boolean {
    return this.jobs.length > 0;
  }

  /**
   * The document is `img` now, changed in document pixels [x0, x1) × [y0, y1): the thumbnail
   * pixels over them are made again (at once where that is quick; parts still to be made are made
   * from `img`).
   */
  update(img: RgbaPixels, x0: number, y0: number, x1: number, y1: number): void {
    this.img = img;
    const { xs, ys } = this;
    const tx0 = xs.idx[x0]!, tx1 = Math.min(this.width, xs.idx[x1 - 1]! + 2);
    const ty0 = ys.idx[y0]!, ty1 = Math.min(this.height, ys.idx[y1 - 1]! + 2);
    this.jobs.push({ x0: tx0, x1: tx1, y0: ty0, y1: ty1, next: ty0 });
    // A small change is drawn now (the caller renders); a large one in bands as the first was.
    if (this.jobs.length === 1) this.work(false);
    this.schedule();
  }

  /** Stop making it (another document is shown). */
  stop(): void {
    this.jobs = [];
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(): void {
    if (this.timer || this.jobs.length === 0) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.work(true);
      this.schedule();
    }, 0);
  }

  /** Make parts for up to {@link THUMB_SLICE_MS}; `draw`: tell the editor (a band made between tasks). */
  private work(draw: boolean): void {
    const t0 = performance.now();
    let made = false;
    while (this.jobs.length > 0 && performance.now() - t0 < THUMB_SLICE_MS) {
      const job = this.jobs[0]!;
      // A few rows at a time, put into the canvas together: as many as the slice has time left for
      // at the pace measured so far (the first ones run before the code is optimised: a band of
      // 1 MP then held the page's thread ~50 ms), one row to begin with.
      const most = Math.ceil(((1 << 20) / Math.max(1, this.img.width)) * (this.height / this.img.height));
      const share = Math.max(1, job.x1 - job.x0) / this.width;
      const fit = this.msPerRow > 0 ? Math.floor((THUMB_SLICE_MS - (performance.now() - t0)) / (this.msPerRow * share)) : 1;
      const rows = Math.max(1, Math.min(job.y1 - job.next, most, fit));
      const t = performance.now();
      this.rows(job.x0, job.x1, job.next, job.next + rows);
      this.msPerRow = Math.max(1e-3, (performance.now() - t) / rows / share);
      job.next += rows;
      made = true;
      if (job.next >= job.y1) this.jobs.shift();
    }
    if (made && draw) this.drawn();
  }

  /** Make thumbnail pixels [x0, x1) × [y0, y1) from the document and put them into the canvas. */
  private rows(x0: number, x1: number, y0: number, y1: number): void {
    const { img, xs, ys } = this;
    const W = img.width, d = img.data, n = x1 - x0;
    // The document pixels under the part (the columns and rows that overlap it).
    let sx0 = Math.floor((x0 * W) / this.width), sx1 = Math.min(W, Math.ceil((x1 * W) / this.width) + 1);
    while (sx0 > 0 && xs.idx[sx0]! >= x0) sx0--;
    while (sx1 < W && xs.idx[sx1]! < x1) sx1++;
    let sy0 = Math.floor((y0 * img.height) / this.height), sy1 = Math.min(img.height, Math.ceil((y1 * img.height) / this.height) + 1);
    while (sy0 > 0 && ys.idx[sy0]! >= y0) sy0--;
    while (sy1 < img.height && ys.idx[sy1]! < y1) sy1++;
    const out = new ImageData(n, y1 - y0);
    const o = out.data;
    // Sums of weight·alpha·colour, weight·alpha and weight per thumbnail pixel of one row.
    const acc = new Float64Array(n * 5);
    for (let ty = y0; ty < y1; ty++) {
      acc.fill(0);
      for (let y = sy0; y < sy1; y++) {
        const iy = ys.idx[y]!;
        const wy = iy === ty ? ys.w0[y]! : iy + 1 === ty ? ys.w1[y]! : 0;
        if (wy === 0) continue;
        for (let x = sx0, p = (y * W + sx0) * 4; x < sx1; x++, p += 4) {
          const ix = xs.idx[x]! - x0;
          const a = d[p + 3]!;
          if (ix >= 0 && ix < n) {
            const w = wy * xs.w0[x]!, wa = w * a, q = ix * 5;
            acc[q] += wa * d[p]!; acc[q + 1] += wa * d[p + 1]!; acc[q + 2] += wa * d[p + 2]!; acc[q + 3] += wa; acc[q + 4] += w;
          }
          const w1 = xs.w1[x]!;
          if (w1 !== 0 && ix + 1 >= 0 && ix + 1 < n) {
            const w = wy * w1, wa = w * a, q = (ix + 1) * 5;
            acc[q] += wa * d[p]!; acc[q + 1] += wa * d[p + 1]!; acc[q + 2] += wa * d[p + 2]!; acc[q + 3] += wa; acc[q + 4] += w;
          }
        }
      }
      for (let i = 0, r = (ty - y0) * n * 4; i < n; i++, r += 4) {
        const q = i * 5, sa = acc[q + 3]!;
        if (sa > 0) { o[r] = acc[q]! / sa; o[r + 1] = acc[q + 1]! / sa; o[r + 2] = acc[q + 2]! / sa; }
        o[r + 3] = acc[q + 4]! > 0 ? sa / acc[q + 4]! : 0;
      }
    }
    this.ctx.putImageData(out, x0, y0);
  }
}
