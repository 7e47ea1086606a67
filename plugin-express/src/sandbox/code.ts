/**
 * The document-sandbox half of the SmartDrag add-on (manifest `documentSandbox`). It reads what
 * the user selected, renders an image element as PNG, and adds the edited result as a new image
 * over the original. It never modifies or removes an existing node, so the whole SmartDrag edit is
 * one inserted image: the user's Undo removes it and the original is as it was. The inserted image
 * remembers (in its add-on data) which element it was made from, so that element is rendered for
 * the panel with the results over it: what the user sees, and what the next edit starts from.
 */
import addOnSandboxSdk from 'add-on-sdk-document-sandbox';
import { constants, editor } from 'express-document-sdk';
import type { EditTarget, PageRect, SandboxApi, TargetError } from '../sandbox-api';

type AnyNode = ReturnType<typeof editor.context.selection.slice>[number];
type Tree = { id: string; type?: string; parent?: unknown; allChildren?: Iterable<unknown> };

/** Add-on data key of a result image: the id of the image element it was placed over. */
const OVER_KEY = 'over';

const rectOf = (b: PageRect): PageRect => ({ x: b.x, y: b.y, width: b.width, height: b.height });
const sameRect = (a: PageRect, b: PageRect, tol = 1e-3): boolean =>
  Math.abs(a.x - b.x) <= tol && Math.abs(a.y - b.y) <= tol && Math.abs(a.width - b.width) <= tol && Math.abs(a.height - b.height) <= tol;

/** The artboard (scene) holding `node`: its content coordinates are the page's. */
function artboardOf(node: AnyNode): AnyNode {
  let n = (node as unknown as Tree).parent as Tree | undefined;
  while (n && n.type !== constants.SceneNodeType.artboard) n = n.parent as Tree | undefined;
  return (n ?? editor.context.currentPage.artboards.first!) as unknown as AnyNode;
}

/** The artboard's child that holds `node` (the node itself when it is one), or undefined. */
function topLevel(node: AnyNode, artboard: { id: string }): { id: string } | undefined {
  let n: Tree | undefined = node as unknown as Tree;
  while (n) {
    const parent = n.parent as Tree | undefined;
    if (parent && (parent === artboard || parent.id === artboard.id)) return n;
    n = parent;
  }
  return undefined;
}

/** The node `id` on the open page (selected or not), or undefined. */
function findOnPage(id: string): AnyNode | undefined {
  for (const n of editor.context.selectionIncludingNonEditable) if (n.id === id) return n;
  const stack: Tree[] = [...(editor.context.currentPage.allChildren as Iterable<unknown> as Iterable<Tree>)];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (n.id === id) return n as unknown as AnyNode;
    if (n.allChildren) for (const c of n.allChildren as Iterable<Tree>) stack.push(c);
  }
  return undefined;
}

/** A still image: a media container (or grid cell) holding an image rectangle, not a video. */
function isImage(n: AnyNode): boolean {
  const t = n.type as string;
  return (t === constants.SceneNodeType.mediaContainer || t === constants.SceneNodeType.gridCell)
    && (n as unknown as { mediaRectangle?: { type: string } }).mediaRectangle?.type === constants.SceneNodeType.imageRectangle;
}

/** What a node is, in the words of Express's interface ("a video", "a group"). */
function words(n: AnyNode): string {
  const T = constants.SceneNodeType;
  switch (n.type as string) {
    case T.mediaContainer: case T.gridCell: return isImage(n) ? 'an image' : 'a video';
    case T.group: return 'a group';
    case T.text: return 'a text';
    case T.gridLayout: return 'a grid';
    case T.linkedAsset: return 'a linked asset';
    case T.rectangle: case T.ellipse: case T.path: case T.polygon: case T.line:
    case T.complexShape: case T.solidColorShape: case T.strokeShape: return 'a shape';
    default: return `an element of type ${n.type}`;
  }
}

/** What to do when `n` (not an image) is the one selected element. */
function notAnImageHint(n: AnyNode): string {
  const T = constants.SceneNodeType;
  const then = ', then press "Use selection".';
  switch (n.type as string) {
    case T.group: return `Double-click the image inside the group to select it alone${then}`;
    case T.gridLayout: return `Click the photo inside the grid to select it alone${then}`;
    case T.mediaContainer: case T.gridCell: return `SmartDrag edits still images, not videos. Select an image (or click an empty spot to edit the whole page)${then}`;
    default: return `Select one image on the page (or click an empty spot to edit the whole page)${then}`;
  }
}

