/** A table's first rows written as a file of the same format by DuckDB: what a sampled offline copy keeps. */
import { offlineLimits, type TableFormat } from '../../protocol/previews.ts';
import type { ContentSource } from './content-source.ts';
import { sqlString } from './duckdb.ts';
import type { PreviewTools } from './preview-file.ts';
import { firstLine, NotATable, stageTable, tableSource } from './table-files.ts';

const copyOptions: Record<TableFormat, string> = {
  csv: 'FORMAT csv, HEADER true',
  tsv: "FORMAT csv, HEADER true, DELIMITER '\t'",
  jsonl: 'FORMAT json',
  parquet: 'FORMAT parquet',
};

/**
 * Writes the first `rows` rows of `source` to `outFile` (inside the scratch directory);
 * resolves with the rows written. Throws NotATable when the file cannot be read as one.
 */
export async function writeTableSample(tools: PreviewTools, source: ContentSource, format: TableFormat, rows: number, outFile: string): Promise<number> {
  return tools.scratch.within('sample', (dir) =>
    tools.duck.use(async (connection) => {
      const staged = await stageTable(connection, source, format, rows, offlineLimits.sampleHeadBytes, dir);
      try {
        const reader = await connection.runAndReadAll(`COPY (SELECT * FROM ${tableSource(staged)} LIMIT ${rows}) TO ${sqlString(outFile)} (${copyOptions[format]})`);
        return Number(reader.getRowsJson()[0]?.[0] ?? 0);
      } catch (err) {
        throw new NotATable(firstLine(err));
      }
    }),
  );
}
