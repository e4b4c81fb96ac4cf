/** User settings as the desktop core stores them. */
import type { Settings, Theme } from '../../protocol/desktop-api.ts';
import type { AppState, SliceCreator } from './app-state.ts';

export interface SettingsSlice {
  settings: Settings;
  settingsChanged(settings: Settings): void;
}

export const createSettingsSlice: SliceCreator<SettingsSlice> = (set) => ({
  settings: { theme: 'system' },
  settingsChanged: (settings) => set({ settings }),
});

export const selectTheme = (s: AppState): Theme => s.settings.theme;
