/**
 * Plugin settings, each declared once with its default and description (krita `Setting`):
 * the panel's Settings form and the storage both come from {@link SETTINGS}. The token is kept in
 * UXP secure storage when available, everything else in localStorage.
 */
import { WS_PATH } from '@smartdrag/shared';
import { BUILD_PORT } from '../build-info';
import { DRAG_KINDS, type DragKindChoice } from '../geometry/assign-drags';

/** All settings. */
export interface Settings {
  /** Bridge WebSocket URL. */
  bridgeUrl: string;
  /** Pairing token printed by `smartdrag token`. */
  token: string;
  /** Context margin around the edited area, px. */
  marginPx: number;
  /** Seed for the bridge's random choices (same seed, same pixels). */
  seed: number;
  /** Show the plan and wait for Apply (true), or apply as soon as the result arrives (false). */
  confirmPlan: boolean;
  /** Last intent typed (the "Smart Drag" command reuses it). */
  intent: string;
  /** Last type picked. */
  kind: DragKindChoice;
}

/** Default bridge URL: the port the plugin was built for (`SMARTDRAG_PORT`, default 7341). */
export const DEFAULT_BRIDGE_URL = `ws://127.0.0.1:${BUILD_PORT}${WS_PATH}`;

/** One setting's declaration. */
export interface SettingDecl<K extends keyof Settings> {
  key: K;
  default: Settings[K];
  label: string;
  description: string;
  secret?: boolean;
}

/** Every setting, with its default and description. */
export const SETTINGS: { [K in keyof Settings]: SettingDecl<K> } = {
  bridgeUrl: { key: 'bridgeUrl', default: DEFAULT_BRIDGE_URL, label: 'Bridge URL', description: 'Where `smartdrag serve` listens (ws://127.0.0.1:PORT/v1/ws).' },
  token: { key: 'token', default: '', label: 'Token', description: 'Run `smartdrag token` in a terminal and paste it here (once).', secret: true },
  marginPx: { key: 'marginPx', default: 64, label: 'Context margin (px)', description: 'Pixels around the edited area sent as context.' },
  seed: { key: 'seed', default: 1, label: 'Seed', description: 'Same seed, same result.' },
  confirmPlan: { key: 'confirmPlan', default: true, label: 'Confirm before applying', description: 'Show the plan and wait for Apply.' },
  intent: { key: 'intent', default: '', label: 'Intent', description: 'What the drag should do, in words (optional).' },
  kind: { key: 'kind', default: 'auto', label: 'Type', description: 'auto lets the bridge read the arrows.' },
};

/** Synchronous key/value storage (UXP and browsers: `localStorage`). */
export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

/** Asynchronous secret storage (UXP `storage.secureStorage`). */
export interface SecretStore {
  getItem(key: string): Promise<Uint8Array | string | null>;
  setItem(key: string, value: string): Promise<void>;
  /** UXP secureStorage.removeItem. */
  removeItem?(key: string): Promise<void>;
}

const PREFIX = 'smartdrag.';

function parseValue<K extends keyof Settings>(key: K, raw: string | null): Settings[K] {
  const d = SETTINGS[key].default;
  if (raw === null) return d;
  switch (typeof d) {
    case 'number': {
      const n = Number(raw);
      return (Number.isFinite(n) && n >= 0 ? Math.round(n) : d) as Settings[K];
    }
    case 'boolean':
      return (raw === 'true' ? true : raw === 'false' ? false : d) as Settings[K];
    default:
      if (key === 'kind') return ((DRAG_KINDS as readonly string[]).includes(raw) ? raw : d) as Settings[K];
      return raw as Settings[K];
  }
}

function decode(v: Uint8Array | string | null): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  let s = '';
  for (let i = 0; i < v.length; i++) s += String.fromCharCode(v[i]!);
  try { return decodeURIComponent(escape(s)); } catch { return s; }
}

/** Load settings (invalid stored values fall back to their defaults). */
export async function loadSettings(store: KeyValueStore, secrets?: SecretStore): Promise<Settings> {
  const out = {} as Settings;
  for (const key of Object.keys(SETTINGS) as Array<keyof Settings>) {
    const decl = SETTINGS[key];
    let raw: string | null;
    if (decl.secret && secrets) {
      try { raw = decode(await secrets.getItem(PREFIX + key)); } catch { raw = null; }
      if (raw === null) raw = store.getItem(PREFIX + key);
    } else {
      raw = store.getItem(PREFIX + key);
    }
    (out as unknown as Record<string, unknown>)[key] = parseValue(key, raw);
  }
  return out;
}

/** Save some settings. */
export async function saveSettings(patch: Partial<Settings>, store: KeyValueStore, secrets?: SecretStore): Promise<void> {
  for (const key of Object.keys(patch) as Array<keyof Settings>) {
    if (!(key in SETTINGS)) continue;
    const value = String(patch[key]);
    if (SETTINGS[key].secret && secrets) {
      // An empty token (a cleared field) is never stored: the stored one is removed instead.
      if (value.trim() === '') { await secrets.removeItem?.(PREFIX + key); continue; }
      await secrets.setItem(PREFIX + key, value);
    } else {
      store.setItem(PREFIX + key, value);
    }
  }
}

/**
 * Check a bridge URL against the network domains the manifest allows (UXP denies anything else
 * under manifest v5). Returns a message to show, or null when fine.
 */
export function checkBridgeUrl(url: string, allowedDomains: readonly string[]): string | null {
  // Parsed by hand: UXP's documented globals (uxp-api/reference-js/global-members) have no `URL`.
  const m = /^([a-z][a-z0-9+.-]*):\/\/(\[[^\]]+\]|[^/:?#\s]+)(?::(\d{1,5}))?(?:[/?#]\S*)?$/i.exec(url.trim());
  if (!m) return `"${url}" is not a URL`;
  const u = { protocol: `${m[1]!.toLowerCase()}:`, port: m[3] ?? '' };
  if (u.protocol !== 'ws:' && u.protocol !== 'wss:') return 'The bridge URL must start with ws://';
  const origin = `${u.protocol}//${m[2]!.toLowerCase()}${u.port ? `:${u.port}` : ''}`;
  if (!allowedDomains.includes(origin)) {
    const allowedWs = allowedDomains.filter((d) => d.startsWith('ws'));
    // A URL saved before the plugin was rebuilt for another port: point at the one it allows.
    const sameHost = allowedWs.find((d) => d.startsWith(`${u.protocol}//${m[2]!.toLowerCase()}:`)) ?? allowedWs[0];
    const fix = sameHost ? `set the Bridge URL in Settings to ${sameHost}${WS_PATH} (the port this plugin was built for), or ` : '';
    return `${origin} is not in the plugin's network permissions (${allowedWs.join(', ')}): ${fix}rebuild the plugin with SMARTDRAG_PORT=${u.port || '80'} to use that port.`;
  }
  return null;
}