/** The image results over `node` in its artboard (still in the document and above it), bottom to top. */
function overlaysOf(node: AnyNode, artboard: AnyNode): AnyNode[] {
  const kids = (artboard as unknown as { children: { toArray(): AnyNode[] } }).children.toArray();
  const top = topLevel(node, artboard);
  const from = top ? kids.findIndex((k) => k.id === top.id) + 1 : 0;
  return kids.slice(from).filter((k) => k.addOnData.getItem(OVER_KEY) === node.id);
}

/** The image's media rectangle (the uncropped media inside its frame), as far as this add-on reads it. */
interface MediaLike { id?: string; boundsInParent?: PageRect; canExportMedia?: () => boolean }

function imageTarget(node: AnyNode, selected: number): EditTarget {
  const page = editor.context.currentPage;
  const artboard = artboardOf(node);
  const b = rectOf(node.boundsInNode(artboard));
  const overlays = overlaysOf(node, artboard).map((k) => [k.id, rectOf(k.boundsInParent)]);
  // Its media: replaced (a new media rectangle), or panned or zoomed inside the frame (its place),
  // changes what the image shows while the frame stays where it was.
  const media = (node as unknown as { mediaRectangle?: MediaLike }).mediaRectangle;
  const mediaPart = media ? [media.id ?? null, media.boundsInParent ? rectOf(media.boundsInParent) : null] : null;
  // Whether the user's plan lets them export it (premium content and a free user: no); experimental.
  let exportable: boolean | undefined;
  try {
    exportable = typeof media?.canExportMedia === 'function' ? media.canExportMedia() === true : undefined;
  } catch {
    exportable = undefined;
  }
  return {
    kind: 'image', id: node.id, label: 'Image', bounds: b, rotation: node.rotation, selected, pageId: page.id,
    signature: JSON.stringify(['image', page.id, b, node.rotation, overlays, mediaPart]),
    ...(exportable !== undefined ? { exportable } : {}),
  };
}

function pageTarget(): EditTarget | TargetError {
  const page = editor.context.currentPage;
  if (!page) return { error: 'no_page', message: 'No page is open in Adobe Express.', hint: 'Open a page of your design, then press "Use selection".' };
  // Its elements' ids and places (top level): an element added, deleted, moved or undone changes it.
  const parts: unknown[] = [];
  for (const ab of page.allChildren) {
    for (const c of ab.allChildren) {
      const v = c as unknown as { id: string; boundsInParent?: PageRect; rotation?: number };
      parts.push([v.id, v.boundsInParent ? rectOf(v.boundsInParent) : null, v.rotation ?? 0]);
    }
  }
  return {
    kind: 'page', id: page.id, label: page.name ?? 'Page', bounds: { x: 0, y: 0, width: page.width, height: page.height }, rotation: 0, selected: 0, pageId: page.id,
    signature: JSON.stringify(['page', page.id, page.width, page.height, parts]),
  };
}

/** Where `target` is now: gone (not on the open page), moved, or as read. */
function check(target: EditTarget): { node?: AnyNode; error?: TargetError } {
  const page = editor.context.currentPage;
  const what = target.kind === 'page' ? `the page "${target.label}"` : 'the image SmartDrag was editing';
  if (!page || page.id !== target.pageId) {
    return { error: { error: 'gone', message: `Another page is open in Adobe Express than ${target.kind === 'page' ? `"${target.label}"` : 'the one with the image SmartDrag was editing'}.`, hint: `Go back to that page, or press "Use selection" to edit what is on this one.` } };
  }
  if (target.kind === 'page') {
    if (page.width !== target.bounds.width || page.height !== target.bounds.height) {
      return { error: { error: 'moved', message: `${cap(what)} was resized (${target.bounds.width}×${target.bounds.height} → ${page.width}×${page.height}) after SmartDrag read it.`, hint: 'Press "Use selection" to read it again, then lasso and draw the arrows again.' } };
    }
    return {};
  }
  const node = findOnPage(target.id);
  if (!node) return { error: { error: 'gone', message: `${cap(what)} is no longer on the page (deleted, or undone).`, hint: 'Select an image (or nothing, for the whole page) and press "Use selection".' } };
  const b = node.boundsInNode(artboardOf(node));
  if (node.rotation !== target.rotation || Math.abs(b.width - target.bounds.width) > 1e-3 || Math.abs(b.height - target.bounds.height) > 1e-3) {
    return { node, error: { error: 'moved', message: `${cap(what)} was resized or rotated after SmartDrag read it: the lasso and arrows no longer match it.`, hint: 'Press "Use selection" to read it again, then lasso and draw the arrows again.' } };
  }
  if (!sameRect(b, target.bounds)) {
    return { node, error: { error: 'moved', message: `${cap(what)} was moved (from (${round(target.bounds.x)}, ${round(target.bounds.y)}) to (${round(b.x)}, ${round(b.y)})) while SmartDrag worked.`, hint: 'Press Smart Drag again: it reads the image where it is now (the lasso and arrows stay).' } };
  }
  return { node };
}

