/** Whether the command palette is open. */
import type { AppState, SliceCreator } from './app-state.ts';

export interface PaletteSlice {
  paletteOpen: boolean;
  openPalette(): void;
  closePalette(): void;
}

export const createPaletteSlice: SliceCreator<PaletteSlice> = (set) => ({
  paletteOpen: false,
  openPalette: () => set({ paletteOpen: true }),
  closePalette: () => set({ paletteOpen: false }),
});

export const selectPaletteOpen = (s: AppState): boolean => s.paletteOpen;
