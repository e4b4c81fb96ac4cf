/**
 * Joining a cluster with an invite, from the dialog: check the form, read the head's host
 * key for the user to compare (as the new-cluster wizard does), then `cluster.join` and
 * switch the window to the cluster, showing the project the invite led to.
 */
import type { HopsApi } from '../../protocol/desktop-api.ts';
import type { AppStore } from '../store/app-state.ts';
import { joinKeysVerdict } from '../store/join-slice.ts';
import { isJoinValid, toJoinParams, validateJoinDraft } from './join-form.ts';
import { problemOf } from './problems.ts';

export interface ClusterJoin {
  /** Opens the dialog, where it was left if it is open. */
  open(): void;
  /**
   * The dialog's one button: shows the form's problems, or reads the host key, or waits for
   * a new key to be confirmed, or joins.
   */
  submit(): Promise<void>;
}

export interface ClusterJoinOptions {
  hops: HopsApi;
  store: AppStore;
  /** Switches the whole window to a cluster (the session's `useCluster`). */
  useCluster(name: string): Promise<void>;
  /** Re-reads the cluster list, so the joined cluster appears in the side bar. */
  refreshClusters(): Promise<void>;
}

export function createClusterJoin({ hops, store, useCluster, refreshClusters }: ClusterJoinOptions): ClusterJoin {
  const state = store.getState;

  return {
    open: () => state().joinOpened(),
    async submit() {
      const join = state().join;
      if (join === null || join.step === 'scanning' || join.step === 'joining') return;
      if (!isJoinValid(validateJoinDraft(join.draft, state().clusters.map((c) => c.name)))) {
        state().joinShowErrors();
        return;
      }
      const { id } = join;
      if (join.scan === null) {
        state().joinStepChanged(id, 'scanning');
        try {
          state().joinKeyScanned(id, await hops.host.scanKey({ target: join.draft.head.trim() }));
        } catch (err) {
          state().joinFailed(id, problemOf(err));
          return;
        }
      }
      const current = state().join;
      if (current?.id !== id) return;
      const keys = joinKeysVerdict(current);
      if (!keys.ready) {
        // A changed key stops here for good; a new one waits for the user's look.
        state().joinStepChanged(id, keys.changed ? 'form' : 'confirm-key');
        return;
      }
      state().joinStepChanged(id, 'joining');
      try {
        const joined = await hops.cluster.join(toJoinParams(current.draft, keys.acceptHostKeys));
        if (state().join?.id === id) state().joinClosed();
        const where = joined.project === null ? '' : `, member of project ${joined.project}`;
        state().notify('success', `Joined cluster ${joined.cluster.name} as ${joined.user.name}${where}.`);
        await refreshClusters();
        await useCluster(joined.cluster.name);
        if (joined.project !== null) state().projectSelected(joined.project);
        state().showView('projects');
      } catch (err) {
        state().joinFailed(id, problemOf(err));
      }
    },
  };
}
