/**
 * Tables read from their first bytes only. A CSV, TSV or JSON Lines file is cut after the
 * last whole line within a byte budget; a Parquet file becomes a sparse file of the same
 * size holding just its footer and the first row groups (the footer says where they are),
 * which DuckDB reads as it would the original. Either is written into a scratch directory.
 */
import { open, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { TableFormat } from '../../protocol/previews.ts';
import { previewLimits } from '../../protocol/previews.ts';
import type { ContentSource } from './content-source.ts';
import { sqlString } from './duckdb.ts';

/** A file that is not the table its name says; the preview shows it as text with this reason. */
export class NotATable extends Error {}

/** A table staged in scratch space for DuckDB. */
export interface StagedTable {
  file: string;
  format: TableFormat;
  /** The whole file was staged (so counting its rows is exact). */
  whole: boolean;
  /** Rows in the whole file, when the file says (Parquet). */
  totalRows: number | undefined;
}

/**
 * Stages enough of `source` to read its first `rows` rows: at most `headBytes` of a text
 * table, or the footer and the row groups holding those rows of a Parquet file.
 */
export async function stageTable(
  connection: DuckDBConnection,
  source: ContentSource,
  format: TableFormat,
  rows: number,
  headBytes: number,
  dir: string,
): Promise<StagedTable> {
  if (format === 'parquet') return stageParquet(connection, source, rows, dir);
  const file = path.join(dir, `head.${format}`);
  const bytes = await source.head(headBytes);
  const whole = bytes.length >= source.size;
  let kept = bytes;
  if (!whole) {
    const lastNewline = bytes.lastIndexOf(0x0a);
    if (lastNewline < 0) throw new NotATable(`its first line is longer than the ${mib(headBytes)} a preview reads`);
    kept = bytes.subarray(0, lastNewline + 1);
  }
  await writeFile(file, kept, { mode: 0o600 });
  return { file, format, whole, totalRows: undefined };
}

async function stageParquet(connection: DuckDBConnection, source: ContentSource, rows: number, dir: string): Promise<StagedTable> {
  const magic = 'PAR1';
  if (source.size < 12) throw new NotATable('it is too short to be a Parquet file');
  const tail = await source.range(source.size - 8, 8);
  const footerLength = tail.readUInt32LE(0);
  if (tail.subarray(4).toString('latin1') !== magic || footerLength + 12 > source.size) {
    throw new NotATable('it does not end with a Parquet footer');
  }
  if (footerLength > previewLimits.maxParquetFooterBytes) {
    throw new NotATable(`its Parquet footer is ${mib(footerLength)}, more than the ${mib(previewLimits.maxParquetFooterBytes)} a preview reads`);
  }
  const footerStart = source.size - 8 - footerLength;
  const footer = await source.range(footerStart, footerLength);
  const file = path.join(dir, 'sparse.parquet');
  const handle = await open(file, 'w', 0o600);
  try {
    // A hole-filled file of the original size: offsets in the footer stay right.
    await handle.truncate(source.size);
    await handle.write(Buffer.from(magic, 'latin1'), 0, 4, 0);
    await handle.write(Buffer.concat([footer, tail]), 0, footerLength + 8, footerStart);
    const groups = await rowGroups(connection, file);
    const totalRows = groups.reduce((sum, group) => sum + group.rows, 0);
    let covered = 0;
    let start = Number.POSITIVE_INFINITY;
    let end = 0;
    for (const group of groups) {
      if (covered >= rows) break;
      const nextStart = Math.min(start, group.start);
      const nextEnd = Math.max(end, group.end);
      if (nextEnd - nextStart > previewLimits.maxParquetRowGroupBytes) {
        if (covered === 0) throw new NotATable(`its first row group is ${mib(group.end - group.start)}, more than the ${mib(previewLimits.maxParquetRowGroupBytes)} a preview reads`);
        break;
      }
      start = nextStart;
      end = nextEnd;
      covered += group.rows;
    }
    if (end > start) {
      if (start < 4 || end > footerStart) throw new NotATable('its footer points outside the file');
      await handle.write(await source.range(start, end - start), 0, end - start, start);
    }
    return { file, format: 'parquet', whole: false, totalRows };
  } finally {
    await handle.close();
  }
}

interface RowGroup {
  rows: number;
  start: number;
  end: number;
}

/** Each row group's row count and byte span, from the footer alone. */
async function rowGroups(connection: DuckDBConnection, file: string): Promise<RowGroup[]> {
  let reader;
  try {
    reader = await connection.runAndReadAll(
      // A column chunk starts at its dictionary page when it has one (some writers put 0 there for none).
      `WITH chunks AS (
         SELECT row_group_id, row_group_num_rows,
                CASE WHEN dictionary_page_offset > 0 THEN least(dictionary_page_offset, data_page_offset) ELSE data_page_offset END AS start,
                total_compressed_size
         FROM parquet_metadata(${sqlString(file)}))
       SELECT row_group_id, any_value(row_group_num_rows), min(start), max(start + total_compressed_size)
       FROM chunks GROUP BY row_group_id ORDER BY row_group_id`,
    );
  } catch (err) {
    throw new NotATable(`its Parquet footer cannot be read (${firstLine(err)})`);
  }
  return reader.getRowsJson().map((row) => ({ rows: Number(row[1]), start: Number(row[2]), end: Number(row[3]) }));
}

/** The SQL that reads a staged table. */
export function tableSource(staged: Pick<StagedTable, 'file' | 'format'>): string {
  const file = sqlString(staged.file);
  switch (staged.format) {
    case 'csv':
      // The extension says comma-separated: a ragged file is then an error, not one wide column.
      return `read_csv(${file}, delim = ',')`;
    case 'tsv':
      return `read_csv(${file}, delim = '\t')`;
    case 'jsonl':
      return `read_json(${file}, format = 'newline_delimited')`;
    case 'parquet':
      return `read_parquet(${file})`;
  }
}

/** DuckDB's message, first line only (the rest is its internal context). */
export function firstLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.split('\n')[0]!.trim();
}

export function mib(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MiB` : `${Math.ceil(bytes / 1024)} KiB`;
}
