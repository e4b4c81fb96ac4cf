/** User settings as the desktop core stores them. */
import { defaultSettings, type Settings, type Theme } from '../../protocol/desktop-api.ts';
import type { AppState, SliceCreator } from './app-state.ts';

export interface SettingsSlice {
  settings: Settings;
  settingsChanged(settings: Settings): void;
}

export const createSettingsSlice: SliceCreator<SettingsSlice> = (set) => ({
  settings: defaultSettings,
  settingsChanged: (settings) => set({ settings }),
});

export const selectTheme = (s: AppState): Theme => s.settings.theme;
