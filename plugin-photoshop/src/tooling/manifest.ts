/**
 * The UXP manifest (v5) of the plugin, generated at build time, and an offline validator for the
 * v5 rules that can be checked without Photoshop (AdobeDocs uxp-photoshop manifest-v5 guide):
 * required fields, id/name/version formats, host app and minVersion, entrypoint types and unique
 * ids, panel/command fields, permission shapes (explicit network domains with scheme and port,
 * no wildcard TLDs) and icon files with the right pixel sizes.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_PORT } from '@smartdrag/shared';
import { ENTRYPOINT_IDS, PLUGIN_ID, networkDomains } from '../entrypoint-ids';
import { pngSize } from './png';

/** Options of {@link createManifest}. */
export interface ManifestOptions {
  version: string;
  /** Bridge port whose loopback URLs the plugin may reach. Default the protocol's default port. */
  port?: number;
}

/** Icon file names (without the @2x variants) the build must write. */
export const ICONS = {
  plugin: { path: 'icons/plugin.png', size: 48 },
  panel: { path: 'icons/panel.png', size: 23 },
} as const;

export { networkDomains };

/** Build the manifest object. */
export function createManifest(opts: ManifestOptions): Record<string, unknown> {
  const port = opts.port ?? DEFAULT_PORT;
  return {
    manifestVersion: 5,
    id: PLUGIN_ID,
    name: 'SmartDrag',
    version: opts.version,
    main: 'index.html',
    host: {
      app: 'PS',
      minVersion: '25.0.0',
      data: { apiVersion: 2, loadEvent: 'use', enableMenuRecording: true },
    },
    entrypoints: [
      {
        type: 'panel',
        id: ENTRYPOINT_IDS.panel,
        label: { default: 'SmartDrag' },
        minimumSize: { width: 240, height: 320 },
        maximumSize: { width: 2000, height: 2000 },
        preferredDockedSize: { width: 280, height: 480 },
        preferredFloatingSize: { width: 300, height: 520 },
        icons: [{ width: ICONS.panel.size, height: ICONS.panel.size, path: ICONS.panel.path, scale: [1, 2], theme: ['all'], species: ['chrome'] }],
      },
      { type: 'command', id: ENTRYPOINT_IDS.command, label: { default: 'Smart Drag' } },
    ],
    icons: [{ width: ICONS.plugin.size, height: ICONS.plugin.size, path: ICONS.plugin.path, scale: [1, 2], theme: ['all'], species: ['pluginList'] }],
    requiredPermissions: {
      network: { domains: networkDomains(port) },
      localFileSystem: 'plugin',
      allowCodeGenerationFromStrings: false,
    },
  };
}

/** Validation outcome. */
export interface ManifestReport {
  errors: string[];
  warnings: string[];
}

const KNOWN_TOP = new Set(['manifestVersion', 'id', 'name', 'version', 'main', 'host', 'entrypoints', 'icons', 'requiredPermissions', 'featureFlags', 'strings', 'addon']);
const KNOWN_PERMS = new Set(['network', 'localFileSystem', 'clipboard', 'webview', 'launchProcess', 'ipc', 'allowCodeGenerationFromStrings', 'enableUserInfo']);
const HOST_APPS = new Set(['PS', 'ID', 'XD', 'PPRO', 'AEFT', 'premierepro']);
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isLabel = (v: unknown): boolean => (typeof v === 'string' && v.length > 0) || (isObj(v) && typeof v.default === 'string' && v.default.length > 0);

function versionAtLeast(v: string, min: [number, number]): boolean {
  const [a = 0, b = 0] = v.split('.').map(Number);
  return a > min[0] || (a === min[0] && b >= min[1]);
}

function checkSize(where: string, v: unknown, errors: string[]): { width: number; height: number } | null {
  if (v === undefined) return null;
  if (!isObj(v) || !(typeof v.width === 'number' && v.width > 0) || !(typeof v.height === 'number' && v.height > 0)) {
    errors.push(`${where} must be {width, height} with positive numbers`);
    return null;
  }
  return { width: v.width as number, height: v.height as number };
}

