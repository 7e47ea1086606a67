/** What a page served by the bridge knows about it: the token and the WebSocket URL. */

/** Placeholder the bridge replaces with its token when serving an index.html. */
export const TOKEN_PLACEHOLDER = '%SMARTDRAG_TOKEN%';

/** Plugin version reported in `hello`. */
export const CLIENT_VERSION = '0.1.0';

/** The bridge token from `<meta name="smartdrag-token">`, or a `#token=` / `?token=` override; null if missing. */
export function readToken(doc: Document = document, loc: Location = location): string | null {
  const fromUrl = new URLSearchParams(loc.hash.slice(1)).get('token') ?? new URLSearchParams(loc.search).get('token');
  if (fromUrl) return fromUrl;
  const meta = doc.querySelector('meta[name="smartdrag-token"]')?.getAttribute('content') ?? '';
  return meta && meta !== TOKEN_PLACEHOLDER ? meta : null;
}

/** The bridge WebSocket URL for a page served by the bridge. */
export function bridgeUrl(loc: Location = location): string {
  return `${loc.protocol === 'https:' ? 'wss' : 'ws'}://${loc.host}/v1/ws`;
}
