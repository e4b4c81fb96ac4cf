/**
 * The new-cluster wizard's calls to the desktop core: scan host keys, run the doctor on
 * every host at once, then create the cluster. Each step reads the draft from the store and
 * writes its answers back, so the wizard's components only render and dispatch.
 */
import type { HopsApi } from '../../protocol/desktop-api.ts';
import type { AppStore } from '../store/app-state.ts';
import { doctorVerdict, keysVerdict, keyTargets } from '../store/wizard-slice.ts';
import { draftHosts, isDraftValid, sshAccessOf, toCreateParams, validateDraft } from './new-cluster.ts';
import { problemOf } from './problems.ts';

export interface ClusterSetup {
  /** Validates the draft; when it is fine, moves on to the host keys and scans them. */
  submitHosts(): void;
  /** Scans every host key again (after a failure, or after fixing a host). */
  scanKeys(): Promise<void>;
  /** Moves on to the checks once every key is scanned and confirmed, and runs them. */
  submitKeys(): void;
  runDoctor(): Promise<void>;
  /** Moves on to the install once every host passed its checks, and starts it. */
  submitDoctor(): void;
  /** Creates the cluster with the confirmed keys; progress arrives as events. */
  install(): Promise<void>;
  /** Makes the new cluster the active one and closes the wizard. */
  openCluster(): Promise<void>;
}

export interface ClusterSetupOptions {
  hops: HopsApi;
  store: AppStore;
  /** Switches the whole window to a cluster (the session's `useCluster`). */
  useCluster(name: string): Promise<void>;
  /** Re-reads the cluster list, so the new cluster appears in the side bar. */
  refreshClusters(): Promise<void>;
}

export function createClusterSetup({ hops, store, useCluster, refreshClusters }: ClusterSetupOptions): ClusterSetup {
  const state = store.getState;
  const wizard = () => state().wizard;
  const existingNames = () => state().clusters.map((c) => c.name);

  const scanKeys = async () => {
    const w = wizard();
    if (w === null) return;
    const targets = keyTargets(w.draft);
    const jump = w.draft.jump.trim();
    const run = state().keyScansStarted(targets.map((t) => t.target));
    await Promise.all(
      targets.map(async ({ target, role }) => {
        try {
          // The bastion is reached directly; the hosts through it.
          const scan = await hops.host.scanKey(role === 'bastion' || jump === '' ? { target } : { target, jump });
          state().keyScanned(run, target, { state: 'scanned', scan });
        } catch (err) {
          state().keyScanned(run, target, { state: 'failed', problem: problemOf(err) });
        }
      }),
    );
  };

  const runDoctor = async () => {
    const w = wizard();
    if (w === null) return;
    const access = sshAccessOf(w.draft, keysVerdict(w).acceptHostKeys);
    const targets = draftHosts(w.draft).map((h) => h.target.trim());
    const run = state().doctorStarted(targets);
    await Promise.all(
      targets.map(async (target) => {
        try {
          state().doctorAnswered(run, target, { state: 'done', report: await hops.host.doctor({ target, ...access }) });
        } catch (err) {
          state().doctorAnswered(run, target, { state: 'failed', problem: problemOf(err) });
        }
      }),
    );
  };

  const install = async () => {
    const w = wizard();
    if (w === null || w.install.state === 'running') return;
    const params = toCreateParams(w.draft, keysVerdict(w).acceptHostKeys);
    state().provisioningCleared(params.name);
    state().installChanged(w.id, { state: 'running' });
    try {
      const { cluster, hosts } = await hops.cluster.create(params);
      state().installChanged(w.id, { state: 'done', hosts });
      state().notify('success', `Cluster ${cluster.name} is ready with ${hosts.length} ${hosts.length === 1 ? 'host' : 'hosts'}.`);
      await refreshClusters();
    } catch (err) {
      const problem = problemOf(err);
      state().installChanged(w.id, { state: 'failed', problem });
      state().notify('error', `Could not create cluster ${params.name}: ${problem.message}`, problem.hint);
    }
  };

  return {
    submitHosts() {
      const w = wizard();
      if (w === null) return;
      if (!isDraftValid(validateDraft(w.draft, existingNames()))) {
        state().wizardShowErrors();
        return;
      }
      state().wizardStepShown('keys');
      void scanKeys();
    },
    scanKeys,
    submitKeys() {
      const w = wizard();
      if (w === null || !keysVerdict(w).ready) return;
      state().wizardStepShown('doctor');
      void runDoctor();
    },
    runDoctor,
    submitDoctor() {
      const w = wizard();
      if (w === null || !doctorVerdict(w).ready) return;
      state().wizardStepShown('install');
      void install();
    },
    install,
    async openCluster() {
      const w = wizard();
      if (w === null || w.install.state !== 'done') return;
      const name = w.draft.name.trim();
      state().closeWizard();
      await useCluster(name);
    },
  };
}
