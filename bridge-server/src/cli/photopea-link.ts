/**
 * `smartdrag photopea-link`: the link that opens Photopea with the SmartDrag panel installed.
 * Photopea has no private plugin install; its documented way to add a plugin without publishing
 * it is the configuration JSON after the hash (https://www.photopea.com/api — "Environment",
 * "Plugins"): `https://www.photopea.com#` + encodeURI(JSON) with
 * `{"environment":{"plugins":[{"name","url","width","height","icon"}]}}`. Bookmark the link.
 */
import type { Command } from 'commander';
import { intArg } from './args';
import { configuredPort } from '../config';

/** The Photopea configuration object (Photopea API "Environment" → "plugins"). */
export function photopeaConfig(port: number, host = '127.0.0.1'): { environment: { plugins: { name: string; url: string; width: number; height: number; icon: string }[] } } {
  const base = `http://${host}:${port}/photopea/`;
  return { environment: { plugins: [{ name: 'SmartDrag', url: base, width: 380, height: 760, icon: `${base}icon.png` }] } };
}

/** `https://www.photopea.com#<encodeURI(JSON)>`, as Photopea's API page describes. */
export function photopeaLink(port: number, host = '127.0.0.1'): string {
  return 'https://www.photopea.com#' + encodeURI(JSON.stringify(photopeaConfig(port, host)));
}

export function registerPhotopeaLink(program: Command): void {
  program
    .command('photopea-link')
    .description('print the link that opens Photopea with the SmartDrag panel (bookmark it; the bridge must be running)')
    .option('-p, --port <n>', 'the bridge port (default: SMARTDRAG_PORT, else 7341)', intArg(1, 65535), configuredPort())
    .option('--json', 'print the configuration JSON instead of the link', false)
    .action((o: { port: number; json: boolean }) => {
      process.stdout.write((o.json ? JSON.stringify(photopeaConfig(o.port), null, 2) : photopeaLink(o.port)) + '\n');
    });
}
