/** What a page served by the bridge knows about it: the token and the WebSocket URL. */

/** Placeholder the bridge replaces with its token when serving an index.html. */
export const TOKEN_PLACEHOLDER = '%SMARTDRAG_TOKEN%';

/** Plugin version reported in `hello`. */
export const CLIENT_VERSION = '0.1.0';

/** The bridge token from `<meta name="smartdrag-token">`, or a `#token=` / `?token=` override; null if missing. */
export function readToken(doc: Document = document, loc: Location = location): string | null {
  const fromUrl = tokenInAddress(loc);
  if (fromUrl) return fromUrl;
  const meta = doc.querySelector('meta[name="smartdrag-token"]')?.getAttribute('content') ?? '';
  return meta && meta !== TOKEN_PLACEHOLDER ? meta : null;
}

/** The `#token=` / `?token=` override in the page's address, or null. */
function tokenInAddress(loc: Location): string | null {
  return new URLSearchParams(loc.hash.slice(1)).get('token') || new URLSearchParams(loc.search).get('token') || null;
}

/** The part of `BridgeClient` {@link followBridgeToken} uses. */
interface TokenBridge {
  onStatus(fn: (s: { state: string; error?: { code: string } }) => void): () => void;
  connect(): Promise<unknown>;
  setToken(token: string): void;
}

/**
 * Keep a page served by the bridge connected when the bridge's token changes under it (the bridge
 * restarted with another home, `SMARTDRAG_HOME`, or another bridge now answers on this port): a
 * refused token is looked up again in this page as the bridge serves it now (its meta tag), and
 * where that one differs the client is given it ({@link BridgeClient.setToken}) and connects
 * again. `options` holds the token the client was made with (it is not changed). A `#token=` in
 * the address is the user's choice: kept.
 * Returns the hint the panel gives for a refused token ({@link PanelOptions.connectionFix}).
 */
export function followBridgeToken(bridge: TokenBridge, options: { readonly token: string }, loc: Location = location): (code: string) => string | undefined {
  const fromAddress = tokenInAddress(loc) !== null;
  let current = options.token;
  let looking = false;
  bridge.onStatus((s) => {
    if (fromAddress || looking || s.state !== 'error' || s.error?.code !== 'unauthorized') return;
    const refused = current;
    looking = true;
    void (async () => {
      try {
        const r = await fetch(loc.pathname, { cache: 'no-store' });
        if (!r.ok) return;
        const doc = new DOMParser().parseFromString(await r.text(), 'text/html');
        const now = readToken(doc, { hash: '', search: '' } as Location);
        if (!now || now === refused) return;
        current = now;
        bridge.setToken(now);
        bridge.connect().catch(() => undefined); // reported through onStatus
      } catch {
        // the bridge did not answer: the hint says to reload
      } finally {
        looking = false;
      }
    })();
  });
  return (code) => {
    if (code !== 'unauthorized') return undefined;
    return fromAddress
      ? 'The token in this page\'s address (#token=…) is not this bridge\'s: remove it from the address and reload (the page carries the bridge\'s own token), or put in the one `smartdrag token` prints.'
      : 'This page\'s token is not the bridge\'s (it was restarted with another token, or another bridge answers on this port), and the bridge\'s current one could not be read: reload the page.';
  };
}

/** The bridge WebSocket URL for a page served by the bridge. */
export function bridgeUrl(loc: Location = location): string {
  return `${loc.protocol === 'https:' ? 'wss' : 'ws'}://${loc.host}/v1/ws`;
}
