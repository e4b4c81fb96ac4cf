/**
 * `hopsdesk open`: an Electron window where an Electron binary exists, otherwise web mode
 * on 127.0.0.1 — with one line saying which and why.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { productVersion } from '../../protocol/version.ts';
import { createCore } from '../core/create-core.ts';
import { compileCoreOptions } from '../core/options.ts';
import { findElectronBinary } from '../electron/find-electron.ts';

export interface OpenOptions {
  web: boolean;
  port: number;
  openBrowser: boolean;
  json: boolean;
  workspace: string | undefined;
  log: (line: string) => void;
}

/** Runs the app until the window closes or the process is interrupted; returns the exit code. */
export async function openApp(options: OpenOptions): Promise<number> {
  const electron = options.web ? { missing: '--web was given' } : findElectronBinary();
  if ('path' in electron) return openElectron(electron.path, options);
  return openWeb(`web mode, because ${electron.missing}`, options);
}

async function openWeb(why: string, options: OpenOptions): Promise<number> {
  const core = await createCore({ mode: 'web', workspaceDir: options.workspace, log: options.log });
  const config = compileCoreOptions({ mode: 'web' });
  // The local agent boots in its own process while this one loads and starts the server.
  const started = core.start();
  const { startWebServer } = await import('../web/server.ts');
  let server;
  try {
    [server] = await Promise.all([
      startWebServer({ core, rendererDir: path.join(config.appRoot, 'dist', 'renderer'), port: options.port }),
      started,
    ]);
  } catch (err) {
    // Without a server nobody can use the agent just started: stop it before reporting.
    await started.catch(() => undefined);
    await core.stop();
    throw err;
  }
  if (options.json) {
    process.stdout.write(JSON.stringify({ url: server.url, mode: 'web' }) + '\n');
  } else {
    process.stdout.write(`Hopsdesk ${productVersion} — ${why}.\nOpen ${server.url}\nWorkspace ${core.info.workspaceDir}. Press Ctrl+C to stop.\n`);
  }
  if (options.openBrowser) openInBrowser(server.url, options.log);

  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  // Stopping the agent matters more than a tidy server close: never let the latter block it,
  // nor its failure skip it.
  const closed = server.close().catch((err: unknown) => options.log(`the web server did not close cleanly: ${err instanceof Error ? err.message : String(err)}`));
  await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 3_000).unref())]);
  await core.stop();
  return 0;
}

async function openElectron(binary: string, options: OpenOptions): Promise<number> {
  const { appRoot } = compileCoreOptions({ mode: 'electron' });
  const args = [path.join(appRoot, 'dist', 'electron', 'main.cjs')];
  if (options.workspace) args.push('--workspace', options.workspace);
  if (options.json) args.push('--json');
  else process.stdout.write(`Hopsdesk ${productVersion} — an Electron window (${binary}).\n`);
  const child = spawn(binary, args, { stdio: 'inherit' });
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  return new Promise((resolve) => {
    child.on('error', (err) => {
      options.log(`error: could not start Electron: ${err.message}\n  Run with --web to use your browser instead.`);
      resolve(1);
    });
    child.on('exit', (code) => resolve(code ?? 1));
  });
}

function openInBrowser(url: string, log: (line: string) => void): void {
  const command = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  const child = spawn(command, [url], { stdio: 'ignore', detached: true });
  child.on('error', () => log(`No browser could be started (${command} is missing); open the URL above yourself.`));
  child.unref();
}
