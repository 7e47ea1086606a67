/**
 * The API the document sandbox (src/sandbox/code.ts) exposes to the panel iframe through
 * `runtime.exposeApi`; the panel reaches it through `runtime.apiProxy("documentSandbox")`, so every
 * call is asynchronous and its arguments and results are structured clones (Blob included).
 */

/** A rectangle in page (artboard) coordinates, Express document units. */
export interface PageRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** What the panel edits: one image element, or the whole current page. */
export interface EditTarget {
  kind: 'image' | 'page';
  /** Node id (image) or page id. */
  id: string;
  /** Element title for messages ("Image", "Page 1"). */
  label: string;
  /** Where the target is drawn on the page: its draw bounds (rotation included) or the page itself. */
  bounds: PageRect;
  /** The element's rotation in degrees (0 for the page). The rendition already shows it. */
  rotation: number;
  /** How many nodes were selected (0 = nothing selected: the page is the target). */
  selected: number;
}

/** Why the sandbox could not give a target. */
export interface TargetError {
  error: 'not_an_image' | 'no_page';
  message: string;
}

/** A rendition of one node: a PNG and where it is drawn on the page. */
export interface NodeRendition {
  blob: Blob;
  bounds: PageRect;
}

/** Sandbox → panel. */
export interface SandboxApi {
  /** The selected image element, or the page when nothing is selected. */
  describeTarget(): TargetError | EditTarget;
  /**
   * Render the selected image element as PNG at `scale` (VisualNode.createRendition, experimental),
   * and, each on its own, the SmartDrag results placed over it (`addImageAt`'s `over`) that are
   * still in the document above it, bottom to top: the element as the user sees it is the element
   * with those drawn over it.
   */
  renderTarget(id: string, scale: number): Promise<(NodeRendition & { overlays: NodeRendition[] }) | TargetError>;
  /**
   * Add `png` as a new image whose top-left is at `rect` (page coordinates) and whose size is
   * `rect.width × rect.height`, above everything on the page. The original is not touched.
   * `over`: the id of the image element the result was made from (kept in the new node's add-on
   * data, so `renderTarget` draws it over that element). Returns the new node's id and where it landed.
   */
  addImageAt(png: Blob, rect: PageRect, title: string, over?: string): Promise<{ id: string; bounds: PageRect }>;
}
