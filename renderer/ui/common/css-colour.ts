/**
 * Canvas needs concrete colours, while the theme tokens are CSS (`light-dark()` and `var()`).
 * A hidden probe lets the browser resolve a token to rgb() for the current theme.
 */
export function resolveCssColour(token: string, scope: Element): string {
  const probe = document.createElement('span');
  probe.style.color = `var(${token})`;
  probe.style.display = 'none';
  scope.appendChild(probe);
  const colour = getComputedStyle(probe).color;
  probe.remove();
  return colour;
}

/** `rgb(1, 2, 3)` → `rgba(1, 2, 3, alpha)`, for chart fills under a line. */
export function withAlpha(colour: string, alpha: number): string {
  const match = /rgba?\(([^)]+)\)/.exec(colour);
  if (match === null) return colour;
  const [r, g, b] = match[1]!.split(/[\s,/]+/).filter(Boolean);
  return `rgba(${r}, ${g}, ${b}, ${alpha})`;
}
