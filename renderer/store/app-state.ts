/**
 * The renderer's one store, made of typed slices. A factory rather than a singleton so tests
 * get a fresh store each; the app binds one instance in `app-store.ts`.
 */
import { createStore, type StateCreator } from 'zustand/vanilla';
import { createAuditSlice, type AuditSlice } from './audit-slice.ts';
import { createClusterSlice, type ClusterSlice } from './cluster-slice.ts';
import { createClustersSlice, type ClustersSlice } from './clusters-slice.ts';
import { createConnectionSlice, type ConnectionSlice } from './connection-slice.ts';
import { createDatasetsSlice, type DatasetsSlice } from './datasets-slice.ts';
import { createJobsSlice, type JobsSlice } from './jobs-slice.ts';
import { createJoinSlice, type JoinSlice } from './join-slice.ts';
import { createLayoutSlice, type LayoutSlice } from './layout-slice.ts';
import { createMetricsSlice, type MetricsSlice } from './metrics-slice.ts';
import { createNotificationsSlice, type NotificationsSlice } from './notifications-slice.ts';
import { createPaletteSlice, type PaletteSlice } from './palette-slice.ts';
import { createProjectsSlice, type ProjectsSlice } from './projects-slice.ts';
import { createProvisioningSlice, type ProvisioningSlice } from './provisioning-slice.ts';
import { createSettingsSlice, type SettingsSlice } from './settings-slice.ts';
import { createTerminalsSlice, type TerminalsSlice } from './terminals-slice.ts';
import { createWizardSlice, type WizardSlice } from './wizard-slice.ts';

export type AppState = LayoutSlice &
  ConnectionSlice &
  ClusterSlice &
  MetricsSlice &
  SettingsSlice &
  NotificationsSlice &
  PaletteSlice &
  ClustersSlice &
  ProvisioningSlice &
  TerminalsSlice &
  WizardSlice &
  ProjectsSlice &
  AuditSlice &
  JoinSlice &
  DatasetsSlice &
  JobsSlice;

/** A slice sees the whole state, so an action may update a neighbouring slice in one step. */
export type SliceCreator<Slice> = StateCreator<AppState, [], [], Slice>;

export function createAppStore() {
  return createStore<AppState>()((...a) => ({
    ...createLayoutSlice(...a),
    ...createConnectionSlice(...a),
    ...createClusterSlice(...a),
    ...createMetricsSlice(...a),
    ...createSettingsSlice(...a),
    ...createNotificationsSlice(...a),
    ...createPaletteSlice(...a),
    ...createClustersSlice(...a),
    ...createProvisioningSlice(...a),
    ...createTerminalsSlice(...a),
    ...createWizardSlice(...a),
    ...createProjectsSlice(...a),
    ...createAuditSlice(...a),
    ...createJoinSlice(...a),
    ...createDatasetsSlice(...a),
    ...createJobsSlice(...a),
  }));
}

export type AppStore = ReturnType<typeof createAppStore>;
