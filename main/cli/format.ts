/** Human output for the terminal: units, tables, and errors with their next step. */
import type { WireError } from '../../protocol/errors.ts';

const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** 25125558272 → "23.4 GiB". */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

const sizeUnits: Record<string, number> = {
  '': 1, b: 1,
  k: 1024, kib: 1024, kb: 1000,
  m: 1024 ** 2, mib: 1024 ** 2, mb: 1000 ** 2,
  g: 1024 ** 3, gib: 1024 ** 3, gb: 1000 ** 3,
  t: 1024 ** 4, tib: 1024 ** 4, tb: 1000 ** 4,
  p: 1024 ** 5, pib: 1024 ** 5, pb: 1000 ** 5,
};

/**
 * "8MiB", "8M", "1.5 GiB", "2GB", "4096" → bytes: K, M, G, T, P and KiB… count in 1024s,
 * KB, MB… in 1000s (as disks are sold). Undefined for anything else or a fraction of a byte.
 */
export function parseSize(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = sizeUnits[(match?.[2] ?? '?').toLowerCase()];
  if (match === null || unit === undefined) return undefined;
  const bytes = Number(match[1]) * unit;
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}

/** Left-aligned text columns, right-aligned numeric ones, two spaces apart. */
export function formatTable(header: string[], rows: string[][], numeric: ReadonlySet<number> = new Set()): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (numeric.has(i) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

export function formatError(error: WireError): string {
  const field = error.field ? ` (field ${error.field})` : '';
  return `error: ${error.message}${field}\n  ${error.hint}`;
}