function checkIcons(where: string, icons: unknown, dir: string | undefined, errors: string[]): void {
  if (!Array.isArray(icons) || icons.length === 0) { errors.push(`${where} must be a non-empty array`); return; }
  icons.forEach((ic, i) => {
    const at = `${where}[${i}]`;
    if (!isObj(ic) || typeof ic.path !== 'string' || typeof ic.width !== 'number' || typeof ic.height !== 'number') {
      errors.push(`${at} needs path, width and height`);
      return;
    }
    const scales = ic.scale === undefined ? [1] : ic.scale;
    if (!Array.isArray(scales) || scales.some((s) => typeof s !== 'number' || s <= 0)) { errors.push(`${at}.scale must be an array of positive numbers`); return; }
    if (!dir) return;
    // Listed scales are looked up as <name>@<s>x.<ext>, 1x included (Adobe's samples ship
    // icons/plugin@1x.png + plugin@2x.png for "path": "icons/plugin.png"); no scale list = bare path.
    for (const s of scales as number[]) {
      const file = ic.scale === undefined ? ic.path : ic.path.replace(/(\.[a-z]+)$/i, `@${s}x$1`);
      const full = join(dir, file);
      if (!existsSync(full)) { errors.push(`${at}: icon file ${file} is missing`); continue; }
      const size = pngSize(new Uint8Array(readFileSync(full)));
      if (!size) errors.push(`${at}: ${file} is not a PNG`);
      else if (size.width !== ic.width * s || size.height !== ic.height * s) errors.push(`${at}: ${file} is ${size.width}x${size.height}, expected ${ic.width * s}x${ic.height * s}`);
    }
  });
}

