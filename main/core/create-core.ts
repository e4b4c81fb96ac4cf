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
import { Terminals } from '../cluster/terminals.ts';
import { ClusterAdmin } from '../provision/cluster-admin.ts';
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
  const info: AppInfo = {
    version: productVersion,
    mode: config.mode,
    workspaceDir: config.workspaceDir,
    platform: `${os.platform()}-${os.arch()}`,
  };
  const dispatch = createDispatcher(
    createHandlers({ info, workspace, clusters, admin, terminals, sshConfigFile: config.sshConfigFile, bus }),
  );
  let stopping: Promise<void> | undefined;

  return {
    info,
    dispatch,
    subscribe: (listener) => bus.subscribe(listener),
    start: async () => {
      if (config.startLocalCluster) await clusters.start();
    },
    stop: () => {
      stopping ??= (async () => {
        terminals.closeAll();
        await clusters.stop();
        workspace.close();
      })();
      return stopping;
    },
  };
}
