/**
 * The panel's DOM (Spectrum UXP widgets declared in static/index.html): renders
 * {@link PanelState} and forwards clicks to the controller. No Photoshop calls here.
 */
import type { SmartDragController } from '../app/controller';
import { checkBridgeUrl, type Settings } from '../app/settings';
import { DRAG_KINDS, type DragKindChoice } from '../geometry/assign-drags';
import { controlsOf, describeConnection, Phase, progressLabel as progressText, type PanelState } from './panel-state';
import { planReadings } from './plan-text';
import { drawMovedOutline, movedCaption, outlineViewSize, type OutlineContext } from './outline-view';

/** What the view needs besides the controller. */
export interface PanelViewDeps {
  controller: SmartDragController;
  settings: Settings;
  allowedDomains: readonly string[];
  /** Persist changed settings and reconnect when URL/token changed. */
  saveSettings(patch: Partial<Settings>): Promise<void>;
}

type El = HTMLElement & { value?: string; checked?: boolean; disabled?: boolean; selected?: boolean };

/** The part of a Spectrum UXP `sp-picker` the panel uses. */
export interface PickerLike {
  selectedIndex?: number;
  querySelectorAll(selector: string): ArrayLike<{ getAttribute(name: string): string | null; setAttribute(name: string, v: string): void; removeAttribute(name: string): void }>;
}

/**
 * The chosen `value` of an `sp-picker`. Spectrum UXP's picker has no `.value` (uxp-api
 * reference-spectrum sp-picker / sp-menu: read `selectedIndex` in the `change` event); the
 * items carry `value` attributes.
 */
export function pickerValue(picker: PickerLike): string | null {
  const items = picker.querySelectorAll('sp-menu-item');
  const i = picker.selectedIndex ?? -1;
  if (i >= 0 && i < items.length) return items[i]!.getAttribute('value');
  for (let k = 0; k < items.length; k++) if (items[k]!.getAttribute('selected') !== null) return items[k]!.getAttribute('value');
  return null;
}

/** Select the item whose `value` attribute is `value` (the `selected` attribute, as the Spectrum docs do). */
export function setPickerValue(picker: PickerLike, value: string): void {
  const items = picker.querySelectorAll('sp-menu-item');
  for (let k = 0; k < items.length; k++) {
    const it = items[k]!;
    if (it.getAttribute('value') === value) { it.setAttribute('selected', ''); picker.selectedIndex = k; } else it.removeAttribute('selected');
  }
}

