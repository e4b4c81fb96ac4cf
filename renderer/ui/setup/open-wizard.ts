/** Shows the new-cluster wizard in the Cluster view, where it was left if it was open. */
import { appStore } from '../../store/app-store.ts';

export function openNewClusterWizard(): void {
  appStore.getState().openWizard();
  appStore.getState().showView('cluster');
}
