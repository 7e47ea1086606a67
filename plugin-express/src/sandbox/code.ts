/**
 * The document-sandbox half of the SmartDrag add-on (manifest `documentSandbox`). It reads what
 * the user selected, renders an image element as PNG, and adds the edited result as a new image
 * over the original. It never modifies or removes an existing node, so the whole SmartDrag edit is
 * one inserted image: the user's Undo removes it and the original is as it was.
 */
import addOnSandboxSdk from 'add-on-sdk-document-sandbox';
import { constants, editor } from 'express-document-sdk';
import type { EditTarget, PageRect, SandboxApi, TargetError } from '../sandbox-api';

type AnyNode = ReturnType<typeof editor.context.selection.slice>[number];

function findNode(id: string): AnyNode | undefined {
  for (const n of editor.context.selection) if (n.id === id) return n;
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
    const b = r.drawBoundsGlobal ?? node.boundsInNode(editor.context.currentPage.artboards.first!);
    return { blob: r.blob, bounds: { x: b.x, y: b.y, width: b.width, height: b.height } };
  },

  async addImageAt(png: Blob, rect: PageRect, title: string) {
    const bitmap = await editor.loadBitmapImage(png);
    let out: { id: string; bounds: PageRect } | null = null;
    const artboard = editor.context.currentPage.artboards.first!;
    await editor.keepContentActiveDuringAsync(artboard, async () => undefined, () => {
      const node = editor.createImageContainer(bitmap, { initialSize: { width: rect.width, height: rect.height } });
      artboard.children.append(node);
      node.setPositionInParent({ x: rect.x, y: rect.y }, { x: 0, y: 0 });
      node.addOnData.setItem('smartdrag', title);
      const b = node.boundsInParent;
      out = { id: node.id, bounds: { x: b.x, y: b.y, width: b.width, height: b.height } };
    });
    if (!out) throw new Error('the image was not added');
    return out;
  },
};

addOnSandboxSdk.instance.runtime.exposeApi(api);
