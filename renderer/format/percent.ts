/** Percentages and the other small units on meters: %, °C, W. */

/** "42%", "0.4%" (so a nearly idle host does not read as 0), an em dash when unknown. */
export function formatPercent(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  const clamped = Math.min(100, Math.max(0, value));
  if (clamped > 0 && clamped < 1) return `${clamped.toFixed(1)}%`;
  return `${Math.round(clamped)}%`;
}

/** Share of a whole as 0–100; null when the whole is unknown or zero. */
export function percentOf(part: number, whole: number): number | null {
  if (!Number.isFinite(part) || !Number.isFinite(whole) || whole <= 0) return null;
  return Math.min(100, Math.max(0, (part / whole) * 100));
}

export function formatTemperature(celsius: number | null | undefined): string {
  if (celsius === null || celsius === undefined || !Number.isFinite(celsius)) return '—';
  return `${Math.round(celsius)} °C`;
}

export function formatPower(watts: number | null | undefined): string {
  if (watts === null || watts === undefined || !Number.isFinite(watts)) return '—';
  return `${Math.round(watts)} W`;
}

/** "1 core", "8 cores". */
export function formatCores(cores: number): string {
  return `${cores} ${cores === 1 ? 'core' : 'cores'}`;
}
