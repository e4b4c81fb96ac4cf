/** Live provisioning of hosts in every cluster, folded from `provision.progress` events. */
import type { ProvisionProgress } from '../../protocol/cluster-setup.ts';
import type { AppState, SliceCreator } from './app-state.ts';
import { applyProgress, isPhaseFinal, withoutCluster, type ProvisionRow, type ProvisionRows } from './provision-progress.ts';

export interface ProvisioningSlice {
  provisioning: ProvisionRows;
  provisionProgressed(event: ProvisionProgress): void;
  provisioningCleared(cluster: string): void;
}

export const createProvisioningSlice: SliceCreator<ProvisioningSlice> = (set) => ({
  provisioning: {},
  provisionProgressed: (event) =>
    set((s) => {
      const provisioning = applyProgress(s.provisioning, event);
      return provisioning === s.provisioning ? {} : { provisioning };
    }),
  provisioningCleared: (cluster) => set((s) => ({ provisioning: withoutCluster(s.provisioning, cluster) })),
});

export const selectProvisioning = (s: AppState): ProvisionRows => s.provisioning;

/** Hosts being worked on now, in any cluster, for the status bar. */
export function busyRows(rows: ProvisionRows): ProvisionRow[] {
  return Object.values(rows).filter((r) => !isPhaseFinal(r.phase));
}
