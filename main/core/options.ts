/**
 * Desktop core options read and defaulted in one place, so no other module guesses at
 * paths or falls back with `??`.
 */
import { accessSync, constants } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { AppMode } from '../../protocol/desktop-api.ts';
import type { CoreOptions } from './core.ts';

export interface CoreConfig {
  mode: AppMode;
  workspaceDir: string;
  startLocalCluster: boolean;
  /** Root of the installed app: holds dist/ (agent bundle, renderer) and node_modules/. */
  appRoot: string;
  /** The pinned Node runtime that runs the local agent (never Electron's own). */
  nodePath: string;
  agentBundlePath: string;
  /** Where built agent bundles (agent + Node runtime, compressed) are cached. */
  bundleCacheDir: string;
  /** `~/.ssh/config` unless a test points elsewhere. */
  sshConfigFile: string | undefined;
  log: (line: string) => void;
}

/** Resolves every option to a concrete value. */
export function compileCoreOptions(options: CoreOptions): CoreConfig {
  const appRoot = options.appRoot ?? defaultAppRoot();
  return {
    mode: options.mode,
    workspaceDir: path.resolve(options.workspaceDir ?? defaultWorkspaceDir()),
    startLocalCluster: options.startLocalCluster ?? true,
    appRoot,
    nodePath: pinnedNodePath(appRoot),
    agentBundlePath: options.agentBundlePath ?? path.join(appRoot, 'dist', 'agent', 'hopsdesk-agent.mjs'),
    bundleCacheDir: bundleCacheDir(appRoot, path.resolve(options.workspaceDir ?? defaultWorkspaceDir())),
    sshConfigFile: options.sshConfigFile ?? (process.env.HOPSDESK_SSH_CONFIG || undefined),
    log: options.log ?? ((line) => process.stderr.write(line + '\n')),
  };
}

/** `HOPSDESK_HOME`, else the platform's per-user data directory. */
export function defaultWorkspaceDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (env.HOPSDESK_HOME) return env.HOPSDESK_HOME;
  const home = os.homedir();
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'Hopsdesk');
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'Hopsdesk');
  return path.join(env.XDG_DATA_HOME ?? path.join(home, '.local', 'share'), 'hopsdesk');
}

/**
 * Built bundles sit beside the build they come from (every workspace reuses them); an
 * installed app's folder is read-only, so there they go into the workspace.
 */
function bundleCacheDir(appRoot: string, workspaceDir: string): string {
  const dist = path.join(appRoot, 'dist');
  try {
    accessSync(dist, constants.W_OK);
    return path.join(dist, 'agent-bundles');
  } catch {
    return path.join(workspaceDir, 'cache', 'agent-bundles');
  }
}

function defaultAppRoot(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
}

/**
 * Inside plain Node the core already runs on the pinned runtime; inside Electron,
 * `process.execPath` is Electron itself, so the agent gets the runtime from node_modules.
 */
function pinnedNodePath(appRoot: string): string {
  if (!process.versions.electron) return process.execPath;
  const require = createRequire(path.join(appRoot, 'package.json'));
  return path.join(path.dirname(require.resolve('node/package.json')), 'bin', 'node');
}