/** Bind the panel to `root` (the panel's document or a container). Returns an unmount function. */
export function mountPanel(root: ParentNode, deps: PanelViewDeps): () => void {
  const $ = (id: string): El => {
    const el = root.querySelector<El>(`#${id}`);
    if (!el) throw new Error(`panel markup lacks #${id}`);
    return el;
  };
  const { controller, settings } = deps;
  const intent = $('intent'), kind = $('kind'), run = $('run'), previewBtn = $('preview'), cancel = $('cancel'), apply = $('apply'), discard = $('discard');
  const previewImg = $('preview-image') as El & { src?: string }, previewCaption = $('preview-caption');
  const progress = $('progress'), progressLabel = $('progress-label'), progressBox = $('progress-box');
  const planBox = $('plan-box'), planList = $('plan-list'), message = $('message'), hint = $('message-hint');
  const statusLabel = $('status-label'), statusHint = $('status-hint'), statusDot = $('status-dot');
  const url = $('bridge-url'), token = $('token'), confirm = $('confirm'), connect = $('connect'), urlWarning = $('url-warning');
  const outline = $('moved-outline') as El & { width: number; height: number; getContext?(kind: '2d'): OutlineContext | null };
  const outlineCaption = $('moved-caption');
  // Marching ants while a result waits for Apply.
  let ants: ReturnType<typeof setInterval> | null = null;
  let antsOffset = 0;
  let shown: PanelState['moved'] = null;
  const stopAnts = () => { if (ants) clearInterval(ants); ants = null; };
  const drawOutline = () => {
    // A UXP without canvas support (before UXP 7) keeps the caption only.
    try {
      const ctx = shown && outline.getContext ? outline.getContext('2d') : null;
      if (shown && ctx) drawMovedOutline(ctx, shown, outline.width, outline.height, antsOffset);
    } catch {
      outline.style.display = 'none';
      stopAnts();
    }
  };

  intent.value = settings.intent;
  setPickerValue(kind as unknown as PickerLike, settings.kind);
  url.value = settings.bridgeUrl;
  token.value = settings.token;
  confirm.checked = settings.confirmPlan;

  const listeners: Array<[El, string, EventListener]> = [];
  const on = (el: El, ev: string, fn: EventListener) => { el.addEventListener(ev, fn); listeners.push([el, ev, fn]); };
  const currentKind = (): DragKindChoice => {
    const v = pickerValue(kind as unknown as PickerLike) ?? '';
    return (DRAG_KINDS as readonly string[]).includes(v) ? v as DragKindChoice : 'auto';
  };

  on(run, 'click', () => {
    const patch = { intent: intent.value ?? '', kind: currentKind() };
    void deps.saveSettings(patch);
    void controller.run({ ...patch, marginPx: settings.marginPx, seed: settings.seed, autoApply: !confirm.checked });
  });
  on(previewBtn, 'click', () => {
    const patch = { intent: intent.value ?? '', kind: currentKind() };
    void deps.saveSettings(patch);
    void controller.preview({ ...patch, marginPx: settings.marginPx, seed: settings.seed });
  });
  on(cancel, 'click', () => controller.cancel());
  on(apply, 'click', () => void controller.apply());
  on(discard, 'click', () => controller.discard());
  on(intent, 'change', () => void deps.saveSettings({ intent: intent.value ?? '' }));
  on(kind, 'change', () => void deps.saveSettings({ kind: currentKind() }));
  on(confirm, 'change', () => void deps.saveSettings({ confirmPlan: !!confirm.checked }));
  on(url, 'input', () => { urlWarning.textContent = checkBridgeUrl(url.value ?? '', deps.allowedDomains) ?? ''; });
  on(connect, 'click', () => void deps.saveSettings({ bridgeUrl: (url.value ?? '').trim(), token: (token.value ?? '').trim() }));
  on(planList, 'change', (ev) => {
    const v = Number((ev.target as El).value);
    if (Number.isInteger(v)) void controller.choosePlan(v);
  });
  urlWarning.textContent = checkBridgeUrl(settings.bridgeUrl, deps.allowedDomains) ?? '';

  const render = (s: PanelState): void => {
    const c = controlsOf(s);
    const line = describeConnection(s.connection);
    statusLabel.textContent = line.label;
    statusHint.textContent = line.hint ?? '';
    statusDot.className = `dot ${line.tone}`;
    run.disabled = !c.canRun;
    previewBtn.disabled = !c.canPreview;
    apply.textContent = s.mode === 'preview' ? 'Apply at full resolution' : 'Apply';
    cancel.disabled = !c.canCancel;
    apply.disabled = !c.canApply;
    discard.disabled = !c.canDiscard;
    progressBox.style.display = c.showProgress ? '' : 'none';
    progress.setAttribute('value', String(Math.round(s.progress * 100)));
    progressLabel.textContent = progressText(s);
    planBox.style.display = s.plan ? '' : 'none';
    if (s.plan) {
      planList.innerHTML = '';
      for (const r of planReadings(s.plan)) {
        const item = document.createElement('sp-radio') as El;
        item.setAttribute('value', String(r.index));
        if (r.index === s.planChoice) item.setAttribute('checked', '');
        if (!c.canChoosePlan) item.setAttribute('disabled', '');
        item.textContent = `${r.title}${r.confidencePct !== undefined ? ` (${r.confidencePct}%)` : ''}: ${r.lines.join('; ')}`;
        if (r.why.length) item.setAttribute('title', r.why.join('; '));
        planList.appendChild(item);
      }
    }
    const pv = s.phase === Phase.ready ? s.preview : null;
    if (pv) {
      // imaging.md encodeImageData: UXP <img> elements take jpeg/base64 data URLs.
      const size = outlineViewSize(pv);
      if (previewImg.src !== pv.src) previewImg.src = pv.src;
      previewImg.style.width = `${size.width}px`;
      previewImg.style.height = `${size.height}px`;
      previewImg.style.display = '';
      previewCaption.textContent = pv.proxy
        ? `Preview at ${pv.width}×${pv.height} of the ${pv.frame.width}×${pv.frame.height} px area read; nothing was written to the document.`
        : `Preview of the ${pv.frame.width}×${pv.frame.height} px area read; nothing was written to the document.`;
    } else {
      previewImg.style.display = 'none';
      previewCaption.textContent = '';
    }
    const moved = s.phase === Phase.ready ? s.moved : null;
    if (moved !== shown) {
      shown = moved;
      stopAnts();
      outline.style.display = moved ? '' : 'none';
      outlineCaption.textContent = moved ? movedCaption(moved) : '';
      if (moved) {
        const size = outlineViewSize(moved.frame);
        outline.width = size.width;
        outline.height = size.height;
        outline.style.width = `${size.width}px`;
        outline.style.height = `${size.height}px`;
        drawOutline();
        ants = setInterval(() => { antsOffset = (antsOffset + 1) % 8; drawOutline(); }, 120);
      }
    }
    const warn = s.warnings.length ? ` Note: ${s.warnings.join('; ')}.` : '';
    switch (s.phase) {
      case Phase.ready:
        if (s.error) {
          // Apply met Photoshop busy (modal_busy): nothing was written and the result is kept.
          message.textContent = `Could not add the layer yet: ${s.error.message} (${s.error.code}). The result is kept: press Apply again.${warn}`;
          hint.textContent = s.error.hint ?? ''; break;
        }
        message.textContent = s.mode === 'preview'
          ? `Preview ready. Apply runs the edit at full resolution and adds it as a new layer (one undo step).${warn}`
          : `Result ready. Apply adds it as a new layer (one undo step).${warn}`;
        hint.textContent = ''; break;
      case Phase.applied: message.textContent = `${s.appliedLayer ? `Added layer “${s.appliedLayer}”.` : 'The edit changed no pixels; nothing added.'}${warn}`; hint.textContent = ''; break;
      case Phase.cancelled: message.textContent = 'Cancelled. The document was not changed.'; hint.textContent = ''; break;
      case Phase.failed: message.textContent = `${s.error?.message ?? 'Failed'} (${s.error?.code ?? 'error'})`; hint.textContent = s.error?.hint ?? ''; break;
      default: message.textContent = warn.trim(); hint.textContent = '';
    }
  };
  const unsubscribe = controller.subscribe(render);
  render(controller.state);
  return () => {
    stopAnts();
    unsubscribe();
    for (const [el, ev, fn] of listeners) el.removeEventListener(ev, fn);
  };
}
