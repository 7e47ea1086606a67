/**
 * Entrypoint ids shared by the manifest (src/tooling/manifest.ts) and `entrypoints.setup`
 * (src/index.ts): they must be equal, or Photoshop silently shows an empty panel / dead command.
 */
export const ENTRYPOINT_IDS = {
  /** The SmartDrag panel. */
  panel: 'smartDragPanel',
  /** The "Smart Drag" menu command (Plugins ▸ SmartDrag ▸ Smart Drag), recordable in Actions. */
  command: 'smartDrag',
} as const;

/** Plugin id in the manifest. */
export const PLUGIN_ID = 'com.smartdrag.photoshop';

/** The exact loopback origins the plugin may connect to (ws + http, 127.0.0.1 + localhost, with port). */
export function networkDomains(port: number): string[] {
  return [`ws://127.0.0.1:${port}`, `http://127.0.0.1:${port}`, `ws://localhost:${port}`, `http://localhost:${port}`];
}
