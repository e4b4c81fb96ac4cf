/**
 * The desktop core as every front end sees it: Electron IPC, web mode and the CLI all
 * hold a `Core` and nothing else of main/.
 */
import type { AppInfo, AppMode, EventName, EventPayload } from '../../protocol/desktop-api.ts';
import type { StreamTransfers } from '../cluster/stream-transfers.ts';
import type { SecretCipher } from '../security/secret-store.ts';

export interface CoreOptions {
  mode: AppMode;
  /** Workspace directory; defaults from HOPSDESK_HOME, then the platform data dir. */
  workspaceDir?: string;
  /** Whether to start (or reuse) the local cluster's agent as part of `start()`. */
  startLocalCluster?: boolean;
  /** Root of the installed app (dist/, node_modules/); defaults to this checkout. */
  appRoot?: string;
  /** The agent build to install on hosts; defaults to dist/agent/hopsdesk-agent.mjs. */
  agentBundlePath?: string;
  /** An SSH config file other than ~/.ssh/config (tests). */
  sshConfigFile?: string;
  /** The OS key store for cluster secrets (Electron's safeStorage); plain 0600 files without. */
  secretCipher?: SecretCipher;
  /** Log sink; defaults to stderr. Never receives secrets. */
  log?: (line: string) => void;
}

export type CoreEventListener = <E extends EventName>(event: E, payload: EventPayload<E>) => void;

export interface Core {
  readonly info: AppInfo;
  /**
   * Validates `method` and `params` against the desktop contract and runs the method.
   * Throws `HopsError` (VALIDATION naming the field, UNKNOWN_METHOD, …) on bad input.
   */
  dispatch(method: string, params: unknown): Promise<unknown>;
  /** File content streamed to and from the cluster for front ends without local files (web mode). */
  readonly streams: StreamTransfers;
  /** Subscribes to every desktop event; returns the unsubscribe function. */
  subscribe(listener: CoreEventListener): () => void;
  /** Creates the local cluster on first use, starts or reuses its agent, connects. */
  start(): Promise<void>;
  /** Disconnects, stops agents this core started, closes the workspace. Idempotent. */
  stop(): Promise<void>;
}
