/**
 * What a user does to one host of the active cluster from the hosts table: upgrade its agent
 * or remove it. Progress arrives as `provision.progress` events; the outcome goes to the log.
 */
import type { HopsApi } from '../../protocol/desktop-api.ts';
import type { AppStore } from '../store/app-state.ts';
import { problemOf } from './problems.ts';

export interface HostActions {
  /** Upgrades one host's agent, or every host's when `hostId` is omitted. */
  upgrade(hostId?: string): Promise<void>;
  /** Drains the host, stops its agent and removes what was installed. */
  remove(hostId: string): Promise<void>;
}

export interface HostActionsOptions {
  hops: HopsApi;
  store: AppStore;
  /** Re-reads the cluster afterwards, since its hosts changed. */
  reload(): Promise<void>;
}

export function createHostActions({ hops, store, reload }: HostActionsOptions): HostActions {
  const state = store.getState;
  const nameOf = (hostId: string) => state().hosts.find((h) => h.hostId === hostId)?.hostname ?? hostId;
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
        const { clean } = await hops.host.remove({ hostId });
        if (clean) state().notify('success', `Removed host ${name}; nothing of Hopsdesk remains on it.`);
        else state().notify('warning', `Removed host ${name}, but some files or processes remained.`, 'Check the host by hand, or run the removal again.');
      } catch (err) {
        fail(`Could not remove host ${name}`, err);
      }
      await reload();
    },
  };
}
