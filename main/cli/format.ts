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
