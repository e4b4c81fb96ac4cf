/**
 * Sizes in binary units, as `free -h`, `df -h` and nvidia-smi users read them: GiB, not GB.
 */
const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'] as const;

/** The largest binary unit in which `bytes` is at least 1, as [value, unit]. */
function scale(bytes: number): [number, (typeof units)[number]] {
  let value = bytes;
  let index = 0;
  while (Math.abs(value) >= 1024 && index < units.length - 1) {
    value /= 1024;
    index += 1;
  }
  return [value, units[index] ?? 'B'];
}

/** One decimal below 100 so small differences stay visible; whole numbers above. */
function digitsFor(value: number, unit: string): number {
  if (unit === 'B') return 0;
  return Math.abs(value) < 100 ? 1 : 0;
}

/** "23.4 GiB", "512 B", "1.0 TiB"; an em dash for missing or invalid sizes. */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes) || bytes < 0) return '—';
  const [value, unit] = scale(bytes);
  const digits = digitsFor(value, unit);
  // 1023.96 GiB would print as "1024.0 GiB"; say "1.0 TiB" instead.
  if (Number(value.toFixed(digits)) >= 1024 && unit !== 'PiB') return formatBytes(1024 ** (units.indexOf(unit) + 1));
  return `${value.toFixed(digits)} ${unit}`;
}

/** "12.3 / 80.0 GiB": both sides in the unit of the total, so they compare at a glance. */
export function formatBytesOf(usedBytes: number, totalBytes: number): string {
  if (!Number.isFinite(usedBytes) || !Number.isFinite(totalBytes) || totalBytes <= 0) return '—';
  const [total, unit] = scale(totalBytes);
  const factor = 1024 ** units.indexOf(unit);
  const digits = digitsFor(total, unit);
  return `${(usedBytes / factor).toFixed(digits)} / ${total.toFixed(digits)} ${unit}`;
}

export const MIB = 1024 * 1024;

/** nvidia-smi reports MiB; everything else in the UI is bytes. */
export function mibToBytes(mib: number): number {
  return mib * MIB;
}
