/**
 * What a user does to the hosts of the active cluster from the hosts table: add one, upgrade
 * an agent, or remove a host. Progress arrives as `provision.progress` events; the outcome goes to the log.
 */
import type { HostKeyScan } from '../../protocol/cluster-setup.ts';
import type { HopsApi } from '../../protocol/desktop-api.ts';
import type { AppStore } from '../store/app-state.ts';
import { problemOf } from './problems.ts';

export interface HostActions {
  /** Upgrades one host's agent, or every host's when `hostId` is omitted. */
  upgrade(hostId?: string): Promise<void>;
  /** Drains the host, stops its agent and removes what was installed. */
  remove(hostId: string): Promise<void>;
  /**
   * Installs the agent on a new host (its host key confirmed by the user) and joins it as a
   * worker; resolves to the problem when it failed, for the dialog to show.
   */
  /**
   * Stops every agent of the active cluster and removes what was installed on its hosts;
   * the cluster leaves this workspace only when every host came out clean.
   */
  uninstall(): Promise<void>;
  /** The host key a new host offers (and its bastion's), to confirm before adding it. */
  scanKey(target: string): Promise<HostKeyScan | { message: string; hint: string }>;
  add(params: { target: string; labels: string[]; keyFile?: string; acceptHostKeys: string[] }): Promise<{ message: string; hint: string } | null>;
}

export interface HostActionsOptions {
  hops: HopsApi;
  store: AppStore;
  /** Re-reads the cluster afterwards, since its hosts changed. */
  reload(): Promise<void>;
}

export function createHostActions({ hops, store, reload }: HostActionsOptions): HostActions {
  const state = store.getState;
  const nameOf = (hostId: string) => state().hosts.find((h) => h.hostId === hostId)?.hostId ?? hostId;
  const fail = (what: string, err: unknown) => {
    const problem = problemOf(err);
    state().notify('error', `${what}: ${problem.message}`, problem.hint);
  };

  return {
    async upgrade(hostId) {
      const subject = hostId === undefined ? `the agents of cluster ${state().status?.name ?? ''}`.trim() : `the agent on ${nameOf(hostId)}`;
      state().notify('info', `Upgrading ${subject}…`);
      try {
        const { hosts } = await hops.host.upgrade(hostId === undefined ? {} : { hostId });
        const versions = [...new Set(hosts.map((h) => h.agentVersion))].join(', ');
        state().notify('success', `Upgraded ${hosts.length === 1 ? '1 agent' : `${hosts.length} agents`}${versions ? ` to ${versions}` : ''}.`);
      } catch (err) {
        fail(`Could not upgrade ${subject}`, err);
      }
      await reload();
    },
    async remove(hostId) {
      const name = nameOf(hostId);
      state().notify('info', `Removing host ${name}…`);
      try {
        const { clean, detail } = await hops.host.remove({ hostId });
        if (clean) state().notify('success', `Removed host ${name}; nothing of Hopsdesk remains on it.`);
        else state().notify('warning', `Removed host ${name}, but not cleanly: ${detail}.`, 'Check the host by hand, or run the removal again.');
      } catch (err) {
        fail(`Could not remove host ${name}`, err);
      }
      await reload();
    },
    async uninstall() {
      const name = state().status?.name;
      if (name === undefined) return;
      state().notify('info', `Uninstalling cluster ${name}…`);
      try {
        const report = await hops.cluster.uninstall({ name });
        const dirty = report.hosts.filter((h) => !h.clean);
        if (dirty.length === 0) state().notify('success', `Cluster ${name} is uninstalled: no process and no file of Hopsdesk is left on its ${report.hosts.length} hosts.`);
        else
          state().notify(
            'warning',
            `Cluster ${name} was not removed everywhere: ${dirty.map((h) => `${h.hostId}: ${h.detail}`).join('; ')}.`,
            'Fix what is named, then uninstall again; the cluster stays in this workspace until then.',
          );
      } catch (err) {
        fail(`Could not uninstall cluster ${name}`, err);
      }
      await reload();
    },
    async scanKey(target) {
      try {
        return await hops.host.scanKey({ target });
      } catch (err) {
        return problemOf(err);
      }
    },
    async add({ target, labels, keyFile, acceptHostKeys }) {
      state().notify('info', `Adding host ${target}…`);
      try {
        const host = await hops.host.add({
          host: { target, ...(labels.length === 0 ? {} : { labels }) },
          ...(keyFile === undefined ? {} : { keyFile }),
          acceptHostKeys,
        });
        state().notify('success', `Host ${host.hostId} joined the cluster.`);
        return null;
      } catch (err) {
        fail(`Could not add host ${target}`, err);
        return problemOf(err);
      } finally {
        await reload();
      }
    },
  };
}
