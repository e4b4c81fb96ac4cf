/**
 * What a file is, from its name: a table DuckDB reads, an image, text in a language the
 * viewer highlights, or unknown (then its first bytes decide between text and binary).
 */
import type { TableFormat, TextLanguage } from '../../protocol/previews.ts';

export type FileKind =
  | { kind: 'table'; format: TableFormat }
  | { kind: 'image'; mime: string }
  | { kind: 'text'; language: TextLanguage }
  | { kind: 'unknown' };

const tables: Record<string, TableFormat> = { csv: 'csv', tsv: 'tsv', tab: 'tsv', parquet: 'parquet', pq: 'parquet', jsonl: 'jsonl', ndjson: 'jsonl' };

// SVG is left out on purpose: it is a document that can carry scripts, so it shows as text.
const images: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  bmp: 'image/bmp',
  avif: 'image/avif',
};

const languages: Record<string, TextLanguage> = {
  py: 'python',
  js: 'javascript',
  mjs: 'javascript',
  cjs: 'javascript',
  jsx: 'javascript',
  ts: 'typescript',
  mts: 'typescript',
  cts: 'typescript',
  tsx: 'typescript',
  yaml: 'yaml',
  yml: 'yaml',
  json: 'json',
  sh: 'shell',
  bash: 'shell',
  zsh: 'shell',
  md: 'markdown',
  markdown: 'markdown',
  txt: 'plain',
  log: 'plain',
};

/** The kind of the file called `name`, by its extension (case ignored). */
export function kindOf(name: string): FileKind {
  const dot = name.lastIndexOf('.');
  const extension = dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
  const table = tables[extension];
  if (table) return { kind: 'table', format: table };
  const mime = images[extension];
  if (mime) return { kind: 'image', mime };
  const language = languages[extension];
  if (language) return { kind: 'text', language };
  return { kind: 'unknown' };
}

/**
 * Whether `bytes` read as text: valid UTF-8 (a character cut at the end is allowed) and
 * no NUL or other control characters but tab, newline, carriage return and form feed.
 */
export function looksLikeText(bytes: Buffer): boolean {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  try {
    decoder.decode(cutToCharacter(bytes), { stream: false });
  } catch {
    return false;
  }
  for (const byte of bytes) {
    if (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d && byte !== 0x0c) return false;
  }
  return true;
}

/** `bytes` without a UTF-8 sequence cut short at its end. */
export function cutToCharacter(bytes: Buffer): Buffer {
  let start = bytes.length - 1;
  // Walk back over continuation bytes (10xxxxxx) to the lead byte of the last character.
  while (start >= 0 && start > bytes.length - 4 && (bytes[start]! & 0xc0) === 0x80) start -= 1;
  if (start < 0) return bytes;
  const lead = bytes[start]!;
  const length = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return start + length > bytes.length ? bytes.subarray(0, start) : bytes;
}
