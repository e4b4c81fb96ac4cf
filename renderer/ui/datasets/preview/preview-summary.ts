/** The line under a table preview that says how much of the file is shown. */
import type { FilePreview } from '../../../../protocol/previews.ts';
import { formatBytes } from '../../../format/bytes.ts';

type TablePreview = Extract<FilePreview, { kind: 'table' }>;

/** e.g. "200 of 344 rows", or "first 200 rows (4.0 MiB read)" when the total is unknown. */
export function tableSummary(table: TablePreview): string {
  const shown = table.rows.length;
  const rows = (n: number) => `${n.toLocaleString('en-US')} ${n === 1 ? 'row' : 'rows'}`;
  let text =
    table.totalRows !== undefined
      ? table.totalRows === shown
        ? rows(shown)
        : `${shown.toLocaleString('en-US')} of ${rows(table.totalRows)}`
      : table.truncated
        ? `first ${rows(shown)} (${formatBytes(table.bytesRead)} read)`
        : rows(shown);
  if (table.columnsTruncated) text += `, first ${table.columns.length} columns`;
  return text;
}
