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

function findNode(id: string): AnyNode | undefined {
  for (const n of editor.context.selection) if (n.id === id) return n;
  return undefined;
}

/** Add-on data key of a result image: the id of the image element it was placed over. */
const OVER_KEY = 'over';

/** The artboard's child that holds `node` (the node itself when it is one), or undefined. */
function topLevel(node: AnyNode, artboard: { id: string }): { id: string } | undefined {
  let n: { id: string; parent?: unknown } | undefined = node;
  while (n) {
    const parent = n.parent as { id: string; parent?: unknown } | undefined;
    if (parent && (parent === artboard || parent.id === artboard.id)) return n;
    n = parent;
  }
  return undefined;
}

function isImage(n: AnyNode): boolean {
  return n.type === constants.SceneNodeType.mediaContainer && (n as unknown as { mediaRectangle: { type: string } }).mediaRectangle.type === constants.SceneNodeType.imageRectangle;
}

const api: SandboxApi = {
  describeTarget(): TargetError | EditTarget {
    const sel = editor.context.selection;
    if (sel.length > 0) {
      const node = sel.find(isImage);
      if (!node) {
        return { error: 'not_an_image', message: `The selection (${sel.map((n) => n.type).join(', ')}) holds no image.` };
      }
      const b = node.boundsInNode(editor.context.currentPage.artboards.first!);
      return { kind: 'image', id: node.id, label: 'Image', bounds: { x: b.x, y: b.y, width: b.width, height: b.height }, rotation: node.rotation, selected: sel.length };
    }
    const page = editor.context.currentPage;
    if (!page) return { error: 'no_page', message: 'No page is open.' };
    return { kind: 'page', id: page.id, label: page.name ?? 'Page', bounds: { x: 0, y: 0, width: page.width, height: page.height }, rotation: 0, selected: 0 };
  },

  async renderTarget(id: string, scale: number) {
    const node = findNode(id);
    if (!node || !isImage(node)) return { error: 'not_an_image', message: 'The image is no longer selected.' };
    const r = await node.createRendition({ format: constants.CreateRenditionFormat.png, scale });
    if (!r.blob) return { error: 'not_an_image', message: 'Adobe Express gave no rendition for this element.' };
    const artboard = editor.context.currentPage.artboards.first!;
    const b = r.drawBoundsGlobal ?? node.boundsInNode(artboard);
    // The results placed over this element (still in the document: an undone one is not) and above
    // it, bottom to top, each rendered on its own.
    const kids = artboard.children.toArray();
    const top = topLevel(node, artboard);
    const from = top ? kids.findIndex((k) => k.id === top.id) + 1 : 0;
    const overlays = [];
    for (const k of kids.slice(from)) {
      if (k.addOnData.getItem(OVER_KEY) !== id) continue;
      const o = await k.createRendition({ format: constants.CreateRenditionFormat.png, scale });
      if (!o.blob) continue;
      const ob = o.drawBoundsGlobal ?? k.boundsInNode(artboard);
      overlays.push({ blob: o.blob, bounds: { x: ob.x, y: ob.y, width: ob.width, height: ob.height } });
    }
    return { blob: r.blob, bounds: { x: b.x, y: b.y, width: b.width, height: b.height }, overlays };
  },

  async addImageAt(png: Blob, rect: PageRect, title: string, over?: string) {
    const bitmap = await editor.loadBitmapImage(png);
    let out: { id: string; bounds: PageRect } | null = null;
    const artboard = editor.context.currentPage.artboards.first!;
    await editor.keepContentActiveDuringAsync(artboard, async () => undefined, () => {
      const node = editor.createImageContainer(bitmap, { initialSize: { width: rect.width, height: rect.height } });
      artboard.children.append(node);
      node.setPositionInParent({ x: rect.x, y: rect.y }, { x: 0, y: 0 });
      node.addOnData.setItem('smartdrag', title);
      if (over) node.addOnData.setItem(OVER_KEY, over);
      const b = node.boundsInParent;
      out = { id: node.id, bounds: { x: b.x, y: b.y, width: b.width, height: b.height } };
    });
    if (!out) throw new Error('the image was not added');
    return out;
  },
};

addOnSandboxSdk.instance.runtime.exposeApi(api);
