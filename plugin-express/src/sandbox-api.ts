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
  /** The id of the page the target is on. */
  pageId: string;
  /**
   * Changes when what the target shows may have changed (cheap, nothing rendered): the target's
   * place and size, and for an image the SmartDrag results over it (one undone, one added); for a
   * page its elements' ids and places; for an image also its media (replaced, or panned or zoomed
   * inside its frame: the media rectangle's id and place). Not seen: edits that keep every place (a
   * colour, a filter).
   */
  signature: string;
  /**
   * For an image: whether the user's plan lets them export its media (`ImageRectangleNode.canExportMedia`:
   * false for premium content and a free user); undefined where Express does not say.
   */
  exportable?: boolean;
}

/** Why the sandbox could not give (or no longer finds) a target, in the user's words. */
export interface TargetError {
  /**
   * not_an_image: the one selected element is not an image; several: more than one is selected;
   * no_page: no page is open; gone: the target is not on the open page any more (deleted, or
   * another page is open); moved: the image was moved, resized or rotated since it was read.
   */
  error: 'not_an_image' | 'several' | 'no_page' | 'gone' | 'moved';
  message: string;
  /** What to do about it. */
  hint?: string;
}

/** A rendition of one node: a PNG and where it is drawn on the page. */
export interface NodeRendition {
  blob: Blob;
  bounds: PageRect;
}

/** Sandbox → panel. */
export interface SandboxApi {
  /**
   * The selected image element, or the page when nothing is selected. A locked image the user
   * clicked counts as selected (Express leaves locked nodes out of `selection`; SmartDrag never
   * changes the original, it adds a new image over it).
   */
  describeTarget(): TargetError | EditTarget;
  /** `target` (read before) as it is now, found by its id on the open page. */
  describeAgain(target: EditTarget): TargetError | EditTarget;
  /**
   * Render the image element `id` (found on the open page) as PNG at `scale`
   * (VisualNode.createRendition, experimental), and, each on its own, the SmartDrag results placed
   * over it (`addImageAt`'s `over`) that are still in the document above it, bottom to top: the
   * element as the user sees it is the element with those drawn over it.
   */
  renderTarget(id: string, scale: number): Promise<(NodeRendition & { overlays: NodeRendition[] }) | TargetError>;
  /**
   * Add `png` as a new image whose top-left is at `rect` (page coordinates) and whose size is
   * `rect.width × rect.height`, above everything in the artboard of `target`. The original is not
   * touched. Nothing is added (a TargetError) when `target` is no longer where it was read: gone
   * (deleted, another page open) or moved, resized or rotated. The new node's add-on data names
   * the image element it was made from (`target.id`), so `renderTarget` draws it over that element.
   * Returns the new node's id and where it landed.
   */
  addImageAt(png: Blob, rect: PageRect, title: string, target: EditTarget): Promise<{ id: string; bounds: PageRect } | TargetError>;
}
