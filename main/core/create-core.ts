/**
 * The composition root of the desktop core: every service is built here and nowhere else,
 * the same for Electron, web mode and the CLI.
 */
import os from 'node:os';
import type { AppInfo } from '../../protocol/desktop-api.ts';
import { productVersion } from '../../protocol/version.ts';
import { createDispatcher } from '../api/dispatcher.ts';
import path from 'node:path';
import { Clusters } from '../cluster/clusters.ts';
import { createStreamTransfers } from '../cluster/stream-transfers.ts';
import { Terminals } from '../cluster/terminals.ts';
import { LocalShells } from '../terminal/local-shells.ts';
import { OfflineCopies } from '../offline/offline-copies.ts';
import { Duck } from '../previews/duckdb.ts';
import { Scratch } from '../previews/scratch.ts';
import { ClusterAdmin } from '../provision/cluster-admin.ts';
import { seedDemoProject } from '../samples/demo-project.ts';
import { createSecretStore } from '../security/secret-store.ts';
import { openWorkspace } from '../workspace/workspace.ts';
import type { Core, CoreOptions } from './core.ts';
import { EventBus } from './event-bus.ts';
import { createHandlers } from './handlers.ts';
import { compileCoreOptions } from './options.ts';

/** Opens the workspace and wires the services; nothing connects until `start()`. */
export async function createCore(options: CoreOptions): Promise<Core> {
  const config = compileCoreOptions(options);
  const workspace = openWorkspace(config.workspaceDir);
  const bus = new EventBus();
  const secrets = createSecretStore(path.join(config.workspaceDir, 'secrets'), options.secretCipher);
  const clusters = new Clusters(config, workspace, bus, secrets);
  const admin = new ClusterAdmin(config, workspace, clusters, secrets, (progress) => bus.emit('provision.progress', progress));
  const terminals = new Terminals(bus);
  const localShells = new LocalShells(bus, config.mode);
  const scratch = new Scratch(config.workspaceDir);
  const previews = { scratch, duck: new Duck(scratch.root) };
  const offline = new OfflineCopies(clusters, workspace, previews, (progress) => bus.emit('offline.progress', progress));
  let seeding: Promise<unknown> = Promise.resolve();
  const info: AppInfo = {
    version: productVersion,
    mode: config.mode,
    workspaceDir: config.workspaceDir,
    platform: `${os.platform()}-${os.arch()}`,
  };
  const streams = createStreamTransfers(clusters, bus);
  const dispatch = createDispatcher(
    createHandlers({ info, workspace, clusters, admin, terminals, localShells, sshConfigFile: config.sshConfigFile, bus, previews, offline, streams }),
  );
  let stopping: Promise<void> | undefined;

  return {
    info,
    dispatch,
    subscribe: (listener) => bus.subscribe(listener),
    streams,
    start: async () => {
      if (config.startLocalCluster) await clusters.start();
      // The sample project goes on the local cluster after start, in the background; a
      // one-shot CLI command does only what it was asked.
      if (config.startLocalCluster && config.mode !== 'cli') {
        seeding = seedDemoProject({ clusters, workspace, tools: previews, samplesDir: path.join(config.appRoot, 'resources', 'samples') }).catch((err: unknown) =>
          config.log(`the demo project was not added this time: ${err instanceof Error ? err.message : String(err)}`),
        );
      }
    },
    stop: () => {
      stopping ??= (async () => {
        terminals.closeAll();
        localShells.closeAll();
        await seeding;
        await clusters.stop();
        await previews.duck.close();
        scratch.close();
        workspace.close();
      })();
      return stopping;
    },
  };
}
