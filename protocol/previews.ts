/**
 * File previews and offline copies of cluster data: what `dataset.preview` returns and
 * what the `offline.*` methods keep, with the bounds every end enforces.
 *
 * A preview never reads a whole file: a table shows its first rows (the first bytes of a
 * CSV, TSV or JSON Lines file; the footer and first row groups of a Parquet file), text
 * its first bytes, an image only when it is small.
 */
import { Type, type Static } from '@sinclair/typebox';
import { FileStat } from './fs.ts';

export const previewLimits = {
  /** Rows a table preview may ask for, and the default. */
  maxRows: 1000,
  defaultRows: 200,
  /** Bytes read from the start of a CSV, TSV or JSON Lines file. */
  tableHeadBytes: 4 * 1024 * 1024,
  /** Columns shown; wider tables are cut (and say so). */
  maxColumns: 200,
  /** Characters kept of one cell; longer ones end with "…". */
  maxCellChars: 1000,
  /** Largest Parquet footer read. */
  maxParquetFooterBytes: 16 * 1024 * 1024,
  /** Largest span of row groups read from a Parquet file for a preview or a sample. */
  maxParquetRowGroupBytes: 64 * 1024 * 1024,
  /** Largest image shown (its bytes travel base64 in the answer). */
  maxImageBytes: 8 * 1024 * 1024,
  /** Bytes of text shown. */
  maxTextBytes: 256 * 1024,
} as const;

export const offlineLimits = {
  /** Most bytes one offline copy may hold. */
  maxCopyBytes: 2 * 1024 * 1024 * 1024,
  /** Most files one offline copy may hold. */
  maxCopyFiles: 100_000,
  /** Most rows of a table file in a sampled copy. */
  maxSampleRows: 1_000_000,
  /** Bytes read from the start of a CSV, TSV or JSON Lines file to take a sample. */
  sampleHeadBytes: 256 * 1024 * 1024,
} as const;

export const TableFormat = Type.Union([Type.Literal('csv'), Type.Literal('tsv'), Type.Literal('parquet'), Type.Literal('jsonl')]);
export type TableFormat = Static<typeof TableFormat>;

export const TextLanguage = Type.Union([
  Type.Literal('python'),
  Type.Literal('javascript'),
  Type.Literal('typescript'),
  Type.Literal('yaml'),
  Type.Literal('json'),
  Type.Literal('shell'),
  Type.Literal('markdown'),
  Type.Literal('plain'),
]);
export type TextLanguage = Static<typeof TextLanguage>;

/** Set when the preview was read from the offline copy because the cluster could not be reached. */
const OfflineMark = Type.Optional(Type.Object({ copiedAtMs: Type.Number() }));

/** A cell as JSON carries it: big integers, decimals, dates and times as strings; nested values as JSON text. */
export const Cell = Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null()]);
export type Cell = Static<typeof Cell>;

export const TablePreview = Type.Object({
  kind: Type.Literal('table'),
  format: TableFormat,
  /** Names and DuckDB's types (`BIGINT`, `VARCHAR`, `DATE`, …). */
  columns: Type.Array(Type.Object({ name: Type.String(), type: Type.String() })),
  /** One array per row, in the order of `columns`. */
  rows: Type.Array(Type.Array(Cell)),
  /** Rows in the whole file, when known without reading it all (Parquet, or a file read whole). */
  totalRows: Type.Optional(Type.Integer({ minimum: 0 })),
  /** More rows (or columns) exist than are shown. */
  truncated: Type.Boolean(),
  columnsTruncated: Type.Boolean(),
  /** Bytes of the file read to make the preview. */
  bytesRead: Type.Integer({ minimum: 0 }),
  offline: OfflineMark,
});

export const ImagePreview = Type.Object({
  kind: Type.Literal('image'),
  mime: Type.String(),
  dataBase64: Type.String(),
  offline: OfflineMark,
});

export const TextPreview = Type.Object({
  kind: Type.Literal('text'),
  language: TextLanguage,
  text: Type.String(),
  truncated: Type.Boolean(),
  /** Why a file that looked like a table is shown as text (DuckDB's complaint). */
  notice: Type.Optional(Type.String()),
  offline: OfflineMark,
});

export const NoPreview = Type.Object({
  kind: Type.Literal('none'),
  /** Said to the user: binary, too large, unknown type. */
  reason: Type.String(),
  offline: OfflineMark,
});

export const FilePreview = Type.Union([TablePreview, ImagePreview, TextPreview, NoPreview]);
export type FilePreview = Static<typeof FilePreview>;

/** One offline copy: a file or directory of a cluster, copied into the workspace whole or sampled. */
export const OfflineCopy = Type.Object({
  cluster: Type.String(),
  path: Type.String(),
  type: Type.Union([Type.Literal('file'), Type.Literal('dir')]),
  bytes: Type.Integer({ minimum: 0 }),
  files: Type.Integer({ minimum: 0 }),
  /** The first N rows of each table file; null for a whole copy. */
  sampleRows: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()]),
  copiedAtMs: Type.Number(),
});
export type OfflineCopy = Static<typeof OfflineCopy>;

/** What a directory of an offline copy holds, in the shape of the cluster's listing. */
export const OfflineEntry = Type.Pick(FileStat, ['path', 'name', 'type', 'size', 'mtimeMs']);
export type OfflineEntry = Static<typeof OfflineEntry>;

/** `offline.progress` events while a copy is made. */
export const OfflineProgress = Type.Object({
  cluster: Type.String(),
  path: Type.String(),
  bytesDone: Type.Integer({ minimum: 0 }),
  bytesTotal: Type.Integer({ minimum: 0 }),
  filesDone: Type.Integer({ minimum: 0 }),
  filesTotal: Type.Integer({ minimum: 0 }),
});
export type OfflineProgress = Static<typeof OfflineProgress>;
