/**
 * A preview of one file from wherever its bytes come from: a table's first rows through
 * DuckDB, a small image, the first bytes of text, or a reason why there is nothing to show.
 */
import { previewLimits, type Cell, type FilePreview, type TableFormat, type TextLanguage } from '../../protocol/previews.ts';
import type { ContentSource } from './content-source.ts';
import type { Duck } from './duckdb.ts';
import { cutToCharacter, kindOf, looksLikeText } from './file-kinds.ts';
import type { Scratch } from './scratch.ts';
import { firstLine, mib, NotATable, stageTable, tableSource } from './table-files.ts';

export interface PreviewTools {
  duck: Duck;
  scratch: Scratch;
}

/** How much of an unknown file is looked at to tell text from binary. */
const sniffBytes = 8 * 1024;

/** Previews `source`, the file called `name`, with at most `maxRows` rows of a table. */
export async function previewFile(tools: PreviewTools, source: ContentSource, name: string, maxRows: number): Promise<FilePreview> {
  const kind = kindOf(name);
  switch (kind.kind) {
    case 'table':
      try {
        return await previewTable(tools, source, kind.format, maxRows);
      } catch (err) {
        if (!(err instanceof NotATable)) throw err;
        return previewText(source, 'plain', `Not read as ${article(kind.format)} table: ${err.message}.`);
      }
    case 'image':
      if (source.size > previewLimits.maxImageBytes) {
        return { kind: 'none', reason: `The image is ${mib(source.size)}; previews show images up to ${mib(previewLimits.maxImageBytes)}.` };
      }
      return { kind: 'image', mime: kind.mime, dataBase64: (await source.head(source.size)).toString('base64') };
    case 'text':
      return previewText(source, kind.language);
    case 'unknown': {
      const start = await source.head(sniffBytes);
      if (!looksLikeText(start)) return { kind: 'none', reason: 'It is a binary file of a type Hopsdesk cannot show.' };
      return previewText(source, 'plain');
    }
  }
}

async function previewTable(tools: PreviewTools, source: ContentSource, format: TableFormat, maxRows: number): Promise<FilePreview> {
  return tools.scratch.within('preview', (dir) =>
    tools.duck.use(async (connection) => {
      const staged = await stageTable(connection, source, format, maxRows, previewLimits.tableHeadBytes, dir);
      let reader;
      try {
        reader = await connection.runAndReadAll(`SELECT * FROM ${tableSource(staged)} LIMIT ${maxRows + 1}`);
      } catch (err) {
        throw new NotATable(firstLine(err));
      }
      const names = reader.columnNames();
      const types = reader.columnTypes().map(String);
      const all = reader.getRowsJson();
      const shown = all.slice(0, maxRows);
      let totalRows = staged.totalRows;
      if (totalRows === undefined && staged.whole) {
        totalRows = all.length <= maxRows ? all.length : Number((await connection.runAndReadAll(`SELECT count(*) FROM ${tableSource(staged)}`)).getRowsJson()[0]![0]);
      }
      const width = Math.min(names.length, previewLimits.maxColumns);
      return {
        kind: 'table',
        format,
        columns: names.slice(0, width).map((name, i) => ({ name: cut(name), type: types[i]! })),
        rows: shown.map((row) => row.slice(0, width).map(toCell)),
        ...(totalRows === undefined ? {} : { totalRows }),
        truncated: totalRows === undefined ? all.length > maxRows || !staged.whole : totalRows > shown.length,
        columnsTruncated: names.length > width,
        bytesRead: source.bytesRead,
      };
    }),
  );
}

async function previewText(source: ContentSource, language: TextLanguage, notice?: string): Promise<FilePreview> {
  const bytes = await source.head(previewLimits.maxTextBytes);
  if (notice !== undefined && !looksLikeText(bytes.subarray(0, sniffBytes))) return { kind: 'none', reason: notice };
  const text = new TextDecoder('utf-8').decode(bytes.length < source.size ? cutToCharacter(bytes) : bytes);
  return { kind: 'text', language, text, truncated: bytes.length < source.size, ...(notice === undefined ? {} : { notice }) };
}

/** A DuckDB value as a JSON-safe cell: nested values as JSON text, long text cut. */
function toCell(value: unknown): Cell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'string') return cut(value);
  return cut(JSON.stringify(value));
}

function cut(text: string): string {
  return text.length > previewLimits.maxCellChars ? `${text.slice(0, previewLimits.maxCellChars - 1)}…` : text;
}

function article(format: TableFormat): string {
  return { csv: 'a CSV', tsv: 'a TSV', parquet: 'a Parquet', jsonl: 'a JSON Lines' }[format];
}
