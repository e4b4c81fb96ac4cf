/**
 * The renderer's one store, made of typed slices. A factory rather than a singleton so tests
 * get a fresh store each; the app binds one instance in `app-store.ts`.
 */
import { createStore, type StateCreator } from 'zustand/vanilla';
import { createClusterSlice, type ClusterSlice } from './cluster-slice.ts';
import { createConnectionSlice, type ConnectionSlice } from './connection-slice.ts';
import { createLayoutSlice, type LayoutSlice } from './layout-slice.ts';
import { createMetricsSlice, type MetricsSlice } from './metrics-slice.ts';
import { createNotificationsSlice, type NotificationsSlice } from './notifications-slice.ts';
import { createPaletteSlice, type PaletteSlice } from './palette-slice.ts';
import { createSettingsSlice, type SettingsSlice } from './settings-slice.ts';

export type AppState = LayoutSlice &
  ConnectionSlice &
  ClusterSlice &
  MetricsSlice &
  SettingsSlice &
  NotificationsSlice &
  PaletteSlice;

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
  }));
}

export type AppStore = ReturnType<typeof createAppStore>;
