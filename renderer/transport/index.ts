/**
 * The one way the renderer reaches the desktop core: `window.hops` from the preload in
 * Electron, or the same API over this page's own WebSocket in web mode.
 */
import type { HopsApi } from '../../protocol/desktop-api.ts';
import { browserSocket } from './socket.ts';
import { createWebClient, type LinkState, type WebClient } from './web-client.ts';

let hops: HopsApi | null = null;
let webClient: WebClient | null = null;

/** The page is served by the desktop core itself, so its socket lives on the same origin. */
function webSocketUrl(location: Location): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
}

/** The desktop API of this window, chosen once: the preload's in Electron, else the web client's. */
export function getHops(): HopsApi {
  if (hops !== null) return hops;
  if (window.hops !== undefined) {
    hops = window.hops;
  } else {
    webClient = createWebClient({ url: webSocketUrl(window.location), createSocket: browserSocket });
    hops = webClient.api;
  }
  return hops;
}

/** Follows this window's link to the core; Electron's IPC has no link to lose, so it is open. */
export function watchLink(listener: (state: LinkState) => void): () => void {
  getHops();
  if (webClient === null) {
    listener('open');
    return () => undefined;
  }
  listener(webClient.state);
  return webClient.onStateChange(listener);
}

export type { LinkState };
