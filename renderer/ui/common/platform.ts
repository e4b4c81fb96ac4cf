/** macOS writes shortcuts with ⌘ and uses Cmd where others use Ctrl. */
export const isMac: boolean = /Mac|iPhone|iPad/.test(navigator.userAgent);
