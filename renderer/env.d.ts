import type { HopsApi } from '../protocol/desktop-api.ts';

declare global {
  interface Window {
    /** Exposed by the preload in Electron; absent in web mode. */
    readonly hops?: HopsApi;
  }
}

export {};