function checkDomain(d: string, i: number, errors: string[], warnings: string[]): void {
  let u: URL;
  try { u = new URL(d); } catch { errors.push(`requiredPermissions.network.domains[${i}] "${d}" is not a URL with a scheme`); return; }
  if (!['http:', 'https:', 'ws:', 'wss:'].includes(u.protocol)) errors.push(`requiredPermissions.network.domains[${i}] "${d}": scheme must be http, https, ws or wss`);
  const host = d.replace(/^[a-z]+:\/\//i, '').split(/[/:]/)[0]!;
  const labels = host.split('.');
  if (labels[labels.length - 1]!.includes('*')) errors.push(`requiredPermissions.network.domains[${i}] "${d}": wildcards in the top-level domain are rejected (UXP 7.4+)`);
  const loopback = host === '127.0.0.1' || host === 'localhost';
  if (loopback && !u.port) errors.push(`requiredPermissions.network.domains[${i}] "${d}": loopback entries need an explicit port`);
  if (u.pathname !== '/' && u.pathname !== '') warnings.push(`requiredPermissions.network.domains[${i}] "${d}" has a path; domains are origins`);
}

/**
 * Validate a manifest object. `dir` (the plugin folder) enables file checks: `main` and every
 * icon (including @2x variants) must exist with matching PNG sizes.
 */
export function validateManifest(m: unknown, dir?: string): ManifestReport {
  const errors: string[] = [];
  const warnings: string[] = [];
  if (!isObj(m)) return { errors: ['manifest must be a JSON object'], warnings };
  for (const k of Object.keys(m)) if (!KNOWN_TOP.has(k)) warnings.push(`unknown top-level field "${k}"`);
  if (m.manifestVersion !== 5) errors.push(`manifestVersion must be 5 (got ${JSON.stringify(m.manifestVersion)})`);
  if (typeof m.id !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(m.id)) errors.push('id must be a string of letters, digits, ".", "_" or "-"');
  if (!isLabel(m.name)) errors.push('name must be a non-empty string or {default}');
  else if (typeof m.name === 'string' && (m.name.length < 3 || m.name.length > 45)) errors.push('name must be 3 to 45 characters');
  if (typeof m.version !== 'string' || !/^\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(m.version)) errors.push('version must be x.y.z (each part 0-999)');
  if (typeof m.main !== 'string' || !/\.(html|js)$/.test(m.main)) errors.push('main must name an .html or .js file');
  else if (dir && !existsSync(join(dir, m.main))) errors.push(`main file ${m.main} is missing`);

  const hosts = Array.isArray(m.host) ? m.host : [m.host];
  if (!m.host || hosts.length === 0) errors.push('host is required');
  hosts.forEach((h, i) => {
    const at = Array.isArray(m.host) ? `host[${i}]` : 'host';
    if (!isObj(h)) { errors.push(`${at} must be an object`); return; }
    if (typeof h.app !== 'string' || !HOST_APPS.has(h.app)) errors.push(`${at}.app must be one of ${[...HOST_APPS].join(', ')}`);
    if (typeof h.minVersion !== 'string' || !/^\d+(\.\d+){0,2}$/.test(h.minVersion)) errors.push(`${at}.minVersion must be a version string like "25.0.0"`);
    else if (h.app === 'PS' && !versionAtLeast(h.minVersion, [23, 3])) errors.push(`${at}.minVersion: manifest v5 needs Photoshop 23.3 or later`);
    if (h.data !== undefined) {
      if (!isObj(h.data)) errors.push(`${at}.data must be an object`);
      else {
        if (h.data.apiVersion !== undefined && h.data.apiVersion !== 1 && h.data.apiVersion !== 2) errors.push(`${at}.data.apiVersion must be 1 or 2`);
        if (h.data.loadEvent !== undefined && h.data.loadEvent !== 'use' && h.data.loadEvent !== 'startup') errors.push(`${at}.data.loadEvent must be "use" or "startup"`);
        if (h.data.enableMenuRecording !== undefined && typeof h.data.enableMenuRecording !== 'boolean') errors.push(`${at}.data.enableMenuRecording must be a boolean`);
      }
    }
  });

  if (!Array.isArray(m.entrypoints) || m.entrypoints.length === 0) errors.push('entrypoints must be a non-empty array');
  else {
    const ids = new Set<string>();
    m.entrypoints.forEach((e, i) => {
      const at = `entrypoints[${i}]`;
      if (!isObj(e)) { errors.push(`${at} must be an object`); return; }
      if (e.type !== 'panel' && e.type !== 'command') errors.push(`${at}.type must be "panel" or "command"`);
      if (typeof e.id !== 'string' || !/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(e.id)) errors.push(`${at}.id must be an identifier`);
      else if (ids.has(e.id)) errors.push(`${at}.id "${e.id}" is not unique`);
      else ids.add(e.id);
      if (!isLabel(e.label)) errors.push(`${at}.label must be a non-empty string or {default}`);
      if (e.type === 'panel') {
        const min = checkSize(`${at}.minimumSize`, e.minimumSize, errors);
        const max = checkSize(`${at}.maximumSize`, e.maximumSize, errors);
        checkSize(`${at}.preferredDockedSize`, e.preferredDockedSize, errors);
        checkSize(`${at}.preferredFloatingSize`, e.preferredFloatingSize, errors);
        if (min && max && (min.width > max.width || min.height > max.height)) errors.push(`${at}: minimumSize exceeds maximumSize`);
        if (e.icons !== undefined) checkIcons(`${at}.icons`, e.icons, dir, errors);
      } else if (e.type === 'command') {
        for (const k of ['minimumSize', 'maximumSize', 'preferredDockedSize', 'preferredFloatingSize', 'icons']) {
          if (e[k] !== undefined) errors.push(`${at}: a command has no ${k}`);
        }
        if (e.shortcut !== undefined) warnings.push(`${at}.shortcut: shortcuts are not yet available for plugins (use a recorded Action)`);
      }
    });
  }

  if (m.icons !== undefined) checkIcons('icons', m.icons, dir, errors);
  else warnings.push('no plugin icons (the plugin list shows a placeholder)');

  const p = m.requiredPermissions;
  if (p !== undefined) {
    if (!isObj(p)) errors.push('requiredPermissions must be an object');
    else {
      for (const k of Object.keys(p)) if (!KNOWN_PERMS.has(k)) warnings.push(`unknown permission "${k}"`);
      if (p.network !== undefined) {
        const n = p.network;
        if (!isObj(n) || !(n.domains === 'all' || Array.isArray(n.domains))) errors.push('requiredPermissions.network.domains must be "all" or an array of URLs');
        else if (n.domains === 'all') warnings.push('requiredPermissions.network.domains "all" is reported to fail and is hard to get through review; list origins');
        else (n.domains as unknown[]).forEach((d, i) => (typeof d === 'string' ? checkDomain(d, i, errors, warnings) : errors.push(`requiredPermissions.network.domains[${i}] must be a string`)));
      }
      if (p.localFileSystem !== undefined && !['plugin', 'request', 'fullAccess'].includes(p.localFileSystem as string)) errors.push('requiredPermissions.localFileSystem must be "plugin", "request" or "fullAccess"');
      if (p.allowCodeGenerationFromStrings !== undefined && typeof p.allowCodeGenerationFromStrings !== 'boolean') errors.push('requiredPermissions.allowCodeGenerationFromStrings must be a boolean');
    }
  } else {
    warnings.push('no requiredPermissions: under v5 every permission not declared is denied');
  }
  return { errors, warnings };
}
