/**
 * Text files of the cluster filesystem for the editor: read whole through the head's range
 * reads, written back through an upload session (the head shows the new content only once
 * all of it arrived, so a reader never sees half a save). Binary and oversized files are
 * refused with what to do instead; a save made on an older version of the file than the
 * cluster now has is refused with FILE_CHANGED unless the caller asks to replace it.
 */
import { isUtf8 } from 'node:buffer';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { HopsError } from '../../protocol/errors.ts';
import { fsName, fsRoutes, parseFsPath, showPath, type FileStat } from '../../protocol/fs.ts';
import { textFileLimits, type TextFile } from '../../protocol/text-files.ts';
import { kindOf, looksLikeText } from '../previews/file-kinds.ts';
import type { Scratch } from '../previews/scratch.ts';
import type { AgentEndpoint } from './agent-client.ts';
import { unreachable, wireError } from './head-http.ts';
import { readRange, Transfers, type HeadLink } from './transfers.ts';

/** The language the editor highlights `name` in; text of an unknown kind is plain. */
export function languageOf(name: string): TextFile['language'] {
  const kind = kindOf(name);
  return kind.kind === 'text' ? kind.language : 'plain';
}

/** The file at `filePath` whole, as UTF-8 text with its version. */
export async function readTextFile(endpoint: AgentEndpoint, filePath: string): Promise<TextFile> {
  parseFsPath(filePath);
  const stat = await statOf(endpoint, filePath);
  if (stat === undefined) throw new HopsError('PATH_NOT_FOUND', `${showPath(filePath)} does not exist.`);
  if (stat.type !== 'file') throw new HopsError('NOT_A_FILE', `${showPath(filePath)} is a directory; the editor opens files.`, { field: '/path' });
  if (stat.size > textFileLimits.maxBytes) {
    throw new HopsError('TEXT_FILE_TOO_LARGE', `${showPath(filePath)} is ${stat.size} bytes; the editor opens files of at most ${textFileLimits.maxBytes} (4 MiB).`);
  }
  const { bytes } = await readRange(endpoint, filePath, { offset: 0, length: stat.size });
  if (bytes.length !== stat.size) {
    throw new HopsError('AGENT_UNREACHABLE', `Reading ${showPath(filePath)} ended after ${bytes.length} of ${stat.size} bytes.`, { hint: 'Open the file again.' });
  }
  // looksLikeText forgives a character cut at the end of a sample; a whole file may not have one.
  if (!looksLikeText(bytes) || !isUtf8(bytes)) {
    throw new HopsError('NOT_TEXT', `${showPath(filePath)} is not UTF-8 text (it holds bytes text does not), so the editor does not open it.`);
  }
  return { path: filePath, text: bytes.toString('utf8'), mtimeMs: stat.mtimeMs, size: stat.size, language: languageOf(stat.name) };
}

export interface WriteTextOptions {
  /** The version the text was edited from; undefined replaces whatever is there. Null: the file must not exist yet. */
  baseMtimeMs?: number | null;
  /** Where the text is put for the upload, then removed. */
  scratch: Scratch;
}

/**
 * Writes `text` to `filePath` through an upload session and returns the file as saved.
 * The version check runs just before the upload; a write that lands between the two is
 * not caught (the head has no compare-and-swap), which the editor accepts for a window of
 * milliseconds.
 */
export async function writeTextFile(link: HeadLink, filePath: string, text: string, options: WriteTextOptions): Promise<TextFile> {
  parseFsPath(filePath);
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > textFileLimits.maxBytes) {
    throw new HopsError('TEXT_FILE_TOO_LARGE', `The text for ${showPath(filePath)} is ${bytes} bytes; the editor saves files of at most ${textFileLimits.maxBytes} (4 MiB).`);
  }
  const endpoint = await link.endpoint(0, AbortSignal.timeout(15_000));
  if (options.baseMtimeMs !== undefined) {
    const now = await statOf(endpoint, filePath);
    if (options.baseMtimeMs === null && now !== undefined) {
      throw new HopsError('FILE_CHANGED', `${showPath(filePath)} was created on the cluster since you started it.`);
    }
    if (options.baseMtimeMs !== null && now === undefined) {
      throw new HopsError('FILE_CHANGED', `${showPath(filePath)} was removed from the cluster since you opened it.`);
    }
    if (options.baseMtimeMs !== null && now !== undefined && now.mtimeMs !== options.baseMtimeMs) {
      throw new HopsError('FILE_CHANGED', `${showPath(filePath)} changed on the cluster at ${new Date(now.mtimeMs).toISOString()}, after you opened it.`);
    }
  }
  // Editor saves are not transfers the user started: they report no progress events.
  const transfers = new Transfers(() => undefined);
  const saved = await options.scratch.within('save', async (dir) => {
    const local = path.join(dir, 'text');
    await writeFile(local, text, { mode: 0o600 });
    return transfers.upload(link, { path: filePath, localFile: local, overwrite: true });
  });
  return { path: filePath, text, mtimeMs: saved.mtimeMs, size: saved.size, language: languageOf(fsName(filePath)) };
}

/** The file at `filePath`, or undefined when nothing is there. */
async function statOf(endpoint: AgentEndpoint, filePath: string): Promise<FileStat | undefined> {
  let response: Response;
  try {
    response = await fetch(`${endpoint.baseUrl}${fsRoutes.stat}?${new URLSearchParams({ path: filePath })}`, {
      headers: { authorization: `Bearer ${endpoint.token}` },
      signal: AbortSignal.timeout(15_000),
    });
  } catch (err) {
    throw unreachable(endpoint, err as Error);
  }
  const body = await response.text();
  if (!response.ok) {
    const refusal = wireError(response.status, body, filePath);
    if (refusal.code === 'PATH_NOT_FOUND') return undefined;
    throw refusal;
  }
  return JSON.parse(body) as FileStat;
}