const cap = (s: string): string => s[0]!.toUpperCase() + s.slice(1);
const round = (v: number): number => Math.round(v * 10) / 10;

const api: SandboxApi = {
  describeTarget(): TargetError | EditTarget {
    let sel = editor.context.selection;
    // A click on a locked element selects nothing editable: that element is still what the user means.
    if (sel.length === 0) sel = editor.context.selectionIncludingNonEditable;
    if (sel.length > 1) {
      return {
        error: 'several', message: `${sel.length} elements are selected (${sel.map(words).join(', ')}); SmartDrag edits one image at a time.`,
        hint: 'Click only the image to edit (or an empty spot, to edit the whole page), then press "Use selection".',
      };
    }
    if (sel.length === 1) {
      const node = sel[0]!;
      if (!isImage(node)) return { error: 'not_an_image', message: `No image selected: ${words(node)} is selected.`, hint: notAnImageHint(node) };
      return imageTarget(node, 1);
    }
    return pageTarget();
  },

  describeAgain(target: EditTarget): TargetError | EditTarget {
    const { node, error } = check(target);
    if (error && error.error !== 'moved') return error;
    if (target.kind === 'page') return error ?? pageTarget();
    // Moved (or resized): described where it is now; the caller tells a move from a resize.
    return imageTarget(node!, target.selected);
  },

  async renderTarget(id: string, scale: number) {
    const node = findOnPage(id);
    if (!node || !isImage(node)) return { error: 'gone', message: 'The image SmartDrag was reading is no longer on the page.', hint: 'Select an image and press "Use selection".' };
    const artboard = artboardOf(node);
    const r = await node.createRendition({ format: constants.CreateRenditionFormat.png, scale });
    if (!r.blob) return { error: 'gone', message: 'Adobe Express gave no picture of the image (it is no longer in the document).', hint: 'Select an image and press "Use selection".' };
    const b = r.drawBoundsGlobal ?? node.boundsInNode(artboard);
    // The results placed over this element (still in the document: an undone one is not) and above
    // it, bottom to top, each rendered on its own.
    const overlays = [];
    for (const k of overlaysOf(node, artboard)) {
      const o = await k.createRendition({ format: constants.CreateRenditionFormat.png, scale });
      if (!o.blob) continue;
      const ob = o.drawBoundsGlobal ?? k.boundsInNode(artboard);
      overlays.push({ blob: o.blob, bounds: rectOf(ob) });
    }
    return { blob: r.blob, bounds: rectOf(b), overlays };
  },

  async addImageAt(png: Blob, rect: PageRect, title: string, target: EditTarget) {
    // Before the bitmap is loaded (it uploads to the document), and again when the edit is made.
    const before = check(target).error;
    if (before) return before;
    const bitmap = await editor.loadBitmapImage(png);
    let out: { id: string; bounds: PageRect } | TargetError | null = null;
    const page = editor.context.currentPage;
    await editor.keepContentActiveDuringAsync(page, async () => undefined, () => {
      const { node: original, error } = check(target);
      if (error) {
        out = error;
        return;
      }
      const artboard = original ? artboardOf(original) : page.artboards.first!;
      const node = editor.createImageContainer(bitmap, { initialSize: { width: rect.width, height: rect.height } });
      (artboard as unknown as { children: { append(n: unknown): void } }).children.append(node);
      node.setPositionInParent({ x: rect.x, y: rect.y }, { x: 0, y: 0 });
      node.addOnData.setItem('smartdrag', title);
      if (target.kind === 'image') node.addOnData.setItem(OVER_KEY, target.id);
      out = { id: node.id, bounds: rectOf(node.boundsInParent) };
    });
    if (!out) throw new Error('the image was not added');
    return out;
  },
};

addOnSandboxSdk.instance.runtime.exposeApi(api);
